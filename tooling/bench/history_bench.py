"""Time the history index on a generated repository with a long Git history.

    python tooling/bench/history_bench.py [--count 2000] [--commits 5000] [--seed 1]

It generates a repository of COUNT entities (``generate.generate``), commits it, then writes
COMMITS more commits with the edits a product organisation makes (``write_history``): due
dates that slip, items that move between horizons and through their statuses, key-result
check-ins (current value and confidence), a few files touched per commit, one commit every
few hours. The commits are written with ``git fast-import`` (a few seconds for thousands),
not one ``git commit`` each. Then it prints, from one run each:

* cold: the index built from nothing (every commit walked, every distinct version parsed once);
* warm: the index read again with no new commit;
* one commit: the index brought up to date after one more ``git commit``;
* as-of: ``prodops list roadmap-item --as-of`` and ``prodops show ID --as-of`` (warm index).
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from prodops import history
from prodops.commands.history import list_as_of, show_as_of

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
STEP = timedelta(hours=3)
AUTHORS = ["Amara Okafor", "Mateo Garcia", "Noah Fischer", "Priya Raman", "Lena Vogel"]
STATUSES = ["idea", "discovery", "planned", "in-progress", "shipped"]
HORIZONS = ["later", "next", "now"]
_END = re.compile(r"^(  end: )(\d{4}-\d{2}-\d{2})$", re.M)
_STATUS = re.compile(r"^(status: )(\S+)$", re.M)
_HORIZON = re.compile(r"^(horizon: )(\S+)$", re.M)
_CURRENT = re.compile(r"^(  current: )(\S+)$", re.M)
_CONFIDENCE = re.compile(r"^(  confidence: )(\S+)$", re.M)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["git", "-C", str(root), *args], input=stdin, check=True, capture_output=True).stdout


def _slip(text: str, rng: random.Random) -> str:
    def later(match: re.Match[str]) -> str:
        when = date.fromisoformat(match.group(2)) + timedelta(days=rng.randint(3, 30))
        return match.group(1) + when.isoformat()

    return _END.sub(later, text, count=1)


def _advance(text: str, rng: random.Random) -> str:
    match = _STATUS.search(text)
    if match is not None and match.group(2) in STATUSES[:-1]:
        text = _STATUS.sub(r"\g<1>" + STATUSES[STATUSES.index(match.group(2)) + 1], text, count=1)
    return _HORIZON.sub(r"\g<1>" + rng.choice(HORIZONS), text, count=1)


def _checkin(text: str, rng: random.Random) -> str:
    text = _CURRENT.sub(lambda m: m.group(1) + str(round(float(m.group(2)) * rng.uniform(0.95, 1.1), 1)), text, count=1)
    return _CONFIDENCE.sub(lambda m: m.group(1) + str(rng.choice([0.3, 0.5, 0.6, 0.7, 0.8, 0.9])), text, count=1)


def _blob(data: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(data), data)


def write_history(root: Path, commits: int, seed: int = 1) -> None:
    """Commit the repository in ``root`` (a new Git repository), then ``commits`` commits of realistic edits."""
    rng = random.Random(seed)
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    items = sorted(rel for rel in files if rel.startswith("roadmap/"))
    objectives = sorted(rel for rel in files if rel.startswith("okrs/"))
    _git(root, "init", "-q", "-b", "main")
    stream = io.BytesIO()

    def commit(n: int, changed: dict[str, bytes]) -> None:
        who = AUTHORS[n % len(AUTHORS)]
        stamp = int((START + n * STEP).timestamp())
        stream.write(b"commit refs/heads/main\n")
        stream.write(f"author {who} <{who.split()[0].lower()}@example.com> {stamp} +0000\n".encode())
        stream.write(f"committer {who} <{who.split()[0].lower()}@example.com> {stamp} +0000\n".encode())
        stream.write(_blob(f"Change {n}".encode()))
        for rel, data in changed.items():
            stream.write(f"M 100644 inline {rel}\n".encode() + _blob(data))
        stream.write(b"\n")

    commit(0, files)
    for n in range(1, commits + 1):
        changed: dict[str, bytes] = {}
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.4 and objectives:
                rel = rng.choice(objectives)
                changed[rel] = _checkin(files[rel].decode(), rng).encode()
            elif roll < 0.7:
                rel = rng.choice(items)
                changed[rel] = _slip(files[rel].decode(), rng).encode()
            else:
                rel = rng.choice(items)
                changed[rel] = _advance(files[rel].decode(), rng).encode()
            files[rel] = changed[rel]
        commit(n, changed)
    _git(root, "fast-import", "--quiet", stdin=stream.getvalue())
    _git(root, "reset", "-q", "--hard", "main")


def _time(action: object) -> float:
    assert callable(action)
    start = time.perf_counter()
    with redirect_stderr(io.StringIO()):
        action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="entities (default 2000)")
    parser.add_argument("--commits", type=int, default=5000, help="commits after the first (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="prodops-history-bench-"))
    try:
        root = tmp / "repo"
        generate(root, args.count, seed=args.seed)
        t0 = time.perf_counter()
        write_history(root, args.commits, seed=args.seed)
        written = time.perf_counter() - t0
        index = history.load(root)
        shutil.rmtree(root / ".prodops-cache")
        versions = sum(len(c) for c in index.changes.values())
        print(
            f"{args.count} entities, {len(index.commits)} commits that changed content "
            f"(history written in {written:.1f} s), {versions} tracked changes"
        )
        cold = _time(lambda: history.load(root))
        warm = _time(lambda: history.load(root))
        target = next(rel for rel in sorted(index.paths) if rel.startswith("roadmap/"))
        path = root / target
        path.write_text(_slip(path.read_text(encoding="utf-8"), random.Random(0)), encoding="utf-8")
        _git(root, "commit", "-q", "-a", "-m", "One more slip")
        one = _time(lambda: history.load(root))
        middle = index.commits[len(index.commits) // 2].day
        as_of = date.fromisoformat(middle)
        listed = _time(lambda: list_as_of(root, "roadmap-item", as_of, "table", True))
        shown = _time(lambda: show_as_of(root, index.paths[target], as_of))
        size = (root / ".prodops-cache" / history.INDEX_FILE).stat().st_size
        print(f"  index cold          {cold:7.2f} s   (target < 30 s)")
        print(f"  index warm          {warm:7.3f} s   (target < 1 s)")
        print(f"  one new commit      {one:7.3f} s   (target < 0.5 s)")
        print(f"  list --as-of {middle} {listed:7.3f} s   (target < 2 s)")
        print(f"  show --as-of {middle} {shown:7.3f} s")
        print(f"  index file          {size / 1e6:7.1f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

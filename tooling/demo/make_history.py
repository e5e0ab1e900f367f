"""Give a fresh clone of the example organisation a believable year of Git history.

    python tooling/demo/make_history.py DEST [--source .] [--start 2025-12-01] [--end 2026-12-01]

Clones SOURCE (this repository by default) into DEST, which must not exist, and builds there a
branch ``demo-history`` whose commits, dated from START to END, tell how Ledgerline's roadmap,
OKRs and launches got to where they are today: the first commit holds everything but the
content (tooling, schemas, playbooks, site); then roadmap items are proposed, move through
discovery and planning into *now*, ship or stay in progress, and some of their due dates slip;
each quarter's objectives are set two weeks before it begins and every key-result check-in is
committed on its date, by its author; launches move from planned through beta to launched.
The branch's last commit holds exactly SOURCE's files, so the working tree is the example as it
is, and every commit validates on its own date (each version is one the rules accept then:
check-ins are never in the future, work in *now* names a key result that exists, a shipped item
has its launch). The history pages of the site (*What changed*, quarter reviews, calibration)
then have something to show: ``cd DEST && make site``.

The edits are made line by line on SOURCE's files (their comments and layout stay), and every
random choice is seeded by the entity's id, so the same source gives the same history.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prodops import yamlparse
from prodops.model import Period
from prodops.schemas import declared_kinds, deepest_kind

CONTENT = ("roadmap", "okrs", "launches")
_NAMES_KPI = re.compile(r"(?m)^[ \t]*kpi:[^\n]*\n")
BRANCH = "demo-history"
_STATUS = re.compile(r"^status: .*$", re.M)
_HORIZON = re.compile(r"^horizon: .*$", re.M)
_END = re.compile(r"^(  end: )(\d{4}-\d{2}-\d{2})$", re.M)
_KR_REF = re.compile(r"^  - ([a-z0-9-]+)\.[a-z0-9-]+\n", re.M)


@dataclass(frozen=True)
class Version:
    day: date
    path: str
    text: str
    author: str  # a handle
    message: str


def _data(text: str) -> dict[str, Any]:
    data = yamlparse.parse_document_text(text).data
    return data if isinstance(data, dict) else {}


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _map(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _rng(key: str) -> random.Random:
    return random.Random(f"ledgerline-demo:{key}")


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


# -- objectives: set two weeks before the quarter, then one commit per check-in date ----------------


def objective_created(text: str) -> date:
    return Period.parse(str(_data(text)["period"])).start - timedelta(days=14)


def objective_as_of(text: str, day: date) -> str:
    """The objective's file with only the check-ins dated on or before ``day``; current and confidence from the last."""
    out: list[str] = []
    lines = text.split("\n")
    at = 0
    kr_start = -1
    last: tuple[str, str] | None = None
    baseline = ""
    first_confidence = ""

    def settle() -> None:
        # current and confidence of the KR just finished: its last kept check-in, or its baseline
        if kr_start < 0:
            return
        value, confidence = last if last is not None else (baseline, first_confidence or "0.5")
        for n in range(kr_start, len(out)):
            if out[n].startswith("    current: "):
                out[n] = f"    current: {value}"
            elif out[n].startswith("    confidence: "):
                out[n] = f"    confidence: {confidence}"

    while at < len(lines):
        line = lines[at]
        if line.startswith("  - id: "):
            settle()
            kr_start, last, baseline, first_confidence = len(out), None, "", ""
        if line.startswith("    baseline: "):
            baseline = line.split(": ", 1)[1]
        if line.startswith("      - date: "):
            block = [line]
            at += 1
            while at < len(lines) and lines[at].startswith("        "):
                block.append(lines[at])
                at += 1
            when = date.fromisoformat(line.split(": ", 1)[1].strip())
            fields = dict(b.strip().split(": ", 1) for b in block[1:] if ": " in b)
            first_confidence = first_confidence or fields.get("confidence", "")
            if when <= day:
                out.extend(block)
                last = (fields.get("value", baseline), fields.get("confidence", "0.5"))
            continue
        if line.startswith("  ") and not line.startswith("    ") and not line.startswith("  - id: "):
            settle()
            kr_start = -1
        out.append(line)
        at += 1
    settle()
    # A KR left with no check-in keeps an empty list out of the file.
    text = "\n".join(out)
    return re.sub(r"^    checkins:\n(?!      - )", "", text, flags=re.M)


def objective_versions(path: str, text: str) -> list[Version]:
    data = _data(text)
    created = objective_created(text)
    owner = str(data.get("owner", ""))
    versions = [Version(created, path, objective_as_of(text, created), owner, f"Set {data['id']} for {data['period']}")]
    checkins: dict[date, str] = {}
    for kr in _list(data, "key_results"):
        for c in kr.get("checkins", []) if isinstance(kr, dict) else []:
            when = _day(c.get("date"))
            if when is not None and when > created:
                checkins.setdefault(when, str(c.get("author") or kr.get("owner") or owner))
    for when, author in sorted(checkins.items()):
        versions.append(Version(when, path, objective_as_of(text, when), author, f"Check-in: {data['id']}"))
    final_day = max([v.day for v in versions])
    versions.append(Version(final_day, path, text, owner, f"Check-in: {data['id']}"))
    return versions


# -- roadmap items: proposed, discovered, planned, in now, shipped; some due dates slip ---------------

STAGES = {  # the statuses and horizons an item passes through on its way to its final status
    "idea": [],
    "discovery": [("idea", "later")],
    "planned": [("idea", "later"), ("discovery", "next")],
    "in-progress": [("idea", "later"), ("discovery", "next"), ("planned", "next")],
    "shipped": [("discovery", "next"), ("planned", "next"), ("in-progress", "now")],
    "cancelled": [("idea", "later"), ("discovery", "next")],
}


def _edit(text: str, status: str, horizon: str, end: date | None, objectives: dict[str, date], day: date) -> str:
    text = _STATUS.sub(f"status: {status}", text, count=1)
    text = _HORIZON.sub(f"horizon: {horizon}", text, count=1)
    if end is not None:
        text = _END.sub(lambda m: m.group(1) + end.isoformat(), text, count=1)
    # Key results of objectives not set yet are not named yet.
    text = _KR_REF.sub(lambda m: m.group(0) if objectives.get(m.group(1), date.max) <= day else "", text)
    return re.sub(r"^key_results:\n(?!  - )", "", text, flags=re.M)


def item_versions(
    path: str, text: str, objectives: dict[str, date], proposed: dict[str, date], start: date, end: date
) -> list[Version]:
    """The item's versions; ``proposed`` holds the first day of the items it may depend on (all proposed before it)."""
    data = _data(text)
    iid, owner = str(data["id"]), str(data.get("owner", ""))
    status = str(data.get("status"))
    rng = _rng(iid)
    target = _map(data, "target")
    due = _day(target.get("end"))
    refs = [str(r).split(".")[0] for r in _list(data, "key_results")]
    ready = max([objectives.get(o, start) for o in refs], default=start) + timedelta(days=1)
    created = start + timedelta(days=rng.randint(0, 75))
    for dependency in _list(data, "depends_on"):
        created = max(created, proposed.get(str(dependency), start) + timedelta(days=1))
    if status in ("in-progress", "shipped"):
        finish = min(due, end) if status == "shipped" and due else None
        moved = max(ready, created + timedelta(days=40), (finish or end) - timedelta(days=rng.randint(50, 80)))
        if finish is not None and moved >= finish:
            moved = max(ready, finish - timedelta(days=7))
    else:
        moved = min(end - timedelta(days=3), created + timedelta(days=rng.randint(40, 220)))
    stages = STAGES.get(status, [])
    # Stage dates spread evenly from creation to the move into the final stage (or into now).
    marks = [created + (moved - created) * n // max(1, len(stages)) for n in range(len(stages))]
    if status == "shipped":
        marks[-1] = moved
    ship = min(due, end) if status == "shipped" and due else None
    slips: list[tuple[date, int]] = []
    if due is not None and status in ("in-progress", "shipped") and not data.get("depends_on") and rng.random() < 0.65:
        last = (ship or end) - timedelta(days=5)
        for _ in range(rng.choice([1, 1, 2])):
            if last > moved + timedelta(days=2):
                slips.append((moved + timedelta(days=rng.randint(1, (last - moved).days - 1)), rng.randint(7, 30)))
    slips.sort()

    def due_on(day: date) -> date | None:
        return None if due is None else due - timedelta(days=sum(days for when, days in slips if when > day))

    versions = []
    for (st, hz), when in zip(stages, marks, strict=True):
        message = f"{iid}: {st}" if when != created else f"Propose {iid}"
        versions.append(Version(when, path, _edit(text, st, hz, due_on(when), objectives, when), owner, message))
    final = (str(data.get("status")), str(data.get("horizon")))
    if status == "in-progress":  # into now, with the due date it had then
        versions.append(
            Version(moved, path, _edit(text, *final, due_on(moved), objectives, moved), owner, f"{iid}: in now")
        )
    for when, days in slips:
        now = stages[-1] if status == "shipped" else final
        versions.append(Version(when, path, _edit(text, *now, due_on(when), objectives, when), owner,
                                f"{iid}: due date moves {days} days later"))  # fmt: skip
    last = max([v.day for v in versions], default=created)
    if refs:  # the file as it is names its key results: not before their objectives are set
        last = max(last, ready)
    versions.append(
        Version(max(ship or last, last), path, text, owner, f"{iid}: {status}" if stages else f"Propose {iid}")
    )
    return sorted(versions, key=lambda v: v.day)


# -- launches: planned, beta, ready, launched -------------------------------------------------------


def launch_versions(path: str, text: str, items_from: dict[str, date], end: date) -> list[Version]:
    data = _data(text)
    lid = str(data["id"])
    owner = str(_map(data, "owners").get("product", ""))
    dates = _map(data, "dates")
    ga = _day(dates.get("ga")) or end
    go = _day(_map(data, "go_no_go").get("date"))
    first = min([items_from.get(str(i), ga) for i in _list(data, "items")], default=ga)
    created = max(first, ga - timedelta(days=60))  # before the work it launches ships (PO408)
    status = str(data.get("status"))
    steps = [(created, "planned")]
    order = ["planned", "beta", "ready", "launched"]
    if status in order:
        for name, when in (("beta", _day(dates.get("beta"))), ("ready", go), ("launched", ga)):
            if order.index(name) <= order.index(status) and when is not None and created < when <= end:
                steps.append((when, name))
    versions = [
        Version(when, path, _STATUS.sub(f"status: {st}", text, count=1), owner, f"{lid}: {st}") for when, st in steps
    ]
    versions.append(Version(steps[-1][0], path, text, owner, f"{lid}: {status}"))
    return versions


# -- writing the commits ----------------------------------------------------------------------------


def plan(root: Path, start: date, end: date) -> list[Version]:
    """Every version of every content file, from its first to the file as it is now."""
    folders = declared_kinds(root / "schemas")
    texts = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for f in CONTENT
        for p in sorted((root / f).rglob("*.yaml"))
    }
    kind = {path: deepest_kind(folders, path) for path in texts}
    versions: list[Version] = []
    objectives: dict[str, date] = {}
    for path, text in texts.items():
        if kind[path] == "objective":
            objectives[str(_data(text)["id"])] = objective_created(text)
            # Key results name their KPI only from the last commit, which adds the KPIs (they name the objectives).
            versions += [replace(v, text=_NAMES_KPI.sub("", v.text)) for v in objective_versions(path, text)]
    items_from: dict[str, date] = {}
    items = {str(_data(t)["id"]): (p, t) for p, t in texts.items() if kind[p] == "roadmap-item"}
    for iid in _dependencies_first(items):
        path, text = items[iid]
        own = item_versions(path, text, objectives, items_from, start, end)
        items_from[iid] = own[0].day
        versions += own
    for path, text in texts.items():
        if kind[path] == "launch":
            versions += launch_versions(path, text, items_from, end)
    order = {folder: n for n, folder in enumerate(("okrs", "roadmap", "launches"))}  # on one day, in this order
    return sorted(versions, key=lambda v: (v.day, order[v.path.split("/")[0]]))


def _dependencies_first(items: dict[str, tuple[str, str]]) -> list[str]:
    """Item ids, each after the items it depends on (a cycle, which validation reports, is broken by id)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(iid: str, path: tuple[str, ...]) -> None:
        if iid in seen or iid not in items or iid in path:
            return
        for dependency in _list(_data(items[iid][1]), "depends_on"):
            visit(str(dependency), (*path, iid))
        seen.add(iid)
        done.append(iid)

    for iid in sorted(items):
        visit(iid, ())
    return done


def _git(root: Path, *args: str, day: date | None = None, author: str = "") -> str:
    env = dict(os.environ)
    if day is not None:
        stamp = f"{day.isoformat()}T{10 + (sum(map(ord, author)) % 7):02d}:{sum(map(ord, author)) % 60:02d}:00+00:00"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    if author:
        email = f"{author.lower().replace(' ', '.')}@ledgerline.example"
        env.update(GIT_AUTHOR_NAME=author, GIT_COMMITTER_NAME=author, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_EMAIL=email)
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def names(root: Path) -> dict[str, str]:
    """Member handles → names, from the team registry."""
    found: dict[str, str] = {}
    for path in sorted((root / "processes" / "teams").glob("*.yaml")):
        for member in _list(_data(path.read_text(encoding="utf-8")), "members"):
            if isinstance(member, dict) and isinstance(member.get("handle"), str):
                found[member["handle"]] = str(member.get("name") or member["handle"])
    return found


def make_history(dest: Path, start: date, end: date) -> int:
    """Build the ``demo-history`` branch in the clone ``dest``; returns the number of commits."""
    versions = [v for v in plan(dest, start, end) if v.day <= end]
    people = names(dest)
    _git(dest, "checkout", "-q", "--orphan", BRANCH)
    _git(dest, "rm", "-r", "-q", "--cached", "--", *CONTENT)
    finals = {v.path: (dest / v.path).read_text(encoding="utf-8") for v in versions}
    # Other kinds' files (insights, KPIs and their histories) arrive in the last commit, as they are today.
    for folder in CONTENT:
        for path in sorted((dest / folder).rglob("*")):
            rel = path.relative_to(dest).as_posix()
            if path.is_file() and rel not in finals:
                finals[rel] = path.read_text(encoding="utf-8")
    # ... and so does a playbook that names them (the feedback-triage playbook's rules name insights).
    later = {Path(rel).stem for rel in finals if not any(v.path == rel for v in versions)}
    for path in sorted((dest / "processes").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if any(re.search(rf"\b{re.escape(name)}\b", text) for name in later):
            finals[path.relative_to(dest).as_posix()] = text
    for path in finals:
        (dest / path).unlink()
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "Ledgerline product operations: tooling, schemas, playbooks and the site",
         day=start, author="Rosa Delgado")  # fmt: skip
    commits = 1
    at = 0
    while at < len(versions):
        day, author = versions[at].day, versions[at].author
        batch = []
        while at < len(versions) and versions[at].day == day and versions[at].author == author:
            batch.append(versions[at])
            at += 1
        for version in batch:
            target = dest / version.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(version.text, encoding="utf-8")
        _git(dest, "add", "--", *sorted({v.path for v in batch}))
        if _git(dest, "status", "--porcelain", "--", *CONTENT).strip():
            message = batch[0].message + (f" (and {len(batch) - 1} more)" if len(batch) > 1 else "")
            _git(
                dest,
                "commit",
                "-q",
                "-m",
                message,
                day=max(day, start),
                author=people.get(author, author or "Rosa Delgado"),
            )
            commits += 1
    for path, text in finals.items():  # whatever a plan left different from today's file is set right last
        (dest / path).write_text(text, encoding="utf-8")
    _git(dest, "add", "-A")
    if _git(dest, "status", "--porcelain").strip():
        _git(dest, "commit", "-q", "-m", "Bring the content up to date", day=end, author="Rosa Delgado")
        commits += 1
    return commits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="Where to clone the example to (must not exist).")
    parser.add_argument(
        "--source", type=Path, default=Path(__file__).resolve().parents[2], help="The repository to clone."
    )
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 12, 1), help="The first commit's date.")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 12, 1), help="The last commit's date.")
    args = parser.parse_args(argv)
    if args.dest.exists():
        parser.error(f"{args.dest} exists; give a new folder to clone into")
    if args.start >= args.end:
        parser.error("--start must be before --end")
    subprocess.run(["git", "clone", "-q", "--", str(args.source), str(args.dest)], check=True)
    commits = make_history(args.dest.resolve(), args.start, args.end)
    print(f"{args.dest}: branch {BRANCH} with {commits} commits from {args.start} to {args.end}; `make site` builds it")
    return 0


if __name__ == "__main__":
    sys.exit(main())

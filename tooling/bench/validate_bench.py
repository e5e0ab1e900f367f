"""Validation speed at scale, measured against floors and against check-jsonschema in one run.

    python tooling/bench/validate_bench.py [--sizes 1000 10000] [--runs 3] [--skip-check-jsonschema]

For each size it generates a repository (seed 1) dated around the day it is checked on (so it
validates clean) and times, ``--runs`` times each:

* ``--version``: ``prodops --version`` (the start-up floor);
* ``read``: reading every file's bytes (the I/O floor);
* ``parse floor``: reading plus the fastest parser available (yaml-rs) on every file;
* ``validate cold``: ``prodops validate --no-cache`` (load, schema, references, all rules);
* ``validate warm``: ``prodops validate`` with the cache of unchanged files;
* ``warm, warnings``: the same repository checked months later, when thousands of items are
  overdue (the number is printed): every warning placed, nothing changed since the last run;
* ``incremental``: ``prodops validate FILE`` for one changed file (what pre-commit runs);
* ``set``: ``prodops set ITEM rice.reach N``, one edit checked against the whole repository;
* ``check-jsonschema``: the same files against the same schemas, schema part only.

The commands run as subprocesses, so each figure includes start-up, and peak memory is the
child's maximum resident set. Ratios are computed within the run, so they compare across
machines better than the seconds do.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

TODAY = "2026-11-22"
LATER = "2027-03-01"  # a quarter on: the work dated around TODAY is overdue, launches past their dates
BIN = Path(sys.executable).parent


def _run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(after, before)


def _times(func: Callable[[], float], runs: int) -> list[float]:
    return [func() for _ in range(runs)]


def _in_process(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _check_jsonschema(repo: Path) -> float:
    """check-jsonschema over every kind's files with that kind's schema (playbooks included)."""
    tool = BIN / "check-jsonschema"
    total = 0.0
    from prodops.kinds import registry
    from prodops.loader import discover
    from prodops.schemas import load_schemas

    kinds = registry(load_schemas(repo / "schemas"))
    groups: dict[str, list[str]] = {}
    for rel in discover(repo, kinds.schemas)[0]:  # each file with its kind's schema: the deepest folder wins
        spec = kinds.kind_for(rel)
        if spec is not None:
            groups.setdefault(spec.kind, []).append(str(repo / rel))
    for kind, files in groups.items():
        if files:
            total += _run([str(tool), "--schemafile", str(repo / "schemas" / f"{kind}.schema.json"), *files])[0]
    return total


def measure(work: Path, count: int, runs: int, with_cjs: bool) -> dict[str, object]:
    repo = work / f"repo-{count}"
    generate(repo, count, seed=1, today=date.fromisoformat(TODAY))
    files = sorted(repo.rglob("*.yaml"))
    files = [f for f in files if "schemas" not in f.parts]
    prodops = str(BIN / "prodops")
    base = [prodops, "validate", "--root", str(repo), "--today", TODAY]

    import yaml_rs

    def read() -> float:
        return _in_process(lambda: [f.read_bytes() for f in files])

    def parse_floor() -> float:
        return _in_process(lambda: [yaml_rs.loads(f.read_text(encoding="utf-8"), parse_datetime=False) for f in files])

    peak = [0]

    def cold() -> float:
        elapsed, rss = _run([*base, "--no-cache"])
        peak[0] = max(peak[0], rss)
        return elapsed

    _run(base)  # fill the cache

    def warm() -> float:
        return _run(base)[0]

    def version() -> float:
        return _run([prodops, "--version"])[0]

    later = [prodops, "validate", "--root", str(repo), "--today", LATER]
    listed = subprocess.run([*later, "--format", "json"], capture_output=True, check=False).stdout
    warnings = listed.count(b'"severity": "warning"')
    _run(later)  # where the warnings sit is kept from here on

    def warm_warnings() -> float:
        return _run(later)[0]

    target = sorted((repo / "roadmap").glob("*.yaml"))[0]

    def incremental() -> float:
        target.write_text(target.read_text(encoding="utf-8") + "# touched\n", encoding="utf-8")
        return _run([*base, str(target)])[0]

    edited = target.stem
    reach = iter(range(100, 100 + 2 * runs + 2))

    def edit() -> float:
        cmd = [prodops, "set", edited, "rice.reach", str(next(reach)), "--root", str(repo), "--today", TODAY]
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:  # a refused edit would time the wrong thing
            raise SystemExit(f"prodops set failed: {done.stderr.decode()}")
        return elapsed

    edit()  # fails loudly now, before anything is timed, if the edit is refused

    result: dict[str, object] = {
        "count": count,
        "warnings": warnings,
        "--version": _times(version, runs),
        "read": _times(read, runs),
        "parse floor": _times(parse_floor, runs),
        "validate cold": _times(cold, runs),
        "validate warm": _times(warm, runs),
        "warm, warnings": _times(warm_warnings, runs),
        "incremental": _times(incremental, runs),
        "set": _times(edit, runs),
        "peak_kib": peak[0],
    }
    if with_cjs:
        result["check-jsonschema"] = _times(lambda: _check_jsonschema(repo), runs)
    shutil.rmtree(repo)
    return result


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):8.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-check-jsonschema", action="store_true", help="skip the slow comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prodops-bench-") as tmp:
        results = [measure(Path(tmp), n, args.runs, not args.skip_check_jsonschema) for n in args.sizes]
    steps = [
        "--version",
        "read",
        "parse floor",
        "validate cold",
        "validate warm",
        "warm, warnings",
        "incremental",
        "set",
        "check-jsonschema",
    ]
    for res in results:
        count = res["count"]
        print(
            f"\n{count} entities (median s, min-max over {args.runs} runs); peak memory of validate: {int(res['peak_kib']) // 1024} MB"
        )  # type: ignore[call-overload]
        cjs = res.get("check-jsonschema")
        floors = {name: statistics.median(res[name]) for name in ("--version", "read", "parse floor")}  # type: ignore[arg-type]
        print(f"  (warnings in 'warm, warnings': {res['warnings']}; ratios to the floors measured above)")
        for step in steps:
            values = res.get(step)
            if not isinstance(values, list):
                continue
            median = statistics.median(values)
            vs_cjs = (
                f"  {statistics.median(cjs) / median:5.1f}x faster than check-jsonschema"
                if isinstance(cjs, list) and step != "check-jsonschema"
                else ""
            )
            ratios = "  ".join(f"{median / floor:5.1f}x {name}" for name, floor in floors.items())
            print(f"  {step:<16}{_fmt(values)}  {ratios}{vs_cjs}")
        med = {step: statistics.median(res[step]) for step in steps if isinstance(res.get(step), list)}  # type: ignore[arg-type]
        targets = [
            ("warm <= --version + 2x read", med["validate warm"], floors["--version"] + 2 * floors["read"]),
            ("warnings <= 1.2x warm", med["warm, warnings"], 1.2 * med["validate warm"]),
            ("validate FILE <= 2x --version", med["incremental"], 2 * floors["--version"]),
        ]
        for name, got, bound in targets:
            print(f"  target {name:<32}{got:7.3f} vs {bound:7.3f}  {'met' if got <= bound else 'NOT met'}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        for step in ("validate cold", "validate warm"):
            a, b = statistics.median(small[step]), statistics.median(large[step])  # type: ignore[arg-type]
            print(
                f"growth {small['count']} -> {large['count']} ({step}): {b / a:.1f}x for {int(large['count']) // int(small['count'])}x the entities"
            )  # type: ignore[call-overload]


if __name__ == "__main__":
    main()

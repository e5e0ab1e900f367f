"""Time `prodops diff` between two revisions of a generated repository.

    python tooling/bench/diff_bench.py [--sizes 650:300 10000:1000] [--runs 3]

For each SIZE:CHANGES it generates a repository of SIZE entities, copies it and makes CHANGES
meaningful edits in the copy (horizon moves, slips, text edits, key-result targets, members,
GA dates; ``generate.mutate``), then times, in one run: building both catalogs, comparing
them, and writing the Markdown summary cut to one pull-request comment and the full JSON.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, mutate

from prodops import diff, diffreport
from prodops.pipeline import build

TODAY = date(2026, 11, 22)


def measure(tmp: Path, size: int, changes: int, runs: int) -> dict[str, list[float]]:
    before, after = tmp / f"before-{size}", tmp / f"after-{size}"
    generate(before, size, seed=3)
    shutil.copytree(before, after)
    mutate(after, changes, seed=5)
    times: dict[str, list[float]] = {"build both": [], "compare": [], "markdown (65,536)": [], "json": [], "total": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        old, new = build(before, today=TODAY), build(after, today=TODAY)
        t1 = time.perf_counter()
        report = diff.compare(old.catalog, new.catalog, "base", "head", old.diagnostics, new.diagnostics)
        t2 = time.perf_counter()
        text = diffreport.markdown(report, diffreport.COMMENT_LIMIT)
        t3 = time.perf_counter()
        diffreport.as_json(report)
        t4 = time.perf_counter()
        assert len(text) <= diffreport.COMMENT_LIMIT
        for step, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
            times[step].append(value)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["650:300", "10000:1000"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prodops-diff-bench-") as tmp:
        for spec in args.sizes:
            size, changes = (int(part) for part in spec.split(":"))
            times = measure(Path(tmp), size, changes, args.runs)
            print(f"\n{size} entities, {changes} changes (median s, min-max over {args.runs} runs)")
            for step, values in times.items():
                print(f"  {step:<20}{statistics.median(values):7.2f}  ({min(values):.2f}-{max(values):.2f})")


if __name__ == "__main__":
    main()

"""Export, list, show and graph speed at scale, against `prodops validate` (warm) in the same run.

    python tooling/bench/export_bench.py [--sizes 1000 10000] [--runs 3]

For each size it generates a repository (seed 1), fills the cache with one `validate`, and
times, ``--runs`` times each, as subprocesses (start-up included):

* ``validate warm``: `prodops validate` with the cache (what every other command pays to load);
* ``export json``, ``export csv``, ``export sqlite``, ``export ics``: `prodops export --format F`;
* ``list``, ``show``: `prodops list roadmap-item` (every item) and `prodops show ID` (the first item);
* ``graph depth 2``, ``graph depth 3``: `prodops graph ID --depth N` around the first objective
  (by file name): its key results' roadmap items, their dependencies, launches and teams.

Each figure is also given as a ratio to ``validate warm``: what the command costs on top of
loading the repository. Both used to grow with the square of the repository (every entity
scanned every reference; every node of the walk scanned every edge).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

TODAY = "2026-11-22"
BIN = Path(sys.executable).parent
FORMATS = {"json": "ops.json", "csv": "csv", "sqlite": "ops.db", "ics": "launches.ics"}


def _run(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def measure(work: Path, count: int, runs: int) -> dict[str, list[float]]:
    repo = work / f"repo-{count}"
    generate(repo, count, seed=1)
    common = ["--root", str(repo), "--today", TODAY]
    prodops = str(BIN / "prodops")
    _run([prodops, "validate", *common])  # fill the cache
    start = sorted((repo / "okrs").rglob("*.yaml"))[0].stem
    steps: dict[str, list[str]] = {"validate warm": [prodops, "validate", *common]}
    for fmt, name in FORMATS.items():
        steps[f"export {fmt}"] = [prodops, "export", "--format", fmt, "--out", str(work / name), *common]
    item = sorted(p for p in (repo / "roadmap").glob("*.yaml"))[0].stem
    steps["list"] = [prodops, "list", "roadmap-item", *common]
    steps["show"] = [prodops, "show", item, *common]
    for depth in (2, 3):
        steps[f"graph depth {depth}"] = [prodops, "graph", start, "--depth", str(depth), *common]
    result = {step: [_run(cmd) for _ in range(runs)] for step, cmd in steps.items()}
    shutil.rmtree(repo)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prodops-bench-") as tmp:
        results = {n: measure(Path(tmp), n, args.runs) for n in args.sizes}
    for count, res in results.items():
        print(f"\n{count} entities (median s, min-max over {args.runs} runs)")
        floor = statistics.median(res["validate warm"])
        for step, values in res.items():
            median = statistics.median(values)
            print(
                f"  {step:<15}{median:8.3f} ({min(values):.3f}-{max(values):.3f})  {median / floor:5.2f}x validate warm"
            )
    if len(results) > 1:
        (small, a), (large, b) = next(iter(results.items())), list(results.items())[-1]
        for step in a:
            growth = statistics.median(b[step]) / statistics.median(a[step])
            print(f"growth {small} -> {large} ({step}): {growth:.1f}x for {large // small}x the entities")


if __name__ == "__main__":
    main()

"""Time `prodops metrics import` on 200 KPIs x 5 years of daily values, and the site with and without those KPIs.

    python tooling/bench/metrics_bench.py [--count 1000] [--kpis 200] [--years 5] [--runs 3]

It generates a repository of COUNT entities (``generate.py``), adds KPIS KPI files (daily,
spread over the generated teams, with empty histories) and a long export of every KPI's
daily values over YEARS years (200 x 5 x 365 = 365,000 rows), then times, in one run:

* ``import``: `prodops metrics import EXPORT` as a subprocess into the empty histories
  (reading the repository, checking every row, writing KPIS history files), once per run on
  a fresh copy; and the engine alone in process (reading the export, merging, rendering);
* ``again``: the same import a second time (nothing to write; the histories are read and
  checked by the build first);
* ``site``: `mkdocs build` with the prodops plugin of the repository with the KPIs and their
  histories, against the same repository without them; the ratio says what 200 KPI pages
  (trend charts and tables, the overview, the home strip) add.

Medians and min-max of the runs are printed; the import's target is under 5 s, the site's
within 10% of the site without KPIs.

``--wide`` times wide exports instead: one row of a date and 1,000, 10,000 and 40,000 columns,
read and checked in process (every column a KPI), and the same header of unknown columns
refused by `prodops metrics import` as a subprocess; CPU time (user + system), which a loaded
machine changes less than the wall clock. The time grows linearly with the columns.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import REPO_ROOT, generate

TODAY = date(2026, 11, 22)
PRODOPS = Path(sys.executable).with_name("prodops")


def add_kpis(repo: Path, count: int) -> list[str]:
    """KPI files spread over the generated teams; returns their ids."""
    teams = sorted(p.stem for p in (repo / "processes" / "teams").glob("*.yaml"))
    folder = repo / "okrs" / "kpis"
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(count):
        kid = f"kpi-{i:03d}"
        ids.append(kid)
        (folder / f"{kid}.yaml").write_text(
            "# yaml-language-server: $schema=../../schemas/kpi.schema.json\n"
            f"id: {kid}\nname: Generated KPI {i}\n"
            f"definition: Daily value {i}, generated for the benchmark.\nunit: '%'\n"
            f"direction: {'higher-is-better' if i % 2 else 'lower-is-better'}\nteam: {teams[i % len(teams)]}\n"
            "source:\n  system: Warehouse\n  report: Generated daily report\ncadence: daily\ntarget: 60\n"
            "values:\n  minimum: 0\n  maximum: 100\n"
            "thresholds:\n  basis: target\n  watch: 0.95\n  at_risk: 0.9\n",
            encoding="utf-8",
        )
    return ids


def write_export(path: Path, ids: list[str], years: int) -> int:
    """A long export (metric,date,value) of every KPI's daily values up to TODAY; returns its rows."""
    days = [(TODAY - timedelta(days=d)).isoformat() for d in range(years * 365 - 1, -1, -1)]
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("metric,date,value\n")
        for n, kid in enumerate(ids):
            base = 40 + n % 30
            lines = [f"{kid},{day},{base + (d * 7 + n) % 23 / 10:.1f}\n" for d, day in enumerate(days)]
            out.writelines(lines)
            rows += len(lines)
    return rows


def _median(times: list[float]) -> str:
    return f"{statistics.median(times):6.2f} s (min {min(times):.2f}, max {max(times):.2f})"


CPU: dict[str, list[float]] = {}  # what each subprocess measurement cost in CPU time (user + system)


def _run_import(repo: Path, export: Path, what: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(PRODOPS), "metrics", "import", str(export), "--root", str(repo), "--today", TODAY.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(what, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"import failed:\n{done.stdout}{done.stderr}")
    return elapsed


def _engine(repo: Path, export: Path) -> float:
    """The import's own work in process, without reading the repository: read, check, merge, render."""
    from prodops import pipeline
    from prodops.metrics import importer, merge

    result = pipeline.build(repo, today=TODAY)
    start = time.perf_counter()
    parsed, problems = importer.read(
        export.read_text(encoding="utf-8"), export.name, result.catalog.metrics.kpis, result.config.metrics
    )
    assert parsed is not None and not problems, problems[:3]
    merge.plan(repo, result.catalog, parsed, export.name, TODAY)
    return time.perf_counter() - start


def _site(repo: Path, out: Path) -> Callable[[], object]:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    def build() -> None:
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out)))

    return build


def _with_site(repo: Path) -> None:
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    config = (repo / "mkdocs.yml").read_text()
    (repo / "mkdocs.yml").write_text(config.replace("  - prodops\n", f"  - prodops:\n      today: '{TODAY}'\n"))


WIDE_COLUMNS = (1_000, 10_000, 40_000)


def _wide(repo: Path, work: Path, runs: int) -> None:
    """Wide exports of 1,000 to 40,000 columns: the reader in process, and a refused import end to end."""
    from dataclasses import replace

    from prodops import pipeline
    from prodops.metrics import importer

    result = pipeline.build(repo, today=TODAY)
    template = next(iter(result.catalog.metrics.kpis.values()))
    print("columns      bytes   read and checked, every column a KPI (CPU)   refused import, unknown columns (CPU)")
    for count in WIDE_COLUMNS:
        kpis = {k: replace(template, id=k) for k in (f"wide-{i:06d}" for i in range(count))}
        text = "date," + ",".join(kpis) + "\n2026-11-20," + ",".join("42.5" for _ in kpis) + "\n"
        read: list[float] = []
        for _ in range(runs):
            start = time.process_time()
            parsed, problems = importer.read(text, "wide.csv", kpis, result.config.metrics)
            read.append(time.process_time() - start)
            assert parsed is not None and parsed.rows == count, problems[:3]
        export = work / f"wide-{count}.csv"
        export.write_text("date," + ",".join(f"metric-{i:06d}" for i in range(count)) + "\n2026-11-20,1\n")
        refused = []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [str(PRODOPS), "metrics", "import", str(export), "--root", str(repo), "--today", TODAY.isoformat()],
                capture_output=True,
                text=True,
                check=False,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            refused.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            assert done.returncode == 1 and "PO129" in done.stderr, done.stderr[-500:]
        print(f"{count:7,}  {len(text):9,}   {_median(read)}   {_median(refused)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="entities in the generated repository (default 1000)")
    parser.add_argument("--kpis", type=int, default=200, help="KPIs (default 200)")
    parser.add_argument("--years", type=int, default=5, help="years of daily values per KPI (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (default 3)")
    parser.add_argument("--wide", action="store_true", help="time wide exports of 1,000 to 40,000 columns instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prodops-metrics-bench-") as tmp:
        work = Path(tmp)
        if args.wide:
            repo = work / "wide"
            generate(repo, args.count, seed=1)
            add_kpis(repo, 1)
            _wide(repo, work, args.runs)
            return
        plain = work / "without"
        generate(plain, args.count, seed=1)
        _with_site(plain)
        template = work / "template"
        shutil.copytree(plain, template)
        ids = add_kpis(template, args.kpis)
        export = work / "export.csv"
        rows = write_export(export, ids, args.years)
        size = export.stat().st_size
        print(f"{args.count} entities, {args.kpis} daily KPIs, export of {rows:,} rows ({size / 1e6:.1f} MB)")

        first, again, engine = [], [], []
        for run in range(args.runs):
            repo = work / f"with-{run}"
            shutil.copytree(template, repo)
            first.append(_run_import(repo, export, "first"))
            again.append(_run_import(repo, export, "again"))
            engine.append(_engine(template, export))
        print(f"import, empty histories   {_median(first)}   (target: under 5 s)")
        print(f"  CPU time (user + sys)   {_median(CPU['first'])}")
        print(f"  of which the engine     {_median(engine)}   (read, check, merge, render; in process)")
        print(f"import again (no change)  {_median(again)}")
        print(f"  CPU time (user + sys)   {_median(CPU['again'])}")
        histories = sum(p.stat().st_size for p in (work / "with-0" / "okrs" / "kpis").glob("*.csv"))
        print(f"history files written: {args.kpis} ({histories / 1e6:.1f} MB)")

        with_kpis, without, cpu_with, cpu_without = [], [], [], []
        built = _site(work / "with-0", work / "site-with")
        bare = _site(plain, work / "site-without")
        for _ in range(args.runs):  # interleaved, so a change in the machine's load hits both alike
            for build, wall, cpu in ((bare, without, cpu_without), (built, with_kpis, cpu_with)):
                start, start_cpu = time.perf_counter(), time.process_time()
                build()
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
        ratio = statistics.median(with_kpis) / statistics.median(without)
        cpu_ratio = statistics.median(cpu_with) / statistics.median(cpu_without)
        print(f"site without KPIs         {_median(without)}   CPU {_median(cpu_without)}")
        print(f"site with {args.kpis} KPIs        {_median(with_kpis)}   CPU {_median(cpu_with)}")
        print(f"ratio                     {ratio:6.3f}   CPU {cpu_ratio:.3f}   (target: within 1.10)")
        pages = len(list((work / "site-with" / "kpi").glob("*.html")))
        print(f"KPI pages built: {pages} (and the overview, kpis/index.html)")


if __name__ == "__main__":
    main()

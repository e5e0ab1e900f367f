"""Time `prodops metrics pull` of KPIs computed by SQL over one large Parquet file, in the embedded DuckDB.

    python tooling/bench/sql_metrics_bench.py [--count 200] [--kpis 100] [--rows 10000000]

It generates a repository of COUNT entities (``generate.py``), writes with DuckDB itself a Parquet
file of ROWS events (KPI number, day, value; five years of days) into okrs/kpis/data/, adds KPIS
daily KPIs whose query averages their events per day, then times one `prodops metrics pull` as a
subprocess into the empty histories (the queries, run by one DuckDB process, the merge, the
writes) and a second pull (nothing to write). It prints the wall time, the CPU time and the peak
memory of the largest process (the command or one of its DuckDB processes). Run it once or twice:
it writes a 10-million-row file.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

TODAY = date(2026, 11, 22)
DAYS = 5 * 365
PRODOPS = Path(sys.executable).with_name("prodops")
DATA = "okrs/kpis/data/events.parquet"


def write_events(repo: Path, kpis: int, rows: int) -> float:
    """The events file, sorted by KPI and day (so a KPI's query reads its own row groups); returns seconds."""
    import duckdb

    folder = repo / "okrs" / "kpis" / "data"
    folder.mkdir(parents=True, exist_ok=True)
    first = TODAY - timedelta(days=DAYS - 1)
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"copy (select (i % {kpis})::integer as kpi, "
        f"date '{first.isoformat()}' + ((i // {kpis}) % {DAYS})::integer as day, "
        "(hash(i) % 1000) / 10.0 as value "
        f"from range({rows}) t(i) order by kpi, day) to '{folder / 'events.parquet'}' (format parquet)"
    )
    con.close()
    return time.perf_counter() - start


def add_kpis(repo: Path, count: int) -> None:
    teams = sorted(p.stem for p in (repo / "processes" / "teams").glob("*.yaml"))
    folder = repo / "okrs" / "kpis"
    for i in range(count):
        (folder / f"sql-kpi-{i:03d}.yaml").write_text(
            "# yaml-language-server: $schema=../../schemas/kpi.schema.json\n"
            f"id: sql-kpi-{i:03d}\nname: SQL KPI {i}\n"
            f"definition: The daily average of event values of KPI {i}, computed by SQL.\nunit: '%'\n"
            f"direction: higher-is-better\nteam: {teams[i % len(teams)]}\n"
            "source:\n  system: DuckDB\n  query: |\n"
            f"    select day as date, round(avg(value), 2) as value from '{DATA}' where kpi = {i} group by day\n"
            "cadence: daily\ntarget: 60\nvalues:\n  minimum: 0\n  maximum: 100\n"
            "thresholds:\n  basis: target\n  watch: 0.5\n  at_risk: 0.1\n",
            encoding="utf-8",
        )


def pull(repo: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(PRODOPS), "metrics", "pull", "--root", str(repo), "--today", TODAY.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"pull failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="entities of the generated repository")
    parser.add_argument("--kpis", type=int, default=100, help="KPIs computed by SQL")
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the Parquet file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prodops-sql-bench-") as tmp:
        repo = Path(tmp) / "repo"
        generate(repo, args.count, today=TODAY)
        written = write_events(repo, args.kpis, args.rows)
        add_kpis(repo, args.kpis)
        size = (repo / DATA).stat().st_size
        print(f"events: {args.rows:,} rows, {size / 1e6:.0f} MB of Parquet, written by DuckDB in {written:.1f} s")
        for what in ("pull", "again"):
            elapsed, cpu, summary = pull(repo)
            print(f"{what:5}: {elapsed:6.1f} s wall, {cpu:6.1f} s CPU  ({summary})")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of the largest process: {peak:.0f} MB")


if __name__ == "__main__":
    main()

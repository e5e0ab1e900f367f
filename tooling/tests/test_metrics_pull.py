"""`prodops metrics pull`: KPIs computed by SQL in the embedded DuckDB and in a real PostgreSQL server.

The server is a throw-away cluster (initdb into a temporary folder, on a free port of 127.0.0.1),
started once for the session; when the server programs are missing the tests fail, naming
`make postgresql`, which installs them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example

from prodops.cli import cli

KPI = "okrs/kpis/days-to-first-payment.yaml"
HISTORY = "okrs/kpis/days-to-first-payment.csv"
OBJECTIVE = "okrs/2026-Q4/2026-q4-faster-time-to-first-cash.yaml"
ENV = "PRODOPS_TEST_PG_URL"
PASSWORD = "s3cret-Pa55"
# (reporting week, plan, days from sign-up to first payment): 2026-11-11 and 2026-11-18 average
# the values the history already holds (13 and 12); 2026-11-25 is new.
ROWS = [
    ("2026-11-11", "starter", 14),
    ("2026-11-11", "scale", 12),
    ("2026-11-18", "starter", 13),
    ("2026-11-18", "scale", 11),
    ("2026-11-25", "starter", 12),
    ("2026-11-25", "scale", 9),
]
QUERY = (
    "select week as date, avg(days) as value, null as segment from {table} group by week\n"
    "union all\n"
    "select week, avg(days), plan from {table} group by week, plan\n"
    "order by segment nulls first, date\n"
)
CSV_TABLE = "read_csv('okrs/kpis/data/first-payments.csv')"
PARQUET_TABLE = "'okrs/kpis/data/first-payments.parquet'"
PULLED = (  # the end of the history, as the pull leaves it
    "2026-11-04,13,\n"
    "2026-11-11,13,\n"
    "2026-11-11,12,scale\n"
    "2026-11-11,14,starter\n"
    "2026-11-18,12,\n"
    "2026-11-18,11,scale\n"
    "2026-11-18,13,starter\n"
    "2026-11-25,10.5,\n"
    "2026-11-25,9,scale\n"
    "2026-11-25,12,starter\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A PostgreSQL server of its own on 127.0.0.1 (password authentication), as a SQLAlchemy URL."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        pytest.fail(
            "the PostgreSQL server programs are missing (no /usr/lib/postgresql/*/bin/pg_ctl): run make postgresql"
        )
    bin_dir = found[-1].parent
    # Not under pytest's own temporary folder: the server runs as the postgres user, which must enter it.
    base = Path(tempfile.mkdtemp(prefix="prodops-pg-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    (base / "pw").write_text(PASSWORD + "\n")
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(base / "pw", "postgres")
    port = _free_port()
    data = base / "data"

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            pytest.fail(f"{args[0]} failed: {done.stdout}{done.stderr}")

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "prodops", f"--pwfile={base / 'pw'}", "-A", "scram-sha-256")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start")
    try:
        with psycopg.connect(
            host="127.0.0.1", port=port, user="prodops", password=PASSWORD, dbname="postgres", autocommit=True
        ) as con:
            con.execute("create table first_payments (week date, plan text, days integer)")
            with con.cursor() as cur:
                cur.executemany("insert into first_payments values (%s, %s, %s)", ROWS)
        yield f"postgresql+psycopg://prodops:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


def _write_data(repo: Path) -> None:
    folder = repo / "okrs/kpis/data"
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("create table first_payments (week date, plan varchar, days integer)")
    con.executemany("insert into first_payments values (?, ?, ?)", ROWS)
    con.execute(f"copy first_payments to '{folder / 'first-payments.csv'}' (header)")
    con.execute(f"copy first_payments to '{folder / 'first-payments.parquet'}' (format parquet)")
    con.close()


def with_query(repo: Path, query: str, connection: str = "", kpi: str = KPI) -> None:
    """Give the KPI's source this query (and connection), in place of the one it has."""
    path = repo / kpi
    text = path.read_text()
    start = text.index("source:\n")
    end = text.index("\ncadence:")
    block = "".join(f"    {line}\n" for line in query.splitlines())
    named = f"  connection: {connection}\n" if connection else ""
    path.write_text(f"{text[:start]}source:\n  system: Warehouse\n{named}  query: |\n{block.rstrip()}{text[end:]}")


def example(tmp_path: Path, table: str = CSV_TABLE, connection: str = "") -> Path:
    repo = copy_example(tmp_path / "repo")
    _write_data(repo)
    with (repo / "pyproject.toml").open("a") as f:
        f.write(f'\n[tool.prodops.metrics.connections.testdb]\nurl-env = "{ENV}"\n')
    with_query(repo, QUERY.format(table=table), connection)
    # The snapshot's other KPI with a query keeps its warehouse's SQL as text: here it names a report instead.
    other = repo / "okrs/kpis/online-payment-share.yaml"
    text = other.read_text()
    start, end = text.index("  query: |\n"), text.index("  link:")
    other.write_text(f"{text[:start]}  report: 'Looker: Payments'\n{text[end:]}")
    return repo


def pull(repo: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["metrics", "pull", *args, "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()],
        env={ENV: None, **(env or {})},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def snapshot(repo: Path) -> dict[str, bytes]:
    files = (p for p in sorted(repo.rglob("*")) if p.is_file() and ".prodops-cache" not in p.parts)
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in files}


OUTPUT = (
    "okrs/kpis/days-to-first-payment.csv: 7 values added\n"
    "2026-q4-faster-time-to-first-cash.kr1: checked in 10.5 (2026-11-25)\n"
    "pull: 9 values of 1 KPI: 7 added, 0 restated, 1 key result checked in\n"
)


def test_duckdb_over_csv_and_parquet_and_postgresql_write_the_same_history(tmp_path: Path, postgres: str) -> None:
    written = {}
    for name, table, connection in (
        ("csv", CSV_TABLE, ""),
        ("parquet", PARQUET_TABLE, ""),
        ("postgresql", "first_payments", "testdb"),
    ):
        repo = example(tmp_path / name, table, connection)
        code, output = pull(repo, "days-to-first-payment", env={ENV: postgres})
        assert (code, output) == (0, OUTPUT), name
        written[name] = ((repo / HISTORY).read_bytes(), (repo / OBJECTIVE).read_bytes())
    history = written["csv"][0].decode()
    assert history.startswith("date,value,segment\n") and history.endswith(PULLED), history
    assert written["csv"] == written["parquet"] == written["postgresql"]
    assert (
        "      - date: 2026-11-25\n        value: 10.5\n        confidence: 0.6\n"
        "        note: From Warehouse. Imported from its query by prodops metrics import.\n"
    ) in written["postgresql"][1].decode()


@pytest.mark.parametrize("connection", ["", "testdb"])
def test_a_second_pull_changes_nothing(tmp_path: Path, postgres: str, connection: str) -> None:
    repo = example(tmp_path, CSV_TABLE if not connection else "first_payments", connection)
    assert pull(repo, env={ENV: postgres})[0] == 0
    before = snapshot(repo)
    code, output = pull(repo, env={ENV: postgres})
    assert (code, output) == (
        0,
        "pull: 9 values of 1 KPI: nothing to import, every value is already in the histories\n",
    )
    assert snapshot(repo) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo = example(tmp_path)
    before = snapshot(repo)
    code, output = pull(repo, "--dry-run")
    assert code == 0, output
    assert output == (
        "okrs/kpis/days-to-first-payment.csv: 7 values would be added\n"
        "2026-q4-faster-time-to-first-cash.kr1: would be checked in 10.5 (2026-11-25)\n"
        "pull: 9 values of 1 KPI: 7 added, 0 restated, 1 key result checked in (dry run: nothing was written)\n"
    )
    assert snapshot(repo) == before


def test_a_changed_value_of_a_closed_period_is_refused_then_restated(tmp_path: Path, postgres: str) -> None:
    repo = example(tmp_path, "first_payments", "testdb")
    assert pull(repo, env={ENV: postgres})[0] == 0
    url = postgres.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("update first_payments set days = 16 where week = '2026-11-11' and plan = 'starter'")
    try:
        before = snapshot(repo)
        code, output = pull(repo, env={ENV: postgres})
        assert code == 1
        assert output == (
            "pull: 9 values of 1 KPI: nothing to import, see above\n"
            "okrs/kpis/days-to-first-payment.yaml:15:3: error PO130 'days-to-first-payment' on 2026-11-11 is already "
            "recorded as 13 for a period that has ended (the week of 2026-11-09); row 1 of the query says 14\n"
            "    hint: pull again with --restate to replace the recorded value, or correct the query or its data\n"
            "okrs/kpis/days-to-first-payment.yaml:15:3: error PO130 'days-to-first-payment' on 2026-11-11, segment "
            "'starter', is already recorded as 14 for a period that has ended (the week of 2026-11-09); row 7 of the "
            "query says 16\n"
            "    hint: pull again with --restate to replace the recorded value, or correct the query or its data\n"
            "prodops: 2 values were not pulled: they restate periods that have ended (--restate replaces them)\n"
        )
        assert snapshot(repo) == before
        code, output = pull(repo, "--restate", env={ENV: postgres})
        assert code == 0, output
        assert "okrs/kpis/days-to-first-payment.csv: 2026-11-11 restated from 13 to 14 (row 1 of its query)\n" in output
        assert "2026-11-11,14,\n" in (repo / HISTORY).read_text()
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("update first_payments set days = 14 where week = '2026-11-11' and plan = 'starter'")

"""`prodops metrics pull`: KPIs computed by SQL in the embedded DuckDB and in a real PostgreSQL server.

The server is a throw-away cluster (initdb into a temporary folder, on a free port of 127.0.0.1),
started once for the session; when the server programs are missing the tests fail, naming
`make postgresql`, which installs them.
"""

from __future__ import annotations

import json
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


def test_a_missing_environment_variable_and_an_undeclared_connection_are_named(tmp_path: Path) -> None:
    repo = example(tmp_path, "first_payments", "testdb")
    before = snapshot(repo)
    code, output = pull(repo)
    assert code == 1
    assert output == (
        f"okrs/kpis/days-to-first-payment.yaml:14:3: error PO162 the environment variable {ENV} is not set: it holds "
        "the URL of connection 'testdb'\n"
        f"    hint: set {ENV} to the database's SQLAlchemy URL (in CI, from a secret), or pull other KPIs\n"
        "prodops: 1 of 1 query failed; its KPI was left as it was\n"
    )
    with_query(repo, "select 1", "elsewhere")
    code, output = pull(repo)
    assert code == 1
    assert output.startswith(
        "okrs/kpis/days-to-first-payment.yaml:14:3: error PO162 connection 'elsewhere' is not declared "
        "(declared: testdb, warehouse)\n"
        '    hint: declare it in pyproject.toml: [tool.prodops.metrics.connections.elsewhere] url-env = "VARIABLE"\n'
    ), output
    assert snapshot(repo) == {**before, KPI: (repo / KPI).read_bytes()}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", f"{ENV} does not hold a usable SQLAlchemy URL for connection 'testdb': Could not parse"),
        ("nosuchdb://u:p@h/d", f"{ENV} does not hold a usable SQLAlchemy URL for connection 'testdb': Can't load"),
    ],
)
def test_a_url_sqlalchemy_cannot_use_is_a_clear_error(tmp_path: Path, url: str, message: str) -> None:
    repo = example(tmp_path, "first_payments", "testdb")
    code, output = pull(repo, env={ENV: url})
    assert code == 1
    assert output.startswith(f"okrs/kpis/days-to-first-payment.yaml:14:3: error PO162 {message}"), output
    assert "Traceback" not in output and url not in output


def test_a_wrong_password_or_port_never_shows_the_url_or_the_password(tmp_path: Path, postgres: str) -> None:
    repo = example(tmp_path, "first_payments", "testdb")
    wrong = postgres.replace(PASSWORD, "Wr0ng-Secret-9")
    code, output = pull(repo, env={ENV: wrong})
    assert code == 1
    assert output.startswith(
        "okrs/kpis/days-to-first-payment.yaml:15:3: error PO160 the query failed in connection 'testdb': "
        'connection failed: connection to server at "127.0.0.1", port '
    ), output
    assert 'password authentication failed for user "prodops"' in output
    assert "Wr0ng-Secret-9" not in output and wrong not in output and "Traceback" not in output
    closed = postgres.rsplit(":", 1)[0] + f":{_free_port()}/postgres"
    code, output = pull(repo, env={ENV: closed})
    assert code == 1 and "Connection refused" in output and PASSWORD not in output, output


def test_a_failing_query_is_reported_and_the_other_kpis_still_pull(tmp_path: Path, postgres: str) -> None:
    repo = example(tmp_path, "first_paymentz", "testdb")
    with_query(repo, "select date '2026-11-25' as date, 53 as value", kpi="okrs/kpis/online-payment-share.yaml")
    code, output = pull(repo, env={ENV: postgres})
    assert code == 1
    assert output == (
        "okrs/kpis/days-to-first-payment.yaml:15:3: error PO160 the query failed in connection 'testdb': "
        'relation "first_paymentz" does not exist LINE 1: ...as date, avg(days) as value, null as segment '
        "from first_paym... ^\n"
        "    hint: run the query against the database to correct it; it must return the columns date, value[, segment]\n"
        "okrs/kpis/online-payment-share.csv: 1 value added\n"
        "pull: 1 value of 1 KPI: 1 added, 0 restated, 0 key results checked in\n"
        "prodops: 1 of 2 queries failed; its KPI was left as it was\n"
    )
    assert (repo / "okrs/kpis/online-payment-share.csv").read_text().endswith("2026-11-18,52\n2026-11-25,53\n")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("select null as date, 1 as value", "row 1: the date is empty (NULL)"),
        ("select date '2026-11-25' as date, null as value", "row 1: the value is empty (NULL)"),
        ("select date '2026-11-25' as date, 'fast' as value", "row 1: the value 'fast' is not a number"),
        ("select '25/11/2026' as date, 1 as value", "row 1: the date '25/11/2026' is not a date"),
        (
            "select 1 as value",
            "the query returns 1 column; it must return date, value and optionally segment, in that order",
        ),
        (
            "select 1, 2, 3, 4",
            "the query returns 4 columns; it must return date, value and optionally segment, in that order",
        ),
        (
            "select date '2026-11-25', -3",
            "row 1: 'days-to-first-payment': -3 is below the smallest days value this KPI can have (0)",
        ),
        ("select date '2026-11-25', 'nan'::double", "row 1: 'days-to-first-payment': nan is not a finite number"),
        (
            "select timestamp '2026-11-25 10:30', 1",
            "row 1: date datetime.datetime(2026, 11, 25, 10, 30) has a time of day",
        ),
        (
            "select date '2026-11-25', 1 union all select date '2026-11-25', 2",
            "row 2: a second value for 2026-11-25 (the first is row 1)",
        ),
        (
            "select date '2026-11-25', 1, 'eu' || chr(10) || 'west'",
            "row 1: the segment 'eu?west' holds control characters",
        ),
        (
            "select date '2026-11-25', 1, repeat('x', 201)",
            "row 1: the segment 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… is longer than 200 characters",
        ),
        ("select date '2026-11-25', 1, 7", "row 1: the segment 7 is not text"),
        ("select [1, 2] as date, 1", "row 1: the date [1, 2] is not a date"),
    ],
)
def test_a_row_that_is_not_a_value_is_a_clear_error_and_nothing_is_written(
    tmp_path: Path, query: str, message: str
) -> None:
    repo = example(tmp_path)
    with_query(repo, query)
    before = snapshot(repo)
    code, output = pull(repo, "days-to-first-payment")
    assert code == 1
    assert output.startswith(f"okrs/kpis/days-to-first-payment.yaml:14:3: error PO161 {message}\n"), output
    assert output.endswith("prodops: 1 of 1 query failed; its KPI was left as it was\n")
    assert snapshot(repo) == before


def test_a_hostile_segment_is_kept_as_text_and_quoted_in_the_history(tmp_path: Path) -> None:
    repo = example(tmp_path)
    hostile = '<script>alert(1)</script>, "quoted"'
    with_query(repo, "select date '2026-11-25' as date, 4 as value, '<script>alert(1)</script>, \"quoted\"' as segment")
    code, output = pull(repo, "days-to-first-payment")
    assert (code, output) == (
        0,
        "okrs/kpis/days-to-first-payment.csv: 1 value added\n"
        "pull: 1 value of 1 KPI: 1 added, 0 restated, 0 key results checked in\n",
    )
    assert (repo / HISTORY).read_text().endswith('2026-11-25,4,"<script>alert(1)</script>, ""quoted"""\n')
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert hostile not in result.output


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "okrs/kpis/days-to-first-payment.csv",
        "okrs/kpis/data/../days-to-first-payment.csv",
        "/etc/passwd",
        "{root}/okrs/kpis/data/../../../pyproject.toml",
        "https://example.com/kpis.csv",
    ],
)
def test_the_embedded_duckdb_reads_the_data_folder_and_nothing_else(tmp_path: Path, path: str) -> None:
    repo = example(tmp_path)
    shown = path.format(root=repo.resolve())
    with_query(repo, f"select * from read_csv('{shown}')")
    code, output = pull(repo, "days-to-first-payment")
    assert code == 1
    assert "error PO160 the query failed in DuckDB: Permission Error: Cannot access file" in output, output
    assert str(repo.resolve()) not in output
    assert "hint: run the query in DuckDB to correct it; it may read the files of okrs/kpis/data/ only" in output


@pytest.mark.parametrize(
    "statement",
    [
        "set enable_external_access = true",
        "attach 'elsewhere.duckdb'",
        "install httpfs",
        "copy (select 1) to 'pyproject.toml'",
    ],
)
def test_a_query_cannot_widen_what_duckdb_may_do(tmp_path: Path, statement: str) -> None:
    repo = example(tmp_path)
    before = snapshot(repo)
    with_query(repo, statement)
    code, output = pull(repo, "days-to-first-payment")
    assert code == 1
    assert "error PO160 the query failed in DuckDB:" in output, output
    assert snapshot(repo) == {**before, KPI: (repo / KPI).read_bytes()}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '[tool.prodops.metrics.connections.warehouse]\nurl = "postgresql://u:secret@db/x"\n',
            "pyproject.toml [tool.prodops]: 'metrics.connections.warehouse.url' would put the database's address "
            "(and its password) in the repository; name the environment variable that holds it instead: "
            'url-env = "WAREHOUSE_URL"',
        ),
        (
            '[tool.prodops.metrics.connections.warehouse]\nurl-env = "MY URL"\n',
            "pyproject.toml [tool.prodops]: 'metrics.connections.warehouse.url-env' must be the name of an environment "
            "variable, such as \"WAREHOUSE_URL\" (got 'MY URL')",
        ),
        (
            "[tool.prodops.metrics.connections.warehouse]\ntimeout = 3\n",
            "pyproject.toml [tool.prodops]: unknown setting 'metrics.connections.warehouse.timeout' "
            "(known settings: url-env)",
        ),
        (
            "[tool.prodops.metrics.connections.warehouse]\n",
            "pyproject.toml [tool.prodops]: 'metrics.connections.warehouse' needs url-env, the environment variable "
            "that holds its SQLAlchemy URL",
        ),
        (
            '[tool.prodops.metrics]\ndata-folder = "../elsewhere"\n',
            "pyproject.toml [tool.prodops]: 'metrics.data-folder' must be a folder inside the repository, written "
            "relative to its root, such as \"okrs/kpis/data\" (got '../elsewhere')",
        ),
        (
            '[tool.prodops.metrics]\ndata-folder = ".git"\n',
            "pyproject.toml [tool.prodops]: 'metrics.data-folder' must be a folder inside the repository, written "
            "relative to its root, such as \"okrs/kpis/data\" (got '.git')",
        ),
    ],
)
def test_connections_and_the_data_folder_are_checked(tmp_path: Path, table: str, message: str) -> None:
    repo = copy_example(tmp_path / "repo")
    (repo / "pyproject.toml").write_text(f"[tool.prodops]\n{table}")
    result = CliRunner().invoke(cli, ["metrics", "pull", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()])
    assert result.exit_code == 1
    assert result.output == f"prodops: {message}\n"


def test_a_query_on_postgresql_runs_read_only(tmp_path: Path, postgres: str) -> None:
    repo = example(tmp_path, "first_payments", "testdb")
    with_query(repo, "delete from first_payments returning week, days", "testdb")
    code, output = pull(repo, "days-to-first-payment", env={ENV: postgres})
    assert code == 1
    assert (
        "error PO160 the query failed in connection 'testdb': cannot execute DELETE in a read-only transaction"
        in output
    )
    with psycopg.connect(postgres.replace("postgresql+psycopg", "postgresql")) as con:
        assert con.execute("select count(*) from first_payments").fetchone() == (len(ROWS),)


@pytest.mark.parametrize(
    "connection",
    ["<script>alert(1)</script>", "../../etc/passwd", "warehouse\u0007", "postgresql://u:p@h/d", "x" * 200],
)
def test_a_connection_that_is_not_a_name_fails_the_schema(tmp_path: Path, connection: str) -> None:
    repo = example(tmp_path)
    with_query(repo, "select 1", json.dumps(connection))
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()])
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    assert "okrs/kpis/days-to-first-payment.yaml:14:15: error PO2" in result.output, result.output
    assert "source.connection" in result.output and "Traceback" not in result.output
    code, output = pull(repo, "days-to-first-payment")
    assert code == 1 and "days-to-first-payment.yaml:14:15: error PO2" in output and "Traceback" not in output

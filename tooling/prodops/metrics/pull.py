"""Running a KPI's query (``source.query``) and turning its rows into the values an import merges.

A query returns the columns ``date, value[, segment]`` (by position). It runs in the database
its ``connection`` names (``[tool.prodops.metrics.connections.NAME]``: the environment variable
holding a SQLAlchemy URL, never the URL itself) or, with none, in an embedded DuckDB whose file
search path is the repository's root and that may read the files of the data folder
(``okrs/kpis/data`` unless ``data-folder`` says otherwise) and nothing else: a pull request can
change a query, and the query runs where the secrets are, so it must not read ``.git/config``,
the runner's home or the network. Every KPI is pulled on its own: a failing query is a
diagnostic at its ``query`` key (with the database's message, any URL or password scrubbed)
and the other KPIs still pull.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic
from prodops.metrics.history import parse_date, value_problem
from prodops.metrics.importer import Export
from prodops.metrics.mapping import Connection, MetricsConfig
from prodops.metrics.model import TOTAL, Kpi, format_value

MAX_ROWS = 1_000_000  # ten years of daily values in 250 segments; more is a query without its GROUP BY
MAX_SEGMENT = 200
MAX_MESSAGE = 400
_BATCH = 10_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]*")
_ONE_ROW = "group the rows by date (and segment): one row per value"
_EXAMPLE = "select day as date, count(*) as value from read_csv('okrs/kpis/data/signups.csv') group by 1"


@dataclass(frozen=True)
class Where:
    """The ``query`` key of a KPI's file, where its problems are reported."""

    file: str
    line: int
    column: int
    connection: tuple[int, int]  # the ``connection`` key (the query's, when there is none)


class _Failed(Exception):
    """A query that did not run, with the message to report (already scrubbed)."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def where(catalog: Catalog, kpi: Kpi) -> Where:
    doc = catalog.documents.get(kpi.id)
    line, column = doc.locate_key(("source", "query")) if doc is not None else (1, 1)
    named = doc.locate_key(("source", "connection")) if doc is not None and kpi.source.connection else (line, column)
    return Where(kpi.file, line, column, named)


def pull(
    root: Path, catalog: Catalog, kpis: Sequence[Kpi], config: MetricsConfig, environ: Mapping[str, str]
) -> tuple[Export, dict[str, Where], list[Diagnostic]]:
    """Every value the ``kpis``' queries return, where each query is, and the problems of those that failed.

    A KPI whose query fails, or returns a row that is not a value, contributes no value at all.
    """
    export = Export("long")
    places: dict[str, Where] = {}
    problems: list[Diagnostic] = []
    embedded = [kpi for kpi in kpis if not kpi.source.connection]
    answers = _duckdb(root, config.data_folder, [k.source.query for k in embedded]) if embedded else []
    answered = {kpi.id: answer for kpi, answer in zip(embedded, answers, strict=True)}
    for kpi in kpis:
        at = places[kpi.id] = where(catalog, kpi)
        try:
            answer = answered[kpi.id] if kpi.id in answered else _run(kpi, config, environ)
            if isinstance(answer, _Failed):
                raise answer
            columns, rows = answer
            values = _values(kpi, columns, rows)
        except _Failed as failed:
            line, column = at.connection if failed.code == "PO162" else (at.line, at.column)
            problems.append(Diagnostic("error", failed.code, failed.message, at.file, line, column, hint=failed.hint))
            continue
        if values:
            export.values[kpi.id] = values
            export.rows += sum(len(days) for days in values.values())
    return export, places, problems


def _run(kpi: Kpi, config: MetricsConfig, environ: Mapping[str, str]) -> tuple[int, list[Sequence[Any]]]:
    connection = config.connections.get(kpi.source.connection)
    if connection is None:
        declared = ", ".join(sorted(config.connections)) or "none"
        raise _Failed(
            "PO162",
            f"connection '{kpi.source.connection}' is not declared (declared: {declared})",
            f'declare it in pyproject.toml: [tool.prodops.metrics.connections.{kpi.source.connection}] url-env = "VARIABLE"',
        )
    return _database(connection, kpi.source.query, environ)


# Run in a child process whose working folder is the repository's root (DuckDB resolves a query's
# relative paths against it, and a restricted DuckDB will not search another folder) and whose
# environment is empty: the query never sees the secrets of the process that pulls.
_CHILD = r"""
import datetime, decimal, json, os, sys
import duckdb

folder, sqls, limit = json.loads(sys.stdin.read())


def cell(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return ["f", repr(v)]
    if isinstance(v, decimal.Decimal):
        return ["n", str(v)]
    if isinstance(v, datetime.datetime):
        return ["t", v.isoformat()]
    if isinstance(v, datetime.date):
        return ["d", v.isoformat()]
    return ["x", repr(v)[:200]]


def run(sql):
    con = duckdb.connect(":memory:", config={"autoload_known_extensions": False, "autoinstall_known_extensions": False})
    try:
        con.execute("SET allowed_directories = ?", [[folder]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        con.execute(sql)
        width = len(con.description or ())
        rows = []
        while len(rows) <= limit:
            batch = con.fetchmany(10000)
            if not batch:
                break
            rows.extend([cell(v) for v in row] for row in batch)
        return {"width": width, "rows": rows}
    except duckdb.Error as exc:
        return {"error": str(exc)}
    finally:
        con.close()


# One line per query, each a connection of its own: no query sees another's tables or settings.
# The lines go down the pipe the parent reads (file descriptor 1), never to a terminal.
for sql in sqls:
    line = (json.dumps(run(sql)) + "\n").encode()
    while line:
        line = line[os.write(1, line):]
"""
DUCKDB_TIMEOUT = 900  # seconds


def _duckdb(root: Path, folder: str, sqls: Sequence[str]) -> list[tuple[int, list[Sequence[Any]]] | _Failed]:
    """Each query's columns and rows (or why it failed), all run by one DuckDB process."""
    base = root.resolve()
    allowed = str(base / folder) + "/"
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=json.dumps([allowed, list(sqls), MAX_ROWS]),
            capture_output=True,
            text=True,
            cwd=base,
            env={},
            timeout=DUCKDB_TIMEOUT,
            check=False,
        )
        lines = done.stdout.splitlines()
        crashed = done.stderr.strip()[-MAX_MESSAGE:] if done.returncode != 0 else ""
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout
        lines = (partial.decode("utf-8", "replace") if isinstance(partial, bytes) else partial or "").splitlines()[:-1]
        crashed = f"the queries did not finish within {DUCKDB_TIMEOUT} seconds"
    answers: list[tuple[int, list[Sequence[Any]]] | _Failed] = []
    for index in range(len(sqls)):
        out: dict[str, Any]
        try:
            out = json.loads(lines[index]) if index < len(lines) else {"error": crashed or "DuckDB gave no answer"}
        except ValueError:
            out = {"error": "DuckDB gave no answer"}
        if "error" in out:
            message = _scrub(str(out["error"]), (str(base) + "/",))
            answers.append(_Failed("PO160", f"the query failed in DuckDB: {message}", _hint(folder)))
            continue
        rows: list[Sequence[Any]] = [[_decoded(v) for v in row] for row in out["rows"]]
        if len(rows) > MAX_ROWS:
            answers.append(_Failed("PO161", f"the query returns more than {MAX_ROWS:,} rows", _ONE_ROW))
            continue
        answers.append((int(out["width"]), rows))
    return answers


def _decoded(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    tag, text = value
    if tag == "f":
        return float(text)
    if tag == "n":
        return Decimal(text)
    if tag == "t":
        return datetime.fromisoformat(text)
    if tag == "d":
        return date.fromisoformat(text)
    return _Opaque(text)


class _Opaque:
    """A value of a type the query should not return (a list, a struct, bytes): only its repr is kept."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _hint(folder: str) -> str:
    return f"run the query in DuckDB to correct it; it may read the files of {folder}/ only, e.g. {_EXAMPLE}"


def _database(connection: Connection, sql: str, environ: Mapping[str, str]) -> tuple[int, list[Sequence[Any]]]:
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    url = environ.get(connection.url_env, "")
    if not url.strip():
        raise _Failed(
            "PO162",
            f"the environment variable {connection.url_env} is not set: it holds the URL of connection '{connection.name}'",
            f"set {connection.url_env} to the database's SQLAlchemy URL (in CI, from a secret), or pull other KPIs",
        )
    secrets = _secrets(url)
    try:
        engine = sqlalchemy.create_engine(url, poolclass=NullPool)
    except Exception as exc:  # a URL SQLAlchemy cannot read, or names a driver that is not installed
        raise _Failed(
            "PO162",
            f"{connection.url_env} does not hold a usable SQLAlchemy URL for connection '{connection.name}': "
            f"{_scrub(_message(exc), secrets)}",
            "set it to a URL such as postgresql+psycopg://USER:PASSWORD@HOST:5432/DATABASE",
        ) from None
    try:
        with engine.connect() as con:
            if engine.dialect.name == "postgresql":  # the query reads; it never writes to the warehouse
                con.exec_driver_sql("SET TRANSACTION READ ONLY")
            result = con.exec_driver_sql(sql)
            width = len(result.keys()) if result.returns_rows else 0
            rows = _fetch(result.fetchmany) if result.returns_rows else []
            con.rollback()
    except Exception as exc:  # the database's own errors, whatever its driver calls them
        raise _Failed(
            "PO160",
            f"the query failed in connection '{connection.name}': {_scrub(_message(exc), secrets)}",
            "run the query against the database to correct it; it must return the columns date, value[, segment]",
        ) from None
    finally:
        engine.dispose()
    return width, rows


def _fetch(fetchmany: Any) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    while True:
        batch = fetchmany(_BATCH)
        if not batch:
            return rows
        rows.extend(batch)
        if len(rows) > MAX_ROWS:
            raise _Failed(
                "PO161",
                f"the query returns more than {MAX_ROWS:,} rows",
                _ONE_ROW,
            )


def _message(exc: BaseException) -> str:
    """The database's own words: SQLAlchemy wraps them with the statement and a link."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc)


def _secrets(url: str) -> tuple[str, ...]:
    from sqlalchemy.engine import make_url

    found = [url]
    try:
        parsed = make_url(url)
    except Exception:  # an unreadable URL: only the whole text is known to be secret
        return tuple(found)
    if parsed.password:
        found.append(str(parsed.password))
    return tuple(found)


def _scrub(message: str, secrets: Iterable[str]) -> str:
    """The first lines of a database's message, without URLs, passwords or control characters."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            message = message.replace(secret, "")
    message = _URL.sub("<url>", message)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = " ".join(lines[:3])
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _values(kpi: Kpi, width: int, rows: Iterable[Sequence[Any]]) -> dict[str, dict[str, tuple[float, int]]]:
    if width not in (2, 3):
        raise _Failed(
            "PO161",
            f"the query returns {width} {'column' if width == 1 else 'columns'}; it must return date, value and "
            "optionally segment, in that order",
            f"select the columns in that order, e.g. {_EXAMPLE}",
        )
    out: dict[str, dict[str, tuple[float, int]]] = {}
    for number, row in enumerate(rows, start=1):
        day = _day(row[0], number)
        value = _value(kpi, row[1], number)
        segment = _segment(row[2], number) if width == 3 else TOTAL
        days = out.setdefault(segment, {})
        first = days.get(day)
        if first is not None:
            which = f", segment '{segment}'" if segment else ""
            raise _Failed(
                "PO161",
                f"row {number}: a second value for {day}{which} (the first is row {first[1]})",
                "group the rows by date (and segment): one row per value",
            )
        days[day] = (value, number)
    return out


def _day(cell: Any, number: int) -> str:
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise _Failed(
                "PO161",
                f"row {number}: date {_shown(cell)} has a time of day",
                "return dates, e.g. cast(created_at as date) or date_trunc('week', created_at)::date",
            )
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    parsed = parse_date(cell) if isinstance(cell, str) else None
    if parsed is None:
        what = "is empty (NULL)" if cell is None else f"{_shown(cell)} is not a date"
        raise _Failed(
            "PO161",
            f"row {number}: the date {what}",
            "return a date (or YYYY-MM-DD text) in the first column, never NULL",
        )
    return parsed.isoformat()


def _value(kpi: Kpi, cell: Any, number: int) -> float:
    if cell is None or isinstance(cell, bool) or not isinstance(cell, (int, float, Decimal)):
        what = "is empty (NULL)" if cell is None else f"{_shown(cell)} is not a number"
        raise _Failed(
            "PO161",
            f"row {number}: the value {what}",
            "return a number in the second column, never NULL (coalesce, or leave out the rows with no value)",
        )
    value = float(cell)
    problem = "" if math.isfinite(value) else f"{_shown(cell)} is not a finite number"
    problem = problem or value_problem(value, kpi.values, kpi.unit)
    if problem:
        raise _Failed("PO161", f"row {number}: '{kpi.id}': {problem}", "correct the query or the data it reads")
    return value


def _segment(cell: Any, number: int) -> str:
    if cell is None:
        return TOTAL  # the headline value
    if not isinstance(cell, str):
        raise _Failed("PO161", f"row {number}: the segment {_shown(cell)} is not text", "cast the segment to text")
    text = cell.strip()
    if _CONTROL.search(text) or len(text) > MAX_SEGMENT:
        raise _Failed(
            "PO161",
            f"row {number}: the segment {_shown(cell)} "
            + ("holds control characters" if _CONTROL.search(text) else f"is longer than {MAX_SEGMENT} characters"),
            "return segment names of plain text, such as a plan or a region",
        )
    return text


def _shown(cell: Any) -> str:
    """A cell as a message quotes it: short, on one line, numbers as the history writes them."""
    if isinstance(cell, float) and math.isfinite(cell):
        return format_value(cell)
    text = _CONTROL.sub("?", repr(cell) if not isinstance(cell, str) else f"'{cell}'")
    return text if len(text) <= 60 else text[:59] + "…"

"""``[tool.prodops.metrics]``: how the columns of a metric export map to KPIs, and how it writes dates.

Example::

    [tool.prodops.metrics]
    date-column = "Week"              # a wide export's date column (default "date")
    date-format = "%d/%m/%Y"          # dates in exports (default: ISO, YYYY-MM-DD)

    [tool.prodops.metrics.columns]    # export column (or metric name) -> KPI id
    "NRR (TTM, %)" = "net-revenue-retention"

    [tool.prodops.metrics.connections.warehouse]   # a database a KPI's query may name
    url-env = "WAREHOUSE_URL"         # the environment variable holding its SQLAlchemy URL

A connection's URL (which holds its password) is never written in the repository: only the name
of the variable that holds it when ``prodops metrics pull`` runs. A query that names no connection
runs in an embedded DuckDB that may read the files of ``data-folder`` and nothing else.

A KPI's own id always names it; the mapping adds the names an export uses. Which KPIs the
ids name is checked when an import runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prodops import settings
from prodops.diagnostics import ProdopsError
from prodops.settings import Invalid, Setting, check_table

_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_FOLDER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*")
DATA_FOLDER = "okrs/kpis/data"


@dataclass(frozen=True)
class Connection:
    """A database a KPI's query names: the environment variable that holds its SQLAlchemy URL."""

    name: str
    url_env: str


@dataclass(frozen=True)
class MetricsConfig:
    columns: Mapping[str, str] = field(default_factory=dict)
    date_column: str = "date"
    date_format: str = ""  # empty: ISO dates only
    connections: Mapping[str, Connection] = field(default_factory=dict)
    # The one folder (relative to the root) the embedded DuckDB may read files from.
    data_folder: str = DATA_FOLDER

    def kpi_for(self, name: str) -> str:
        """The KPI id an export's metric name or column names (the name itself when it is not mapped)."""
        return self.columns.get(name.strip(), name.strip())


def _columns(table: dict[str, Any]) -> dict[str, str]:
    if not all(isinstance(v, str) for v in table.values()):
        raise Invalid
    bad = next((v for v in table.values() if not _ID.fullmatch(v)), None)
    if bad is not None:
        raise Invalid(f"maps to '{bad}', which is not a KPI id (lower-case words joined by hyphens)")
    return {str(k).strip(): v for k, v in table.items()}


def _date_format(value: Any) -> str:
    if not isinstance(value, str) or not _valid_format(value):
        raise Invalid
    return value


def _data_folder(value: Any) -> str:
    if not isinstance(value, str) or not _FOLDER.fullmatch(value.strip("/")):
        raise Invalid
    parts = value.strip("/").split("/")
    if any(part in (".", "..") or part.startswith(".") for part in parts):
        raise Invalid
    return "/".join(parts)


_CONNECTION: dict[str, Setting] = {
    "url-env": settings.text(
        "url_env", 'the name of an environment variable, such as "WAREHOUSE_URL"', _ENV.pattern, strip=False
    ),
}


def _connections(table: Any, where: str) -> dict[str, Connection]:
    out: dict[str, Connection] = {}
    for name, value in table.items():
        dotted = f"metrics.connections.{name}"
        if not _ID.fullmatch(str(name)):
            raise ProdopsError(
                f"{where}: connection name '{name}' must be lower-case words joined by hyphens, such as 'warehouse'"
            )
        if not isinstance(value, dict):
            raise ProdopsError(f"{where}: '{dotted}' must be a table such as [tool.prodops.{dotted}]")
        if "url" in value:
            raise ProdopsError(
                f"{where}: '{dotted}.url' would put the database's address (and its password) in the repository; "
                f'name the environment variable that holds it instead: url-env = "{name.upper().replace("-", "_")}_URL"'
            )
        values = check_table(value, where, _CONNECTION, prefix=f"{dotted}.")
        if "url_env" not in values:
            raise ProdopsError(
                f"{where}: '{dotted}' needs url-env, the environment variable that holds its SQLAlchemy URL"
            )
        out[name] = Connection(name, values["url_env"])
    return out


_SETTINGS: dict[str, Setting] = {
    "columns": settings.table(
        "columns", 'must map export columns to KPI ids, e.g. "NRR %" = "net-revenue-retention"', _columns
    ),
    "date-column": settings.text("date_column", "the name of a column", strip=True),
    "date-format": Setting(
        "date_format", _date_format, 'must be a date format with day, month and year, such as "%d/%m/%Y"'
    ),
    "connections": settings.nested("connections", _connections, "[tool.prodops.metrics.connections.NAME] with url-env"),
    "data-folder": Setting(
        "data_folder",
        _data_folder,
        'must be a folder inside the repository, written relative to its root, such as "okrs/kpis/data"',
    ),
}


def from_table(table: object, where: str) -> MetricsConfig:
    """The ``metrics`` table of the configuration; a wrong value is an error naming the setting."""
    if not isinstance(table, dict):
        raise ProdopsError(f"{where}: 'metrics' must be a table such as [tool.prodops.metrics]")
    return MetricsConfig(**check_table(table, where, _SETTINGS, prefix="metrics."))


def _valid_format(text: str) -> bool:
    if not all(part in text for part in ("%d", "%m")) or not ("%Y" in text or "%y" in text):
        return False
    try:
        datetime(2026, 11, 3).strftime(text)
    except ValueError:
        return False
    return True

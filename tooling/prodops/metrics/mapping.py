"""``[tool.prodops.metrics]``: how the columns of a metric export map to KPIs, and how it writes dates.

Example::

    [tool.prodops.metrics]
    date-column = "Week"              # a wide export's date column (default "date")
    date-format = "%d/%m/%Y"          # dates in exports (default: ISO, YYYY-MM-DD)

    [tool.prodops.metrics.columns]    # export column (or metric name) -> KPI id
    "NRR (TTM, %)" = "net-revenue-retention"

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


@dataclass(frozen=True)
class MetricsConfig:
    columns: Mapping[str, str] = field(default_factory=dict)
    date_column: str = "date"
    date_format: str = ""  # empty: ISO dates only

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


_SETTINGS: dict[str, Setting] = {
    "columns": settings.table(
        "columns", 'must map export columns to KPI ids, e.g. "NRR %" = "net-revenue-retention"', _columns
    ),
    "date-column": settings.text("date_column", "the name of a column", strip=True),
    "date-format": Setting(
        "date_format", _date_format, 'must be a date format with day, month and year, such as "%d/%m/%Y"'
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

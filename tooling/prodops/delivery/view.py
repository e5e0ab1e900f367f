"""An item's delivery progress as text: a fraction of tickets (and points) for list, show and the site."""

from __future__ import annotations

from typing import Any

from prodops.catalog import Catalog
from prodops.model import Delivery

COLUMN = "progress"


def _number(value: float) -> str:
    return f"{value:g}"


def fraction(progress: Delivery) -> str:
    """``3/5 tickets`` and, where the tracker has estimates, ``8/13 points``."""
    text = f"{progress.tickets_done}/{progress.tickets_total} ticket{'s' if progress.tickets_total != 1 else ''}"
    if progress.points_total:
        text += f", {_number(progress.points_done)}/{_number(progress.points_total)} points"
    return text


def summary(progress: Delivery) -> str:
    """The line ``show`` prints: the fraction, the tracker and the last activity."""
    last = f", last activity {progress.last_activity.isoformat()}" if progress.last_activity else ""
    return f"delivery progress: {fraction(progress)} done in {progress.source}{last}"


def with_column(
    catalog: Catalog, rows: list[dict[str, Any]], columns: tuple[str, ...]
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """Rows with a progress column after status when any of them is a roadmap item with delivery progress.

    Ids are unique across kinds, so rows of any other kind are returned as they are.
    """
    found = {
        str(row.get("id")): catalog.items[str(row.get("id"))].progress
        for row in rows
        if str(row.get("id")) in catalog.items
    }
    if COLUMN in columns or not any(found.values()):
        return rows, columns
    shown = [{**row, COLUMN: fraction(p) if (p := found.get(str(row.get("id")))) is not None else ""} for row in rows]
    at = columns.index("status") + 1 if "status" in columns else len(columns)
    return shown, (*columns[:at], COLUMN, *columns[at:])

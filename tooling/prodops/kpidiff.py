"""What a change does to a KPI's history: values added, restated (old → new) and removed.

A history file is the record of what was measured; a value of a period that has already
ended is a number someone may have reported. Restating or removing one is allowed (a source
corrected its data) but is called out, with the periods it touches, so a review sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from prodops.metrics import cadence as cadences
from prodops.metrics.model import Kpi, Series, format_value


@dataclass(frozen=True)
class ValueChange:
    day: date
    segment: str  # "" for the headline value
    old: float | None  # None: added
    new: float | None  # None: removed
    period: str  # the period the date falls in, by name (November 2026)
    closed: bool  # that period had ended before today

    @property
    def change(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "restated"


def _period(kpi: Kpi, day: date, today: date) -> tuple[str, bool]:
    if kpi.cadence not in cadences.PERIODS:  # a cadence the code does not know: a day is its period
        return day.isoformat(), day < today
    index = cadences.period(kpi.cadence, day)
    return cadences.label(kpi.cadence, index), index < cadences.period(kpi.cadence, today)


def compare(kpi: Kpi, old: Series, new: Series, today: date) -> list[ValueChange]:
    """Every value that differs between two histories of ``kpi``, by segment (headline first), then date."""
    if old == new:
        return []
    out: list[ValueChange] = []
    for segment in sorted(set(old.segments) | set(new.segments)):
        before = dict(old.segments.get(segment, ()))
        after = dict(new.segments.get(segment, ()))
        for day in sorted(set(before) | set(after)):
            was, now = before.get(day), after.get(day)
            if was == now:
                continue
            label, closed = _period(kpi, day, today)
            out.append(ValueChange(day, segment, was, now, label, closed))
    return out


def _span(values: list[ValueChange]) -> str:
    first, last = values[0].day.isoformat(), values[-1].day.isoformat()
    return first if first == last else f"{first} … {last}"


def _count(n: int) -> str:
    return f"{n} value{'s' if n != 1 else ''}"


def _periods(values: list[ValueChange], limit: int = 3) -> str:
    names = list(dict.fromkeys(v.period for v in sorted(values, key=lambda v: v.day)))
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def summaries(values: list[ValueChange]) -> Iterator[tuple[str, bool]]:
    """The changes in plain words, each with whether it touches a closed period (a review must look)."""
    for what in ("restated", "removed", "added"):
        chosen = [v for v in values if v.change == what]
        if what == "added":  # new values are the history growing, whatever their period
            if chosen:
                yield f"history: {_count(len(chosen))} added ({_span(chosen)})", False
            continue
        closed = [v for v in chosen if v.closed]
        if closed:
            first = closed[0]
            shown = (
                f" ({first.day.isoformat()}: {format_value(first.old)} → {format_value(first.new)})"
                if first.old is not None and first.new is not None
                else ""
            )
            where = "a closed period" if len({v.period for v in closed}) == 1 else "closed periods"
            yield f"history: **{_count(len(closed))} {what} in {where}** ({_periods(closed)}){shown}", True
        rest = [v for v in chosen if not v.closed]
        if rest:
            yield f"history: {_count(len(rest))} {what} in open periods ({_span(rest)})", False

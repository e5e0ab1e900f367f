"""A month as a calendar grid: weeks (Monday first) × days, with what falls on each day.

The launch calendar draws each upcoming month this way on a wide screen; the list of the same
launches is what a phone shows (the style sheet switches at the phone breakpoint).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from prodops import model

T = TypeVar("T")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Day(Generic[T]):
    day: date | None  # None: a day of the month before or after, left blank
    entries: tuple[T, ...] = ()


def weeks(entries: Sequence[T], day_of: Callable[[T], date | None]) -> list[list[Day[T]]]:
    """The month of the first dated entry as weeks of seven days, each entry on its day; [] with none dated."""
    dated = [e for e in entries if day_of(e) is not None]
    if not dated:
        return []
    first = day_of(dated[0])
    assert first is not None
    by_day: dict[date, list[T]] = {}
    for e in dated:
        found = day_of(e)
        if found is not None and (found.year, found.month) == (first.year, first.month):
            by_day.setdefault(found, []).append(e)
    grid = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [
        [Day(d, tuple(by_day.get(d, ()))) if d.month == first.month else Day[T](None) for d in week] for week in grid
    ]


def launch_weeks(launches: Sequence[model.Launch]) -> list[list[Day[model.Launch]]]:
    """A month's launches on their GA day."""
    return weeks(launches, lambda launch: launch.ga)

"""How often a KPI is measured: the period a date falls in, per cadence.

The cadences themselves are the schema's enum (``kpi.cadence``); this module says what each
one means in days, and a meta-test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _day(day: date) -> int:
    return day.toordinal()


def _week(day: date) -> int:
    return (day.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday: weeks run Monday to Sunday


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _day_label(index: int) -> str:
    return date.fromordinal(index).isoformat()


def _week_label(index: int) -> str:
    return f"the week of {date.fromordinal(index * 7 + 1).isoformat()}"


def _month_label(index: int) -> str:
    return f"{_MONTHS[index % 12]} {index // 12}"


# cadence -> (the index of the period a date is in, how a period is named)
PERIODS: dict[str, tuple[Callable[[date], int], Callable[[int], str]]] = {
    "daily": (_day, _day_label),
    "weekly": (_week, _week_label),
    "monthly": (_month, _month_label),
}


def period(cadence: str, day: date) -> int:
    """The number of the period (day, week or month) ``day`` falls in; consecutive periods differ by one."""
    return PERIODS[cadence][0](day)


def label(cadence: str, index: int) -> str:
    """A period by name: 2026-11-30, the week of 2026-11-23, November 2026."""
    return PERIODS[cadence][1](index)


def first_missing(cadence: str, last: date, today: date) -> str | None:
    """The first whole period after ``last`` that has closed by ``today`` (None: none has)."""
    after = period(cadence, last) + 1
    if period(cadence, today) > after:
        return label(cadence, after)
    return None


def days_between(a: date, b: date) -> int:
    return (b - a) // timedelta(days=1)

"""The planning calendar: the one place that knows how periods are cut, written, parsed and counted.

An organisation declares its cadence on the shared ``period`` definition of its schemas
(``schemas/common.schema.json``, ``$defs/period``)::

    "x-prodops-calendar": {"periods": ["quarter"], "fiscal-year-start": "january"}
    "x-prodops-calendar": {"periods": ["half", "year"]}
    "x-prodops-calendar": {"periods": ["cycle"], "cycle-weeks": 6, "first-cycle": "2026-01-05"}

Period kinds are ``quarter`` (``2026-Q4``), ``half`` (``2025-H2``), ``trimester`` (``2026-T1``),
``year`` (``2026``) and ``cycle`` (``C14``: N weeks each, numbered from the first cycle). When
the fiscal year starts in another month than January, years are named by the calendar year
they end in: with April, ``FY27`` runs from April 2026 to March 2027 and ``FY27-Q1`` is
April–June 2026. The first kind listed is the primary one: the "current period", the default
of ``--period`` and the timeline's axis. Nothing declared means calendar quarters.

The period ``pattern`` of the schema follows from the calendar (:attr:`Calendar.pattern`);
files are validated against it, so every period that passes the schema parses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import total_ordering
from pathlib import Path
from typing import Any

from prodops.diagnostics import Diagnostic

KEY = "x-prodops-calendar"
KINDS = ("quarter", "half", "trimester", "year", "cycle")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_LENGTH = {"quarter": 3, "half": 6, "trimester": 4, "year": 12}  # months
_LETTER = {"quarter": "Q", "half": "H", "trimester": "T"}
_NOUN = {"quarter": "quarter", "half": "half-year", "trimester": "trimester", "year": "year", "cycle": "cycle"}
_YEARISH = re.compile(r"(?:([1-9][0-9]{3})|FY([0-9]{2}))(?:-([QHT])([1-9]))?")
_CYCLE = re.compile(r"C(-?[0-9]{1,4})")


@total_ordering
@dataclass(frozen=True, eq=True)
class Period:
    """One planning period: its kind, its days (both ends included) and how it is written."""

    kind: str
    year: int  # the (fiscal) year it belongs to, named by the year it ends in; the cycle's number for cycles
    number: int  # its place in the year (quarter 1-4, half 1-2, trimester 1-3); 0 for a year
    start: date
    end: date
    label: str = field(compare=False)

    def __str__(self) -> str:
        return self.label

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, other.end, self.label) < (other.start, self.end, other.label)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def year_name(self) -> str:
        """The year part of its name ("2026", "FY27"); "" for a year or a cycle, whose name is all of it."""
        name, _, rest = self.label.rpartition("-")
        return name if rest and name else ""

    @property
    def short(self) -> str:
        """Its name within its year ("Q4", "H2"), or the whole name for a year or a cycle."""
        return self.label.rpartition("-")[2] or self.label

    @property
    def noun(self) -> str:
        """The kind as a reader says it: "quarter", "half-year", "cycle"."""
        return _NOUN[self.kind]

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period of the default calendar (calendar quarters); ValueError when it is not one."""
        found = DEFAULT.parse(text)
        if found is None:
            raise ValueError(f"{text!r} is not a period such as {DEFAULT.example}")
        return found

    @classmethod
    def containing(cls, day: date) -> Period:
        """The quarter of the default calendar that ``day`` falls in."""
        return DEFAULT.containing(day)


@dataclass(frozen=True)
class Calendar:
    """How an organisation cuts time into planning periods (see the module's docstring)."""

    periods: tuple[str, ...] = ("quarter",)
    fiscal_start: int = 1  # the month the fiscal year starts in, 1-12
    cycle_weeks: int = 0
    first_cycle: date | None = None

    @property
    def primary(self) -> str:
        return self.periods[0]

    @property
    def fiscal(self) -> bool:
        return self.fiscal_start != 1

    # -- making periods ----------------------------------------------------------------------

    def period(self, kind: str, year: int, number: int) -> Period:
        """The period ``number`` of ``kind`` in (fiscal) ``year`` (the cycle numbered ``year`` for cycles)."""
        if kind == "cycle":
            first = self.first_cycle or date(2026, 1, 5)
            start = first + timedelta(weeks=self.cycle_weeks * (year - 1))
            end = start + timedelta(weeks=self.cycle_weeks, days=-1)
            return Period("cycle", year, 0, start, end, f"C{year}")
        length = _LENGTH[kind]
        first_month = _month_index(year - (1 if self.fiscal else 0), self.fiscal_start) + length * max(number - 1, 0)
        start = _month_date(first_month)
        end = _month_date(first_month + length) - timedelta(days=1)
        name = f"FY{year % 100:02d}" if self.fiscal else f"{year}"
        label = name if kind == "year" else f"{name}-{_LETTER[kind]}{number}"
        return Period(kind, year, 0 if kind == "year" else number, start, end, label)

    def containing(self, day: date, kind: str | None = None) -> Period:
        """The period of ``kind`` (default: the primary kind) that ``day`` falls in."""
        kind = kind or self.primary
        if kind == "cycle":
            first = self.first_cycle or date(2026, 1, 5)
            return self.period("cycle", (day - first).days // (7 * self.cycle_weeks) + 1, 0)
        offset = _month_index(day.year, day.month) - _month_index(0, self.fiscal_start)
        start_year, position = divmod(offset, 12)
        year = start_year + (1 if self.fiscal else 0)
        return self.period(kind, year, 0 if kind == "year" else position // _LENGTH[kind] + 1)

    def all_containing(self, day: date) -> tuple[Period, ...]:
        """Every declared period that ``day`` falls in, the primary kind first."""
        return tuple(self.containing(day, kind) for kind in self.periods)

    def next(self, period: Period) -> Period:
        return self.containing(period.end + timedelta(days=1), period.kind)

    def previous(self, period: Period) -> Period:
        return self.containing(period.start - timedelta(days=1), period.kind)

    def between(self, start: date, end: date, kind: str | None = None) -> list[Period]:
        """The periods of ``kind`` (default: primary) that overlap ``start``..``end``, in order."""
        out: list[Period] = []
        if end < start:
            return out
        period = self.containing(start, kind)
        while period.start <= end:
            if period.kind != "cycle" or period.year >= 1:  # no cycle before the first one
                out.append(period)
            period = self.next(period)
        return out

    # -- writing and reading -----------------------------------------------------------------

    def parse(self, text: str) -> Period | None:
        """The declared period ``text`` names, in any case (``2026-q4`` is ``2026-Q4``); None if none."""
        text = text.strip().upper()
        if "cycle" in self.periods:
            cycle = _CYCLE.fullmatch(text)
            if cycle is not None:
                return self.period("cycle", int(cycle.group(1)), 0)
        found = _YEARISH.fullmatch(text)
        if found is None:
            return None
        plain, short, letter, number = found.groups()
        if (short is not None) != self.fiscal:
            return None
        year = int(plain) if plain is not None else 2000 + int(short)
        if letter is None:
            return self.period("year", year, 0) if "year" in self.periods else None
        kind = next(k for k, v in _LETTER.items() if v == letter)
        if kind not in self.periods or not 1 <= int(number) <= 12 // _LENGTH[kind]:
            return None
        return self.period(kind, year, int(number))

    @property
    def pattern(self) -> str:
        """The JSON Schema pattern every period of this calendar matches (the schema's must be this one)."""
        year = "FY[0-9]{2}" if self.fiscal else "[1-9][0-9]{3}"
        parts = []
        for kind in self.periods:
            if kind == "cycle":
                parts.append("C[1-9][0-9]{0,3}")
            elif kind == "year":
                parts.append(year)
            else:
                parts.append(f"{year}-{_LETTER[kind]}[1-{12 // _LENGTH[kind]}]")
        return f"^{parts[0]}$" if len(parts) == 1 else "^(?:" + "|".join(parts) + ")$"

    @property
    def example(self) -> str:
        """How periods are written here, for messages: "2026-Q4", "2025-H2 or 2026"."""
        day = _late(self) if self.first_cycle else date(2026, 11, 3)
        return " or ".join(str(self.containing(day, kind)) for kind in self.periods)

    @property
    def noun(self) -> str:
        """The primary kind as a reader says it ("quarter"), or "period" when several kinds are declared."""
        return _NOUN[self.primary] if len(self.periods) == 1 else "period"

    def describe(self) -> str:
        """ "a quarter such as 2026-Q4": what a period option takes, for help and errors."""
        return f"a {self.noun} such as {self.example}"

    def near(self, day: date, before: int = 1, after: int = 3) -> list[Period]:
        """The declared periods around ``day``: of the primary kind ``before`` earlier ones, its own and ``after``
        later; of every other kind its own and the next."""
        out: list[Period] = []
        for kind in self.periods:
            if kind != self.primary:
                before, after = 0, 1
            here = self.containing(day, kind)
            earlier = [here]
            for _ in range(before):
                earlier.insert(0, self.previous(earlier[0]))
            later = [self.next(here)] if after else []
            while 0 < len(later) < after:
                later.append(self.next(later[-1]))
            out += [p for p in earlier + later if p.kind != "cycle" or p.year >= 1]
        return out

    def meant(self, text: str, day: date) -> Period | None:
        """The declared period ``text`` most likely means when it is none: the one holding the first day of the
        period it names in another notation (``2026-Q4`` under half-years is ``2026-H2``), else the nearest
        near ``day`` whose name is closest to it."""
        for other in _OTHERS:
            for fiscal in {self.fiscal_start, 1}:
                found = Calendar(other, fiscal).parse(text)
                if found is not None:
                    return self.containing(found.start)
        from difflib import get_close_matches  # only on a mistake

        near = {str(p): p for p in self.near(day, before=4, after=4)}
        match = get_close_matches(text.strip().upper(), list(near), n=1, cutoff=0.6)
        return near[match[0]] if match else None

    def declaration(self) -> dict[str, Any]:
        """The ``x-prodops-calendar`` value that declares this calendar."""
        out: dict[str, Any] = {"periods": list(self.periods)}
        if self.fiscal:
            out["fiscal-year-start"] = MONTHS[self.fiscal_start - 1]
        if "cycle" in self.periods:
            out["cycle-weeks"] = self.cycle_weeks
            out["first-cycle"] = (self.first_cycle or date(2026, 1, 5)).isoformat()
        return out


DEFAULT = Calendar()
# The notations another organisation writes periods in, to read what was meant from a period of another cadence.
_OTHERS = (("quarter", "year"), ("half",), ("trimester",))


def from_declaration(value: Any) -> tuple[Calendar, list[str]]:
    """The calendar ``x-prodops-calendar`` declares, and what is wrong with it (then the default calendar)."""
    if not isinstance(value, Mapping):
        return DEFAULT, ['must be a mapping such as {"periods": ["quarter"], "fiscal-year-start": "january"}']
    problems: list[str] = []
    known = {"periods", "fiscal-year-start", "cycle-weeks", "first-cycle"}
    for key in value:
        if key not in known:
            problems.append(f"unknown key {key!r}; the keys are {', '.join(sorted(known))}")
    periods = value.get("periods", ["cycle"] if "cycle-weeks" in value else ["quarter"])
    if not isinstance(periods, list) or not periods or not all(p in KINDS for p in periods):
        problems.append(f"'periods' must be a non-empty list of {', '.join(KINDS)}")
        periods = ["quarter"]
    elif len(set(periods)) != len(periods):
        problems.append("'periods' lists a kind twice")
    start = value.get("fiscal-year-start", "january")
    month = MONTHS.index(start.lower()) + 1 if isinstance(start, str) and start.lower() in MONTHS else None
    if isinstance(start, int) and not isinstance(start, bool) and 1 <= start <= 12:
        month = start
    if month is None:
        problems.append(f"'fiscal-year-start' must be a month's name such as \"april\", not {start!r}")
        month = 1
    weeks, first = 0, None
    if "cycle" in periods:
        weeks_value = value.get("cycle-weeks")
        if not isinstance(weeks_value, int) or isinstance(weeks_value, bool) or not 1 <= weeks_value <= 26:
            problems.append("'cycle-weeks' must be a whole number of weeks from 1 to 26 when periods are cycles")
        else:
            weeks = weeks_value
        try:
            first = date.fromisoformat(str(value.get("first-cycle")))
        except ValueError:
            problems.append("'first-cycle' must be the first cycle's first day, YYYY-MM-DD")
    elif "cycle-weeks" in value or "first-cycle" in value:
        problems.append("'cycle-weeks' and 'first-cycle' need \"cycle\" in 'periods'")
    if problems:
        return DEFAULT, problems
    return Calendar(tuple(periods), month, weeks, first), []


_PERIOD_DEF = re.compile(r'(?P<head>\n(?P<indent>[ \t]*)"period"\s*:\s*\{)(?P<body>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}')


def declare(schema_text: str, calendar: Calendar) -> str | None:
    """``common.schema.json``'s text with ``$defs/period`` declaring ``calendar``; None when it has no such def.

    Only the period definition changes (its pattern, description and ``x-prodops-calendar``);
    every other byte of the file stays as it was.
    """
    found = _PERIOD_DEF.search(schema_text)
    if found is None:
        return None
    inner = found.group("indent") + "  "
    examples = json.dumps(
        [
            str(calendar.containing(date(2026, 11, 3) if not calendar.first_cycle else _late(calendar), k))
            for k in calendar.periods
        ]
    )
    lines = [
        f'{inner}"type": "string",',
        f'{inner}"pattern": {json.dumps(calendar.pattern)},',
        f'{inner}"description": {json.dumps(f"A planning period, written like {calendar.example}.")},',
        f'{inner}"{KEY}": {json.dumps(calendar.declaration())},',
        f'{inner}"examples": {examples}',
    ]
    body = "\n" + "\n".join(lines) + "\n" + found.group("indent")
    return schema_text[: found.start("body")] + body + schema_text[found.end("body") :]


def _late(calendar: Calendar) -> date:
    return (calendar.first_cycle or date(2026, 1, 5)) + timedelta(weeks=13 * calendar.cycle_weeks)


def check(schema_dir: Path, problems: tuple[str, ...]) -> list[Diagnostic]:
    """PO119 for each problem of the calendar declaration, pinned to it in ``common.schema.json``."""
    if not problems:
        return []
    path = schema_dir / "common.schema.json"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        text = ""
    index = text.find(f'"{KEY}"')
    if index < 0:
        index = max(text.find('"period"'), 0)
    line, column = text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    return [
        Diagnostic(
            "error",
            "PO119",
            f"planning calendar: {problem}",
            f"{schema_dir.name}/{path.name}",
            line,
            column,
            hint='declare it as {"periods": ["quarter"], "fiscal-year-start": "january"} (or "half", "year", '
            '"trimester", or "cycle" with "cycle-weeks" and "first-cycle"), and make the period pattern the one '
            "the message gives",
        )
        for problem in problems
    ]


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month_date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)

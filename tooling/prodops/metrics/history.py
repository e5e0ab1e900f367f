"""A KPI's history file (``okrs/kpis/ID.csv``: ``date,value[,segment]``): checked, read and written.

The file is the diffable record of every value: ISO dates in order, one value per date and
segment, numbers that fit the KPI's unit. Problems are diagnostics with line and column;
the writer gives every series one canonical text, so writing what was read changes nothing.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date

from prodops import tabular
from prodops.diagnostics import Diagnostic
from prodops.metrics.model import TOTAL, Kpi, Point, Series, ValueRange, format_value

HEADERS = (("date", "value"), ("date", "value", "segment"))
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def parse_date(text: str) -> date | None:
    """An ISO date (YYYY-MM-DD) that exists, or None."""
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_number(text: str) -> float | None:
    """A plain, finite decimal number (no thousands separators, no units, no NaN or infinity), or None."""
    text = text.strip()
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def not_finite(text: str, of: str = "") -> str:
    """Why a number written in plain digits is still no value: it is too large for a float (1e309 is infinite)."""
    return f"value '{text}'{of} is not a finite number: it is beyond ±1.8e308, the largest value a KPI can hold"


def value_problem(value: float, values: ValueRange, unit: str) -> str:
    """Why ``value`` cannot be a value of the KPI (empty when it can)."""
    shown = format_value(value)
    if values.minimum is not None and value < values.minimum:
        return f"{shown} is below the smallest {unit} value this KPI can have ({format_value(values.minimum)})"
    if values.maximum is not None and value > values.maximum:
        return f"{shown} is above the largest {unit} value this KPI can have ({format_value(values.maximum)})"
    if values.whole and value != int(value):
        return f"{shown} is not a whole number, and this KPI counts ({unit})"
    return ""


def columns(line: str, row: list[str]) -> list[int]:
    """The 1-based column where each field of a row starts (exact for rows without quotes)."""
    if '"' not in line:
        out, at = [], 1
        for cell in row:
            out.append(at)
            at += len(cell) + 1
        return out
    starts = [1]
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(index + 2)
    return starts + [len(line) + 1] * (len(row) - len(starts))


_UNSEEN = date.min  # a sentinel: no history file holds year 1


def _at(lines: list[str], line: int, row: list[str], index: int) -> int:
    """The column where field ``index`` of the row on ``line`` starts (computed only for a problem)."""
    return columns(lines[line - 1] if line - 1 < len(lines) else "", row)[index]


# A history as the importer writes it, without segments: one "date,value" line per date.
_PLAIN = re.compile(r"date,value\n(?:[0-9]{4}-[0-9]{2}-[0-9]{2},-?[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?\n)*")


def _plain(text: str, kpi: Kpi | None) -> Series | None:
    """The series of a well-formed history without segments, checked in bulk; None when any check fails.

    Most history files are written by the importer, in order and valid: for them the checks run
    over whole columns (one regular expression, sorting, min and max). Any file that fails one
    is read line by line, which says where and what is wrong.
    """
    if _PLAIN.fullmatch(text) is None:
        return None
    rows = text[len("date,value\n") :].split("\n")[:-1]
    days_text = [row[:10] for row in rows]
    if len(set(days_text)) != len(days_text) or days_text != sorted(days_text):
        return None
    values = [float(row[11:]) for row in rows]
    if values and not math.isfinite(max(values) - min(values)):  # 1e+309 reads as infinity
        return None
    if values and kpi is not None:
        limits = kpi.values
        if (limits.minimum is not None and min(values) < limits.minimum) or (
            limits.maximum is not None and max(values) > limits.maximum
        ):
            return None
        if limits.whole and not all(v.is_integer() for v in values):
            return None
    try:
        days = list(map(date.fromisoformat, days_text))
    except ValueError:  # a date that does not exist, such as 2026-02-30
        return None
    return Series({TOTAL: tuple(map(Point._make, zip(days, values, strict=True)))} if rows else {})


def parse(text: str, rel: str, kpi: Kpi | None = None) -> tuple[Series, list[Diagnostic]]:
    """The series a history file holds, and every problem in it (a bad row is left out, the rest kept)."""
    fast = _plain(text, kpi)
    if fast is not None:
        return fast, []
    problems: list[Diagnostic] = []

    def problem(code: str, message: str, line: int, column: int, hint: str) -> None:
        problems.append(Diagnostic("error", code, message, rel, line, column, hint=hint))

    lines = text.splitlines()  # for columns in messages
    reader = tabular.Records(io.StringIO(text))
    header = next(reader, None)
    if reader.broken is not None:
        problem("PO125", reader.broken.message, reader.broken.line, 1, reader.broken.hint)
        return Series(), problems
    if header is None or tuple(header) not in HEADERS:
        shown = ",".join(header) if header else "nothing"
        problem(
            "PO125",
            f"the first line must be 'date,value' or 'date,value,segment', not '{shown}'",
            1,
            1,
            "a history file has a header line and then one value per line, e.g. 2026-11-02,104.2",
        )
        return Series(), problems
    width = len(header)
    values = kpi.values if kpi is not None else ValueRange()
    unit = kpi.unit if kpi is not None else ""
    segments: dict[str, list[Point]] = {}
    seen: dict[tuple[str, str], int] = {}
    previous: date | None = None
    previous_text = ""
    minimum, maximum, whole = values.minimum, values.maximum, values.whole
    number = NUMBER.fullmatch
    days: dict[str, date | None] = {}
    for row in reader:
        line = reader.line_num
        if len(row) != width:
            count = len(row)
            what = "an empty line" if not row else f"{count} {'field' if count == 1 else 'fields'}"
            problem(
                "PO125",
                f"{what}; every line has {width} fields ({','.join(header)})",
                line,
                1,
                "remove the line, or write it as " + ("2026-11-02,104.2" if width == 2 else "2026-11-02,104.2,SEGMENT"),
            )
            continue
        day_text, value_text = row[0], row[1]
        segment = row[2] if width == 3 else TOTAL
        day = days.get(day_text, _UNSEEN)
        if day is _UNSEEN:
            day = days[day_text] = parse_date(day_text)
        if day is None:
            problem(
                "PO126",
                f"date '{day_text}' is not a date written YYYY-MM-DD",
                line,
                _at(lines, line, row, 0),
                "write dates as ISO dates, e.g. 2026-11-02",
            )
            continue
        if number(value_text) is None:
            problem(
                "PO128",
                f"value '{value_text}' is not a number",
                line,
                _at(lines, line, row, 1),
                "write a plain number: digits, an optional '-' and '.', no units or thousands separators",
            )
            continue
        value = float(value_text)
        if not math.isfinite(value):
            problem(
                "PO128",
                not_finite(value_text),
                line,
                _at(lines, line, row, 1),
                "correct the value at its source and import it again",
            )
            continue
        if (
            (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
            or (whole and value != int(value))
        ):
            problem(
                "PO128",
                value_problem(value, values, unit),
                line,
                _at(lines, line, row, 1),
                "correct the value at its source and import it again",
            )
            continue
        key = (day_text, segment)
        if key in seen:
            which = f" for segment '{segment}'" if segment else ""
            problem(
                "PO127",
                f"a second value for {day_text}{which} (the first is on line {seen[key]})",
                line,
                1,
                "keep one line per date and segment; a corrected value replaces the old one",
            )
            continue
        if previous is not None and day < previous:
            problem(
                "PO126",
                f"{day_text} comes after {previous_text}; dates must be in order, oldest first",
                line,
                _at(lines, line, row, 0),
                "sort the lines by date (prodops metrics import writes them in order)",
            )
            continue
        seen[key] = line
        previous, previous_text = day, day_text
        points = segments.get(segment)
        if points is None:
            points = segments[segment] = []
        points.append(Point(day, value))
    if reader.broken is not None:  # a stray quote: the lines it swallowed cannot be read
        problem("PO125", reader.broken.message, reader.broken.line, 1, reader.broken.hint)
    return Series({name: tuple(points) for name, points in segments.items()}), problems


def render(segments: Mapping[str, Iterable[tuple[str, float]]]) -> str:
    """The canonical text of a history: ``date,value[,segment]``, by date, the headline first."""
    rows = [(day, segment, value) for segment, points in segments.items() for day, value in points]
    rows.sort()
    if all(segment == TOTAL for _, segment, _ in rows):
        return "date,value\n" + "".join(f"{day},{format_value(value)}\n" for day, _, value in rows)
    out = ["date,value,segment\n"]
    for day, segment, value in rows:
        out.append(f"{day},{format_value(value)},{_cell(segment)}\n")
    return "".join(out)


def _cell(text: str) -> str:
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text

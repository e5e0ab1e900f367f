"""Reading a metric export: long CSV (``metric,date,value[,segment]``) or wide CSV (a date column, one column per metric).

The result is every value by KPI, segment and date, or every problem of the file with its
line and column: unknown metrics, values that are not numbers (or that the KPI's unit does not
allow), dates that are not ISO dates (or not in the declared format), the same value twice.
Nothing is read from the repository here but the KPIs passed in.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from prodops import tabular
from prodops.diagnostics import Diagnostic
from prodops.metrics.history import NUMBER, columns, not_finite, parse_date, value_problem
from prodops.metrics.mapping import MetricsConfig
from prodops.metrics.model import TOTAL, Kpi
from prodops.suggest import did_you_mean

LONG = ("metric", "date", "value")
_NUMBER = NUMBER.fullmatch
_UNKNOWN = Kpi.__new__(Kpi)  # a sentinel: a metric name not looked up yet
MAX_PROBLEMS = 200  # past this many, the file is the wrong file: stop reading


@dataclass
class Export:
    """What an export holds: KPI id -> segment -> ISO date -> (value, line it came from)."""

    shape: Literal["long", "wide"]
    values: dict[str, dict[str, dict[str, tuple[float, int]]]] = field(default_factory=dict)
    rows: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # KPI id -> the field of a line that holds its values


def column_of(text: str, line: int, index: int) -> int:
    """The column where field ``index`` of ``line`` of an export starts (1 if the line is not there)."""
    lines = text.removeprefix("\ufeff").splitlines()
    if not 0 < line <= len(lines):
        return 1
    row = next(tabular.Records(io.StringIO(lines[line - 1])), [])
    starts = columns(lines[line - 1], row)
    return starts[index] if index < len(starts) else 1


class _Reader:
    def __init__(self, name: str, kpis: Mapping[str, Kpi], config: MetricsConfig) -> None:
        self.name = name
        self.kpis = kpis
        self.config = config
        self.problems: list[Diagnostic] = []
        self.dates: dict[str, str | None] = {}  # date as written -> ISO date (None: not a date)
        self.unknown: dict[str, list[int]] = {}  # metric name -> [index of its problem, lines naming it]

    def problem(self, code: str, message: str, line: int, column: int, hint: str) -> None:
        self.problems.append(Diagnostic("error", code, message, self.name, line, column, hint=hint))

    def iso(self, text: str) -> str | None:
        found = self.dates.get(text, "")
        if found != "":
            return found
        if self.config.date_format:
            try:
                day: str | None = datetime.strptime(text.strip(), self.config.date_format).date().isoformat()
            except ValueError:
                day = None
        else:
            parsed = parse_date(text.strip())
            day = parsed.isoformat() if parsed is not None else None
        self.dates[text] = day
        return day

    def date_problem(self, text: str, line: int, column: int) -> None:
        if self.config.date_format:
            self.problem(
                "PO126",
                f"date '{text}' does not match the date format '{self.config.date_format}' of [tool.prodops.metrics]",
                line,
                column,
                "export the dates in the declared format, or change date-format",
            )
        else:
            self.problem(
                "PO126",
                f"date '{text}' is not a date written YYYY-MM-DD",
                line,
                column,
                'export ISO dates, or declare the export\'s format: [tool.prodops.metrics] date-format = "%d/%m/%Y"',
            )

    def metric(self, name: str, line: int, column: int) -> Kpi | None:
        kpi = self.kpis.get(self.config.kpi_for(name))
        if kpi is None and name in self.unknown:
            self.unknown[name][1] += 1
        elif kpi is None:
            self.unknown[name] = [len(self.problems), 1]
            self.problem(
                "PO129",
                f"metric '{name}' is not a KPI{did_you_mean(self.config.kpi_for(name), self.kpis)}",
                line,
                column,
                f'use a KPI id, or map it in [tool.prodops.metrics.columns]: "{name}" = "KPI-ID"',
            )
        return kpi

    def add(
        self, out: Export, kpi: Kpi, segment: str, day: str, value_text: str, line: int, column: Callable[[], int]
    ) -> None:
        """Record one value; ``column`` says where it is, and is called only for a problem."""
        value = float(value_text) if _NUMBER(value_text) is not None else None
        if value is None:
            self.problem(
                "PO128",
                f"value '{value_text}' of '{kpi.id}' is not a number",
                line,
                column(),
                "export plain numbers: digits, an optional '-' and '.', no units or thousands separators",
            )
            return
        if not math.isfinite(value):
            self.problem(
                "PO128",
                not_finite(value_text, f" of '{kpi.id}'"),
                line,
                column(),
                "correct the value at its source and export it again",
            )
            return
        limits = kpi.values
        if (
            (limits.minimum is not None and value < limits.minimum)
            or (limits.maximum is not None and value > limits.maximum)
            or (limits.whole and value != int(value))
        ):
            self.problem(
                "PO128",
                f"'{kpi.id}': {value_problem(value, limits, kpi.unit)}",
                line,
                column(),
                "correct the value at its source and export it again",
            )
            return
        by_segment = out.values.get(kpi.id)
        if by_segment is None:
            by_segment = out.values[kpi.id] = {}
        days = by_segment.get(segment)
        if days is None:
            days = by_segment[segment] = {}
        first = days.get(day)
        if first is not None:
            which = f", segment '{segment}'" if segment else ""
            self.problem(
                "PO127",
                f"a second value for '{kpi.id}' on {day}{which} (the first is on line {first[1]})",
                line,
                column(),
                "export one value per metric, date and segment",
            )
            return
        days[day] = (value, line)
        out.rows += 1

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS


def read(
    text: str, name: str, kpis: Mapping[str, Kpi], config: MetricsConfig
) -> tuple[Export | None, list[Diagnostic]]:
    """Every value of an export, or (None and) its problems. ``name`` is how the file is named in messages."""
    reader = _Reader(name, kpis, config)
    text = text.removeprefix("\ufeff")  # spreadsheets write a byte-order mark
    lines = text.splitlines()
    rows = tabular.Records(io.StringIO(text))
    out: Export | None = None
    raw_header = next(rows, [])
    header = [cell.strip() for cell in raw_header]
    if rows.broken is not None:
        return None, [_broken(reader, rows.broken)]
    if not header:
        reader.problem("PO125", "the file is empty", 1, 1, "export the metrics as CSV with a header line")
        return None, reader.problems
    lowered = tuple(cell.lower() for cell in header)
    if lowered[:3] == LONG and len(header) in (3, 4) and (len(header) == 3 or lowered[3] == "segment"):
        out = _long(reader, rows, lines, len(header))
    elif config.date_column in header:
        out = _wide(reader, rows, lines, header, columns(lines[0] if lines else "", raw_header))
    else:
        reader.problem(
            "PO125",
            f"the header '{','.join(header)}' is neither a long export (metric,date,value[,segment]) "
            f"nor a wide one (a '{config.date_column}' column and one column per metric)",
            1,
            1,
            "name the columns metric,date,value[,segment], or set date-column in [tool.prodops.metrics]",
        )
        return None, reader.problems
    if rows.broken is not None:  # a stray quote or a cell past the limit: the rest cannot be read
        _broken(reader, rows.broken)
    for index, count in reader.unknown.values():
        if count > 1:  # one problem per unknown metric, saying how often it comes
            first = reader.problems[index]
            reader.problems[index] = replace(
                first, message=f"{first.message}; {count} lines name it, this is the first"
            )
    if reader.problems or out is None:
        return None, reader.problems
    return out, []


def _broken(reader: _Reader, broken: tabular.Broken) -> Diagnostic:
    reader.problem("PO125", broken.message, broken.line, 1, broken.hint)
    return reader.problems[-1]


def _long(reader: _Reader, rows: Any, lines: list[str], width: int) -> Export:
    out = Export("long")
    named: dict[str, Kpi | None] = {}  # metric as written -> its KPI (None: not a KPI)
    dates = reader.dates
    for row in rows:
        line = rows.line_num
        if not row:
            continue
        if len(row) != width:
            reader.problem("PO125", f"{len(row)} fields; every line has {width}", line, 1, "fix or remove the line")
            continue

        def column(index: int, row: list[str] = row, line: int = line) -> int:
            return columns(lines[line - 1] if line - 1 < len(lines) else "", row)[index]

        name = row[0]
        kpi = named.get(name, _UNKNOWN)
        if kpi is _UNKNOWN:
            kpi = named[name] = reader.kpis.get(reader.config.kpi_for(name))
        if kpi is None:
            reader.metric(name.strip(), line, column(0))
        day = dates.get(row[1]) or reader.iso(row[1])
        if day is None:
            reader.date_problem(row[1], line, column(1))
        elif kpi is not None:
            reader.add(out, kpi, row[3].strip() if width == 4 else TOTAL, day, row[2], line, lambda: column(2))
        if reader.full:
            break
    out.fields = dict.fromkeys(out.values, 2)
    return out


def _wide(reader: _Reader, rows: Any, lines: list[str], header: list[str], starts: list[int]) -> Export:
    """A wide export; ``starts`` is where each header cell starts (computed once: a header may have 40,000)."""
    out = Export("wide")
    date_index = header.index(reader.config.date_column)
    metrics: list[tuple[int, Kpi]] = []
    for index, name in enumerate(header):
        if index == date_index:
            continue
        kpi = reader.metric(name, 1, starts[index])
        if kpi is not None:
            metrics.append((index, kpi))
            out.fields[kpi.id] = index
        elif reader.full:
            break
    if reader.problems:
        return out
    for row in rows:
        line = rows.line_num
        if not row:
            continue
        if len(row) != len(header):
            reader.problem(
                "PO125", f"{len(row)} fields; the header has {len(header)}", line, 1, "fix or remove the line"
            )
            continue
        at = columns(lines[line - 1] if line - 1 < len(lines) else "", row)
        day = reader.iso(row[date_index])
        if day is None:
            reader.date_problem(row[date_index], line, at[date_index])
            continue
        for index, kpi in metrics:
            cell = row[index]
            if cell.strip():  # an empty cell: no value that day
                reader.add(out, kpi, TOTAL, day, cell, line, functools.partial(at.__getitem__, index))
                if reader.full:  # a column repeated 40,000 times: stop at the first 200 duplicates
                    break
        if reader.full:
            break
    return out

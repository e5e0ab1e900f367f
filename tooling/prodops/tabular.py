"""CSV as data: every CSV prodops writes, and every export it reads, goes through here.

Writing.
A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and
some also after a leading tab or carriage return), so a roadmap title of ``=1+41`` shows
as ``42``, and a crafted one can fetch a URL or run a command. Such a cell gets a leading
``'`` (the OWASP convention), which spreadsheets read as "this is text". Numbers stay
numbers: a number, or a text that is only a number such as ``-3.5``, is not changed.
Programs that read the CSV themselves ask for the cells as they are (``escape=False``).

Reading. An export is read whole or refused with its position. A quote opens a cell that may
hold line breaks, so one stray quote can turn the rest of a file into one cell: the reader
is strict (a quoted cell closes before a delimiter or a line break, and closes before the
end of the file), knows the physical lines each record spans, and names the lines a broken
quote swallowed. A cell longer than the csv module's limit stops the reading too, where
it is; reading on from there would start in the middle of a record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet will show it: a formula-like text gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, escape: bool = True) -> str:
    """A CSV document (RFC 4180): a header of ``columns`` (always, even without rows), then one line per row.

    A row's keys that are not in ``columns`` are an error of the caller (``ValueError``).
    """
    buffer = io.StringIO()
    # CRLF (RFC 4180): the csv module quotes a cell holding any character of the line
    # terminator, so with "\n" alone a cell holding a carriage return would be split on reading.
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell(value) for key, value in row.items()} if escape else row)
    return buffer.getvalue()


QUOTE_HINT = 'look for a stray quote on this line; a quote inside a quoted cell is written twice ("")'


@dataclass(frozen=True, slots=True)
class Row:
    """One record: the physical lines it spans (1-based, inclusive) and its cells (none for a blank line)."""

    line: int
    end: int
    cells: list[str]


@dataclass(frozen=True, slots=True)
class Broken:
    """Where the CSV stops being readable: nothing from here on can be trusted, so reading ends."""

    line: int
    message: str
    hint: str


def read(lines: Iterable[str], delimiter: str = ",") -> Iterator[Row | Broken]:
    """The records of CSV ``lines`` (each with its line break), the first being the header; a ``Broken`` ends them.

    A record that spans several lines is ``Broken`` as well when a quote swallowed those lines
    rather than a cell holding line breaks: when it has not the header's number of cells, or
    when (with three columns or more) at least two of the lines inside it, and half of them,
    read on their own as whole records. A one-line record with the wrong number of cells is
    the caller's to judge (a stray delimiter spoils one record).
    """
    pending: list[str] = []  # the physical lines of the record being read

    def fed() -> Iterator[str]:
        for line in lines:
            pending.append(line)
            yield line

    reader = csv.reader(fed(), delimiter=delimiter, strict=True)
    start = 1
    width: int | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _broken(str(exc), start, reader.line_num, pending)
            return
        end = reader.line_num
        if width is not None and end > start and len(cells) != width:
            yield Broken(
                start,
                f"the record on this line runs to line {end} and has {len(cells)} cells, not {width}: "
                f"a quote swallowed lines {start}–{end} ({_records(pending)})",
                QUOTE_HINT,
            )
            return
        if width is not None and end > start + 2 and width >= 3:
            inside = [line for line in pending[1:-1] if line.strip()]
            looking = sum(1 for line in inside if _cells(line, delimiter) == width)
            if looking >= 2 and looking * 2 >= len(inside):
                yield Broken(
                    start,
                    f"the record on this line runs to line {end}, and {looking:,} of the lines inside its quoted "
                    f"cell read as records of their own: a quote swallowed lines {start}–{end} "
                    f"({_records(pending)})",
                    QUOTE_HINT,
                )
                return
        if width is None:
            width = len(cells)
        yield Row(start, end, cells)
        start = end + 1
        pending.clear()


class Records:
    """``read`` used as the csv module's reader is: an iterator of each record's cells (a blank line's are
    none), ``line_num`` the line the last one starts on, and ``broken`` where reading stopped (None when
    the text was read to its end), for the caller to report when the iteration ends."""

    def __init__(self, lines: Iterable[str], delimiter: str = ",") -> None:
        self._rows = read(lines, delimiter)
        self.line_num = 0
        self.broken: Broken | None = None

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        row = next(self._rows)
        if isinstance(row, Broken):
            self.broken = row
            raise StopIteration
        self.line_num = row.line
        return row.cells


def _cells(line: str, delimiter: str) -> int:
    """How many cells ``line`` has read on its own (0 if it is not a whole CSV line)."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter, strict=True), []))
    except csv.Error:
        return 0


def _records(pending: list[str]) -> str:
    count = sum(1 for line in pending[1:] if line.strip())
    return f"{count:,} more record{'' if count == 1 else 's'}"


def _broken(error: str, start: int, end: int, pending: list[str]) -> Broken:
    if error.startswith("unexpected end of data"):
        if end <= start:
            return Broken(start, "an opening quote is never closed (the file ends in it)", QUOTE_HINT)
        return Broken(
            start,
            f"an opening quote is never closed; it swallows lines {start}–{end} ({_records(pending)})",
            QUOTE_HINT,
        )
    if error.startswith("field larger than field limit"):
        limit = csv.field_size_limit()
        if end > start:
            return Broken(
                start,
                f"a quote opened in the record on this line is still open on line {end}, past the {limit:,} "
                f"characters a cell may hold: it is probably never closed, and swallows lines {start}–{end} "
                f"({_records(pending)})",
                QUOTE_HINT,
            )
        return Broken(
            start,
            f"a cell is longer than {limit:,} characters, the most a cell may hold",
            "shorten the cell at its source, or leave the column out of the export",
        )
    if "expected after" in error:
        if end > start:
            return Broken(
                start,
                f"a quote opened in the record on this line closes on line {end} with text after it: "
                f"it swallows lines {start}–{end} ({_records(pending)})",
                QUOTE_HINT,
            )
        return Broken(start, "text follows the closing quote of a quoted cell", QUOTE_HINT)
    return Broken(end, f"not well-formed CSV: {error}", "export the file again as CSV")

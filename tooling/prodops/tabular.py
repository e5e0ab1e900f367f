"""CSV text that a spreadsheet opens as data: every CSV prodops writes goes through here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and
some also after a leading tab or carriage return), so a roadmap title of ``=1+41`` shows
as ``42``, and a crafted one can fetch a URL or run a command. Such a cell gets a leading
``'`` (the OWASP convention), which spreadsheets read as "this is text". Numbers stay
numbers: a number, or a text that is only a number such as ``-3.5``, is not changed.
Programs that read the CSV themselves ask for the cells as they are (``escape=False``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
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

"""Read a feedback export (CSV or JSON) as a stream of raw records, whatever spreadsheet saved it.

Encodings: UTF-8 with or without a byte-order mark, UTF-16 (with a mark, or without one but
with the NUL bytes that give it away) and, for a file that is not valid UTF-8, Windows-1252
(which spreadsheets on Windows write), else Latin-1. CSV delimiters: ``,``, ``;``, tab or ``|``,
whichever the header line uses most; quoted cells may hold line breaks (``tabular.read``: a
broken quote or a cell past the size limit stops the reading, naming the lines). JSON: an array
of objects, an object holding one (``records`` in the mapping names the key when there are
several), read whole and so at most ``MAX_JSON_BYTES``, or one object per line (JSON Lines),
read a line at a time. Nested objects are flattened to dotted keys; a record nested deeper than
``MAX_DEPTH`` is unreadable, and a JSON integer too long to be a count stays text.

A record that cannot be read is an ``Unreadable`` with its line (or position) and the reason,
never dropped; a file that cannot be read at all, or not to its end, is a ``ProdopsError``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from prodops import tabular
from prodops.diagnostics import ProdopsError
from prodops.feedback import columns as header_columns
from prodops.feedback import jsonstream

CHUNK = 1024 * 1024
# A JSON document is read whole (its records may come in any order of keys and nesting), and
# parsed in memory at about six times its size; JSON Lines are read a line at a time instead.
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_JSON_LINE = 1024 * 1024  # characters of one JSON Lines record
MAX_DEPTH = 32  # how deep objects and lists may nest in a record; exports nest two or three levels
MAX_INTEGER_DIGITS = 30  # a longer JSON integer stays text (int() of thousands of digits is slow, or refused)
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[][{}]')
DELIMITERS = (",", ";", "\t", "|")
Progress = Callable[[int], None]  # told the bytes read so far


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as the export has it: column (or dotted JSON key) -> value."""

    where: str  # "line 12" (CSV, JSON Lines) or "record 12" (a JSON array)
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Unreadable:
    where: str
    reason: str


@dataclass
class Export:
    """An export opened for reading: its columns and a one-pass stream of its records."""

    path: Path
    encoding: str
    delimiter: str | None  # None for JSON
    columns: tuple[str, ...]
    records: Iterator[RawRecord | Unreadable]
    size: int
    custom: frozenset[str] = frozenset()  # columns that were custom fields ("Name [list]", "Custom field (Name)")
    positions: dict[str, int] = field(default_factory=dict)  # column -> its character column on line 1


def detect_encoding(path: Path) -> str:
    """The encoding to read ``path`` with (a Python codec name)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if head and head.count(0) * 4 >= len(head):  # UTF-16 without a mark: every other byte is NUL
            return "utf-16-le" if head[1:2] == b"\0" else "utf-16-be"
        handle.seek(0)
        for name in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(name)()
            try:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                return name
            except UnicodeDecodeError:
                handle.seek(0)
        return "latin-1"  # every byte is a character in Latin-1


def open_export(
    path: Path, records_key: str | None = None, progress: Progress | None = None, multi: frozenset[str] = frozenset()
) -> Export:
    """Open an export for streaming; raises ProdopsError when the file cannot be read at all.

    ``multi`` names the CSV columns read as lists: a column repeated once per value (Jira's
    ``Labels``, ``Sprint``, ``Comment``) gives the list of its non-empty cells, in order.
    """
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ProdopsError(f"{path}: not a file; give the path of a CSV or JSON export")
        encoding = detect_encoding(path)
        handle = path.open(encoding=encoding, newline="")
    except OSError as exc:
        raise ProdopsError(f"{path}: cannot read the export: {exc.strerror or exc}") from exc
    head = handle.read(64 * 1024)
    handle.seek(0)
    if encoding in ("utf-8", "utf-8-sig") and head.startswith("\ufeff"):
        head = head[1:]
    first = head.lstrip()[:1]
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson") or first in ("[", "{"):
        return _open_json(path, handle, encoding, size, records_key, progress)
    return _open_csv(path, handle, head, encoding, size, progress, multi)


def _open_csv(
    path: Path, handle: TextIO, head: str, encoding: str, size: int, progress: Progress | None, multi: frozenset[str]
) -> Export:
    header_line = head.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header_line.count)
    if not header_line.count(delimiter):
        delimiter = ","
    rows = tabular.read(_counting(handle, progress, encoding), delimiter)
    header = next(rows, None)
    if isinstance(header, tabular.Broken):
        handle.close()
        raise ProdopsError(f"{path}:{header.line}: the header line cannot be read: {header.message}")
    if header is None or not any(cell.strip() for cell in header.cells):
        handle.close()
        raise ProdopsError(f"{path}: the export is empty (no header line, no records)")
    raw = tuple(cell.strip().lstrip("\ufeff") for cell in header.cells)
    read = header_columns.read_header(raw, header_line.lstrip("\ufeff"), multi)
    if isinstance(read, header_columns.Repeated):
        handle.close()
        times = "twice" if read.count == 2 else f"{read.count} times"
        raise ProdopsError(
            f"{path}:1:{read.position}: the header names column '{read.name}' {times}; rename one of them, "
            "or, when the tool repeats it once per value, declare it multi-valued (the mapping's 'multi')"
        )
    return Export(
        path,
        encoding,
        delimiter,
        read.names,
        _csv_records(path, handle, rows, len(raw), read, multi),
        size,
        read.custom,
        read.positions,
    )


def _csv_records(
    path: Path,
    handle: TextIO,
    rows: Iterator[tabular.Row | tabular.Broken],
    width: int,
    header: header_columns.Header,
    multi: frozenset[str],
) -> Iterator[RawRecord | Unreadable]:
    """The records; a CSV that stops being readable stops the import (``ProdopsError``), naming where."""
    with handle:
        try:
            for row in rows:
                if isinstance(row, tabular.Broken):
                    raise ProdopsError(f"{path}:{row.line}: {row.message}; nothing was imported (hint: {row.hint})")
                where = f"line {row.line}"
                cells = row.cells
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue  # a blank line is not a record
                if len(cells) != width:
                    yield Unreadable(
                        where,
                        f"the row has {len(cells)} cells but the header has {width} (a stray delimiter or quote?)",
                    )
                    continue
                yield RawRecord(where, header_columns.row(header, cells, multi))
        except UnicodeDecodeError as exc:
            raise ProdopsError(
                f"{path}: the bytes are not text in the file's encoding ({exc.reason}); nothing was imported"
            ) from exc


def _counting(handle: TextIO, progress: Progress | None, encoding: str) -> Iterator[str]:
    """The lines of ``handle``, telling ``progress`` roughly how many bytes have been read."""
    width = 2 if encoding.startswith("utf-16") else 1
    done = 0
    for count, line in enumerate(handle):
        done += len(line) * width
        if progress is not None and count % 2048 == 0:
            progress(done)
        yield line


def _open_json(
    path: Path, handle: TextIO, encoding: str, size: int, records_key: str | None, progress: Progress | None
) -> Export:
    first = _first_lines(handle, 2)
    handle.seek(0)
    if len(first) == 2 and all(line.startswith("{") and line.endswith("}") for line in first):
        return Export(path, encoding, None, (), _json_lines(path, handle, progress), size)
    if size > MAX_JSON_BYTES:  # too large to parse whole: its list is read a record at a time
        decoder = json.JSONDecoder(parse_int=_integer)
        stream = jsonstream.records(path, handle, records_key, decoder, progress)
        return Export(path, encoding, None, (), (_json_record(f"record {n}", v) for n, v in stream), size)
    with handle:
        text = handle.read()
    if progress is not None:
        progress(size)
    text = text.lstrip("\ufeff")
    try:
        data = json.loads(text, parse_int=_integer)
    except RecursionError:
        deepest, line, column = _deepest(text)
        raise ProdopsError(
            f"{path}:{line}:{column}: the JSON nests {deepest:,} levels deep here, too deep to read "
            f"(a record may nest {MAX_DEPTH} levels); nothing was imported"
        ) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        raise ProdopsError(f"{path}:{line}: not valid JSON: {getattr(exc, 'msg', exc)}") from exc
    items = _records_in(path, data, records_key)
    return Export(path, encoding, None, (), _json_items(items), size)


def _first_lines(handle: TextIO, count: int) -> list[str]:
    """The first ``count`` lines that are not blank, stripped (each read at most ``MAX_JSON_LINE`` long)."""
    found: list[str] = []
    while len(found) < count and (line := handle.readline(MAX_JSON_LINE)):
        if stripped := line.strip().lstrip("\ufeff"):
            found.append(stripped)
    return found


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _integer(text: str) -> int | str:
    """A JSON integer; one too long for a number anyone counts stays text, for the mapping to judge with its record."""
    return int(text) if len(text) <= MAX_INTEGER_DIGITS else text


def _deepest(text: str) -> tuple[int, int, int]:
    """How deep ``text`` nests at its deepest, and the line and column of the bracket that first gets there."""
    depth = deepest = at = 0
    for found in _STRUCTURE.finditer(text):
        token = found.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, found.start()
        elif token in "]}":
            depth -= 1
    line = text.count("\n", 0, at) + 1
    return deepest, line, at - (text.rfind("\n", 0, at) + 1) + 1


def _depth(value: Any) -> int:
    """How deep objects and lists nest in ``value`` (a record object is 1), counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        # Only containers are pushed: a record's scalars are most of its values.
        stack.extend(
            (c, level + 1) for c in (item.values() if isinstance(item, dict) else item) if isinstance(c, (dict, list))
        )
    return deepest if isinstance(value, (dict, list)) else 0


def _records_in(path: Path, data: Any, records_key: str | None) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if records_key is not None:
            found = data.get(records_key)
            if not isinstance(found, list):
                raise ProdopsError(
                    f"{path}: the JSON object has no list under '{records_key}' (the mapping's 'records')"
                )
            return found
        lists = [key for key, value in data.items() if isinstance(value, list)]
        if len(lists) == 1:
            return list(data[lists[0]])
        shown = ", ".join(lists) or "none"
        raise ProdopsError(
            f"{path}: the JSON object holds {len(lists)} lists ({shown}); "
            "name the one with the records as 'records' in the source mapping"
        )
    raise ProdopsError(f"{path}: the JSON is neither a list of records nor an object holding one")


def _json_lines(path: Path, handle: TextIO, progress: Progress | None) -> Iterator[RawRecord | Unreadable]:
    """The records of a JSON Lines export, read a line at a time; a line over ``MAX_JSON_LINE`` stops the import."""
    done = 0
    with handle:
        number = 0
        while line := handle.readline(MAX_JSON_LINE + 1):
            number += 1
            if len(line) > MAX_JSON_LINE:
                raise ProdopsError(
                    f"{path}:{number}: the line is longer than {MAX_JSON_LINE:,} characters, the most a JSON Lines "
                    "record may be; nothing was imported (leave long fields out of the export)"
                )
            done += len(line.encode("utf-8", "replace"))
            if progress is not None and number % 2048 == 0:
                progress(done)
            if not line.strip():
                continue
            yield _parsed(f"line {number}", line)


def _parsed(where: str, text: str) -> RawRecord | Unreadable:
    try:
        value = json.loads(text, parse_int=_integer)
    except RecursionError:
        return Unreadable(where, f"the record is nested more than {MAX_DEPTH} levels deep")
    except ValueError as exc:
        return Unreadable(where, f"not valid JSON: {getattr(exc, 'msg', exc)}")
    return _json_record(where, value)


def _json_items(items: list[Any]) -> Iterator[RawRecord | Unreadable]:
    for number, value in enumerate(items, start=1):
        yield _json_record(f"record {number}", value)


def _json_record(where: str, value: Any) -> RawRecord | Unreadable:
    if not isinstance(value, dict):
        return Unreadable(where, f"a record must be a JSON object, not {type(value).__name__}")
    if _depth(value) > MAX_DEPTH:
        return Unreadable(where, f"the record is nested more than {MAX_DEPTH} levels deep")
    flat: dict[str, Any] = {}
    _flatten(value, "", flat)
    return RawRecord(where, flat)


def _flatten(value: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, name + ".", out)
        elif isinstance(item, list):
            out[name] = [str(v) if not isinstance(v, dict) else json.dumps(v, sort_keys=True) for v in item]
        elif item is None:
            out[name] = ""
        else:
            out[name] = item if isinstance(item, (int, float)) and not isinstance(item, bool) else str(item)

"""Read a feedback export (CSV or JSON) as a stream of raw records, whatever spreadsheet saved it.

Encodings: UTF-8 with or without a byte-order mark, UTF-16 (with a mark, or without one but
with the NUL bytes that give it away) and, for a file that is not valid UTF-8, Windows-1252
(which spreadsheets on Windows write), else Latin-1. CSV delimiters: ``,``, ``;``, tab or ``|``,
whichever the header line uses most; quoted cells may hold line breaks. JSON: an array of
objects, an object holding one (``records`` in the mapping names the key when there are
several), or one object per line (JSON Lines). Nested objects are flattened to dotted keys.

A record that cannot be read is an ``Unreadable`` with its line (or position) and the reason,
never dropped; a file that cannot be read at all is a ``ProdopsError``.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from prodops import tabular
from prodops.diagnostics import ProdopsError

CHUNK = 1024 * 1024
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


def open_export(path: Path, records_key: str | None = None, progress: Progress | None = None) -> Export:
    """Open an export for streaming; raises ProdopsError when the file cannot be read at all."""
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
    return _open_csv(path, handle, head, encoding, size, progress)


def _open_csv(path: Path, handle: TextIO, head: str, encoding: str, size: int, progress: Progress | None) -> Export:
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
    columns = tuple(cell.strip().lstrip("\ufeff") for cell in header.cells)
    seen: set[str] = set()
    for column in columns:
        if column in seen and column:
            handle.close()
            raise ProdopsError(f"{path}:1: the header names column '{column}' twice; rename one of them")
        seen.add(column)
    return Export(path, encoding, delimiter, columns, _csv_records(path, handle, rows, columns), size)


def _csv_records(
    path: Path, handle: TextIO, rows: Iterator[tabular.Row | tabular.Broken], columns: tuple[str, ...]
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
                if len(cells) != len(columns):
                    yield Unreadable(
                        where,
                        f"the row has {len(cells)} cells but the header has {len(columns)} (a stray delimiter or quote?)",
                    )
                    continue
                yield RawRecord(where, dict(zip(columns, cells, strict=True)))
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
    with handle:
        text = handle.read()
    if progress is not None:
        progress(size)
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.lstrip().startswith("{") and line.rstrip().endswith("}") for line in lines[:2]):
        return Export(path, encoding, None, (), _json_lines(text), size)
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        raise ProdopsError(f"{path}:{line}: not valid JSON: {getattr(exc, 'msg', exc)}") from exc
    items = _records_in(path, data, records_key)
    return Export(path, encoding, None, (), _json_items(items), size)


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


def _json_lines(text: str) -> Iterator[RawRecord | Unreadable]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield Unreadable(f"line {number}", f"not valid JSON: {getattr(exc, 'msg', exc)}")
            continue
        yield _json_record(f"line {number}", value)


def _json_items(items: list[Any]) -> Iterator[RawRecord | Unreadable]:
    for number, value in enumerate(items, start=1):
        yield _json_record(f"record {number}", value)


def _json_record(where: str, value: Any) -> RawRecord | Unreadable:
    if not isinstance(value, dict):
        return Unreadable(where, f"a record must be a JSON object, not {type(value).__name__}")
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

"""The records of a JSON document too large to read whole, one at a time.

Zendesk advises its JSON export above 200,000 tickets: a document of hundreds of megabytes
holding one list of records (``[...]`` or ``{"tickets": [...], "count": …}``). Parsing it whole
takes about six times its size in memory, so past ``read.MAX_JSON_BYTES`` the list is read a
record at a time: the text is read in chunks and each record decoded as soon as it is complete.
Only the list the mapping names (``records``), or the document's first list, is read; a record
longer than ``MAX_RECORD`` characters, or text that is not JSON, stops the import naming where.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from prodops.diagnostics import ProdopsError

CHUNK = 1024 * 1024  # characters read at a time
MAX_RECORD = 16 * 1024 * 1024  # characters one record may take
_SPACE = " \t\r\n"


class _Text:
    """The document's text, read on demand: ``buffer[pos:]`` is what is not yet consumed."""

    def __init__(self, handle: TextIO, progress: Callable[[int], None] | None) -> None:
        self.handle = handle
        self.buffer = ""
        self.pos = 0
        self.done = 0  # characters dropped from the front of the buffer
        self.eof = False
        self.progress = progress

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:  # drop what has been consumed
            self.done += self.pos
            self.buffer = self.buffer[self.pos :]
            self.pos = 0
        self.buffer += chunk
        if self.progress is not None:
            self.progress(self.done + len(self.buffer))
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def value(self, decoder: json.JSONDecoder, path: Path, what: str) -> Any:
        """The next JSON value, read whole (more text is read until it is complete)."""
        self.peek()
        while True:
            try:
                found, end = decoder.raw_decode(self.buffer, self.pos)
            except RecursionError:
                raise ProdopsError(f"{path}: {what} is nested too deep to read; nothing was imported") from None
            except ValueError as exc:
                if len(self.buffer) - self.pos > MAX_RECORD:
                    raise ProdopsError(
                        f"{path}: {what} is longer than {MAX_RECORD:,} characters, or not valid JSON "
                        f"({getattr(exc, 'msg', exc)}); nothing was imported"
                    ) from None
                if self.more():
                    continue
                raise ProdopsError(
                    f"{path}: {what} is not valid JSON ({getattr(exc, 'msg', exc)}, at character "
                    f"{self.done + getattr(exc, 'pos', self.pos):,}); nothing was imported"
                ) from None
            self.pos = end
            return found


def records(
    path: Path,
    handle: TextIO,
    records_key: str | None,
    decoder: json.JSONDecoder,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """(number, value) of each record of the document's list, read a record at a time."""
    with handle:
        text = _Text(handle, progress)
        if text.peek() == "\ufeff":
            text.pos += 1
        first = text.peek()
        if first == "{":
            text.pos += 1
            _to_list(text, path, records_key, decoder)
        elif first != "[":
            raise ProdopsError(f"{path}: the JSON is neither a list of records nor an object holding one")
        text.pos += 1  # the list's '['
        number = 0
        while True:
            mark = text.peek()
            if mark == "]":
                return
            if number and mark != ",":
                raise ProdopsError(
                    f"{path}: record {number + 1}: expected ',' or ']' between records; nothing was imported"
                )
            if number:
                text.pos += 1
            number += 1
            yield number, text.value(decoder, path, f"record {number}")


def _to_list(text: _Text, path: Path, records_key: str | None, decoder: json.JSONDecoder) -> None:
    """Move past the object's keys to the '[' of its list of records."""
    while True:
        mark = text.peek()
        if mark == "}" or not mark:
            named = f"no list under '{records_key}' (the mapping's 'records')" if records_key else "no list of records"
            raise ProdopsError(f"{path}: the JSON object has {named}")
        if mark == ",":
            text.pos += 1
            continue
        key = text.value(decoder, path, "a key of the JSON object")
        if text.peek() != ":":
            raise ProdopsError(f"{path}: the JSON object is not valid JSON after the key {str(key)[:40]!r}")
        text.pos += 1
        if text.peek() == "[" and (records_key is None or key == records_key):
            return
        text.value(decoder, path, f"the value of '{str(key)[:40]}'")  # another key's value: read and left

"""Write demand into insight files: the ``demand`` block is replaced, every other byte stays.

Entries are keyed by source and month. An import adds the records not counted before (see
``counted``) and removes only the months it is told to replace; so importing the same export
twice changes nothing, and overlapping exports count each record once. The ``demand`` block is written by the tool
(a comment inside it is not kept); comments, order and formatting elsewhere in the file,
a byte-order mark and CRLF line breaks are kept. The changed files are checked against the
whole repository first and written together, all or none, atomically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prodops import edit, filetext, impact, yamlparse
from prodops.diagnostics import Diagnostic, ProdopsError

FIELD = "demand"


@dataclass(frozen=True)
class Change:
    rel: str
    before: bytes | None  # None: the file is created
    after: bytes


def splice(text: str, entries: list[dict[str, Any]]) -> str:
    """``text`` with its top-level ``demand`` block replaced by ``entries`` (removed when there are none)."""
    parsed = yamlparse.parse(text, positions=True)
    if parsed.error is not None:
        raise ProdopsError(f"line {parsed.error.line}: {parsed.error.message}; fix the file first")
    block = edit.emit({FIELD: entries}) if entries else ""
    path = (FIELD,)
    if path in parsed.key_spans:
        start = text.rfind("\n", 0, parsed.key_spans[path][0]) + 1
        end = parsed.spans[path][1]
        last = end - 1
        while last > start and text[last] in " \t\r\n":
            last -= 1
        cut = text.find("\n", last)
        end = len(text) if cut < 0 else cut + 1
        return text[:start] + block + text[end:]
    if not block:
        return text
    return text + ("" if not text or text.endswith("\n") else "\n") + block


def plan(
    root: Path,
    files: Mapping[str, str],
    after_import: Mapping[str, list[dict[str, Any]]],
    current: Mapping[str, list[dict[str, Any]]],
) -> list[Change]:
    """The files an import changes: ``files`` is insight id -> file, ``current`` its demand now."""
    changes: list[Change] = []
    for insight_id, rel in sorted(files.items()):
        existing = current.get(insight_id) or []
        after = after_import.get(insight_id, existing)
        if after == existing:
            continue
        raw = (root / rel).read_bytes()
        text, form = filetext.decode(raw, rel)
        try:
            new = splice(text, after)
        except ProdopsError as exc:
            raise ProdopsError(f"{rel}: {exc}") from exc
        data = form.encode(new)
        if data != raw:
            changes.append(Change(rel, raw, data))
    return changes


def apply(root: Path, changes: list[Change], today: date | None = None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Write ``changes`` if they add no error anywhere: (the errors they would add, the warnings they add).

    Nothing is written when there are errors; the warnings are what a written import newly causes.

    Insight files are checked against the whole repository; the files of counted records
    (not content) are written with them, all or none.
    """
    if not changes:
        return [], []
    # Exactly the bytes that will be written, as the loader will read them.
    texts: dict[str, str | None] = {c.rel: c.after.decode("utf-8") for c in changes if c.rel.endswith(".yaml")}
    found = impact.check(root, texts, today)
    if found.added:
        return found.added, []
    for change in changes:
        (root / change.rel).parent.mkdir(parents=True, exist_ok=True)
    paths = [root / c.rel for c in changes if c.before is not None]
    with edit.locked_all(paths):
        edit.replace_all({root / c.rel: (c.after, c.before) for c in changes}, root=root)
    return [], found.warnings

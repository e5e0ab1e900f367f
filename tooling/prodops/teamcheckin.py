"""A team's check-in: the key results of the current period to walk, the answers to them, and the edits they make.

``prodops checkin --team`` (or ``--owner``, ``--mine``) asks for every key result of the
objectives whose period contains today; ``--from FILE`` takes the same answers from a CSV or
YAML file (kr, value, confidence, note). Every answer becomes one check-in, and all of them are
written as one change (``authoring.apply_many``): every file, or none.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prodops import edit, pace, tabular, yamlparse
from prodops.catalog import Catalog
from prodops.diagnostics import ProdopsError
from prodops.model import KeyResult, Objective
from prodops.suggest import did_you_mean

# The columns of an answers file; only kr is required (an empty cell keeps the current value).
COLUMNS = ("kr", "value", "confidence", "note")
MAX_NOTE = 2000
# One answer as read: its line, its cells by column, and the line and column each cell starts at.
Rows = tuple[int, dict[str, str], dict[str, tuple[int, int]]]


@dataclass(frozen=True)
class Due:
    """A key result to check in, with what the check-in shows: last value, target, pace and confidence."""

    objective: Objective
    kr: KeyResult
    pace: float  # the share of the period gone by today, 0..1

    @property
    def ref(self) -> str:
        return self.kr.ref

    @property
    def last(self) -> str:
        """The last value and when it was measured."""
        when = f" on {self.kr.checkins[-1].date}" if self.kr.checkins else ""
        return f"{number(self.kr.current)} {self.kr.unit}{when}"


@dataclass(frozen=True)
class Answer:
    """What to record for one key result; None keeps the current value (or confidence)."""

    ref: str
    value: float | int | None
    confidence: float | None
    note: str = ""

    @property
    def empty(self) -> bool:
        return self.value is None and self.confidence is None and not self.note


def number(value: float) -> int | float:
    """A whole number as an int (``19``, not ``19.0``)."""
    return int(value) if float(value).is_integer() else value


def due(catalog: Catalog, day: date, team: str | None = None, owner: str | None = None) -> list[Due]:
    """The key results of the objectives current on ``day`` (their period contains it), of ``team`` or ``owner``.

    A key result is the team's when its objective is the team's (it names the team, or its
    owner is a member); it is a person's when they report on it (its owner, else the objective's).
    """
    found: list[Due] = []
    for objective in sorted(catalog.objectives.values(), key=lambda o: o.id):
        expected = pace.pace(objective.period, day)
        if objective.period is None or expected is None or day not in objective.period:
            continue
        if team is not None and team not in (objective.team, *catalog.owning_teams(objective.id)):
            continue
        for kr in objective.key_results:
            if owner is not None and (kr.owner or objective.owner) != owner:
                continue
            found.append(Due(objective, kr, expected))
    return found


def check_value(text: str) -> float | int | None:
    """A typed value: None for empty (keep), a number, or ValueError saying why not."""
    text = text.strip()
    if not text:
        return None
    parsed = edit.parse_value(text)
    if (
        isinstance(parsed, bool)
        or not isinstance(parsed, (int, float))
        or parsed != parsed
        or abs(parsed) == float("inf")
    ):
        raise ValueError(f"'{_short(text)}' is not a number")
    return parsed


def check_confidence(text: str) -> float | None:
    """A typed confidence: None for empty (keep), a number from 0 to 1, or ValueError saying why not."""
    value = check_value(text)
    if value is None:
        return None
    if not 0 <= value <= 1:
        raise ValueError(f"'{_short(text)}' is not a confidence from 0 to 1")
    return float(value)


def check_note(text: str) -> str:
    """A note as written (one line), or ValueError for control characters or one too long to read."""
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise ValueError(f"the note is {len(text):,} characters; keep it under {MAX_NOTE:,}")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("the note has a control character; write plain text")
    return text


def _short(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text)
    return shown if len(shown) <= 40 else shown[:40] + "…"


def read_answers(path: Path, shown: str, refs: Iterable[str]) -> list[Answer]:
    """The answers in a CSV or YAML file (by its suffix); ProdopsError naming file:line:column of each mistake."""
    known = sorted(refs)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProdopsError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > 5_000_000:
        raise ProdopsError(f"{shown}: {len(raw):,} bytes is too large for check-in answers")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProdopsError(f"{shown}: is not UTF-8 (byte {exc.start}); save it as UTF-8") from None
    rows = _yaml_rows(text, shown) if path.suffix.lower() in (".yaml", ".yml") else _csv_rows(text, shown)
    answers: list[Answer] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, cells, columns in rows:

        def at(name: str, line: int = line, columns: dict[str, tuple[int, int]] = columns) -> str:
            row, column = columns.get(name, (line, 1))
            return f"{shown}:{row}:{column}"

        where = at("kr")
        ref = str(cells.get("kr", "")).strip()
        if not ref:
            problems.append(f"{where}: kr: the key result is missing; write OBJECTIVE-ID.KR-ID")
            continue
        if ref not in known:
            problems.append(f"{where}: kr: '{_short(ref)}' is not a key result to check in{did_you_mean(ref, known)}")
            continue
        if ref in seen:
            problems.append(
                f"{where}: kr: '{ref}' is answered already on line {seen[ref]}; keep one line per key result"
            )
            continue
        seen[ref] = line
        try:
            value = check_value(str(cells.get("value", "") or ""))
        except ValueError as exc:
            problems.append(f"{at('value')}: value: {exc}")
            continue
        try:
            confidence = check_confidence(str(cells.get("confidence", "") or ""))
        except ValueError as exc:
            problems.append(f"{at('confidence')}: confidence: {exc}")
            continue
        try:
            note = check_note(str(cells.get("note", "") or ""))
        except ValueError as exc:
            problems.append(f"{at('note')}: note: {exc}")
            continue
        answers.append(Answer(ref, value, confidence, note))
    if problems:
        raise ProdopsError("\n".join(problems) + "\nnothing was written; fix the lines above")
    return answers


def _csv_rows(text: str, shown: str) -> list[Rows]:
    rows: list[Rows] = []
    header: list[str] | None = None
    for row in tabular.read(io.StringIO(text)):
        if isinstance(row, tabular.Broken):
            raise ProdopsError(f"{shown}:{row.line}:1: {row.message}\n    hint: {row.hint}")
        if not row.cells or all(not c.strip() for c in row.cells):
            continue
        if header is None:
            header = [_column(c) for c in row.cells]
            unknown = [c for c in header if c not in COLUMNS]
            if "kr" not in header or unknown:
                what = f"unknown column '{_short(unknown[0])}'" if unknown else "no kr column"
                raise ProdopsError(
                    f"{shown}:{row.line}:1: the header has {what}; the columns are {', '.join(COLUMNS)} (kr required)"
                )
            continue
        if len(row.cells) > len(header):
            raise ProdopsError(
                f"{shown}:{row.line}:1: {len(row.cells)} cells for {len(header)} columns; quote a cell that has a comma"
            )
        rows.append((row.line, dict(zip(header, row.cells, strict=False)), _csv_columns(row.line, header, row.cells)))
    return rows


def _csv_columns(line: int, header: list[str], cells: list[str]) -> dict[str, tuple[int, int]]:
    """The column each cell starts at, as written without quotes (a quoted cell moves the rest by two)."""
    columns: dict[str, tuple[int, int]] = {}
    at = 1
    for name, cell in zip(header, cells, strict=False):
        columns[name] = (line, at)
        at += len(cell) + 1
    return columns


def _column(name: str) -> str:
    """A header cell as a column name: case, spaces and the KR id's wordings forgiven."""
    name = name.strip().lower().replace(" ", "_")
    return {"kr_id": "kr", "key_result": "kr", "id": "kr"}.get(name, name)


def _yaml_rows(text: str, shown: str) -> list[Rows]:
    parsed = yamlparse.parse(text, positions=True)
    if parsed.error is not None:
        error = parsed.error
        raise ProdopsError(f"{shown}:{error.line}:{error.column}: {error.message}")
    data = parsed.data
    if data is None:
        return []
    if not isinstance(data, list):
        raise ProdopsError(f"{shown}:1:1: the answers are a list, one item per key result (- kr: ..., value: ...)")
    rows: list[Rows] = []
    for index, item in enumerate(data):
        position = parsed.values.get((index,))
        line = position[0] if position is not None else 1
        if not isinstance(item, dict):
            raise ProdopsError(f"{shown}:{line}:1: each answer is a mapping with kr, value, confidence and note")
        unknown = [str(k) for k in item if str(k) not in COLUMNS]
        if unknown:
            raise ProdopsError(
                f"{shown}:{line}:1: unknown field '{_short(unknown[0])}'; the fields are {', '.join(COLUMNS)}"
            )
        cells = {str(k): "" if v is None else str(v) for k, v in item.items()}
        columns = {str(k): parsed.values[(index, k)] for k in item if (index, k) in parsed.values}
        rows.append((line, cells, columns))
    return rows


def transforms(
    dues: list[Due], answers: list[Answer], day: date, author: str
) -> tuple[dict[str, Callable[[str], str]], list[tuple[Due, Answer]]]:
    """The edit of each objective file the answers change, and the (key result, answer) pairs recorded.

    An empty answer (Enter at every question) records nothing; otherwise the check-in gets
    the value and confidence typed, or the current ones where Enter kept them.
    """
    by_ref = {d.ref: d for d in dues}
    recorded = [(by_ref[a.ref], a) for a in answers if a.ref in by_ref and not a.empty]
    files: dict[str, list[tuple[Due, Answer]]] = {}
    for pair in recorded:
        files.setdefault(pair[0].objective.file, []).append(pair)

    def transform_of(pairs: list[tuple[Due, Answer]]) -> Callable[[str], str]:
        def transform(text: str) -> str:
            for found, answer in pairs:
                text = _checked_in(text, found, answer, day, author)
            return text

        return transform

    return {rel: transform_of(pairs) for rel, pairs in files.items()}, recorded


def _checked_in(text: str, found: Due, answer: Answer, day: date, author: str) -> str:
    data = edit.locate(text).parsed.data
    krs = data.get("key_results") if isinstance(data, dict) else None
    index = next((i for i, k in enumerate(krs or []) if isinstance(k, dict) and k.get("id") == found.kr.id), None)
    if index is None:
        raise ProdopsError(
            f"{found.objective.file}: objective '{found.objective.id}' has no key result '{found.kr.id}'"
        )
    value = answer.value if answer.value is not None else number(found.kr.current)
    confidence = answer.confidence if answer.confidence is not None else found.kr.confidence
    item: dict[str, Any] = {"date": day.isoformat(), "value": value}
    if confidence is not None:
        item["confidence"] = confidence
    if answer.note:
        item["note"] = answer.note
    if author:
        item["author"] = author
    text = edit.set_value(text, ("key_results", index, "current"), value)
    if confidence is not None:
        text = edit.set_value(text, ("key_results", index, "confidence"), confidence)
    return edit.append_item(text, ("key_results", index, "checkins"), item)

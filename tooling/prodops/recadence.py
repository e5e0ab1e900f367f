"""Move a repository from one planning calendar to another (``prodops migrate --calendar``).

Every field whose schema is the shared period definition (an objective's ``period``, a roadmap
item's ``target.quarter``, a field an organisation added) is rewritten when the new calendar has
a period with exactly the same days (``2026-Q2`` is ``FY27-Q1`` when the fiscal year starts in
April); a period that is no single period of the new calendar (a quarter under six-week cycles,
a quarter under half-years) is listed with its place, and then nothing is written. The calendar's
declaration in ``schemas/common.schema.json`` is rewritten with ``calendar.declare``, and the
review pages' label in ``mkdocs.yml`` names the new periods ("Half-year reviews"). Only the
bytes of each value change: comments, order and quoting stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import edit, loader
from prodops.calendar import Calendar, Period, declare
from prodops.diagnostics import ProdopsError
from prodops.schemas import CALENDAR_FILE, SchemaSet, load_schemas, values_at

PERIOD_REF = "#/$defs/period"


@dataclass(frozen=True)
class Place:
    """One period value in a file, and what becomes of it (``after`` empty: it cannot move)."""

    rel: str
    line: int
    column: int
    before: str
    after: str = ""
    reason: str = ""


@dataclass
class Plan:
    source: Calendar
    target: Calendar
    files: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # rel -> (before, after)
    moved: list[Place] = field(default_factory=list)
    blocked: list[Place] = field(default_factory=list)


def translate(period: Period, target: Calendar) -> Period | None:
    """The period of ``target`` with exactly ``period``'s days, if there is one."""
    for kind in target.periods:
        candidate = target.containing(period.start, kind)
        if (candidate.start, candidate.end) == (period.start, period.end):
            return candidate
    return None


def plan(root: Path, target: Calendar) -> Plan:
    """Every change moving the repository at ``root`` to ``target``, and every period that cannot move."""
    schemas = load_schemas(root / "schemas")
    out = Plan(schemas.calendar, target)
    files, _ = loader.discover(root, schemas)
    fields = {name: list(period_fields(schemas, ks.file, ks.schema)) for name, ks in schemas.kinds.items()}
    for rel in files:
        kind = schemas.kind_for(rel)
        if kind is None or not fields.get(kind.kind):
            continue
        raw = (root / rel).read_bytes()
        try:
            text = raw.decode("utf-8")
            located = edit.locate(text)
        except (UnicodeDecodeError, edit.EditError):
            continue  # validate reports the file; nothing here can be read to move
        changed = text
        for pattern in fields[kind.kind]:
            for path, value in values_at(located.parsed.data, pattern):
                start = located.parsed.spans.get(path, (0, 0))[0]
                line, column = text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
                period = schemas.calendar.parse(str(value))
                moved = translate(period, target) if period is not None else None
                if period is None:
                    out.blocked.append(Place(rel, line, column, str(value), reason="not a period of the calendar now"))
                elif moved is None:
                    days = f"{period.start.isoformat()} to {period.end.isoformat()}"
                    reason = f"{period} ({days}) is no single period of the new calendar"
                    out.blocked.append(Place(rel, line, column, str(value), reason=reason))
                elif str(moved) != str(value):
                    out.moved.append(Place(rel, line, column, str(value), str(moved)))
                    changed = edit.set_value(changed, path, str(moved))
        if changed != text:
            out.files[rel] = (raw, changed.encode("utf-8"))
    common = f"schemas/{CALENDAR_FILE}"
    raw = (root / common).read_bytes()
    declared = declare(raw.decode("utf-8"), target)
    if declared is None:
        raise ProdopsError(f"{common}: no $defs/period to declare the calendar on")
    if declared.encode("utf-8") != raw:
        out.files[common] = (raw, declared.encode("utf-8"))
    nav = root / "mkdocs.yml"
    if nav.is_file():
        before = nav.read_bytes()
        after = renamed_reviews(before, target)
        if after != before:
            out.files["mkdocs.yml"] = (before, after)
    return out


# The navigation entry of the review pages, as init writes it for each calendar ("- Half-year reviews:").
_REVIEWS = re.compile(
    rb"^(?P<head>[ \t]*- )(?P<noun>Quarter|Half-year|Trimester|Year|Cycle|Period)(?P<tail> reviews:[ \t]*history/index\.md)",
    re.MULTILINE,
)


def renamed_reviews(nav: bytes, target: Calendar) -> bytes:
    """``mkdocs.yml`` with the reviews' navigation label naming ``target``'s periods; a label of one's own stays."""
    noun = target.noun.capitalize().encode()
    return _REVIEWS.sub(lambda m: m.group("head") + noun + m.group("tail"), nav, count=1)


def apply(root: Path, migration: Plan) -> None:
    """Write every changed file, all of them or none (refused while some period cannot move)."""
    if migration.blocked:
        raise ProdopsError("some periods have no match in the new calendar; nothing was written")
    with edit.locked_all([root / rel for rel in migration.files]):
        edit.replace_all({root / rel: (after, before) for rel, (before, after) in migration.files.items()}, root=root)


def period_fields(
    schemas: SchemaSet,
    file: str,
    node: Mapping[str, Any],
    prefix: tuple[str, ...] = (),
    seen: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, ...]]:
    """The paths (``*`` for every item of a list) of the fields whose schema is the shared period definition."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.endswith(PERIOD_REF):
        yield prefix
        return
    if isinstance(ref, str) and ref not in seen:
        target_file = ref.partition("#")[0] or file
        yield from period_fields(schemas, target_file, schemas.resolve(file, node), prefix, seen | {ref})
    for key, sub in (node.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            yield from period_fields(schemas, file, sub, (*prefix, key), seen)
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from period_fields(schemas, file, items, (*prefix, "*"), seen)

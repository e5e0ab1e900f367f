"""What each value of a kind's status field means, read from the schemas (``x-prodops-states``).

The words of a process are the adopter's (``shipped`` or ``released``, ``paused``, ``beta``);
the code asks what a value *means*, from a small fixed vocabulary:

* ``proposed``: not committed to yet (an idea, under discovery, a new insight);
* ``committed``: the organisation said it will happen, work has not started or stands still;
* ``active``: being done now (in progress, a launch going out);
* ``done``: finished and delivered (shipped, launched, an insight addressed);
* ``dropped``: closed without doing it (cancelled, rolled back, declined).

A value is *open* while proposed, committed or active, and *closed* once done or dropped.
The status field's schema declares the meanings: ``"x-prodops-states": {"idea": "proposed", ...}``,
one for every value of its ``enum`` (PO120 otherwise). A schema without the annotation keeps the
meanings of the built-in values (``DEFAULTS``); its other values have none, which PO120 reports
for a built-in kind whose field uses built-in words. This module and the schemas are the only
places status values are written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from prodops.diagnostics import Diagnostic
from prodops.schemas import KindSchema, SchemaSet

Meaning = Literal["proposed", "committed", "active", "done", "dropped"]
MEANINGS: tuple[Meaning, ...] = ("proposed", "committed", "active", "done", "dropped")
OPEN: frozenset[str] = frozenset({"proposed", "committed", "active"})
CLOSED: frozenset[str] = frozenset({"done", "dropped"})
COMMITTED: frozenset[str] = frozenset({"committed", "active"})  # promised: due dates and say/do count
KEY = "x-prodops-states"

# The meanings of the values the built-in schemas ship, for a status field without the annotation.
# A launch in beta has no go decision yet (PO415 asks one of an active or done launch).
DEFAULTS: Mapping[str, Meaning] = {
    "idea": "proposed",
    "discovery": "proposed",
    "new": "proposed",
    "triaged": "proposed",
    "planned": "committed",
    "beta": "committed",
    "in-progress": "active",
    "ready": "active",
    "shipped": "done",
    "launched": "done",
    "addressed": "done",
    "cancelled": "dropped",
    "rolled-back": "dropped",
    "declined": "dropped",
}

# What a customer reads on the public roadmap for a built-in value; any other value shows as written.
PUBLIC_LABELS: Mapping[str, str] = {
    "idea": "Exploring",
    "discovery": "Researching",
    "planned": "Planned",
    "in-progress": "In progress",
    "shipped": "Shipped",
}


# What a status value of a kind means: ``Kinds.meaning`` of the schemas, or ``builtin_meaning``.
MeaningOf = Callable[[str, object], "Meaning | None"]


def builtin_meaning(kind: str, value: object) -> Meaning | None:
    """The meaning of a built-in status word (for values read without their schemas)."""
    return DEFAULTS.get(value) if isinstance(value, str) else None


def status_node(schemas: SchemaSet, ks: KindSchema, status_field: str) -> Mapping[str, Any] | None:
    """The schema of a kind's status field, with its ``$ref`` followed."""
    if not status_field:
        return None
    node = (ks.schema.get("properties") or {}).get(status_field)
    if not isinstance(node, Mapping):
        return None
    return schemas.expand(ks.file, node)[0]


def meanings(node: Mapping[str, Any] | None) -> dict[str, Meaning]:
    """Each value of a status field and its meaning, in the enum's order (values without one are left out)."""
    if node is None:
        return {}
    values = node.get("enum")
    declared = node.get(KEY)
    table: Mapping[str, Any] = declared if isinstance(declared, Mapping) else DEFAULTS
    out: dict[str, Meaning] = {}
    for value in values if isinstance(values, list) else table:
        meaning = table.get(str(value))
        if meaning in MEANINGS:
            out[str(value)] = meaning
    return out


def check(schema_dir: Path, schemas: SchemaSet, builtin: frozenset[str]) -> list[Diagnostic]:
    """PO120 for every status value without a meaning, and every annotation that is not one value -> meaning."""
    out: list[Diagnostic] = []
    for kind, ks in sorted(schemas.kinds.items()):
        properties = ks.schema.get("properties") or {}
        declared_field = ks.schema.get("x-prodops-status-field")
        field = declared_field if isinstance(declared_field, str) else "status" if "status" in properties else ""
        node = status_node(schemas, ks, field)
        if node is None:
            continue
        annotation = node.get(KEY)
        values = [str(v) for v in node.get("enum") or ()]
        if annotation is None and (kind not in builtin or not any(v in DEFAULTS for v in values)):
            continue  # a kind of the adopter's own, or a field of no built-in state words: nothing asks them
        rel = f"{schema_dir.name}/{ks.file}"
        needles = (f'"{KEY}"',) if annotation is not None else (f'"{field}": {{', f'"{field}"')
        line, column = _locate(schema_dir / ks.file, needles)
        if annotation is not None and not isinstance(annotation, Mapping):
            out.append(_problem(rel, line, column, f"{KEY} of '{field}' must map each value to its meaning", values))
            continue
        table: Mapping[str, Any] = annotation if isinstance(annotation, Mapping) else DEFAULTS
        for value in values:
            meaning = table.get(value)
            if meaning is None:
                where = KEY if annotation is not None else f"'{field}' (no {KEY}, and it is not a built-in value)"
                out.append(_problem(rel, line, column, f"status value '{value}' has no meaning in {where}", [value]))
            elif meaning not in MEANINGS:
                out.append(
                    _problem(
                        rel,
                        line,
                        column,
                        f"'{value}' is given the meaning '{meaning}', which is not a meaning",
                        [value],
                    )
                )
        for extra in sorted(set(table) - set(values)) if annotation is not None else ():
            out.append(
                _problem(rel, line, column, f"{KEY} names '{extra}', which is not a value of '{field}'", [], extra)
            )
    return out


def _problem(rel: str, line: int, column: int, message: str, values: list[str], extra: str = "") -> Diagnostic:
    example = ", ".join(f'"{v}": "..."' for v in values[:3])
    hint = (
        f"remove '{extra}' from {KEY}, or add it to the field's enum"
        if extra
        else f"give every value of the field one of the meanings {', '.join(MEANINGS)}: "
        f'"{KEY}": {{{example}}} on the status field'
    )
    return Diagnostic("error", "PO120", message, rel, line, column, hint=hint)


def _locate(path: Path, needles: tuple[str, ...]) -> tuple[int, int]:
    """Line and column of the first of ``needles`` found in the schema file (1:1 when none is)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return 1, 1
    index = next((i for i in (text.find(n) for n in needles) if i >= 0), -1)
    if index < 0:
        return 1, 1
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1

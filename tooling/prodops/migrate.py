"""Upgrade a repository's content files and schemas to the schema version this prodops ships.

The steps come from ``migrations`` (declared as data). Every change is a splice of the bytes
it concerns, computed with the strict parser's positions, so comments, order, quoting, a
byte-order mark and CRLF line breaks stay as they were. Nothing is written when any file
cannot be migrated; otherwise every changed file is replaced at once (``edit.replace_all``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import edit, filetext, loader, package_data, schemaversion
from prodops.diagnostics import JsonPath, ProdopsError, format_json_path
from prodops.migrations import Change, Step, path_between, schema_version
from prodops.schemas import SchemaSet, load_schemas, values_at

SCHEMA_DIR = "schemas"


@dataclass(frozen=True)
class Applied:
    """One change made to one file, where it was made (line and column in the file as it was then)."""

    rel: str
    line: int
    column: int
    message: str


@dataclass
class FileChange:
    rel: str
    before: bytes
    after: bytes
    applied: list[Applied] = field(default_factory=list)


@dataclass
class Plan:
    """What ``apply`` would write: the changed files, each change, and what stops the migration."""

    source: int
    target: int
    steps: tuple[Step, ...]
    files: list[FileChange]
    problems: list[Applied]

    @property
    def applied(self) -> list[Applied]:
        return [a for f in self.files for a in f.applied]


class _Conflict(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def plan(root: Path) -> Plan:
    """Work out every change, without writing; ProdopsError when the schemas' version cannot be told."""
    schemas = load_schemas(root / SCHEMA_DIR)
    source = schemaversion.repository_version(schemas)
    target = schema_version()
    if source is None:
        raise ProdopsError(
            f"{SCHEMA_DIR}/: no schema declares {schemaversion.KEY}, so the version to migrate from is unknown\n"
            f'    hint: add "{schemaversion.KEY}": N to each schema file, N being the version they were written for'
        )
    if source > target:
        raise ProdopsError(
            f"{SCHEMA_DIR}/: the schemas are at version {source}, newer than the version {target} this prodops "
            "ships; install a newer prodops"
        )
    steps = path_between(source, target)
    files, problems = _content(root, schemas, steps) if steps else ([], [])
    files.extend(_schemas(root, schemas, source, target))
    edit.check_inside(root, [root / f.rel for f in files])  # before --dry-run lists what it would write
    return Plan(source, target, steps, files, problems)


def apply(root: Path, migration: Plan) -> None:
    """Write every changed file, all of them or none (refused while ``migration`` has problems)."""
    if migration.problems:
        raise ProdopsError("the migration has problems; nothing was written")
    changes: dict[Path, tuple[bytes | None, bytes | None]] = {}
    existing = [root / f.rel for f in migration.files if f.before]
    with edit.locked_all(existing):
        for f in migration.files:
            changes[root / f.rel] = (f.after, f.before or None)
        edit.replace_all(changes, root=root)


def _content(root: Path, schemas: SchemaSet, steps: tuple[Step, ...]) -> tuple[list[FileChange], list[Applied]]:
    files, _ = loader.discover(root, schemas)
    kinds = {change.kind for step in steps for change in step.changes}
    out: list[FileChange] = []
    problems: list[Applied] = []
    for rel in files:
        kind = schemas.kind_for(rel)
        if kind is None or kind.kind not in kinds:
            continue
        raw = (root / rel).read_bytes()
        try:
            text, form = filetext.decode(raw, rel)
        except ProdopsError as exc:
            problems.append(Applied(rel, 0, 0, str(exc)))
            continue
        applied: list[Applied] = []
        try:
            for step in steps:
                for change in step.changes:
                    if change.kind == kind.kind:
                        text = _change(rel, text, change, step, applied)
        except edit.EditError as exc:
            problems.append(Applied(rel, 0, 0, f"{exc}"))
            continue
        except _Conflict as exc:
            line, column = _position(text, exc.index)
            problems.append(Applied(rel, line, column, exc.message))
            continue
        after = form.encode(text)
        if after != raw:
            out.append(FileChange(rel, raw, after, applied))
    return out, problems


def _schemas(root: Path, schemas: SchemaSet, source: int, target: int) -> list[FileChange]:
    """Shipped schema files take the package's bytes; a schema of the repository's own gets its version raised.

    On an upgrade, a schema the package ships that the repository lacks is added: the shipped
    schemas refer to one another, so a later version's new kind comes with it.
    """
    shipped = package_data.shipped_schemas()
    versions = schemaversion.versions(schemas)
    out: list[FileChange] = []
    for name, data in shipped.items():
        rel = f"{SCHEMA_DIR}/{name}"
        if name not in versions and source < target and not (root / rel).exists():
            out.append(
                FileChange(rel, b"", data, [Applied(rel, 0, 0, f"added (part of the version {target} schemas)")])
            )
            continue
        version = versions.get(name)
        # A schema at the current version stays as it is (it may hold the organisation's own values and
        # fields); one without a version is not known to be older.
        if version is None or version >= target:
            continue
        before = (root / rel).read_bytes()
        if before != data:
            out.append(
                FileChange(rel, before, data, [Applied(rel, 0, 0, f"replaced by the version {target} prodops ships")])
            )
    for name, version in versions.items():
        if name in shipped or version is None or version >= target:
            continue
        rel = f"{SCHEMA_DIR}/{name}"
        raw = (root / rel).read_bytes()
        pattern = re.compile(rb'("' + schemaversion.KEY.encode() + rb'"\s*:\s*)' + str(version).encode() + rb"\b")
        match = pattern.search(raw)
        if match is None:
            continue
        after = raw[: match.start()] + match.group(1) + str(target).encode() + raw[match.end() :]
        line = raw.count(b"\n", 0, match.start()) + 1
        column = match.start() - (raw.rfind(b"\n", 0, match.start()) + 1) + 1
        out.append(FileChange(rel, raw, after, [Applied(rel, line, column, f"version {version} → {target}")]))
    return out


def _change(rel: str, text: str, change: Change, step: Step, applied: list[Applied]) -> str:
    doc = edit.locate(text)
    data = doc.parsed.data
    label = f"(schema {step.source} → {step.target})"
    if change.action == "rename-value":
        spans_by_path = {
            path: doc.parsed.spans[path] for path, value in values_at(data, change.path) if value == change.old_value
        }
        for start, end in sorted(spans_by_path.values(), reverse=True):
            text = text[:start] + edit.scalar(change.to) + text[end:]
        for path, (start, _) in sorted(spans_by_path.items(), key=lambda item: item[1]):
            line, column = _position(doc.text, start)
            applied.append(
                Applied(rel, line, column, f"{format_json_path(path)}: '{change.old_value}' → '{change.to}' {label}")
            )
        return text
    if change.action == "rename-field":
        parents = list(values_at(data, change.path[:-1])) if len(change.path) > 1 else [((), data)]
        old, new = change.path[-1], change.to
        keys = []
        for parent, value in parents:
            if isinstance(value, dict) and old in value:
                if new in value:
                    raise _Conflict(
                        doc.parsed.key_spans[(*parent, new)][0],
                        f"both '{old}' and '{new}' are set; keep one of them (as '{new}') and run prodops migrate again",
                    )
                keys.append(doc.parsed.key_spans[(*parent, old)])
        for start, end in sorted(keys, reverse=True):
            text = text[:start] + new + text[end:]
        for start, _ in sorted(keys):
            line, column = _position(doc.text, start)
            applied.append(Applied(rel, line, column, f"{change.dotted} renamed to {new} {label}"))
        return text
    return _move(rel, doc, change, label, applied)


def _move(rel: str, doc: edit.Located, change: Change, label: str, applied: list[Applied]) -> str:
    """Move a scalar field to another path (creating the mappings on the way); its trailing comment goes along."""
    text, data = doc.text, doc.parsed.data
    source: JsonPath = change.path
    target: JsonPath = tuple(change.to.split("."))
    if edit.value_at(data, source) is None or source not in doc.parsed.key_spans:
        return text
    value: Any = edit.value_at(data, source)
    key_start = doc.parsed.key_spans[source][0]
    if isinstance(value, (dict, list)):
        raise _Conflict(key_start, f"{change.dotted} holds a {type(value).__name__}; move it to {change.to} by hand")
    existing = edit.value_at(data, target)
    if existing is not None and existing != value:
        raise _Conflict(
            key_start,
            f"{change.dotted} is {value!r} but {change.to} is already {existing!r}; keep one and run prodops migrate again",
        )
    value_end = doc.parsed.spans[source][1]
    line_start = text.rfind("\n", 0, key_start) + 1
    line_end = text.find("\n", value_end)
    line_end = len(text) if line_end < 0 else line_end + 1
    rest = text[value_end:line_end].strip()
    if text[line_start:key_start].strip():
        raise _Conflict(
            key_start, f"{change.dotted} shares its line with another field; move it to {change.to} by hand"
        )
    comment = rest if rest.startswith("#") else ""
    above = _comments_above(text, line_start, key_start - line_start)
    removed = text[: line_start - len(above)] + text[line_end:]
    moved = edit.set_value(removed, target, value) if existing is None else removed
    if existing is None:
        located = edit.locate(moved)
        end = located.parsed.spans[target][1]
        if comment:
            moved = moved[:end] + "  " + comment + moved[end:]
        if above:
            key_at = located.parsed.key_spans[target][0]
            at = moved.rfind("\n", 0, key_at) + 1
            indent = " " * (key_at - at)
            moved = moved[:at] + "".join(indent + line.lstrip(" ") for line in above.splitlines(True)) + moved[at:]
    line, column = _position(text, key_start)
    applied.append(Applied(rel, line, column, f"{change.dotted} moved to {change.to} {label}"))
    return moved


def _comments_above(text: str, line_start: int, indent: int) -> str:
    """The comment-only lines right above a line, at its indentation: they speak of it, so they move with it."""
    start = line_start
    while start > 0:
        previous = text.rfind("\n", 0, start - 1) + 1
        line = text[previous:start]
        if not line.lstrip(" ").startswith("#") or len(line) - len(line.lstrip(" ")) != indent:
            break
        if previous == 0 and line.startswith("# yaml-language-server:"):
            break  # the schema line belongs to the file
        start = previous
    return text[start:line_start]


def _position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1

"""List edits: ``prodops add`` and ``prodops remove`` on any list field of any kind, from either side of a relation."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from prodops import authoring, edit, filetext, listedit, pipeline, report, terminal
from prodops import inverse as inverse_relations
from prodops.cli import EXIT_PROBLEMS, complete_ids, resolve_root, root_option, today_option
from prodops.commands.outcome import caused, finish
from prodops.diagnostics import JsonPath, ProdopsError
from prodops.schemas import KindSchema, SchemaSet, load_schemas
from prodops.suggest import did_you_mean


@dataclass(frozen=True)
class Target:
    """The one file that holds a list edit: its entity, the list field in it and the values to add or remove."""

    entity_id: str
    rel: str
    field: str
    values: tuple[str, ...]


def _node_at(schemas: SchemaSet, ks: KindSchema, field: str) -> Mapping[str, Any] | None:
    """The schema of a dotted field of ``ks`` (list items by id or position step into ``items``)."""
    node, file = schemas.expand(ks.file, ks.schema)
    for part in field.split("."):
        props = node.get("properties")
        if isinstance(props, Mapping) and part in props:
            node, file = schemas.expand(file, props[part])
        elif isinstance(node.get("items"), Mapping):
            node, file = schemas.expand(file, node["items"])
            props = node.get("properties")
            if not (isinstance(props, Mapping) and part in props):
                continue  # the step was an item's id or position
            node, file = schemas.expand(file, props[part])
        else:
            return None
    return node


def field_is_list(repo: Path, rel: str, field: str) -> bool:
    """Whether the schema of ``rel``'s kind makes the dotted ``field`` a list."""
    schemas = load_schemas(repo / pipeline.SCHEMA_DIR)
    ks = schemas.kind_for(rel)
    node = _node_at(schemas, ks, field) if ks is not None else None
    return node is not None and node.get("type") == "array"


def list_fields(schemas: SchemaSet, ks: KindSchema) -> list[str]:
    """The top-level list fields of a kind, and the inverse relations other kinds declare on it."""
    props = ks.schema.get("properties", {})
    own = [n for n, p in props.items() if schemas.expand(ks.file, p)[0].get("type") == "array"]
    return own + sorted(name for _, name, _ in inverse_relations.held_by(schemas, ks.kind))


def _targets(repo: Path, entity_id: str, field: str, values: tuple[str, ...]) -> list[Target]:
    rel, kind = authoring.find_entity(repo, entity_id)
    schemas = load_schemas(repo / pipeline.SCHEMA_DIR)
    ks = schemas.kinds.get(kind)
    if ks is None:
        raise ProdopsError(f"{rel} is of no kind the schemas declare")
    node = _node_at(schemas, ks, field)
    if node is not None and node.get("type") == "array":
        return [Target(entity_id, rel, field, values)]
    inverse = [(other, name, held) for other, name, held in inverse_relations.held_by(schemas, kind) if name == field]
    if inverse:
        other, _, held = inverse[0]
        found = []
        for value in values:
            other_rel, other_kind = authoring.find_entity(repo, value)
            if other_kind != other.kind:
                raise ProdopsError(
                    f"'{value}' is a {other_kind or 'file'}, not a {other.kind} ({field} names {other.kind}s)"
                )
            found.append(Target(value, other_rel, held, (entity_id,)))
        return found
    names = list_fields(schemas, ks)
    what = "is not a list" if node is not None else "is not a field"
    hint = f"; use prodops set {entity_id} {field} VALUE" if node is not None else did_you_mean(field, names)
    raise ProdopsError(f"{rel}: '{field}' {what} of a {kind}{hint} (list fields: {', '.join(names) or 'none'})")


def _parse(values: tuple[str, ...], mapping: bool) -> list[Any]:
    """VALUEs as list items: each one a value, or (for a list of mappings) KEY=VALUE pairs making one item."""
    if not mapping:
        return [edit.parse_value(v) for v in values]
    item: dict[str, Any] = {}
    for pair in values:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(
                f"'{pair}' is not KEY=VALUE (the items of this list are mappings)", param_hint="VALUE"
            )
        item[key] = edit.parse_value(raw)
    return [item]


def _matches(item: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(item, dict) and all(item.get(k) == v for k, v in wanted.items())
    if isinstance(item, dict):  # a bare value names a mapping item by its first field (id, handle...)
        return bool(item) and next(iter(item.values())) == wanted
    return bool(item == wanted)


def _run(entity_id: str, field: str, values: tuple[str, ...], root: Path | None, today: date | None, add: bool) -> None:
    repo = resolve_root(root)
    edits: dict[str, tuple[Callable[[str], str], str]] = {}
    for target in _targets(repo, entity_id, field, values):
        text, _ = filetext.decode((repo / target.rel).read_bytes(), target.rel)
        data = edit.locate(text).parsed.data
        path = edit.resolve_field(data, target.field)
        current = edit.value_at(data, path)
        items = current if isinstance(current, list) else []
        schemas = load_schemas(repo / pipeline.SCHEMA_DIR)
        ks = schemas.kind_for(target.rel)
        node = _node_at(schemas, ks, target.field) if ks is not None else None
        item_node = node.get("items") if node is not None else None
        mapping = all("=" in v for v in target.values) and (
            any(isinstance(i, dict) for i in items)
            or (isinstance(item_node, Mapping) and schemas.expand(ks.file, item_node)[0].get("type") == "object")  # type: ignore[union-attr]
        )
        wanted = _parse(target.values, mapping)
        if add:
            there = [w for w in wanted if any(_matches(i, w) for i in items)]
            fresh = [w for w in wanted if w not in there]
            for w in there:
                terminal.echo(f"{target.rel}: {target.field} already has {edit.scalar(w)}, not added again")
            if fresh:
                edits[target.rel] = (
                    functools.partial(_add, path=path, values=fresh),
                    f"{target.field}: added {', '.join(map(_show, fresh))}",
                )
        else:
            indices = [i for i, item in enumerate(items) if any(_matches(item, w) for w in wanted)]
            for w in wanted:
                if not any(_matches(i, w) for i in items):
                    terminal.echo(f"{target.rel}: {target.field} has no {_show(w)}, nothing to remove")
            if indices:
                edits[target.rel] = (
                    functools.partial(_remove, path=path, indices=indices),
                    f"{target.field}: removed {', '.join(_show(items[i]) for i in indices)}",
                )
    if len(edits) == 1:
        ((rel, (transform, what)),) = edits.items()
        finish(authoring.apply(repo, rel, transform, today), what)
    elif edits:
        # An inverse relation edits one file per value: every one of them is written, or none.
        outcome = authoring.apply_many(repo, {rel: transform for rel, (transform, _) in edits.items()}, today)
        if outcome.problems:
            terminal.echo(report.render_lines(outcome.problems), nl=False, err=True)
            terminal.echo(
                f"prodops: nothing was written to {', '.join(sorted(edits))}: the change would add the problems above",
                err=True,
            )
            sys.exit(EXIT_PROBLEMS)
        for rel, (_, what) in sorted(edits.items()):
            terminal.echo(f"{rel}: {what}")
        caused(outcome.caused)


def _add(text: str, path: JsonPath, values: Sequence[Any]) -> str:
    return listedit.add_values(text, path, values)


def _remove(text: str, path: JsonPath, indices: Sequence[int]) -> str:
    return listedit.remove_values(text, path, indices)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k}={edit.scalar(v)}" for k, v in value.items())
    return edit.scalar(value)


_HELP_TAIL = """
    FIELD is a list field (dotted for nested lists: key_results.kr1.checkins), or the
    inverse of a relation another kind holds (an item's 'addresses' edits the insights'
    addressed_by): the one file that holds the relation is written. For a list of
    mappings, VALUE is KEY=VALUE pairs that make one item. The edit is checked against
    the whole repository first and refused if it would add an error in any file.
"""


@click.command(
    name="add",
    help="Add values to a list field of an entity, keeping the rest of the file byte for byte.\n"
    + _HELP_TAIL
    + "\n    Example: prodops add usage-based-billing key_results 2026-q4-payments-usage-billing.kr2",
)
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@click.argument("field", metavar="FIELD")
@click.argument("values", metavar="VALUE...", nargs=-1, required=True)
@root_option
@today_option
def add(entity_id: str, field: str, values: tuple[str, ...], root: Path | None, today: date | None) -> None:
    _run(entity_id, field, values, root, today, add=True)


@click.command(
    name="remove",
    help="Remove values from a list field of an entity, keeping the rest of the file byte for byte.\n"
    + _HELP_TAIL
    + "\n    Example: prodops remove approval-for-credit-notes addressed_by bulk-credit-note-approvals",
)
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@click.argument("field", metavar="FIELD")
@click.argument("values", metavar="VALUE...", nargs=-1, required=True)
@root_option
@today_option
def remove(entity_id: str, field: str, values: tuple[str, ...], root: Path | None, today: date | None) -> None:
    _run(entity_id, field, values, root, today, add=False)

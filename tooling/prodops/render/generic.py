"""What the generic page of an entity shows: its fields, read from the schema, with references as links.

Used for the kinds declared only by a schema (``model.Record``). Values stay data until the
template, which escapes them (autoescape); Markdown fields (``$ref`` to
``common.schema.json#/$defs/markdown``) go through the safe field renderer (``safe.markdown_field``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal

from prodops import kinds, package_data
from prodops.kinds import KindSpec, page_path
from prodops.outline import KEY_RESULT, PERSON
from prodops.render.renderer import Renderer
from prodops.schemas import field_schema


@dataclass(frozen=True)
class Link:
    """A link to another entity's page ("" when the entity has no page), and what names it."""

    href: str
    text: str
    id: str
    note: str = ""


@dataclass(frozen=True)
class Field:
    """One top-level field of an entity as its page shows it."""

    name: str
    label: str
    shape: Literal["markdown", "links", "value", "nested"]
    value: Any = None
    links: tuple[Link, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Cell:
    """One cell of a kind's index table."""

    text: str
    links: tuple[Link, ...] = ()


def label(spec: KindSpec, renderer: Renderer, name: str) -> str:
    """A field's name as a heading: the schema's ``title`` for it, else the name in words."""
    ks = renderer.schemas.kinds[spec.kind]
    node = field_schema(renderer.schemas, ks, (name,))
    title = node.get("title") if node is not None else None
    if isinstance(title, str) and title:
        return title
    words = name.replace("_", " ").replace("-", " ")
    return words[:1].upper() + words[1:]


def _targets(spec: KindSpec) -> Mapping[str, str]:
    """Top-level field -> the kind it names, for fields that hold an id or a list of ids."""
    out: dict[str, str] = {}
    for ref in spec.refs:
        if len(ref.pattern) == 1 or (len(ref.pattern) == 2 and ref.pattern[1] == "*"):
            out[ref.pattern[0]] = ref.target
    return out


def link(renderer: Renderer, here: str, target_kind: str, value: str) -> Link:
    """A link to the entity ``value`` of ``target_kind``, or a plain name where it has no page."""
    catalog = renderer.catalog
    if target_kind == PERSON:
        return Link("", renderer.person(value), value)
    if target_kind == KEY_RESULT:
        kr = catalog.key_results.get(value)
        if kr is None:
            return Link("", value, value)
        return Link(renderer.kr_link(here, value), kr.title, value)
    entity = catalog.entity(value)
    kind = catalog.kind_of(value)
    if entity is None or kind is None:
        return Link("", value, value)
    return Link(renderer.entity_link(here, kind, value), str(getattr(entity, "title", value)), value)


def fields(renderer: Renderer, spec: KindSpec, here: str, record: Any) -> list[Field]:
    """The record's fields in the order they are written, except its id and title."""
    targets = _targets(spec)
    properties = renderer.schemas.kinds[spec.kind].schema.get("properties") or {}
    out: list[Field] = []
    for name, value in record.data.items():
        if name in ("id", spec.title_field) or value is None:
            continue
        node = properties.get(name)
        if isinstance(node, Mapping) and node.get("x-prodops-page") is False:
            continue  # shown by a page section of its own (render/providers.py), not as raw data
        heading = label(spec, renderer, name)
        if name in spec.markdown_fields and isinstance(value, str):
            out.append(Field(name, heading, "markdown", value))
        elif name in targets:
            values = value if isinstance(value, list) else [value]
            found = tuple(link(renderer, here, targets[name], str(v)) for v in values)
            out.append(Field(name, heading, "links", links=found))
        elif isinstance(value, (dict, list)):
            out.append(Field(name, heading, "nested", value))
        else:
            out.append(Field(name, heading, "value", value))
    return out


def cell(renderer: Renderer, spec: KindSpec, here: str, record: Any, column: str, value: Any) -> Cell:
    """An index table cell: the title links to the entity's page, reference columns to theirs."""
    if column == spec.title_field:
        return Cell("", (Link(renderer.entity_link(here, spec.kind, record.id), record.title, record.id),))
    target = _targets(spec).get(column)
    raw = record.data.get(column)
    if target is not None and raw is not None:
        values = raw if isinstance(raw, list) else [raw]
        return Cell("", tuple(link(renderer, here, target, str(v)) for v in values))
    return Cell("" if value is None else str(value))


def pages(renderer: Renderer, spec: KindSpec) -> None:
    """A page per entity of a generic kind, and the kind's index page (put in the navigation by the plugin)."""
    records = spec.ordered(list(renderer.catalog.of(spec.kind).values()))
    headings = [label(spec, renderer, column) for column in spec.list_columns]
    here = spec.index_page
    rows = [
        [cell(renderer, spec, here, e, column, value) for column, value in _row(renderer, spec, e)] for e in records
    ]
    renderer._page(here, "record_index.md.j2", spec=spec, headings=headings, rows=rows)
    for record in records:
        shown = fields(renderer, spec, page_path(spec.kind, record.id), record)
        renderer._entity(spec.kind, record.id, record.file, spec.template, spec=spec, record=record, fields=shown)


def _row(renderer: Renderer, spec: KindSpec, record: Any) -> list[tuple[str, Any]]:
    row = spec.row(renderer.catalog, record)
    return [(column, row.get(column)) for column in spec.list_columns]


def named_by(renderer: Renderer, here: str, entity_id: str) -> list[tuple[KindSpec, list[Link]]]:
    """Entities that name this one, by kind, of the kinds whose relations the pages do not already show."""
    catalog = renderer.catalog
    by_kind: dict[str, dict[str, set[str]]] = {}
    for ref in catalog.incoming.get(entity_id, ()):
        source_kind = catalog.kind_of(ref.source)
        spec = renderer.kinds.get(source_kind) if source_kind is not None else None
        if spec is None or (spec.builtin is not None and spec.builtin.inverse_shown):
            continue
        by_kind.setdefault(spec.kind, {}).setdefault(ref.source, set()).add(ref.field)
    out = []
    for source_kind, sources in sorted(by_kind.items(), key=lambda kv: kinds.rank(kv[0])):
        links = [
            Link(
                renderer.entity_link(here, source_kind, source),
                str(getattr(catalog.entity(source), "title", source)),
                source,
                ", ".join(sorted(names)),
            )
            for source, names in sorted(sources.items())
        ]
        out.append((renderer.kinds[source_kind], links))
    return out


def named_by_section(renderer: Renderer, here: str, entity_id: str) -> str:
    """The "Named by ..." section of an entity's page: one list per generic kind that names it ("" for none)."""
    found = named_by(renderer, here, entity_id)
    return renderer.render_template(here, "_named_by.md.j2", named_by=found) if found else ""


@functools.cache
def _shipped_fields(kind: str) -> frozenset[str]:
    """The top-level fields of a built-in kind's shipped schema: the ones its hand-made page knows."""
    for text in package_data.shipped_schemas().values():
        doc = json.loads(text)
        if isinstance(doc, dict) and doc.get("x-prodops-kind") == kind:
            return frozenset(doc.get("properties") or {})
    return frozenset()


def added_fields_section(renderer: Renderer, here: str, entity_id: str) -> str:
    """The fields an adopter added to a built-in kind (its hand-made page does not know them), as a generic page shows them.

    A field with ``x-prodops-page: false`` stays off, as on generic pages; a generic kind's page shows every field already.
    """
    kind = renderer.catalog.kind_of(entity_id)
    spec = renderer.kinds.get(kind) if kind is not None else None
    doc = renderer.catalog.documents.get(entity_id)
    if spec is None or spec.builtin is None or doc is None:
        return ""
    known = _shipped_fields(spec.kind)
    added = {name: value for name, value in doc.data.items() if name not in known}
    if not added:
        return ""
    shown = fields(renderer, spec, here, SimpleNamespace(data=added))
    return renderer.render_template(here, "_added_fields.md.j2", fields=shown) if shown else ""

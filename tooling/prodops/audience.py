"""Audiences: what a reader outside the organisation may see, as a filter over the data.

Visibility is data, declared in the schemas:

* each kind's ``x-prodops-visibility`` is the visibility of its entities (``internal``
  unless the schema says otherwise); an entity of a kind with a ``visibility`` field may say
  ``visibility: public``;
* each field's ``x-visibility`` is ``public`` (may be published), ``internal`` (the default
  for a field without the annotation, and for every field inside an internal one) or
  ``confidential`` (never published, whatever the configuration says).

``[tool.prodops.public]`` (:class:`prodops.config.PublicConfig`) can only narrow that: list
fewer fields, hide some, leave the target quarter out. :func:`public_view` applies it all
and returns plain data holding public entities and their public fields only, with every
reference to an entity that is not public dropped; the public pages and ``prodops export
--audience public`` are made from that data alone, so an internal value never reaches them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from prodops import kinds
from prodops.calendar import DEFAULT, Calendar
from prodops.catalog import Catalog
from prodops.config import PublicConfig
from prodops.diagnostics import ProdopsError
from prodops.schemas import KindSchema, SchemaSet, enum_values

Visibility = Literal["public", "internal", "confidential"]
VISIBILITIES: tuple[Visibility, ...] = ("public", "internal", "confidential")
FORMAT_VERSION = 1
# A public roadmap shows what is planned and what shipped; what the organisation dropped leaves it
# (an entity of any kind whose status means ``dropped``, see ``states.py``).
UNPUBLISHED = frozenset({"dropped"})


@dataclass(frozen=True)
class PublicView:
    """Everything the public site and the public export are made of."""

    title: str
    request_feature_url: str
    horizons: tuple[str, ...]  # the roadmap's columns, in the schema's order
    entities: Mapping[str, tuple[dict[str, Any], ...]]  # kind -> public records, by id
    calendar: Calendar = DEFAULT  # how target periods are written and ordered
    # kind -> each status value and what it means (``states.py``), in the schema's order
    states: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _rank(visibility: Visibility) -> int:
    return VISIBILITIES.index(visibility)


def _declared(node: Mapping[str, Any], where: str) -> Visibility | None:
    value = node.get("x-visibility")
    if value is None:
        return None
    if value not in VISIBILITIES:
        raise ProdopsError(f"{where}: x-visibility must be one of {', '.join(VISIBILITIES)} (got {value!r})")
    return value  # type: ignore[no-any-return]


def field_visibilities(schemas: SchemaSet, ks: KindSchema) -> dict[str, Visibility]:
    """Every field of a kind (dotted path, list items folded into their list) and its visibility.

    A field is as visible as its own annotation says (``internal`` without one) and never more
    visible than the field that holds it.
    """
    out: dict[str, Visibility] = {}

    def walk(node: Mapping[str, Any], file: str, prefix: str, ceiling: Visibility) -> None:
        node, file = schemas.expand(file, node)
        items = node.get("items")
        if isinstance(items, Mapping):
            expanded, items_file = schemas.expand(file, items)
            own = _declared(expanded, f"schemas/{ks.file}: {prefix}[]")
            walk(expanded, items_file, prefix, ceiling if own is None else max(ceiling, own, key=_rank))
        for key, sub in (node.get("properties") or {}).items():
            path = f"{prefix}.{key}" if prefix else key
            expanded, sub_file = schemas.expand(file, sub)
            own = _declared(expanded, f"schemas/{ks.file}: {path}") or "internal"
            visibility = max(ceiling, own, key=_rank)
            out[path] = visibility
            walk(expanded, sub_file, path, visibility)

    walk(ks.schema, ks.file, "", "public")
    return out


def kind_visibility(ks: KindSchema) -> Visibility:
    value = ks.schema.get("x-prodops-visibility", "internal")
    if value not in ("public", "internal"):
        raise ProdopsError(f"schemas/{ks.file}: x-prodops-visibility must be public or internal (got {value!r})")
    return value  # type: ignore[no-any-return]


def published_fields(schemas: SchemaSet, config: PublicConfig) -> dict[str, frozenset[str]]:
    """Kind -> the dotted paths of the fields the public site shows.

    A field the schema does not mark public is never among them, even when ``config.fields``
    names it (:func:`check_config` reports that as a mistake before anything is built).
    """
    out: dict[str, frozenset[str]] = {}
    hidden = set(config.hide)
    if not config.target_quarters:
        hidden.add("roadmap-item.target.quarter")
    for kind, ks in schemas.kinds.items():
        fields = {path for path, visibility in field_visibilities(schemas, ks).items() if visibility == "public"}
        if config.fields is not None:
            listed = {name.removeprefix(kind + ".") for name in config.fields if name.startswith(kind + ".")}
            # A listed field brings the fields inside it; a listed nested field, the fields holding it.
            fields = {
                f for f in fields if any(f == n or f.startswith(n + ".") or n.startswith(f + ".") for n in listed)
            }
        out[kind] = frozenset(
            f for f in fields if not any(f"{kind}.{f}" == h or f"{kind}.{f}".startswith(h + ".") for h in hidden)
        )
    return out


def check_config(schemas: SchemaSet, config: PublicConfig, source: str) -> list[str]:
    """Problems with ``[tool.prodops.public]``: unknown fields, and fields it tries to publish that it may not."""
    problems: list[str] = []
    known = {
        f"{kind}.{path}": visibility
        for kind, ks in schemas.kinds.items()
        for path, visibility in field_visibilities(schemas, ks).items()
    }
    for setting, names in (("fields", config.fields or ()), ("hide", config.hide)):
        for name in names:
            visibility = known.get(name)
            if visibility is None:
                problems.append(
                    f"{source}: {setting}: '{name}' is not a field (write KIND.FIELD, such as roadmap-item.title)"
                )
            elif setting == "fields" and visibility != "public":
                kind = name.partition(".")[0]
                problems.append(
                    f"{source}: fields: '{name}' is {visibility} in schemas/{schemas.kinds[kind].file}; "
                    "configuration can keep a public field off the public site, never publish another one"
                )
    return problems


def public_ids(catalog: Catalog, schemas: SchemaSet, config: PublicConfig, today: date) -> set[tuple[str, str]]:
    """(kind, id) of every entity the public site shows."""
    out: set[tuple[str, str]] = set()
    recent = today - timedelta(days=config.shipped_within_days)
    registry = kinds.registry(schemas)
    for entity_id, doc in catalog.documents.items():
        ks = doc.kind
        entity = catalog.entity(entity_id)
        if entity is None or ks.kind not in schemas.kinds:
            continue
        data = doc.data
        if data.get("visibility", kind_visibility(ks)) != "public":
            continue
        spec = registry[ks.kind]
        if spec.meaning(spec.status(data)) in UNPUBLISHED:
            continue
        done = spec.builtin.done_on(entity) if spec.builtin is not None and spec.builtin.done_on else None
        if done is not None and done < recent:
            continue
        out.add((ks.kind, entity_id))
    return out


class _Drop:
    """A value the filter leaves out (distinct from every value a document can hold)."""


_DROP = _Drop()


def _keep(
    value: Any,
    node: Mapping[str, Any],
    file: str,
    prefix: str,
    schemas: SchemaSet,
    allowed: frozenset[str],
    public: set[tuple[str, str]],
) -> Any:
    node, file = schemas.expand(file, node)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        properties = node.get("properties") or {}
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if path not in allowed or key not in properties:
                continue
            kept = _keep(sub, properties[key], file, path, schemas, allowed, public)
            if kept is not _DROP:
                out[key] = kept
        return out or _DROP
    if isinstance(value, list):
        items = node.get("items")
        if not isinstance(items, Mapping):
            return _DROP
        kept_items = [_keep(v, items, file, prefix, schemas, allowed, public) for v in value]
        kept_items = [v for v in kept_items if v is not _DROP]
        return kept_items or _DROP
    target = node.get("x-ref")
    if isinstance(target, str) and (target, value) not in public:
        return _DROP  # a reference to an entity the reader cannot see: left out, not linked
    return value


def public_record(
    data: Mapping[str, Any], ks: KindSchema, schemas: SchemaSet, allowed: frozenset[str], public: set[tuple[str, str]]
) -> dict[str, Any]:
    """One entity's public fields (the id always: it names the entity on the site)."""
    kept = _keep(dict(data), ks.schema, ks.file, "", schemas, allowed | {"id"}, public)
    return kept if isinstance(kept, dict) else {}


def public_view(catalog: Catalog, schemas: SchemaSet, config: PublicConfig, today: date, source: str) -> PublicView:
    """The public entities with their public fields; a configuration that would publish too much is an error."""
    problems = check_config(schemas, config, source)
    if problems:
        raise ProdopsError("\n".join(problems))
    allowed = published_fields(schemas, config)
    public = public_ids(catalog, schemas, config, today)
    entities: dict[str, tuple[dict[str, Any], ...]] = {}
    for kind in sorted(schemas.kinds):
        ks = schemas.kinds[kind]
        ids = sorted(entity_id for k, entity_id in public if k == kind)
        entities[kind] = tuple(
            public_record(catalog.documents[entity_id].data, ks, schemas, allowed[kind], public) for entity_id in ids
        )
    return PublicView(
        title=config.title,
        request_feature_url=config.request_feature_url,
        horizons=enum_values(schemas, "roadmap-item", ("horizon",)),
        entities=entities,
        calendar=schemas.calendar,
        states={spec.kind: dict(spec.states) for spec in kinds.registry(schemas) if spec.states},
    )


def export_document(view: PublicView) -> dict[str, Any]:
    """The public export (``prodops export --audience public``): the same data the public site shows."""
    return {
        "format": "prodops-public-export",
        "version": FORMAT_VERSION,
        "title": view.title,
        "request_feature_url": view.request_feature_url,
        "entities": {kind: list(records) for kind, records in view.entities.items() if records},
    }


def export_bytes(view: PublicView) -> bytes:
    """The public export as UTF-8 JSON: what ``export --audience public`` writes and the site offers."""
    return (json.dumps(export_document(view), ensure_ascii=False, indent=1) + "\n").encode()


def write_export(view: PublicView, out: Path) -> str:
    """Write the public export to ``out``; a path that cannot be written is a ``ProdopsError`` naming it."""
    from prodops.edit import write_atomic

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, export_bytes(view))
    except OSError as exc:
        raise ProdopsError(f"cannot write {out}: {exc.strerror or exc}; choose a path you can write to") from None
    count = sum(len(records) for records in view.entities.values())
    return f"{out} (public: {count} entities)"

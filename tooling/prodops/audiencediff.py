"""What a change publishes: kinds, fields and entities whose audience widened or narrowed.

The public site and ``export --audience public`` are made from what the schemas, the
configuration and each entity's ``visibility`` allow (``audience.py``). A change to any of
them can publish more than its diff shows: one annotation in a schema puts every value of a
field on the public site. This module compares what two revisions publish, so a review sees
every widening as a change to look at, and narrowings as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from prodops import audience
from prodops.catalog import Catalog
from prodops.config import PublicConfig
from prodops.diagnostics import ProdopsError
from prodops.schemas import SchemaSet

Scope = Literal["kind", "field", "entity"]
# How far a field reaches, widest first: on the public site, allowed there by its schema but kept
# off by the configuration, internal, confidential.
LEVELS = ("published", "public", "internal", "confidential")


@dataclass(frozen=True)
class Side:
    """What one revision publishes from: its schemas, its data and its public configuration."""

    schemas: SchemaSet
    catalog: Catalog
    public: PublicConfig


@dataclass(frozen=True)
class AudienceChange:
    scope: Scope
    kind: str
    name: str  # the field's dotted path or the entity's id ("" for a kind)
    title: str  # the entity's title ("" for a kind or a field)
    file: str  # the schema file of a kind or field, the entity's file
    old: str  # a visibility or a level ("absent": the kind or entity did not exist)
    new: str
    widened: bool


@dataclass(frozen=True)
class Audiences:
    changes: tuple[AudienceChange, ...] = ()
    problems: tuple[str, ...] = ()  # a side whose annotations cannot be read: nothing was compared

    @property
    def widened(self) -> tuple[AudienceChange, ...]:
        return tuple(c for c in self.changes if c.widened)

    @property
    def narrowed(self) -> tuple[AudienceChange, ...]:
        return tuple(c for c in self.changes if not c.widened)


@dataclass(frozen=True)
class _Published:
    kinds: Mapping[str, str]  # kind -> its entities' default visibility
    fields: Mapping[tuple[str, str], str]  # (kind, path) -> level
    entities: frozenset[tuple[str, str]]  # (kind, id) of every public entity
    files: Mapping[str, str]  # kind -> its schema file


def _published(side: Side, today: date) -> _Published:
    schemas = side.schemas
    kinds = {kind: audience.kind_visibility(ks) for kind, ks in schemas.kinds.items()}
    allowed = audience.published_fields(schemas, side.public)
    fields: dict[tuple[str, str], str] = {}
    for kind, ks in schemas.kinds.items():
        for path, visibility in audience.field_visibilities(schemas, ks).items():
            fields[(kind, path)] = "published" if path in allowed[kind] else visibility
    entities = frozenset(audience.public_ids(side.catalog, schemas, side.public, today))
    files = {kind: f"schemas/{ks.file}" for kind, ks in schemas.kinds.items()}
    return _Published(kinds, fields, entities, files)


def _wider(old: str, new: str) -> bool:
    return LEVELS.index(new) < LEVELS.index(old)


def compare(base: Side, head: Side, today: date) -> Audiences:
    """Every kind, field and entity whose audience differs between ``base`` and ``head``."""
    try:
        before = _published(base, today)
    except ProdopsError as exc:
        return Audiences(problems=(f"cannot tell what the base publishes: {exc}",))
    try:
        after = _published(head, today)
    except ProdopsError as exc:
        return Audiences(problems=(f"cannot tell what this change publishes: {exc}",))
    out: list[AudienceChange] = []
    for kind, new in sorted(after.kinds.items()):
        old = before.kinds.get(kind)
        if old != new and (old is not None or new == "public"):
            out.append(AudienceChange("kind", kind, "", "", after.files[kind], old or "absent", new, new == "public"))
    for (kind, path), new in sorted(after.fields.items()):
        old = before.fields.get((kind, path))
        if old == new or (old is None and new not in ("published", "public")):
            continue  # a new internal field publishes nothing
        widened = old is None or _wider(old, new)
        out.append(AudienceChange("field", kind, path, "", after.files[kind], old or "absent", new, widened))
    documents = head.catalog.documents
    for kind, entity_id in sorted(after.entities - before.entities):
        doc = documents[entity_id]
        title = str(doc.data.get(doc.kind.title_field) or entity_id)
        old = "internal" if entity_id in base.catalog.documents else "absent"
        out.append(AudienceChange("entity", kind, entity_id, title, doc.rel, old, "public", True))
    for kind, entity_id in sorted(before.entities - after.entities):
        kept = documents.get(entity_id)
        if kept is None:
            continue  # removed: the diff says so already
        title = str(kept.data.get(kept.kind.title_field) or entity_id)
        out.append(AudienceChange("entity", kind, entity_id, title, kept.rel, "public", "not public", False))
    return Audiences(tuple(out))

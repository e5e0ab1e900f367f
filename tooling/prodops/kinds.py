"""The kind registry: what each kind of entity is, read from the schemas, in one place.

Every module that needs to know about kinds (the catalog, ``list``/``show``, export, diff,
CODEOWNERS, the site, the MkDocs plugin, Git revisions) asks ``registry(schemas)`` instead
of keeping its own list of folders or kind -> table map.

A kind is declared by its schema in ``schemas/`` (``x-prodops-kind``, ``x-prodops-folder``,
``x-prodops-title-field``, ``x-ref`` on reference fields). A kind the code has never seen
(say ``decision`` under ``processes/decisions/``) needs nothing else: its entities become
``model.Record`` values, with a generic page, an index page, ``list``, ``show``, ``export``
and ``diff``. These optional annotations on the schema's top level say what the generic
path cannot guess (the schema is the one place they are written; there is no Python or
``pyproject.toml`` counterpart):

* ``x-prodops-list-columns``: the fields ``prodops list KIND`` and the index page show, in order, for
  built-in kinds too (a built-in kind's computed columns such as ``progress`` may be named beside fields)
  (default for a built-in kind: its own columns; otherwise: ``id``, the title field, then ``status``, the owner and the team fields where the schema has them);
* ``x-prodops-sort``: the fields entities are ordered by, ``-field`` for descending (default: ``id``);
* ``x-prodops-owner-field``: the field holding the accountable person's handle (default: ``owner``
  when the schema has it); ``--owner`` filters on it and CODEOWNERS uses that person's team;
* ``x-prodops-team-field``: the field naming the owning team (default: ``team`` when the schema has it);
* ``x-prodops-status-field``: the field holding the entity's state, whose changes ``diff`` calls out and a
  playbook's lifecycle may govern (default: ``status`` when the schema has it);
* ``x-prodops-plural``: the kind's plural as a reader says it (default: its label plus "s");
* ``x-prodops-states`` (on the status field): what each value means (``states.py``), which the
  registry answers with ``meaning``, ``is_done``, ``is_active``, ``is_committed``, ``is_closed``,
  ``is_dropped`` and ``values_meaning``; no other module compares a status with a word.

The built-in kinds (team, objective, roadmap-item, launch, playbook, kpi) have models and
hand-made pages; their behaviour is registered explicitly in ``builtin_kinds.BUILTIN``, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from prodops import model
from prodops.builtin_kinds import BUILTIN, Builtin, RowContext
from prodops.calendar import DEFAULT, Calendar
from prodops.diagnostics import ProdopsError
from prodops.schemas import KindSchema, RefField, SchemaSet, field_schema
from prodops.states import CLOSED, COMMITTED, Meaning, meanings, status_node

MARKDOWN_DEF = "#/$defs/markdown"


def page_path(kind: str, entity_id: str) -> str:
    """An entity's page on the site: one folder per kind, named as the kind (``KindSpec.page_dir``)."""
    return f"{kind}/{entity_id}.md"


@dataclass(frozen=True)
class KindSpec:
    """One kind, everything every module needs of it."""

    kind: str
    folder: str
    schema_file: str
    title_field: str
    label: str  # "roadmap item"
    plural: str  # "roadmap items"
    id_pattern: str  # the id rule, from the schema's ``id`` field ("" when it has none)
    owner_field: str  # "" when the kind has no owner field
    team_field: str
    status_field: str  # "" when the kind has no state
    refs: tuple[RefField, ...]
    list_columns: tuple[str, ...]
    sort: tuple[str, ...]  # fields, "-field" descending (generic kinds)
    markdown_fields: frozenset[str]  # top-level fields written in Markdown
    builtin: Builtin | None = field(default=None, repr=False)
    calendar: Calendar = field(default=DEFAULT, repr=False)  # how this repository's periods are written
    # Each status value and what it means (``x-prodops-states``), in the enum's order.
    states: Mapping[str, Meaning] = field(default_factory=dict)

    @property
    def page_dir(self) -> str:
        """The folder of the site that holds one page per entity of this kind."""
        return self.kind

    @property
    def template(self) -> str:
        return f"{self.kind}.md.j2" if self.builtin is not None else "record.md.j2"

    @property
    def index_page(self) -> str:
        return self.builtin.index_page if self.builtin is not None else f"{self.kind}/index.md"

    @property
    def export_table(self) -> str:
        """The SQLite table of this kind (CSV files keep the kind's name)."""
        return self.kind.replace("-", "_")

    @property
    def nav_title(self) -> str:
        return self.plural[:1].upper() + self.plural[1:]

    def build(self, data: dict[str, Any], file: str) -> model.Entity:
        """The model of a schema-valid document of this kind."""
        if self.builtin is not None:
            built: model.Entity = self.builtin.build(data, file, self.calendar)
            # A built-in model's ``status`` is its ``status`` field, whatever field the schema names.
            if isinstance(built, (model.RoadmapItem, model.Launch)) and self.status_field == "status":
                meaning = self.states.get(built.status)
                if meaning != built.meaning:  # the schema's meanings differ from the built-in words'
                    built = replace(built, meaning=meaning)
            return built
        title = data.get(self.title_field)
        entity_id = str(data["id"])
        return model.Record(entity_id, self.kind, str(title) if title is not None else entity_id, data, file)

    def owner(self, entity: Any) -> str:
        if self.builtin is not None:
            return self.builtin.owner(entity)
        value = entity.data.get(self.owner_field) if self.owner_field else None
        return value if isinstance(value, str) else ""

    def status(self, data: Mapping[str, Any]) -> str | None:
        """The state a document of this kind is in (None when the kind has no state or it is not set)."""
        value = data.get(self.status_field) if self.status_field else None
        return value if isinstance(value, str) else None

    def meaning(self, value: object) -> Meaning | None:
        """What a status value of this kind means (None: not a value with a meaning)."""
        return self.states.get(value) if isinstance(value, str) else None

    def values_meaning(self, *wanted: str) -> tuple[str, ...]:
        """The status values that mean any of ``wanted``, in the schema's order."""
        return tuple(v for v, m in self.states.items() if m in wanted)

    def teams(self, entity: Any) -> tuple[str, ...]:
        if self.builtin is not None:
            return self.builtin.teams(entity)
        value = entity.data.get(self.team_field) if self.team_field else None
        return (value,) if isinstance(value, str) and value else ()

    def row(self, catalog: RowContext, entity: Any) -> dict[str, Any]:
        """The entity's values for ``list`` and the index page, by column."""
        if self.builtin is not None:
            row = self.builtin.row(catalog, entity)
            # A field the adopter added to a built-in kind and named in x-prodops-list-columns: as the file says it.
            extra = [column for column in self.list_columns if column not in row]
            if extra:
                doc = catalog.documents.get(entity.id)
                data = doc.data if doc is not None else {}
                row.update({column: _cell(data.get(column)) for column in extra})
            return row
        return {column: _cell(entity.data.get(column)) for column in self.list_columns}

    def ordered(self, entities: Iterator[Any] | list[Any]) -> list[Any]:
        """Entities in this kind's order: the built-in order, or ``x-prodops-sort``."""
        if self.builtin is not None:
            return sorted(entities, key=self.builtin.sort)
        out = sorted(entities, key=lambda e: e.id)
        for key in reversed(self.sort):  # stable sorts, last key first: each key keeps its own direction
            out.sort(key=_by_field(key.lstrip("-")), reverse=key.startswith("-"))
        return out

    def compute(self, entity: Any) -> dict[str, Any]:
        """The computed fields export adds; none for a generic kind."""
        if self.builtin is None or self.builtin.compute is None:
            return {}
        return self.builtin.compute(entity)

    @property
    def computed(self) -> tuple[str, ...]:
        return self.builtin.computed if self.builtin is not None else ()


def _cell(value: Any) -> Any:
    """A value as one cell: scalars as they are, a list of scalars joined, anything else as text."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value


def _by_field(name: str) -> Callable[[Any], tuple[int, Any]]:
    return lambda entity: _sortable(entity.data.get(name))


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value))


@dataclass(frozen=True)
class Kinds:
    """Every kind of a repository, built-in kinds first (in ``BUILTIN`` order), then the others by name."""

    specs: Mapping[str, KindSpec]
    schemas: SchemaSet = field(repr=False)

    def __getitem__(self, kind: str) -> KindSpec:
        try:
            return self.specs[kind]
        except KeyError:
            raise ProdopsError(f"'{kind}' is not a kind; kinds: {', '.join(self.specs)}") from None

    def __contains__(self, kind: object) -> bool:
        return kind in self.specs

    def __iter__(self) -> Iterator[KindSpec]:
        return iter(self.specs.values())

    def get(self, kind: str) -> KindSpec | None:
        return self.specs.get(kind)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.specs)

    @property
    def generic(self) -> tuple[KindSpec, ...]:
        """The kinds declared only by a schema, with generic pages."""
        return tuple(s for s in self.specs.values() if s.builtin is None)

    @property
    def folders(self) -> tuple[str, ...]:
        """The top-level content folders (a kind's folder may sit inside another's)."""
        return self.schemas.folders

    def kind_for(self, rel_path: str) -> KindSpec | None:
        """The kind of a repository-relative path: the kind with the deepest folder holding it."""
        found = self.schemas.kind_for(rel_path)
        return self.specs[found.kind] if found is not None else None

    def meaning(self, kind: str, value: object) -> Meaning | None:
        """What ``value`` of ``kind``'s status field means (None for a kind without states or an unknown value)."""
        spec = self.specs.get(kind)
        return spec.meaning(value) if spec is not None else None

    def is_done(self, kind: str, value: object) -> bool:
        return self.meaning(kind, value) == "done"

    def is_dropped(self, kind: str, value: object) -> bool:
        return self.meaning(kind, value) == "dropped"

    def is_active(self, kind: str, value: object) -> bool:
        return self.meaning(kind, value) == "active"

    def is_committed(self, kind: str, value: object) -> bool:
        """Committed to and not finished: committed or active."""
        return self.meaning(kind, value) in COMMITTED

    def is_closed(self, kind: str, value: object) -> bool:
        """Done or dropped: nothing more will happen to it."""
        return self.meaning(kind, value) in CLOSED

    def values_meaning(self, kind: str, *wanted: str) -> tuple[str, ...]:
        """The values of ``kind``'s status field that mean any of ``wanted``, in the schema's order."""
        spec = self.specs.get(kind)
        return spec.values_meaning(*wanted) if spec is not None else ()

    def order(self, kind: str) -> int:
        """A kind's place in the registry, for listing kinds in a stable order."""
        names = self.names
        return names.index(kind) if kind in names else len(names)


def registry(schemas: SchemaSet) -> Kinds:
    """The kinds of ``schemas``; built once per schema set."""
    found = schemas.memo.get("kinds")
    if isinstance(found, Kinds):
        return found
    ordered = sorted(schemas.kinds, key=rank)
    kinds = Kinds({name: _spec(schemas, schemas.kinds[name]) for name in ordered}, schemas)
    schemas.memo["kinds"] = kinds
    return kinds


def _spec(schemas: SchemaSet, ks: KindSchema) -> KindSpec:
    doc = ks.schema
    properties: Mapping[str, Any] = doc.get("properties") or {}
    builtin = BUILTIN.get(ks.kind)

    def declared(key: str, default: str) -> str:
        value = doc.get(key)
        return value if isinstance(value, str) else default

    owner_field = declared("x-prodops-owner-field", "owner" if "owner" in properties else "")
    team_field = declared("x-prodops-team-field", "team" if "team" in properties else "")
    status_field = declared("x-prodops-status-field", "status" if "status" in properties else "")
    columns = doc.get("x-prodops-list-columns")
    if isinstance(columns, list) and columns:
        list_columns = tuple(str(c) for c in columns)
    elif builtin is not None:
        list_columns = builtin.list_columns
    else:
        wanted = ["id", ks.title_field, "status", owner_field, team_field]
        list_columns = tuple(dict.fromkeys(c for c in wanted if c and (c == "id" or c in properties)))
    sort = doc.get("x-prodops-sort")
    id_node = field_schema(schemas, ks, ("id",))
    markdown = frozenset(name for name, node in properties.items() if isinstance(node, Mapping) and _is_markdown(node))
    return KindSpec(
        kind=ks.kind,
        folder=ks.folder,
        schema_file=ks.file,
        title_field=ks.title_field,
        label=label_of(ks),
        plural=plural_of(ks),
        id_pattern=str((id_node or {}).get("pattern", "")),
        owner_field=owner_field,
        team_field=team_field,
        status_field=status_field,
        refs=ks.refs,
        list_columns=list_columns,
        sort=tuple(str(s) for s in sort) if isinstance(sort, list) else ("id",),
        markdown_fields=markdown,
        builtin=builtin,
        calendar=schemas.calendar,
        states=meanings(status_node(schemas, ks, status_field)),
    )


def label_of(ks: KindSchema) -> str:
    """How a reader names one entity of a kind: a built-in kind's short name, else the schema's title."""
    builtin = BUILTIN.get(ks.kind)
    return builtin.label if builtin is not None else ks.label


def plural_of(ks: KindSchema) -> str:
    """A kind's plural as a reader says it ("roadmap items"), from the registry or ``x-prodops-plural``."""
    builtin = BUILTIN.get(ks.kind)
    if builtin is not None:
        return builtin.plural
    value = ks.schema.get("x-prodops-plural")
    return value if isinstance(value, str) else ks.label + "s"


def rank(kind: str) -> tuple[int, str]:
    """Where a kind comes when kinds are listed: the built-in kinds in ``BUILTIN`` order, then by name."""
    names = list(BUILTIN)
    return (names.index(kind), "") if kind in BUILTIN else (len(names), kind)


def _is_markdown(node: Mapping[str, Any]) -> bool:
    ref = node.get("$ref")
    return isinstance(ref, str) and ref.endswith(MARKDOWN_DEF)

"""The schemas in ``schemas/``: the one source of truth for kinds, fields and relations.

Each kind's schema carries a few annotations of our own, which JSON Schema
ignores and editors pass over:

* ``x-prodops-kind`` / ``x-prodops-folder``: the kind's name and the folder its files live in;
* ``x-prodops-title-field``: the field that names an entity;
* ``x-ref: KIND`` on a string: the string is the id of an entity of that kind
  (``person`` and ``key-result`` are kinds too, resolved against teams and objectives).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prodops import calendar as cal
from prodops import schemaguard
from prodops.diagnostics import ProdopsError

if TYPE_CHECKING:
    import jsonschema

SCHEMA_SUFFIX = ".schema.json"
# A path pattern into a document: keys, with "*" standing for every item of a list.
Pattern = tuple[str, ...]


@dataclass(frozen=True)
class RefField:
    """A field whose value is the id of another entity."""

    pattern: Pattern
    target: str
    name: str = ""  # the field as people say it: "depends_on", "go_no_go.approvers"
    # The relation read from the target's side ("addresses" for an insight's addressed_by): the
    # schema's ``x-inverse``, so ``prodops add`` can edit the relation from either entity.
    inverse: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", ".".join(p for p in self.pattern if p != "*"))


@dataclass(frozen=True)
class KindSchema:
    """One kind of entity, as its schema declares it."""

    kind: str
    folder: str
    title_field: str
    file: str
    schema: Mapping[str, Any]
    refs: tuple[RefField, ...]
    # A compiled jsonschema-rs validator that answers "is it valid?" quickly; None when unavailable.
    fast: Any = None
    documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)

    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        """python-jsonschema, for the paths and messages of errors; built (and imported) only when needed."""
        return _reference_validator(self.schema, self.documents)

    @property
    def title(self) -> str:
        """The schema's ``title``; the kind's name as a heading ("Decision record") when it has none."""
        value = self.schema.get("title")
        return value if isinstance(value, str) and value.strip() else self.kind.replace("-", " ").capitalize()

    @property
    def description(self) -> str:
        """The schema's ``description``; empty when it has none (both are optional in JSON Schema)."""
        value = self.schema.get("description")
        return value if isinstance(value, str) else ""

    @property
    def label(self) -> str:
        return self.title.lower()


@dataclass(frozen=True)
class SchemaSet:
    """Every kind, keyed by name; the registry that resolves ``$ref`` between files."""

    kinds: Mapping[str, KindSchema]
    documents: Mapping[str, Mapping[str, Any]]
    digest: str = ""  # a hash of the schema files as read: what the cache of checked files depends on
    _by_folder: dict[str, KindSchema | None] = field(default_factory=dict, repr=False, compare=False)
    # What is derived from the schemas once per set (the kind registry, ``kinds.registry``).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The planning calendar declared on ``$defs/period`` (``calendar``), and what is wrong with the declaration.
    calendar: cal.Calendar = cal.DEFAULT
    calendar_problems: tuple[str, ...] = ()

    def kind_for(self, rel_path: str) -> KindSchema | None:
        """The kind whose folder holds ``rel_path`` (the deepest folder wins)."""
        folder = rel_path.rpartition("/")[0]
        try:
            return self._by_folder[folder]
        except KeyError:
            pass
        best: KindSchema | None = None
        for ks in self.kinds.values():
            if rel_path.startswith(ks.folder + "/") and (best is None or len(ks.folder) > len(best.folder)):
                best = ks
        self._by_folder[folder] = best  # the answer depends on the folder only
        return best

    @property
    def folders(self) -> tuple[str, ...]:
        return tuple(sorted({ks.folder.split("/")[0] for ks in self.kinds.values()}))

    def resolve(self, file: str, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """Follow a ``$ref`` (within a file or to another schema file) one step."""
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node
        target_file, _, pointer = ref.partition("#")
        # Every $ref was checked to lead to an object when the schemas were loaded (schemaguard).
        return dict(schemaguard.resolve_pointer(self.documents[target_file or file], pointer))

    def expand(self, file: str, node: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        """Follow ``$ref`` to the end, keeping the referring node's own keywords (its description wins).

        Returns the expanded node and the schema file it lives in, against which its own
        ``$ref`` values resolve.
        """
        if not isinstance(node, Mapping):  # a boolean schema (true: anything, false: nothing) has no keywords
            return {}, file
        merged = dict(node)
        seen: set[str] = set()
        while isinstance(merged.get("$ref"), str) and merged["$ref"] not in seen:
            ref = str(merged["$ref"])
            seen.add(ref)
            target = self.resolve(file, merged)
            file = ref.partition("#")[0] or file
            merged = {**target, **{k: v for k, v in merged.items() if k != "$ref"}}
        return merged, file


def declared_kinds(schema_dir: Path) -> dict[str, str]:
    """Kind -> folder, as the schemas in ``schema_dir`` declare them, without compiling them.

    For what must know the folders before (or without) loading the schemas: a Git revision,
    whose kinds may differ from the working tree's, and the history index. A schema that
    cannot be read declares nothing (loading the schemas reports it).
    """
    found: dict[str, str] = {}
    for path in sorted(schema_dir.glob("*" + SCHEMA_SUFFIX)) if schema_dir.is_dir() else ():
        try:
            doc = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            continue
        kind = doc.get("x-prodops-kind") if isinstance(doc, dict) else None
        folder = doc.get("x-prodops-folder") if isinstance(doc, dict) else None
        # A folder that could lead outside the repository is never listed (loading the schemas reports it).
        if isinstance(kind, str) and not schemaguard.folder_problem(folder):
            found[kind] = str(folder)
    return found


def declared_folders(schema_dir: Path) -> tuple[str, ...]:
    """The top-level content folders the schemas in ``schema_dir`` declare (see ``declared_kinds``)."""
    tops = {folder.split("/")[0] for folder in declared_kinds(schema_dir).values()}
    return tuple(sorted(t for t in tops if t not in ("", ".", "..", "schemas")))


def deepest_kind(folders: Mapping[str, str], rel_path: str) -> str | None:
    """The kind whose folder holds ``rel_path``, the deepest folder winning (kind -> folder given)."""
    best: tuple[int, str] | None = None
    for kind, folder in folders.items():
        if rel_path.startswith(folder + "/") and (best is None or len(folder) > best[0]):
            best = (len(folder), kind)
    return best[1] if best is not None else None


def load_schemas(schema_dir: Path) -> SchemaSet:
    """Read and compile every schema in ``schema_dir``. Raises ProdopsError on a broken schema."""
    if not schema_dir.is_dir():
        raise ProdopsError(f"{schema_dir}: no schemas folder; an ops repository keeps its JSON Schemas in schemas/")
    documents: dict[str, dict[str, Any]] = {}
    texts: dict[str, str] = {}
    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(schema_dir.glob("*" + SCHEMA_SUFFIX)):
        try:
            raw = path.read_bytes()
            texts[path.name] = raw.decode("utf-8")
            documents[path.name] = json.loads(texts[path.name])
        except (OSError, ValueError) as exc:
            raise ProdopsError(f"schemas/{path.name}: cannot read the schema: {exc}") from exc
        hasher.update(path.name.encode() + b"\0" + raw + b"\0")
    for name, doc in documents.items():
        if not isinstance(doc, dict):
            raise ProdopsError(f"schemas/{name}: a schema is a JSON object ({{...}})")
        # Before anything is compiled: a validator would follow a $ref to a file or a URL.
        schemaguard.check(name, texts[name], doc, documents)
    calendar, calendar_problems = _calendar(documents)
    kinds: dict[str, KindSchema] = {}
    partial = SchemaSet(kinds, documents)
    fast_registry = _fast_registry(documents)
    for name, doc in documents.items():
        kind = doc.get("x-prodops-kind")
        if kind is None:
            continue
        fast = _fast_validator(fast_registry, name, doc)
        if fast is None:
            # jsonschema-rs refuses invalid schemas; without it, python-jsonschema checks the schema.
            import jsonschema

            try:
                jsonschema.Draft202012Validator.check_schema(doc)
            except jsonschema.SchemaError as exc:
                raise ProdopsError(f"schemas/{name}: not a valid JSON Schema: {exc.message}") from exc
        kinds[kind] = KindSchema(
            kind=kind,
            folder=str(doc["x-prodops-folder"]),
            title_field=str(doc.get("x-prodops-title-field", "title")),
            file=name,
            schema=doc,
            refs=tuple(_ref_fields(partial, name, doc)),
            fast=fast,
            documents=documents,
        )
    if not kinds:
        raise ProdopsError(f"{schema_dir}: no schema declares 'x-prodops-kind'")
    return SchemaSet(kinds, documents, hasher.hexdigest(), calendar=calendar, calendar_problems=calendar_problems)


CALENDAR_FILE = "common.schema.json"


def read_calendar(schema_dir: Path) -> cal.Calendar:
    """The calendar the schemas declare, read without compiling them (the default when unreadable or wrong)."""
    try:
        document = json.loads((schema_dir / CALENDAR_FILE).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return cal.DEFAULT
    return _calendar({CALENDAR_FILE: document})[0] if isinstance(document, dict) else cal.DEFAULT


def _calendar(documents: Mapping[str, dict[str, Any]]) -> tuple[cal.Calendar, tuple[str, ...]]:
    """The calendar declared on ``$defs/period``; files are then checked against the pattern it implies.

    A declared ``pattern`` that differs from the calendar's is reported (``calendar.check``) and
    replaced, so that every period that passes the schema is one the calendar can read.
    """
    defs = documents.get(CALENDAR_FILE, {}).get("$defs")
    node = defs.get("period") if isinstance(defs, dict) else None
    if not isinstance(node, dict):
        return cal.DEFAULT, ()
    problems: list[str] = []
    calendar = cal.DEFAULT
    if cal.KEY in node:
        calendar, problems = cal.from_declaration(node[cal.KEY])
    if node.get("pattern") != calendar.pattern:
        if not problems:
            problems.append(
                f"the period pattern {node.get('pattern')!r} does not agree with the calendar, "
                f"which writes periods such as {calendar.example}; the pattern must be {calendar.pattern!r}"
            )
        node["pattern"] = calendar.pattern
    return calendar, tuple(problems)


_FAST_BASE = "https://schemas.prodops.invalid/"


def _reference_validator(
    schema: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]
) -> jsonschema.protocols.Validator:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(doc, default_specification=DRAFT202012)) for name, doc in documents.items()
    )
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _fast_registry(documents: Mapping[str, Mapping[str, Any]]) -> Any:
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - the accelerator is a dependency, but optional at run time
        return None
    return jsonschema_rs.Registry(
        [(_FAST_BASE + name, dict(doc)) for name, doc in documents.items()], retriever=_retrieve_nothing
    )


def _retrieve_nothing(uri: str) -> Any:
    """Every document a schema may reference is in the registry; nothing is read from disk or the network."""
    raise ValueError(f"{uri} is not a file of schemas/")


def _fast_validator(registry: Any, name: str, doc: Mapping[str, Any]) -> Any:
    if registry is None:  # pragma: no cover
        return None
    import jsonschema_rs

    try:
        return jsonschema_rs.validator_for(
            dict(doc),
            validate_formats=True,
            registry=registry,
            base_uri=_FAST_BASE + name,
            retriever=_retrieve_nothing,
        )
    except (
        ValueError,
        jsonschema_rs.ValidationError,
        jsonschema_rs.ReferencingError,
    ):  # fall back to the reference validator
        return None


def _ref_fields(
    schemas: SchemaSet, file: str, node: Mapping[str, Any], prefix: Pattern = (), seen: frozenset[str] = frozenset()
) -> Iterator[RefField]:
    if not isinstance(node, Mapping):  # a boolean schema names nothing
        return
    target = node.get("x-ref")
    if isinstance(target, str):
        inverse = node.get("x-inverse")
        yield RefField(prefix, target, inverse=inverse if isinstance(inverse, str) else "")
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        target_file = ref.partition("#")[0] or file
        yield from _ref_fields(schemas, target_file, schemas.resolve(file, node), prefix, seen | {ref})
    for key, sub in (node.get("properties") or {}).items():
        yield from _ref_fields(schemas, file, sub, (*prefix, key), seen)
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from _ref_fields(schemas, file, items, (*prefix, "*"), seen)


def values_at(data: Any, pattern: Pattern) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value in ``data`` that ``pattern`` reaches, with its concrete JSON path."""
    level: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    for step in pattern:
        following: list[tuple[tuple[str | int, ...], Any]] = []
        for path, value in level:
            if step == "*":
                if type(value) is list:
                    following.extend(((*path, index), item) for index, item in enumerate(value))
            elif type(value) is dict and step in value:
                following.append(((*path, step), value[step]))
        if not following:
            return
        level = following
    yield from level


def field_schema(schemas: SchemaSet, kind: KindSchema, path: tuple[str | int, ...]) -> Mapping[str, Any] | None:
    """The schema node that describes the value at ``path`` (for hints), if it can be found."""
    node, file = schemas.expand(kind.file, kind.schema)
    for part in path:
        child = node.get("items") if isinstance(part, int) else (node.get("properties") or {}).get(part)
        if not isinstance(child, Mapping):
            return None
        node, file = schemas.expand(file, child)
    return node


def enum_values(schemas: SchemaSet, kind: str, path: tuple[str | int, ...]) -> tuple[str, ...]:
    """The allowed values of a field, in the schema's order (the one place they are written)."""
    ks = schemas.kinds.get(kind)
    node = field_schema(schemas, ks, path) if ks is not None else None
    values = node.get("enum") if node is not None else None
    return tuple(str(v) for v in values) if isinstance(values, list) else ()

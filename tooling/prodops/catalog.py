"""Identity and relations: ids, references between entities, inverse relations and cycles.

References are found through the ``x-ref`` annotations in the schemas, so adding a
reference field to a schema is all it takes for it to be checked and linked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import NamedTuple

from prodops import kinds, model
from prodops.builtin_kinds import BUILTIN
from prodops.calendar import DEFAULT, Calendar
from prodops.diagnostics import Diagnostic, JsonPath
from prodops.loader import Document
from prodops.metrics.model import Kpi
from prodops.metrics.store import Metrics
from prodops.outline import KEY_RESULT, PERSON, Outline, outline
from prodops.schemas import SchemaSet
from prodops.states import MeaningOf, builtin_meaning
from prodops.suggest import did_you_mean

# UNIT:ID names an entity of another unit's repository: it is checked against that unit's
# contract (``prodops.federation``), never linked here.
UNIT_SEPARATOR = ":"

__all__ = ["KEY_RESULT", "PERSON", "Catalog", "Reference", "link"]


class Reference(NamedTuple):
    """One use of an id: ``source`` entity's field at ``path`` names ``target`` of ``kind``."""

    source: str
    field: str
    path: JsonPath
    kind: str
    target: str


@dataclass
class Catalog:
    """Every valid entity by id, and the relations between them in both directions."""

    teams: dict[str, model.Team] = field(default_factory=dict)
    objectives: dict[str, model.Objective] = field(default_factory=dict)
    items: dict[str, model.RoadmapItem] = field(default_factory=dict)
    launches: dict[str, model.Launch] = field(default_factory=dict)
    playbooks: dict[str, model.Playbook] = field(default_factory=dict)
    key_results: dict[str, model.KeyResult] = field(default_factory=dict)
    people: dict[str, tuple[model.Member, str]] = field(default_factory=dict)  # handle -> (member, team id)
    references: list[Reference] = field(default_factory=list)
    # target id -> references pointing at it (inverse relations: "moved by", "blocks", "shipped by"...)
    incoming: dict[str, list[Reference]] = field(default_factory=lambda: defaultdict(list))
    documents: dict[str, Document] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)  # KPIs with their histories (the metrics stage)
    # Entities of the kinds without a model of their own (declared only by a schema), by kind.
    records: dict[str, dict[str, model.Record]] = field(default_factory=dict)
    # The kind registry the catalog was linked with (None for a catalog built by hand).
    kinds: kinds.Kinds | None = None

    @property
    def calendar(self) -> Calendar:
        """The planning calendar the schemas declare (calendar quarters for a catalog built by hand)."""
        return self.kinds.schemas.calendar if self.kinds is not None else DEFAULT

    @property
    def meaning(self) -> MeaningOf:
        """What each kind's status values mean (the schemas' x-prodops-states; the built-in words' by hand)."""
        return self.kinds.meaning if self.kinds is not None else builtin_meaning

    def of(self, kind: str) -> Mapping[str, model.Entity]:
        """Every valid entity of ``kind`` by id (the built-in kinds' tables are ``items``, ``objectives``...)."""
        builtin = BUILTIN.get(kind)
        if builtin is not None:
            table: Mapping[str, model.Entity] = getattr(self, builtin.attribute)
            return table
        return self.records.get(kind, {})

    def _table(self, kind: str) -> dict[str, model.Entity]:
        builtin = BUILTIN.get(kind)
        if builtin is not None:
            table: dict[str, model.Entity] = getattr(self, builtin.attribute)
            return table
        return self.records.setdefault(kind, {})  # type: ignore[return-value]

    def kind_of(self, entity_id: str) -> str | None:
        """The kind of the entity with this id (valid or not), or None."""
        doc = self.documents.get(entity_id)
        return doc.kind.kind if doc is not None else None

    def entity(self, entity_id: str) -> model.Entity | None:
        """The valid entity with this id, of any kind, or None."""
        kind = self.kind_of(entity_id)
        return self.of(kind).get(entity_id) if kind is not None else None

    def owning_teams(self, entity_id: str) -> tuple[str, ...]:
        """The teams that own an entity: those it names (``KindSpec.teams``), else its owner's team."""
        kind = self.kind_of(entity_id)
        entity = self.entity(entity_id)
        if kind is None or entity is None or self.kinds is None:
            return ()
        spec = self.kinds[kind]
        direct = spec.teams(entity)
        if direct:
            return direct
        person = spec.owner(entity)
        found = self.people.get(person) if person else None
        return (found[1],) if found else ()

    def referrers(self, target: str, kind: str | None = None, field_name: str | None = None) -> list[Reference]:
        return [
            r
            for r in self.incoming.get(target, ())
            if (kind is None or r.kind == kind) and (field_name is None or r.field == field_name)
        ]

    def launches_of(self, item_id: str) -> list[model.Launch]:
        return [
            self.launches[r.source]
            for r in self.referrers(item_id, "roadmap-item", "items")
            if r.source in self.launches
        ]

    def items_moving(self, kr_ref: str) -> list[model.RoadmapItem]:
        return [
            self.items[r.source] for r in self.referrers(kr_ref, KEY_RESULT, "key_results") if r.source in self.items
        ]

    def dependents(self, item_id: str) -> list[model.RoadmapItem]:
        return [
            self.items[r.source]
            for r in self.referrers(item_id, "roadmap-item", "depends_on")
            if r.source in self.items
        ]


def link(
    documents: Iterable[Document],
    valid: Mapping[str, bool],
    schemas: SchemaSet,
    unloaded: Mapping[str, str] | None = None,
    outlines: Mapping[str, Outline] | None = None,
    focus: AbstractSet[str] | None = None,
) -> tuple[Catalog, list[Diagnostic]]:
    """Index ids, check every reference, derive inverse relations and find cycles.

    ``valid`` says which documents passed their schema: only those become model
    objects, but every document's id is known, and so is the id (file name) of
    every file that could not be loaded (``unloaded``: id -> kind), so one
    mistake is never reported a second time as a dangling reference elsewhere.

    ``outlines`` (by repository-relative path) say what each document defines and names,
    leaving out values with a schema error of their own, which are not checked again; a
    document without one is outlined here. Linking reads nothing else of a document, so a
    cached document's data is read only if a model is built from it.

    With ``focus`` (repository-relative paths), model objects and references are built
    only for those files' entities, the entities they reference, the entities that
    reference them and every team: all a process rule looks at to judge an entity, so
    their findings are the same as with the whole catalog, at a fraction of the cost (what
    pre-commit runs). Ids, reference checks and cycles still cover the whole repository.
    """
    registry = kinds.registry(schemas)
    catalog = Catalog(kinds=registry)
    problems: list[Diagnostic] = []
    known: dict[str, Document] = {}
    known_krs: dict[str, tuple[str, ...]] = {}
    outlined: dict[str, Outline] = {}
    placeholders = dict(unloaded or {})
    given = outlines or {}
    for doc in sorted(documents, key=lambda d: d.rel):
        shape = given.get(doc.rel)
        if shape is None:
            shape = outline(doc)
        raw_id = shape.id
        if raw_id is None:
            if valid.get(doc.rel):  # an invalid document has its schema error; a valid one would vanish unseen
                problems.append(_no_id(doc))
            continue
        stem = doc.stem
        if raw_id != stem:
            problems.append(_id_problem(doc, "PO302", raw_id, stem, None))
        first = known.get(raw_id)
        if first is not None:
            problems.append(_id_problem(doc, "PO301", raw_id, stem, first))
            continue
        known[raw_id] = doc
        outlined[raw_id] = shape
        if doc.kind.kind == "objective":
            known_krs[raw_id] = shape.key_results
        catalog.documents[raw_id] = doc
        if raw_id != stem:
            placeholders.setdefault(stem, doc.kind.kind)

    # What each kind of reference may name: ids of that kind (and of files of that kind that
    # failed to load, which have an error of their own), or OBJECTIVE.KR for key results.
    # Checks are set operations, so 50,000 references cost a few milliseconds.
    resolvable: dict[str, set[str]] = defaultdict(set)
    for oid, doc in known.items():
        resolvable[doc.kind.kind].add(oid)
    for placeholder, kind in placeholders.items():
        resolvable[kind].add(placeholder)
    resolvable[KEY_RESULT] = {f"{oid}.{kr}" for oid, krs in known_krs.items() for kr in krs}

    def resolves(kind: str, value: str) -> bool:
        return kind == PERSON or value in resolvable[kind]  # people are checked by a process rule

    # References are checked in every document, so a PM sees a dangling id together with
    # the schema errors; only valid documents contribute relations.
    subjects = {oid for oid, doc in known.items() if doc.rel in focus} if focus is not None else set()
    wanted: set[str] | None = None if focus is None else {*subjects}
    # How references to the files in focus are written: their ids, and OBJECTIVE.KR for their key results.
    naming_subjects = subjects | {f"{oid}.{kr}" for oid in subjects for kr in known_krs.get(oid, ())}
    # Relations from a kind to itself (depends_on, parent objectives), between valid documents: for cycles.
    graphs: dict[str, dict[str, list[str]]] = defaultdict(dict)
    # Per kind, the fields that name entities: (index in the outline's targets, ids it may name, field, to itself?).
    plans = {
        name: [
            (i, resolvable[ref.target], ref.name, ref.target == name)
            for i, ref in enumerate(kind.refs)
            if ref.target != PERSON
        ]
        for name, kind in schemas.kinds.items()
    }
    for oid, doc in known.items():
        shape = outlined[oid]
        all_targets = shape.targets
        is_valid = valid.get(doc.rel)
        broken = False
        for i, ids, field_name, to_itself in plans[doc.kind.kind]:
            targets = all_targets[i] if i < len(all_targets) else ()
            if not targets:
                continue
            if not ids.issuperset(targets) and not ids.issuperset(t for t in targets if UNIT_SEPARATOR not in t):
                broken = True
            if wanted is not None and not naming_subjects.isdisjoint(targets):
                wanted.add(oid)  # it names a file in focus: the rules judging that file may look at it
            if to_itself and is_valid:
                graphs[field_name].setdefault(oid, []).extend(t for t in targets if t in ids)
        if broken:  # positions come from the full list of references, read only for such a file
            problems.extend(_reference_problems(oid, doc, shape, known, known_krs, schemas, resolves))
    if wanted is not None:
        wanted.update(oid for oid, doc in known.items() if doc.kind.kind == "team")
        for oid in subjects:
            wanted.update(_entity_named(kind, value) for _, kind, _, value in outlined[oid].refs if kind != PERSON)

    for oid, doc in known.items():
        if not valid.get(doc.rel) or (wanted is not None and oid not in wanted):
            continue
        for field_name, kind, path, value in outlined[oid].refs:
            if resolves(kind, value):
                ref = Reference(oid, field_name, path, kind, value)
                catalog.references.append(ref)
                catalog.incoming[value].append(ref)
        catalog._table(doc.kind.kind)[oid] = registry[doc.kind.kind].build(doc.data, doc.rel)
    for team in catalog.teams.values():
        for member in team.members:
            catalog.people.setdefault(member.handle, (member, team.id))
    catalog.objectives = model.roll_up(catalog.objectives)
    for objective in catalog.objectives.values():
        for kr in objective.key_results:
            catalog.key_results[kr.ref] = kr

    problems.extend(_cycles(graphs, known, outlined))
    return catalog, problems


def _entity_named(kind: str, value: str) -> str:
    """The entity a reference leads to: a key result ``OBJECTIVE.KR`` leads to its objective."""
    return value.partition(".")[0] if kind == KEY_RESULT else value


def _no_id(doc: Document) -> Diagnostic:
    """A document its schema accepts without a text ``id``: it could be neither listed nor referenced."""
    line, column = doc.locate(("id",)) if "id" in doc.data else (1, 1)
    return Diagnostic(
        "error",
        "PO302",
        "the file has no id (text naming the entity); every entity is known by its id",
        doc.rel,
        line,
        column,
        ("id",),
        hint=f"add 'id: {doc.stem}' (its file name), and make 'id' a required text field in schemas/{doc.kind.file}",
    )


def _id_problem(doc: Document, code: str, raw_id: str, stem: str, first: Document | None) -> Diagnostic:
    line, column = doc.locate(("id",))
    if first is None:
        message = f"id '{raw_id}' does not match the file name '{stem}.yaml'"
        hint = f"an entity's id equals its file name: set 'id: {stem}' or rename the file to {raw_id}.yaml"
    else:
        message = f"id '{raw_id}' is already used by {first.rel}"
        hint = "ids are unique across the repository; rename one of the two files and its id"
    return Diagnostic("error", code, message, doc.rel, line, column, ("id",), hint=hint)


def _suggest(value: str, candidates: Iterable[str]) -> str:
    return did_you_mean(value, candidates)


def _reference_problems(
    oid: str,
    doc: Document,
    shape: Outline,
    known: Mapping[str, Document],
    known_krs: Mapping[str, tuple[str, ...]],
    schemas: SchemaSet,
    resolves: Callable[[str, str], bool],
) -> list[Diagnostic]:
    """Every reference of one document that names no entity of its kind, positioned."""
    return [
        _reference_problem(doc, Reference(oid, field_name, path, kind, value), known, known_krs, schemas)
        for field_name, kind, path, value in shape.refs
        if not resolves(kind, value) and UNIT_SEPARATOR not in value
    ]


def _reference_problem(
    doc: Document,
    ref: Reference,
    known: Mapping[str, Document],
    known_krs: Mapping[str, tuple[str, ...]],
    schemas: SchemaSet,
) -> Diagnostic:
    """What is wrong with a reference that names no entity of its kind."""

    def problem(code: str, message: str, hint: str) -> Diagnostic:
        line, column = doc.locate(ref.path)  # positions are computed only for files with a problem
        return Diagnostic("error", code, message, doc.rel, line, column, ref.path, hint=hint)

    if ref.kind == KEY_RESULT:
        objective, _, kr = ref.target.partition(".")
        if objective not in known_krs:
            return problem(
                "PO303",
                f"{ref.field}: '{ref.target}' names no objective '{objective}'{_suggest(objective, known_krs)}",
                "write key results as OBJECTIVE-ID.KR-ID; `prodops list objective` shows the ids",
            )
        listed = ", ".join(known_krs[objective]) or "none"
        return problem(
            "PO303",
            f"{ref.field}: objective '{objective}' has no key result '{kr}'{_suggest(kr, known_krs[objective])}",
            f"its key results are: {listed}",
        )
    target = known.get(ref.target)
    label = schemas.kinds[ref.kind].label if ref.kind in schemas.kinds else ref.kind
    if target is None:
        same_kind = [i for i, d in known.items() if d.kind.kind == ref.kind]
        folder = schemas.kinds[ref.kind].folder if ref.kind in schemas.kinds else ""
        return problem(
            "PO303",
            f"{ref.field}: '{ref.target}' is not a {label}{_suggest(ref.target, same_kind)}",
            f"use the id of a file in {folder}/ (its name without .yaml)",
        )
    return problem(
        "PO304",
        f"{ref.field}: '{ref.target}' is a {target.kind.label}, not a {label}",
        f"this field takes the id of a {label}",
    )


def _cycles(
    graphs: Mapping[str, Mapping[str, list[str]]], known: Mapping[str, Document], outlined: Mapping[str, Outline]
) -> list[Diagnostic]:
    """One diagnostic per cycle in each relation graph (field -> source id -> target ids)."""
    problems: list[Diagnostic] = []
    for field_name, graph in sorted(graphs.items()):
        for cycle in _find_cycles(graph):
            start = min(cycle)
            i = cycle.index(start)
            ordered = cycle[i:] + cycle[:i]
            following = ordered[1 % len(ordered)]
            path = next(p for f, _, p, v in outlined[start].refs if f == field_name and v == following)
            doc = known[start]
            line, column = doc.locate(path)
            shown = " → ".join([*ordered, start])
            problems.append(
                Diagnostic(
                    "error",
                    "PO305",
                    f"{field_name}: cycle {shown}",
                    doc.rel,
                    line,
                    column,
                    path,
                    hint=f"break the cycle: remove one of these {field_name} entries",
                )
            )
    return problems


def _find_cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with a cycle (iterative Tarjan, no recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, pos = work.pop()
            if pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph.get(node, ())
            if pos < len(edges):
                work.append((node, pos + 1))
                nxt = edges[pos]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                self_loop = node in graph.get(node, ())
                if len(component) > 1 or self_loop:
                    cycles.append(_cycle_in(set(component), graph, min(component)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def _cycle_in(component: set[str], graph: Mapping[str, list[str]], start: str) -> list[str]:
    """A concrete cycle through ``start`` inside one strongly connected component (BFS)."""
    parents: dict[str, str] = {}
    queue = [start]
    seen = {start}
    while queue:
        node = queue.pop(0)
        for nxt in graph.get(node, ()):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return list(reversed(path))
            if nxt in component and nxt not in seen:
                seen.add(nxt)
                parents[nxt] = node
                queue.append(nxt)
    return [start]

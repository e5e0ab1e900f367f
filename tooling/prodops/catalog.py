"""Identity and relations: ids, references between entities, inverse relations and cycles.

References are found through the ``x-ref`` annotations in the schemas, so adding a
reference field to a schema is all it takes for it to be checked and linked.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from prodops import model
from prodops.diagnostics import Diagnostic, JsonPath
from prodops.loader import Document
from prodops.schemas import SchemaSet, values_at

# Kinds that are not files: people (members of teams) and key results (inside objectives).
PERSON = "person"
KEY_RESULT = "key-result"


class Reference(NamedTuple):
    """One use of an id: ``source`` entity's field at ``path`` names ``target`` of ``kind``."""

    source: str
    field: str
    path: JsonPath
    kind: str
    target: str


class Outline(NamedTuple):
    """What one file defines and names: all that linking needs, without the file's data.

    The cache keeps an outline per file, so a run that checks one file links the whole
    repository without reading the data of every other file.
    """

    id: str | None
    key_results: tuple[str, ...]  # the key-result ids of an objective
    refs: tuple[tuple[str, str, JsonPath, str], ...]  # (field, kind, path, id) for every string in a reference field


def outline(doc: Document, invalid: Collection[JsonPath] = ()) -> Outline:
    """The outline of a loaded document; values at ``invalid`` paths (schema errors of their own) are left out."""
    data = doc.data
    raw_id = data.get("id")
    krs: tuple[str, ...] = ()
    if doc.kind.kind == "objective" and isinstance(data.get("key_results"), list):
        krs = tuple(kr["id"] for kr in data["key_results"] if isinstance(kr, dict) and isinstance(kr.get("id"), str))
    refs = tuple(
        (ref_field.name, ref_field.target, path, value)
        for ref_field in doc.kind.refs
        for path, value in values_at(data, ref_field.pattern)
        if isinstance(value, str) and path not in invalid
    )
    return Outline(raw_id if isinstance(raw_id, str) else None, krs, refs)


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

    def entity(self, entity_id: str) -> model.Entity | None:
        for table in (self.items, self.objectives, self.launches, self.playbooks, self.teams):
            found = table.get(entity_id)
            if found is not None:
                return found
        return None

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
    focus: set[str] | None = None,
) -> tuple[Catalog, list[Diagnostic]]:
    """Index ids, check every reference, derive inverse relations and find cycles.

    ``valid`` says which documents passed their schema: only those become model
    objects, but every document's id is known, and so is the id (file name) of
    every file that could not be loaded (``unloaded``: id -> kind), so one
    mistake is never reported a second time as a dangling reference elsewhere.

    ``outlines`` (by repository-relative path) say what each document defines and names,
    leaving out values with a schema error of their own, which are not checked again; a
    document without one is outlined here. Linking reads nothing else of a document, so a
    cached document's data is never read unless a model is built from it.

    With ``focus`` (repository-relative paths), model objects are built only for those
    files' entities, the entities they reference, the entities that reference them and
    every team: all a process rule looks at to judge an entity, so their findings are the
    same as with the whole catalog, at a fraction of the cost (what pre-commit runs).
    Ids, references and cycles still cover the whole repository.
    """
    catalog = Catalog()
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
            continue
        if raw_id != doc.stem:
            line, column = doc.locate(("id",))
            problems.append(
                Diagnostic(
                    "error",
                    "PO302",
                    f"id '{raw_id}' does not match the file name '{doc.stem}.yaml'",
                    doc.rel,
                    line,
                    column,
                    ("id",),
                    hint=f"an entity's id equals its file name: set 'id: {doc.stem}' or rename the file to {raw_id}.yaml",
                )
            )
        first = known.get(raw_id)
        if first is not None:
            line, column = doc.locate(("id",))
            problems.append(
                Diagnostic(
                    "error",
                    "PO301",
                    f"id '{raw_id}' is already used by {first.rel}",
                    doc.rel,
                    line,
                    column,
                    ("id",),
                    hint="ids are unique across the repository; rename one of the two files and its id",
                )
            )
            continue
        known[raw_id] = doc
        outlined[raw_id] = shape
        if doc.kind.kind == "objective":
            known_krs[raw_id] = shape.key_results
        catalog.documents[raw_id] = doc
        if raw_id != doc.stem:
            placeholders.setdefault(doc.stem, doc.kind.kind)

    incoming = catalog.incoming
    for oid, doc in known.items():
        # References are checked in every document, so a PM sees a dangling id together
        # with the schema errors; only valid documents contribute relations.
        is_valid = bool(valid.get(doc.rel))
        for field_name, target_kind, path, value in outlined[oid].refs:
            if target_kind != PERSON and placeholders.get(value) != target_kind:
                if target_kind == KEY_RESULT:
                    objective_id, _, kr_id = value.partition(".")
                    ok = kr_id in known_krs.get(objective_id, ())
                else:
                    found = known.get(value)
                    ok = found is not None and found.kind.kind == target_kind
                if not ok:
                    ref = Reference(oid, field_name, path, target_kind, value)
                    problems.append(_reference_problem(doc, ref, known, known_krs, schemas))
                    continue
            if not is_valid:
                continue
            ref = Reference(oid, field_name, path, target_kind, value)
            catalog.references.append(ref)
            incoming[value].append(ref)

    wanted = None if focus is None else _neighbourhood(catalog, known, focus)
    for raw_id, doc in known.items():
        if valid.get(doc.rel) and (wanted is None or raw_id in wanted):
            builder = model.BUILDERS.get(doc.kind.kind)
            if builder is not None:
                _table(catalog, doc.kind.kind)[raw_id] = builder(doc.data, doc.rel)
    for team in catalog.teams.values():
        for member in team.members:
            catalog.people.setdefault(member.handle, (member, team.id))
    for objective in catalog.objectives.values():
        for kr in objective.key_results:
            catalog.key_results[kr.ref] = kr

    problems.extend(_cycles(catalog, schemas))
    return catalog, problems


def _neighbourhood(catalog: Catalog, known: Mapping[str, Document], focus: set[str]) -> set[str]:
    subjects = {entity_id for entity_id, doc in known.items() if doc.rel in focus}
    wanted = set(subjects) | {entity_id for entity_id, doc in known.items() if doc.kind.kind == "team"}
    for ref in catalog.references:
        target = ref.target.partition(".")[0] if ref.kind == KEY_RESULT else ref.target
        if ref.source in subjects:
            wanted.add(target)
        if target in subjects:
            wanted.add(ref.source)
    return wanted


def _table(catalog: Catalog, kind: str) -> dict[str, object]:
    tables: dict[str, dict[str, object]] = {
        "team": catalog.teams,  # type: ignore[dict-item]
        "objective": catalog.objectives,  # type: ignore[dict-item]
        "roadmap-item": catalog.items,  # type: ignore[dict-item]
        "launch": catalog.launches,  # type: ignore[dict-item]
        "playbook": catalog.playbooks,  # type: ignore[dict-item]
    }
    return tables[kind]


def _suggest(value: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


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


def _cycles(catalog: Catalog, schemas: SchemaSet) -> list[Diagnostic]:
    """Cycles in every relation from a kind to itself (depends_on, parent objectives)."""
    problems: list[Diagnostic] = []
    graphs: dict[str, dict[str, list[Reference]]] = defaultdict(lambda: defaultdict(list))
    for ref in catalog.references:
        doc = catalog.documents.get(ref.source)
        if doc is not None and doc.kind.kind == ref.kind:
            graphs[ref.field][ref.source].append(ref)
    for field_name, graph in sorted(graphs.items()):
        for cycle in _find_cycles(graph):
            start = min(cycle)
            i = cycle.index(start)
            ordered = cycle[i:] + cycle[:i]
            first_ref = next(r for r in graph[start] if r.target == ordered[1 % len(ordered)])
            doc = catalog.documents[start]
            line, column = doc.locate(first_ref.path)
            shown = " → ".join([*ordered, start])
            problems.append(
                Diagnostic(
                    "error",
                    "PO305",
                    f"{field_name}: cycle {shown}",
                    doc.rel,
                    line,
                    column,
                    first_ref.path,
                    hint=f"break the cycle: remove one of these {field_name} entries",
                )
            )
    return problems


def _find_cycles(graph: Mapping[str, list[Reference]]) -> list[list[str]]:
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
            edges = [r.target for r in graph.get(node, ())]
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
                self_loop = any(r.target == node for r in graph.get(node, ()))
                if len(component) > 1 or self_loop:
                    cycles.append(_cycle_in(set(component), graph, min(component)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def _cycle_in(component: set[str], graph: Mapping[str, list[Reference]], start: str) -> list[str]:
    """A concrete cycle through ``start`` inside one strongly connected component (BFS)."""
    parents: dict[str, str] = {}
    queue = [start]
    seen = {start}
    while queue:
        node = queue.pop(0)
        for ref in graph.get(node, ()):
            nxt = ref.target
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

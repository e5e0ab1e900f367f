"""What a change means: entities added, removed, renamed and changed, with the changes reviewers care about called out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodops import model
from prodops.catalog import Catalog
from prodops.loader import Document


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass
class EntityChange:
    kind: str
    id: str
    title: str
    file: str
    status: str  # added | removed | renamed | changed
    old_id: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # called-out changes, in plain words


@dataclass
class Report:
    base: str
    head: str
    changes: list[EntityChange]

    @property
    def attention(self) -> list[tuple[EntityChange, str]]:
        return [(c, note) for c in self.changes for note in c.notes]


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaf values by readable path; list items that have an id are keyed by it (``key_results[kr1].target``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and value and all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in value):
        for item in value:
            yield from flatten({k: v for k, v in item.items() if k != "id"}, f"{prefix}[{item['id']}]")
    elif isinstance(value, list) and all(not isinstance(i, (dict, list)) for i in value):
        yield prefix, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def compare(base: Catalog, head: Catalog, base_name: str = "base", head_name: str = "working tree") -> Report:
    old_docs, new_docs = base.documents, head.documents
    changes: list[EntityChange] = []
    added = sorted(set(new_docs) - set(old_docs))
    removed = sorted(set(old_docs) - set(new_docs))
    renamed: dict[str, str] = {}
    for new_id in added:
        new_doc = new_docs[new_id]
        for old_id in removed:
            old_doc = old_docs[old_id]
            if (
                old_id not in renamed.values()
                and old_doc.kind.kind == new_doc.kind.kind
                and _title(old_doc) == _title(new_doc)
            ):
                renamed[new_id] = old_id
                break
    for new_id in added:
        doc = new_docs[new_id]
        if new_id in renamed:
            old_id = renamed[new_id]
            change = _changed(old_docs[old_id], doc)
            change.status, change.old_id = "renamed", old_id
            change.notes.insert(0, f"renamed from `{old_id}`")
            changes.append(change)
        else:
            changes.append(
                EntityChange(doc.kind.kind, new_id, _title(doc), doc.rel, "added", notes=[f"new {doc.kind.label}"])
            )
    for old_id in removed:
        if old_id not in renamed.values():
            doc = old_docs[old_id]
            changes.append(
                EntityChange(
                    doc.kind.kind, old_id, _title(doc), doc.rel, "removed", notes=[f"{doc.kind.label} removed"]
                )
            )
    for entity_id in sorted(set(old_docs) & set(new_docs)):
        if old_docs[entity_id].data != new_docs[entity_id].data:
            changes.append(_changed(old_docs[entity_id], new_docs[entity_id]))
    for change in changes:
        change.notes.extend(_called_out(change, base, head))
    order = {"roadmap-item": 0, "objective": 1, "launch": 2, "playbook": 3, "team": 4}
    changes.sort(key=lambda c: (order.get(c.kind, 9), c.id))
    return Report(base_name, head_name, changes)


def _title(doc: Document) -> str:
    value = doc.data.get(doc.kind.title_field) or doc.data.get("title") or doc.data.get("id")
    return str(value)


def _changed(old: Document, new: Document) -> EntityChange:
    before, after = dict(flatten(old.data)), dict(flatten(new.data))
    fields = [
        FieldChange(path, before.get(path), after.get(path))
        for path in sorted(set(before) | set(after), key=lambda p: (_order(new, p), p))
        if before.get(path) != after.get(path) and path != "id"
    ]
    return EntityChange(new.kind.kind, str(new.data.get("id")), _title(new), new.rel, "changed", fields=fields)


def _order(doc: Document, path: str) -> int:
    top = path.split(".", 1)[0].split("[", 1)[0]
    keys = list(doc.data)
    return keys.index(top) if top in keys else len(keys)


def _called_out(change: EntityChange, base: Catalog, head: Catalog) -> Iterator[str]:
    old_id = change.old_id or change.id
    if change.kind == "roadmap-item":
        yield from _item_notes(base.items.get(old_id), head.items.get(change.id), head)
    elif change.kind == "objective":
        yield from _objective_notes(base.objectives.get(old_id), head.objectives.get(change.id))
    elif change.kind == "launch":
        yield from _launch_notes(base.launches.get(old_id), head.launches.get(change.id))
    elif change.kind == "playbook" and change.status == "changed":
        touched = {f.path.split("[", 1)[0].split(".", 1)[0] for f in change.fields}
        if touched & {"checklist_template", "lifecycle"}:
            yield (
                "process change: what CI enforces changes ("
                + ", ".join(sorted(touched & {"checklist_template", "lifecycle"}))
                + ")"
            )


def _days(old: date | None, new: date | None) -> str:
    if old is None or new is None or old == new:
        return ""
    delta = (new - old).days
    return (
        f"slipped {delta} days ({old.isoformat()} → {new.isoformat()})"
        if delta > 0
        else f"pulled in {-delta} days ({old.isoformat()} → {new.isoformat()})"
    )


def _item_notes(old: model.RoadmapItem | None, new: model.RoadmapItem | None, head: Catalog) -> Iterator[str]:
    if new is None:
        return
    if old is None:
        if new.horizon == "now":
            yield "added straight to **now**"
        return
    if old.horizon != new.horizon:
        yield f"horizon **{old.horizon} → {new.horizon}**"
    if old.status != new.status:
        yield f"status **{old.status} → {new.status}**"
    slip = _days(old.due, new.due)
    if slip:
        yield f"due date {slip}"
    if old.key_results and not new.key_results:
        yield "lost its last link to a key result"
    if old.owner and not new.owner:
        yield "lost its owner"
    due = new.due
    if due is not None and due != old.due:
        for dependent in sorted(head.dependents(new.id), key=lambda i: i.id):
            if dependent.active and dependent.due is not None and dependent.due < due:
                yield f"`{dependent.id}` depends on it but is due {dependent.due.isoformat()}, before it ({due.isoformat()})"


def _objective_notes(old: model.Objective | None, new: model.Objective | None) -> Iterator[str]:
    if old is None or new is None:
        return
    before: Mapping[str, model.KeyResult] = {kr.id: kr for kr in old.key_results}
    for kr in new.key_results:
        was = before.get(kr.id)
        if was is None:
            yield f"key result `{kr.id}` added"
            continue
        if was.target != kr.target:
            yield f"key result `{kr.id}` target **{was.target:g} → {kr.target:g}** {kr.unit}"
        if was.baseline != kr.baseline:
            yield f"key result `{kr.id}` baseline **{was.baseline:g} → {kr.baseline:g}** {kr.unit}"
        if was.confidence >= 0.5 > kr.confidence:
            yield f"key result `{kr.id}` is now at risk (confidence {was.confidence:g} → {kr.confidence:g})"
    for kr_id in sorted(set(before) - {kr.id for kr in new.key_results}):
        yield f"key result `{kr_id}` removed"


def _launch_notes(old: model.Launch | None, new: model.Launch | None) -> Iterator[str]:
    if old is None or new is None:
        return
    slip = _days(old.ga, new.ga)
    if slip:
        yield f"GA date {slip}"
    if old.status != new.status:
        yield f"status **{old.status} → {new.status}**"
    if new.readiness_done < old.readiness_done:
        yield f"readiness fell {round(old.readiness_done * 100)}% → {round(new.readiness_done * 100)}%"
    old_decision = old.go_no_go.decision if old.go_no_go else "not set"
    new_decision = new.go_no_go.decision if new.go_no_go else "not set"
    if old_decision != new_decision:
        yield f"go/no-go **{old_decision} → {new_decision}**"
    if old.tier != new.tier:
        yield f"tier {old.tier} → {new.tier}"

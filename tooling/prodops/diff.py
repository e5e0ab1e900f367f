"""What a change means: entities added, removed, renamed and changed, with the changes reviewers care about called out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodops import kinds, kpidiff, lifecycle, model
from prodops.audiencediff import Audiences
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import Diagnostic
from prodops.loader import Document
from prodops.metrics.store import KIND as KPI_KIND
from prodops.renames import renames, title_of
from prodops.values import NOT_SET, at_risk, confidence_text, number_text, or_not_set


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any  # None: the value (or list element) was added
    new: Any  # None: it was removed


# How much a reviewer needs to see a called-out change: the summary keeps the heaviest first.
RULES = 60  # what CI enforces on every change: the playbook owner's to review
MOVED_INTO_NOW = 50
COMMITMENT = 40  # targets, readiness, risk, lost owners or key results, new date problems
SLIP = 30
STATE = 20
MINOR = 10


@dataclass(frozen=True)
class Note:
    text: str
    weight: int


@dataclass
class EntityChange:
    kind: str
    id: str
    title: str
    file: str
    status: str  # added | removed | renamed | changed | affected (unchanged, but the change broke its dates)
    old_id: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # called-out changes, in plain words
    team: str = ""  # the team whose work this is ("" for company-wide things)
    # How a reader names one and several of its kind ("roadmap item", "roadmap items"), from the registry.
    label: str = ""
    plural: str = ""
    values: list[kpidiff.ValueChange] = field(default_factory=list)  # a KPI's history: added, restated, removed


@dataclass
class Report:
    base: str
    head: str
    changes: list[EntityChange]
    team_names: dict[str, str] = field(default_factory=dict)
    audience: Audiences = field(default_factory=Audiences)  # what the change publishes more, or less

    @property
    def attention(self) -> list[tuple[EntityChange, Note]]:
        return [(c, note) for c in self.changes for note in c.notes]


# Lists of mappings are compared by the identity of their elements, not their position: adding a
# member at the top of a team is one change, not one per member that moved down.
_IDENTITY_KEYS: tuple[tuple[str, ...], ...] = (("id",), ("handle",), ("url",), ("date",), ("source", "summary"))


def _identity(items: list[Any]) -> tuple[str, ...] | None:
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for keys in _IDENTITY_KEYS:
        values = [tuple(str(i.get(k)) for k in keys) for i in items if all(k in i for k in keys)]
        if len(values) == len(items) and len(set(values)) == len(values):
            return keys
    return None


def field_changes(old: Any, new: Any, prefix: str = "") -> Iterator[FieldChange]:
    """Every difference between two values, by readable path (``key_results[kr1].target``)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*new, *(k for k in old if k not in new)]:
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in new:
                yield FieldChange(path, old[key], None)
            elif key not in old:
                yield FieldChange(path, None, new[key])
            else:
                yield from field_changes(old[key], new[key], path)
    elif isinstance(old, list) and isinstance(new, list):
        yield from _list_changes(old, new, prefix)
    elif old != new:
        yield FieldChange(prefix, old, new)


def _list_changes(old: list[Any], new: list[Any], prefix: str) -> Iterator[FieldChange]:
    if all(not isinstance(i, (dict, list)) for i in (*old, *new)):
        # Plain values (tags, ids, approvers) are sets to a reader: additions and removals, not positions.
        yield from (FieldChange(prefix, value, None) for value in old if value not in new)
        yield from (FieldChange(prefix, None, value) for value in new if value not in old)
        return
    keys = _identity(old) if old else _identity(new)
    if keys is not None and _identity(new or old) == keys:

        def key_of(item: dict[str, Any]) -> str:
            return " · ".join(str(item[k]) for k in keys)

        before = {key_of(i): i for i in old}
        after = {key_of(i): i for i in new}
        for key, item in after.items():
            path = f"{prefix}[{key}]"
            if key not in before:
                yield FieldChange(path, None, item)
            else:
                rest_old = {k: v for k, v in before[key].items() if k not in keys}
                rest_new = {k: v for k, v in item.items() if k not in keys}
                yield from field_changes(rest_old, rest_new, path)
        yield from (FieldChange(f"{prefix}[{key}]", item, None) for key, item in before.items() if key not in after)
        return
    for index in range(max(len(old), len(new))):
        path = f"{prefix}[{index}]"
        if index >= len(new):
            yield FieldChange(path, old[index], None)
        elif index >= len(old):
            yield FieldChange(path, None, new[index])
        else:
            yield from field_changes(old[index], new[index], path)


# Rules about dates and lateness whose new findings a change is responsible for.
DATE_RULES = ("PO409", "PO416", "PO417", "PO418", "PO419", "PO420")


def compare(
    base: Catalog,
    head: Catalog,
    base_name: str = "base",
    head_name: str = "working tree",
    base_problems: Iterable[Diagnostic] = (),
    head_problems: Iterable[Diagnostic] = (),
    config: Config | None = None,
    today: date | None = None,
) -> Report:
    """What changed from ``base`` to ``head``; ``today`` decides which KPI periods have closed."""
    old_docs, new_docs = base.documents, head.documents
    changes: list[EntityChange] = []
    added = sorted(set(new_docs) - set(old_docs))
    removed = sorted(set(old_docs) - set(new_docs))
    renamed = renames(old_docs, new_docs)
    for new_id in added:
        doc = new_docs[new_id]
        if new_id in renamed:
            old_id = renamed[new_id]
            change = _changed(old_docs[old_id], doc)
            change.status, change.old_id = "renamed", old_id
            change.notes.insert(0, Note(f"renamed from `{old_id}`", STATE))
            changes.append(change)
        else:
            changes.append(
                EntityChange(
                    doc.kind.kind, new_id, title_of(doc), doc.rel, "added", notes=[Note(f"new {doc.kind.label}", MINOR)]
                )
            )
    for old_id in removed:
        if old_id not in renamed.values():
            doc = old_docs[old_id]
            changes.append(
                EntityChange(
                    doc.kind.kind,
                    old_id,
                    title_of(doc),
                    doc.rel,
                    "removed",
                    notes=[Note(f"{doc.kind.label} removed", COMMITMENT)],
                )
            )
    for entity_id in sorted(set(old_docs) & set(new_docs)):
        if old_docs[entity_id].data != new_docs[entity_id].data:
            change = _changed(old_docs[entity_id], new_docs[entity_id])
            if change.fields:  # a reordered list of plain values means nothing
                changes.append(change)
    _history_changes(changes, base, head, today or date.today())
    introduced = _new_date_problems(base_problems, head_problems)
    changed_files = {c.file for c in changes}
    for doc in new_docs.values():
        if doc.rel in introduced and doc.rel not in changed_files:
            # Not edited, but the change made its dates wrong (a dependency slipped past it).
            changes.append(EntityChange(doc.kind.kind, str(doc.data.get("id")), title_of(doc), doc.rel, "affected"))
    _call_out_rule_changes(changes, base, head)
    for change in changes:
        change.notes.extend(_called_out(change, base, head, config or Config()))
        change.notes.extend(Note(text, COMMITMENT) for text in introduced.get(change.file, ()))
        change.team = _team_of(change, base, head)
    changes.sort(key=lambda c: (kinds.rank(c.kind), c.id))
    names = {t.id: t.name for t in base.teams.values()} | {t.id: t.name for t in head.teams.values()}
    declared = {d.kind.kind: d.kind for d in (*old_docs.values(), *new_docs.values())}
    for change in changes:
        ks = declared[change.kind]
        change.label, change.plural = kinds.label_of(ks), kinds.plural_of(ks)
    return Report(base_name, head_name, changes, names)


def _call_out_rule_changes(changes: list[EntityChange], base: Catalog, head: Catalog) -> None:
    """A note on each playbook whose lifecycle rules the change alters, for its owner to review."""
    by_id = {c.id: c for c in changes if c.kind == "playbook"}
    for rule in lifecycle.rule_changes(base, head):
        change = by_id.get(rule.playbook)
        if change is None:  # only its kind's schema changed: the playbook is affected all the same
            doc = head.documents.get(rule.playbook) or base.documents[rule.playbook]
            change = EntityChange("playbook", rule.playbook, title_of(doc), doc.rel, "affected")
            by_id[rule.playbook] = change
            changes.append(change)
        reviewer = f"its owner `{rule.owner}`" if rule.owner else "its owner"
        change.notes.append(
            Note(
                f"lifecycle rules change ({rule.what}): needs review by {reviewer}; "
                "this change is still judged by the base revision's rules",
                RULES,
            )
        )


def _history_changes(changes: list[EntityChange], base: Catalog, head: Catalog, today: date) -> None:
    """Add each KPI's history changes to its entity's change (a change of its own when only the history changed)."""
    by_id = {c.id: c for c in changes if c.kind == KPI_KIND}
    for kpi_id, kpi in sorted(head.kpis.items()):
        change = by_id.get(kpi_id)
        if change is not None and change.status == "added":
            continue  # a new KPI's history is all new: the KPI is the change
        old_id = change.old_id if change is not None and change.old_id else kpi_id
        if old_id not in base.kpis:
            continue
        values = kpidiff.compare(kpi, base.metrics.of(old_id), head.metrics.of(kpi_id), today)
        if not values:
            continue
        if change is None:
            change = EntityChange(KPI_KIND, kpi_id, kpi.title, kpi.history_file, "changed")
            changes.append(change)
        change.values = values
        change.notes.extend(Note(text, COMMITMENT if closed else MINOR) for text, closed in kpidiff.summaries(values))


def _new_date_problems(base: Iterable[Diagnostic], head: Iterable[Diagnostic]) -> dict[str, list[str]]:
    """Lateness and date-order findings the change brings in, by file, in the rules' own words."""
    before = {(d.code, d.file, d.message) for d in base if d.code in DATE_RULES}
    out: dict[str, list[str]] = {}
    for d in head:
        if d.code in DATE_RULES and (d.code, d.file, d.message) not in before:
            out.setdefault(d.file, []).append(f"new date problem ({d.code}): {d.message}")
    return out


def _team_of(change: EntityChange, base: Catalog, head: Catalog) -> str:
    """The team a reviewer thinks of for this change: the owning team, or '' for company-wide things."""
    for catalog in (head, base):
        entity_id = change.id if catalog is head else (change.old_id or change.id)
        entity = catalog.of(change.kind).get(entity_id)
        if entity is None:
            continue
        if isinstance(entity, model.Launch):  # a launch is its items' work
            return next((catalog.items[i].team for i in entity.items if i in catalog.items), "")
        if isinstance(entity, model.Objective):  # a company objective is company-wide
            return entity.team
        if isinstance(entity, model.Playbook):  # a process is everyone's
            return ""
        return next(iter(catalog.owning_teams(entity_id)), "")
    return ""


def _changed(old: Document, new: Document) -> EntityChange:
    fields = [f for f in field_changes(old.data, new.data) if f.path != "id"]
    return EntityChange(new.kind.kind, str(new.data.get("id")), title_of(new), new.rel, "changed", fields=fields)


# The kinds whose own notes below say a change of status, with weights of their own (a roadmap
# item moving into work weighs most); every other kind with a status field gets ``_status_note``.
_OWN_STATUS_NOTE = frozenset({"roadmap-item", "launch"})


def _called_out(change: EntityChange, base: Catalog, head: Catalog, config: Config) -> Iterator[Note]:
    old_id = change.old_id or change.id
    if change.kind not in _OWN_STATUS_NOTE:
        yield from _status_note(change, base.documents.get(old_id), head.documents.get(change.id), head)
    if change.kind == "roadmap-item":
        yield from _item_notes(base.items.get(old_id), head.items.get(change.id), head)
    elif change.kind == "objective":
        yield from _objective_notes(base.objectives.get(old_id), head.objectives.get(change.id), config)
    elif change.kind == "launch":
        yield from _launch_notes(base.launches.get(old_id), head.launches.get(change.id))
    elif change.kind == "playbook" and change.status == "changed":
        touched = {f.path.split("[", 1)[0].split(".", 1)[0] for f in change.fields}
        # A lifecycle's change has a note of its own (``_call_out_rule_changes``), naming who reviews it.
        enforced = touched & {"checklist_template", "go_no_go_working_days"}
        if enforced:
            yield Note(f"process change: what CI enforces changes ({', '.join(sorted(enforced))})", COMMITMENT)
    elif change.kind == "team" and change.status == "changed":
        for f in change.fields:
            if f.path.startswith("members[") and "." not in f.path.split("]", 1)[1]:
                handle = f.path[len("members[") : -1]
                yield Note(f"member `{handle}` {'added' if f.old is None else 'removed'}", STATE)
            elif f.path == "lead":
                yield Note(f"lead `{f.old}` → `{f.new}`", STATE)


def _status_note(change: EntityChange, old: Document | None, new: Document | None, head: Catalog) -> Iterator[Note]:
    """A changed status of any kind whose schema has one (``KindSpec.status_field``), such as a decision record's."""
    spec = head.kinds.get(change.kind) if head.kinds is not None else None
    if spec is None or old is None or new is None or old.kind.kind != new.kind.kind:
        return
    before, after = spec.status(old.data), spec.status(new.data)
    if before is not None and after is not None and before != after:
        yield Note(f"status **{before} → {after}**", STATE)


def _days(old: date | None, new: date | None) -> str:
    if old is None or new is None or old == new:
        return ""
    delta = (new - old).days
    return (
        f"slipped {delta} days ({old.isoformat()} → {new.isoformat()})"
        if delta > 0
        else f"pulled in {-delta} days ({old.isoformat()} → {new.isoformat()})"
    )


def _item_notes(old: model.RoadmapItem | None, new: model.RoadmapItem | None, head: Catalog) -> Iterator[Note]:
    if new is None:
        return
    if old is None:
        if new.horizon == "now":
            yield Note("added straight to **now**", MOVED_INTO_NOW)
        return
    if old.horizon != new.horizon:
        yield Note(
            f"horizon **{old.horizon or NOT_SET} → {new.horizon or NOT_SET}**",
            MOVED_INTO_NOW if new.horizon == "now" else STATE,
        )
    if old.status != new.status:
        into_work = new.meaning == "active"
        yield Note(
            f"status **{or_not_set(old.status)} → {or_not_set(new.status)}**", MOVED_INTO_NOW if into_work else STATE
        )
    slip = _days(old.due, new.due)
    if slip:
        yield Note(f"due date {slip}", SLIP if new.due and old.due and new.due > old.due else MINOR)
    if old.key_results and not new.key_results:
        yield Note("lost its last link to a key result", COMMITMENT)
    if old.owner and not new.owner:
        yield Note("lost its owner", COMMITMENT)
    due = new.due
    if due is not None and due != old.due:
        for dependent in sorted(head.dependents(new.id), key=lambda i: i.id):
            if dependent.active and dependent.due is not None and dependent.due < due:
                yield Note(
                    f"`{dependent.id}` depends on it but is due {dependent.due.isoformat()}, before it ({due.isoformat()})",
                    COMMITMENT,
                )


def _objective_notes(old: model.Objective | None, new: model.Objective | None, config: Config) -> Iterator[Note]:
    if old is None or new is None:
        return
    before: Mapping[str, model.KeyResult] = {kr.id: kr for kr in old.key_results}
    for kr in new.key_results:
        was = before.get(kr.id)
        if was is None:
            yield Note(f"key result `{kr.id}` added", MINOR)
            continue
        if was.target != kr.target:
            yield Note(
                f"key result `{kr.id}` target **{number_text(was.target)} → {number_text(kr.target)}** {kr.unit}",
                COMMITMENT,
            )
        if was.baseline != kr.baseline:
            yield Note(
                f"key result `{kr.id}` baseline **{number_text(was.baseline)} → {number_text(kr.baseline)}** {kr.unit}",
                COMMITMENT,
            )
        if not at_risk(was.confidence, config) and at_risk(kr.confidence, config):
            yield Note(
                f"key result `{kr.id}` is now at risk (confidence {confidence_text(was.confidence)} → {confidence_text(kr.confidence)})",
                COMMITMENT,
            )
    for kr_id in sorted(set(before) - {kr.id for kr in new.key_results}):
        yield Note(f"key result `{kr_id}` removed", COMMITMENT)


def _launch_notes(old: model.Launch | None, new: model.Launch | None) -> Iterator[Note]:
    if old is None or new is None:
        return
    slip = _days(old.ga, new.ga)
    if slip:
        yield Note(f"GA date {slip}", SLIP if old.ga is not None and new.ga is not None and new.ga > old.ga else MINOR)
    if old.status != new.status:
        yield Note(f"status **{or_not_set(old.status)} → {or_not_set(new.status)}**", STATE)
    if new.readiness_done < old.readiness_done:
        yield Note(
            f"readiness fell {round(old.readiness_done * 100)}% → {round(new.readiness_done * 100)}%", COMMITMENT
        )
    old_decision = old.go_no_go.decision if old.go_no_go else "not set"
    new_decision = new.go_no_go.decision if new.go_no_go else "not set"
    if old_decision != new_decision:
        yield Note(f"go/no-go **{old_decision} → {new_decision}**", COMMITMENT)
    if old.tier != new.tier:
        yield Note(f"tier {old.tier or '–'} → {new.tier or '–'}", STATE)

"""Lifecycle rules declared by playbooks: which status changes are allowed and what they require.

The process is data: a playbook's ``lifecycle`` names a kind, its transitions and the
requirements of each; ``prodops validate --base REV`` checks every status change between
the revision and the working tree against the playbooks as they are now.

Which kinds a lifecycle may govern is the playbook schema's to say (``lifecycle.kind``: today
roadmap items and launches; a lifecycle naming another kind is a schema error at its line).
The check itself asks the kind registry for the kind's entities and its status field, so it
holds for any kind with a state; the requirements are about what roadmap items and launches
carry (an owner is any kind's owner field), and one a kind cannot meet is never met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from prodops import approvals, model
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import Diagnostic, Severity
from prodops.renames import renames


@dataclass(frozen=True)
class Transition:
    to: str
    sources: tuple[str, ...]  # empty: from anywhere
    requires: tuple[str, ...]
    approvals: tuple[tuple[str, ...], ...] = ()  # each group needs one of its approvers


@dataclass(frozen=True)
class TierApproval:
    """Approvals every status change of an entity of these tiers needs."""

    tiers: tuple[int, ...]
    approvals: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Lifecycle:
    playbook: str
    kind: str
    transitions: tuple[Transition, ...]
    approvals: tuple[TierApproval, ...] = ()


def _groups(spec: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """``approved-by`` is one group (any one approves); ``all-of`` is a group per approver."""
    any_of = tuple(spec.get("approved-by", ()))
    return ((any_of,) if any_of else ()) + tuple((name,) for name in spec.get("all-of", ()))


def lifecycles(catalog: Catalog) -> list[Lifecycle]:
    out = []
    for playbook_id, doc in sorted(catalog.documents.items()):
        spec = doc.data.get("lifecycle") if doc.kind.kind == "playbook" and playbook_id in catalog.playbooks else None
        if isinstance(spec, dict):
            transitions = tuple(
                Transition(t["to"], tuple(t.get("from", ())), tuple(t.get("requires", ())), _groups(t))
                for t in spec["transitions"]
            )
            tiers = tuple(TierApproval(tuple(a["applies_when"]["tier"]), _groups(a)) for a in spec.get("approvals", ()))
            out.append(Lifecycle(playbook_id, spec["kind"], transitions, tiers))
    return out


def _requirement_checks(catalog: Catalog, rules: Catalog) -> dict[str, tuple[str, Callable[[Any], bool]]]:
    """What each requirement asks of an entity of ``catalog``; a launch's checklist is the one ``rules`` declares."""

    def owner_of(entity: Any) -> str:
        kind = catalog.kind_of(entity.id)
        spec = catalog.kinds.get(kind) if catalog.kinds is not None and kind is not None else None
        return spec.owner(entity) if spec is not None else ""

    def readiness_complete(launch: model.Launch) -> bool:
        playbook = rules.playbooks.get(launch.playbook) or catalog.playbooks.get(launch.playbook)
        if playbook is None:
            return False
        carried = {r.id: r for r in launch.readiness}
        for required in playbook.required_for(launch.tier):
            item = carried.get(required.id)
            if item is None or item.status not in ("done", "not-applicable"):
                return False
            if required.evidence_required and item.status == "done" and not item.evidence:
                return False
        return True

    return {
        "owner": ("an owner", lambda e: bool(owner_of(e))),
        "key-result": ("a linked key result", lambda e: isinstance(e, model.RoadmapItem) and bool(e.key_results)),
        "target-date": ("a target date", lambda e: isinstance(e, model.RoadmapItem) and e.due is not None),
        "go-decision": (
            "a recorded 'go' decision",
            lambda e: isinstance(e, model.Launch) and e.go_no_go is not None and e.go_no_go.decision == "go",
        ),
        "readiness-complete": (
            "every required checklist item done, with evidence where required",
            lambda e: isinstance(e, model.Launch) and readiness_complete(e),
        ),
        "launch-or-reason": (
            "a launch or a launch_exempt_reason",
            lambda e: (
                isinstance(e, model.RoadmapItem) and (bool(e.launch_exempt_reason) or bool(catalog.launches_of(e.id)))
            ),
        ),
    }


# The process rule that enforces the same standard as a requirement: a severity set for that rule
# (``PO408 = "warning"``) governs the requirement too, so one standard is never enforced twice over.
STANDARD_OF = {
    "owner": "PO401",
    "key-result": "PO401",
    "go-decision": "PO415",
    "readiness-complete": "PO406",
    "launch-or-reason": "PO408",
}


def check(
    base: Catalog, head: Catalog, config: Config | None = None, reviews: approvals.Reviews | None = None
) -> Iterator[Diagnostic]:
    """Every status change from ``base`` to ``head`` that a playbook's lifecycle does not allow.

    The rules are the base revision's: its playbooks' lifecycles and its schemas' status fields,
    so a change cannot loosen the rule it is judged by (``rule_changes`` calls such a change out).
    An entity is followed across a rename (``prodops.renames``), so a new id is no fresh start.
    A change that needs approval is checked against ``reviews`` (PO504), or, without them,
    reported as pending (PO505); who may approve is the base revision's team registry's to say.
    """
    checks = _requirement_checks(head, base)
    overrides = config.severity if config is not None else {}
    renamed = renames(base.documents, head.documents)
    for cycle in lifecycles(base):
        spec = base.kinds.get(cycle.kind) if base.kinds is not None else None
        if spec is None or not spec.status_field:
            continue  # the kind is not in this repository, or has no state to govern
        now = head.kinds.get(cycle.kind) if head.kinds is not None else None
        table, before = head.of(cycle.kind), base.of(cycle.kind)
        entering = {t.to for t in cycle.transitions}
        for entity_id, entity in sorted(table.items()):
            doc = head.documents[entity_id]
            # The base's status field, wherever the change's own schema says the state now lives.
            field = spec.status_field if spec.status_field in doc.data or now is None else now.status_field
            status = doc.data.get(field) if field else None
            old_id = renamed.get(entity_id, entity_id)
            old_doc = base.documents.get(old_id) if old_id in before else None
            old_status = spec.status(old_doc.data) if old_doc is not None else None
            if not isinstance(status, str) or old_status == status:
                continue
            line, column = doc.locate((field,))
            was = f" (renamed from '{old_id}')" if old_id != entity_id and old_doc is not None else ""
            came = f"{old_status} → {status}{was}" if old_status else f"a new file in '{status}'"
            owning = base.owning_teams(old_id) if old_doc is not None else ()
            needed: list[tuple[str, ...]] = []
            tier = getattr(entity, "tier", None)
            if old_status is not None:  # a change of stage, not a new file
                needed.extend(g for a in cycle.approvals if tier in a.tiers for g in a.approvals)
            if status not in entering:
                yield from approvals.missing(
                    needed,
                    came,
                    cycle.playbook,
                    owning or head.owning_teams(entity_id),
                    base,
                    reviews,
                    (doc.rel, line, column, field),
                )
                continue
            matching = [
                t
                for t in cycle.transitions
                if t.to == status and (not t.sources or (old_status is not None and old_status in t.sources))
            ]
            if not matching:
                if old_status is None:
                    continue  # a new file: only transitions "from anywhere" apply, and none names this state
                allowed = sorted({s for t in cycle.transitions if t.to == status for s in t.sources})
                yield Diagnostic(
                    "error",
                    "PO501",
                    f"status {old_status} → {status}{was} is not allowed by playbook '{cycle.playbook}'",
                    doc.rel,
                    line,
                    column,
                    (field,),
                    hint=f"'{status}' can be entered from: {', '.join(allowed)}",
                )
                continue
            for requirement in sorted({r for t in matching for r in t.requires}):
                label, satisfied = checks[requirement]
                standard = STANDARD_OF.get(requirement)
                severity = overrides.get(standard, "error") if standard else "error"
                if severity == "off" or satisfied(entity):
                    continue
                yield Diagnostic(
                    cast(Severity, severity),
                    "PO502",
                    f"{came} requires {label} (playbook '{cycle.playbook}')",
                    doc.rel,
                    line,
                    column,
                    (field,),
                    hint=f"add {label}, or keep the status at '{old_status}'" if old_status else f"add {label} first",
                )
            needed.extend(g for t in matching for g in t.approvals)
            yield from approvals.missing(
                needed,
                came,
                cycle.playbook,
                owning or head.owning_teams(entity_id),
                base,
                reviews,
                (doc.rel, line, column, field),
            )


@dataclass(frozen=True)
class RuleChange:
    """A change of what the lifecycle check enforces, for the governing playbook's owner to review."""

    playbook: str
    owner: str  # the playbook's owner at the base revision (a change cannot name its own reviewer)
    what: str  # "its lifecycle", "the status field of roadmap items (status → state)"
    file: str  # where the change is: the playbook's file, or the kind's schema
    path: tuple[str, ...]
    line: int = 1
    column: int = 1


def rule_changes(base: Catalog, head: Catalog, root: Path | None = None) -> list[RuleChange]:
    """Every change from ``base`` to ``head`` of a playbook's lifecycle or of the status field a lifecycle reads.

    ``root`` is where the head's schemas are, to point at the line that changed a status field.
    """
    old = {c.playbook: c for c in lifecycles(base)}
    new = {c.playbook: c for c in lifecycles(head)}
    out: list[RuleChange] = []
    for playbook_id in sorted(set(old) | set(new)):
        if old.get(playbook_id) == new.get(playbook_id):
            continue
        doc = head.documents.get(playbook_id) or base.documents[playbook_id]
        line, column = doc.locate_key(("lifecycle",)) if playbook_id in head.documents else (1, 1)
        owner = _owner(base, head, playbook_id)
        out.append(RuleChange(playbook_id, owner, "its lifecycle", doc.rel, ("lifecycle",), line, column))
    for playbook_id, kind in sorted({(c.playbook, c.kind) for c in (*old.values(), *new.values())}):
        before = base.kinds.get(kind) if base.kinds is not None else None
        after = head.kinds.get(kind) if head.kinds is not None else None
        was, now = (before.status_field if before else ""), (after.status_field if after else "")
        if was != now:
            declared = after or before
            schema = f"schemas/{declared.schema_file if declared is not None else kind + '.schema.json'}"
            line, column = _line_of(root / schema, '"x-prodops-status-field"') if root is not None else (1, 1)
            out.append(
                RuleChange(
                    playbook_id,
                    _owner(base, head, playbook_id),
                    f"the status field of {kind} ({was or 'none'} → {now or 'none'})",
                    schema,
                    ("x-prodops-status-field",),
                    line,
                    column,
                )
            )
    return out


def _owner(base: Catalog, head: Catalog, playbook_id: str) -> str:
    for catalog in (base, head):
        playbook = catalog.playbooks.get(playbook_id)
        if playbook is not None and playbook.owner:
            return playbook.owner
    return ""


def review(changes: list[RuleChange]) -> Iterator[Diagnostic]:
    """A warning (PO503) at each change of the rules, naming the playbook and who must review it."""
    for change in changes:
        reviewer = f"its owner '{change.owner}'" if change.owner else "its owner"
        yield Diagnostic(
            "warning",
            "PO503",
            f"this change alters what playbook '{change.playbook}' enforces ({change.what}); "
            f"status changes here are still judged by the base revision's rules",
            change.file,
            change.line,
            change.column,
            change.path,
            hint=f"ask {reviewer} to review it; merge the rule change on its own before changes that rely on it",
        )


def _line_of(path: Path, needle: str) -> tuple[int, int]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return (1, 1)
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return (number, line.index(needle) + 1)
    return (1, 1)

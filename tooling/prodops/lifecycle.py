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
from typing import Any, cast

from prodops import model
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Transition:
    to: str
    sources: tuple[str, ...]  # empty: from anywhere
    requires: tuple[str, ...]


@dataclass(frozen=True)
class Lifecycle:
    playbook: str
    kind: str
    transitions: tuple[Transition, ...]


def lifecycles(catalog: Catalog) -> list[Lifecycle]:
    out = []
    for playbook_id, doc in sorted(catalog.documents.items()):
        spec = doc.data.get("lifecycle") if doc.kind.kind == "playbook" and playbook_id in catalog.playbooks else None
        if isinstance(spec, dict):
            transitions = tuple(
                Transition(t["to"], tuple(t.get("from", ())), tuple(t.get("requires", ()))) for t in spec["transitions"]
            )
            out.append(Lifecycle(playbook_id, spec["kind"], transitions))
    return out


def _requirement_checks(catalog: Catalog) -> dict[str, tuple[str, Callable[[Any], bool]]]:
    def owner_of(entity: Any) -> str:
        kind = catalog.kind_of(entity.id)
        spec = catalog.kinds.get(kind) if catalog.kinds is not None and kind is not None else None
        return spec.owner(entity) if spec is not None else ""

    def readiness_complete(launch: model.Launch) -> bool:
        playbook = catalog.playbooks.get(launch.playbook)
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


def check(base: Catalog, head: Catalog, config: Config | None = None) -> Iterator[Diagnostic]:
    """Every status change from ``base`` to ``head`` that a playbook's lifecycle does not allow."""
    checks = _requirement_checks(head)
    overrides = config.severity if config is not None else {}
    for cycle in lifecycles(head):
        spec = head.kinds.get(cycle.kind) if head.kinds is not None else None
        if spec is None or not spec.status_field:
            continue  # the kind is not in this repository, or has no state to govern
        field = spec.status_field
        table, before = head.of(cycle.kind), base.of(cycle.kind)
        entering = {t.to for t in cycle.transitions}
        for entity_id, entity in sorted(table.items()):
            doc = head.documents[entity_id]
            status = spec.status(doc.data)
            old_doc = base.documents.get(entity_id) if entity_id in before else None
            old_status = spec.status(old_doc.data) if old_doc is not None else None
            if status is None or old_status == status or status not in entering:
                continue
            line, column = doc.locate((field,))
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
                    f"status {old_status} → {status} is not allowed by playbook '{cycle.playbook}'",
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
                came = f"{old_status} → {status}" if old_status else f"a new file in '{status}'"
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

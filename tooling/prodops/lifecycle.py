"""Lifecycle rules declared by playbooks: which status changes are allowed and what they require.

The process is data: a playbook's ``lifecycle`` names a kind, its transitions and the
requirements of each; ``prodops validate --base REV`` checks every status change between
the revision and the working tree against the playbooks as they are now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from prodops import model
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import Diagnostic, Severity

Entity = model.RoadmapItem | model.Launch


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
        "owner": (
            "an owner",
            lambda e: bool(e.owner if isinstance(e, model.RoadmapItem) else dict(e.owners).get("product")),
        ),
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
        table: dict[str, Entity] = dict(head.items) if cycle.kind == "roadmap-item" else dict(head.launches)
        before: dict[str, Entity] = dict(base.items) if cycle.kind == "roadmap-item" else dict(base.launches)
        entering = {t.to for t in cycle.transitions}
        for entity_id, entity in sorted(table.items()):
            old = before.get(entity_id)
            old_status = old.status if old is not None else None
            if old_status == entity.status or entity.status not in entering:
                continue
            doc = head.documents[entity_id]
            line, column = doc.locate(("status",))
            matching = [
                t
                for t in cycle.transitions
                if t.to == entity.status and (not t.sources or (old_status is not None and old_status in t.sources))
            ]
            if not matching:
                if old_status is None:
                    continue  # a new file: only transitions "from anywhere" apply, and none names this state
                allowed = sorted({s for t in cycle.transitions if t.to == entity.status for s in t.sources})
                yield Diagnostic(
                    "error",
                    "PO501",
                    f"status {old_status} → {entity.status} is not allowed by playbook '{cycle.playbook}'",
                    doc.rel,
                    line,
                    column,
                    ("status",),
                    hint=f"'{entity.status}' can be entered from: {', '.join(allowed)}",
                )
                continue
            for requirement in sorted({r for t in matching for r in t.requires}):
                label, satisfied = checks[requirement]
                standard = STANDARD_OF.get(requirement)
                severity = overrides.get(standard, "error") if standard else "error"
                if severity == "off" or satisfied(entity):
                    continue
                came = f"{old_status} → {entity.status}" if old_status else f"a new file in '{entity.status}'"
                yield Diagnostic(
                    cast(Severity, severity),
                    "PO502",
                    f"{came} requires {label} (playbook '{cycle.playbook}')",
                    doc.rel,
                    line,
                    column,
                    ("status",),
                    hint=f"add {label}, or keep the status at '{old_status}'" if old_status else f"add {label} first",
                )

"""Group the time-aware findings by the person who can fix them, for one issue per owner, each with its command."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic
from prodops.model import KeyResult

# Rules whose findings appear as time passes, not because someone made a change: a launch whose GA
# passed, a playbook due for review, a key result without a recent check-in, overdue work, a launch
# not ready close to GA, a KPI not measured as often as it promises, work whose tickets went quiet.
FRESHNESS_RULES = ("PO407", "PO411", "PO413", "PO416", "PO421", "PO441", "PO452")


def owner_of(catalog: Catalog, d: Diagnostic) -> str | None:
    kpi = next((k for k in catalog.metrics.kpis.values() if k.file == d.file), None)
    if kpi is not None:
        return kpi.owner or None
    entity_id = next((i for i, doc in catalog.documents.items() if doc.rel == d.file), None)
    if entity_id is None:
        return None
    objective = catalog.objectives.get(entity_id)
    if objective is not None:
        kr = _key_result(catalog, d)
        return kr.owner if kr is not None and kr.owner else objective.owner
    launch = catalog.launches.get(entity_id)
    if launch is not None:
        return dict(launch.owners).get("product")
    playbook = catalog.playbooks.get(entity_id)
    if playbook is not None:
        return playbook.owner
    item = catalog.items.get(entity_id)
    return item.owner if item is not None and item.owner else None


def _key_result(catalog: Catalog, d: Diagnostic) -> KeyResult | None:
    objective = next((o for i, o in catalog.objectives.items() if catalog.documents[i].rel == d.file), None)
    if objective is None or len(d.path) < 2 or d.path[0] != "key_results":
        return None
    index = d.path[1]
    if isinstance(index, int) and index < len(objective.key_results):
        return objective.key_results[index]
    return None


def _done(catalog: Catalog, kind: str) -> str:
    """The first status word of ``kind`` that means done, as the repository spells it (a placeholder if none)."""
    found = catalog.kinds.values_meaning(kind, "done") if catalog.kinds is not None else ()
    return found[0] if found else "STATUS"


def command(catalog: Catalog, d: Diagnostic, today: date) -> str:
    """The one command that resolves a freshness finding (empty when there is none)."""
    entity_id = next((i for i, doc in catalog.documents.items() if doc.rel == d.file), "")
    if d.code == "PO441":
        return "prodops metrics import FILE"
    if d.code == "PO452":
        item = catalog.items.get(entity_id)
        source = item.progress.source if item is not None and item.progress is not None else "jira"
        return f"prodops delivery import FILE --source {source}"
    if d.code == "PO413":
        kr = _key_result(catalog, d)
        return f"prodops checkin {kr.ref} --value V --confidence C" if kr is not None else ""
    if d.code == "PO416":
        return f"prodops set {entity_id} status {_done(catalog, 'roadmap-item')}"
    if d.code == "PO407":
        return f"prodops set {entity_id} status {_done(catalog, 'launch')}"
    if d.code == "PO411":
        return f"prodops set {entity_id} last_reviewed {today.isoformat()}"
    if d.code == "PO421":
        launch = catalog.launches.get(entity_id)
        left = next((r.id for r in launch.readiness if r.open), None) if launch is not None else None
        return f"prodops set {entity_id} readiness.{left}.status done" if left is not None else ""
    return ""


def by_owner(catalog: Catalog, diagnostics: Iterable[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """Every person in the registry (so a fixed list empties), with their freshness findings."""
    out: dict[str, list[Diagnostic]] = defaultdict(list)
    for handle in catalog.people:
        out[handle] = []
    for d in diagnostics:
        if d.code in FRESHNESS_RULES:
            owner = owner_of(catalog, d)
            if owner is not None:
                out[owner].append(d)
    return dict(out)


def markdown(handle: str, findings: list[Diagnostic], commands: dict[Diagnostic, str] | None = None) -> str:
    """The issue body: empty when there is nothing to do; ``commands`` gives each finding's fix."""
    if not findings:
        return ""
    commands = commands or {}
    lines = [
        f"@{handle}, the product operations data you own needs an update:",
        "",
    ]
    for d in sorted(findings, key=lambda f: (f.file, f.line)):
        lines.append(f"- [ ] `{d.file}:{d.line}` — {d.message}")
        fix = commands.get(d, "")
        if fix:
            lines.append(f"  - run `{fix}`")
        if d.hint:
            lines.append(f"  - {d.hint}")
    lines += [
        "",
        "Update the files in a pull request; this issue updates itself every Monday and closes when nothing is left.",
    ]
    return "\n".join(lines) + "\n"

"""Group the freshness warnings by the person who can fix them, for one issue per owner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic

# Rules whose findings appear as time passes, not because someone made a change.
FRESHNESS_RULES = ("PO407", "PO411", "PO413")


def owner_of(catalog: Catalog, d: Diagnostic) -> str | None:
    entity_id = next((i for i, doc in catalog.documents.items() if doc.rel == d.file), None)
    if entity_id is None:
        return None
    objective = catalog.objectives.get(entity_id)
    if objective is not None:
        if (
            len(d.path) >= 2
            and d.path[0] == "key_results"
            and isinstance(d.path[1], int)
            and d.path[1] < len(objective.key_results)
        ):
            return objective.key_results[d.path[1]].owner
        return objective.owner
    launch = catalog.launches.get(entity_id)
    if launch is not None:
        return dict(launch.owners).get("product")
    playbook = catalog.playbooks.get(entity_id)
    if playbook is not None:
        return playbook.owner
    item = catalog.items.get(entity_id)
    return item.owner if item is not None and item.owner else None


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


def markdown(handle: str, findings: list[Diagnostic], site_url: str = "") -> str:
    """The issue body: empty when there is nothing to do."""
    if not findings:
        return ""
    lines = [
        f"@{handle}, the product operations data you own needs an update:",
        "",
    ]
    for d in sorted(findings, key=lambda f: (f.file, f.line)):
        lines.append(f"- [ ] `{d.file}:{d.line}` — {d.message}")
        if d.hint:
            lines.append(f"  - {d.hint}")
    lines += [
        "",
        "Update the files in a pull request; this issue updates itself every Monday and closes when nothing is left.",
    ]
    return "\n".join(lines) + "\n"

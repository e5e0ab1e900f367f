"""PO406: a launch carries the readiness checklist its playbook requires for its tier."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for launch in ctx.catalog.launches.values():
        playbook = ctx.catalog.playbooks.get(launch.playbook)
        if playbook is None or launch.dropped:
            continue
        carried = {r.id: (i, r) for i, r in enumerate(launch.readiness)}
        for required in playbook.required_for(launch.tier):
            found = carried.get(required.id)
            if found is None:
                yield Finding(
                    launch.id,
                    ("readiness",),
                    f"readiness is missing '{required.id}' ({required.title}), required by playbook '{playbook.id}' for tier {launch.tier}",
                    f"add a readiness item with 'id: {required.id}', an owner and a status",
                    at_key=True,
                )
            elif required.evidence_required and found[1].status == "done" and not found[1].evidence:
                yield Finding(
                    launch.id,
                    ("readiness", found[0], "status"),
                    f"readiness item '{required.id}' is done but has no evidence; playbook '{playbook.id}' requires a link",
                    "add 'evidence:' with a link that shows it is done",
                )


RULE = Rule(
    code="PO406",
    name="launch-checklist",
    severity="error",
    rationale="The launch playbook is the process; a launch that skips its checklist skips the process.",
    fix="Copy every checklist item the playbook requires for the launch's tier into its readiness list.",
    check=check,
)

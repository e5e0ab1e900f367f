"""PO418: the go/no-go decision is taken as long before GA as the launch's playbook says."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.model import working_days_before
from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for launch in ctx.catalog.launches.values():
        playbook = ctx.catalog.playbooks.get(launch.playbook)
        decision = launch.go_no_go
        if playbook is None or playbook.go_no_go_working_days is None or launch.dropped:
            continue
        ga = launch.ga
        if decision is None or decision.date is None or ga is None or decision.date > ga:
            continue  # no date yet (PO415 asks for the decision), no GA date to lead, or after GA (PO417)
        lead = playbook.go_no_go_working_days
        latest = working_days_before(ga, lead)
        if decision.date > latest:
            yield Finding(
                launch.id,
                ("go_no_go", "date"),
                f"go/no-go on {decision.date.isoformat()} is less than {lead} working day{'s' if lead != 1 else ''} "
                f"before GA ({ga.isoformat()}); playbook '{playbook.id}' asks for it by {latest.isoformat()}",
                f"move the go/no-go meeting to {latest.isoformat()} or earlier, or move GA",
            )


RULE = Rule(
    code="PO418",
    name="go-no-go-lead",
    severity="error",
    rationale="A go/no-go taken the day before GA leaves no time to act on a no-go.",
    fix="Hold the go/no-go meeting at least as many working days before GA as the playbook's go_no_go_working_days.",
    check=check,
)

"""PO421: a launch close to GA has most of its readiness checklist done."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    lead = ctx.config.readiness_lead_days
    threshold = ctx.config.readiness_threshold
    for launch in ctx.catalog.launches.values():
        ga = launch.ga
        if ga is None:
            continue  # no GA date (the adopter's schema makes it optional): no lead to measure
        days = (ga - ctx.today).days
        # A GA that passed is PO407's; a launch far from GA has time to get ready.
        if not launch.open or days < 0 or days > lead or launch.readiness_done >= threshold:
            continue
        left = [r.id for r in launch.readiness if r.open]
        yield Finding(
            launch.id,
            ("readiness",),
            f"{launch.readiness_done:.0%} of the readiness checklist is done {days} day{'s' if days != 1 else ''} "
            f"before GA ({ga.isoformat()}); a launch should be {threshold:.0%} ready {lead} days before GA",
            f"finish and mark done {', '.join(repr(i) for i in left)}, or move GA to when the launch will be ready",
            at_key=True,
        )


RULE = Rule(
    code="PO421",
    name="launch-readiness",
    severity="warning",
    rationale="A launch that is far from ready days before GA will slip or ship unprepared unless someone acts now.",
    fix="Finish the readiness checklist (readiness-threshold, 80% by default, of it by readiness-lead-days, 14, before GA) or move GA.",
    check=check,
)

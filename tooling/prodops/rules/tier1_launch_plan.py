"""PO405: a tier-1 launch (up to full-launch-plan-tier) has a rollback plan, a communications plan and go/no-go approvers."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for launch in ctx.catalog.launches.values():
        if launch.tier is None or launch.tier > ctx.config.full_launch_plan_tier or launch.dropped:
            continue
        if not launch.rollback_plan.strip():
            yield Finding(
                launch.id,
                ("tier",),
                f"tier-{launch.tier} launch has no rollback plan",
                "add 'rollback_plan:' saying how to undo the launch and who decides",
            )
        if launch.communications is None or not (launch.communications.internal or launch.communications.external):
            yield Finding(
                launch.id,
                ("tier",),
                f"tier-{launch.tier} launch has no communications plan",
                "add 'communications:' with internal and external plans",
            )
        if launch.go_no_go is None:
            yield Finding(
                launch.id,
                ("tier",),
                f"tier-{launch.tier} launch has no go/no-go decision with approvers",
                "add 'go_no_go:' with 'decision: pending' and the approvers",
            )


RULE = Rule(
    code="PO405",
    name="tier1-launch-plan",
    severity="error",
    rationale="A major launch that cannot be undone, announced or stopped puts customers and revenue at risk.",
    fix=(
        "Add rollback_plan, communications and go_no_go (with approvers) to every tier-1 launch "
        "(full-launch-plan-tier = 2 asks the same of tier 2; 0 of none)."
    ),
    check=check,
)

"""PO430: an insight with much demand has a roadmap item or a decision."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.feedback.insight import insights
from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    settings = ctx.config.feedback
    for insight in insights(ctx.catalog):
        if insight.decided:
            continue
        demand = insight.demand()
        if demand.accounts < settings.threshold_accounts and demand.arr < settings.threshold_arr:
            continue
        yield Finding(
            insight.id,
            ("status",),
            f"{demand.accounts} accounts with ${demand.arr:,.0f} ARR asked in the peak month "
            f"(threshold: {settings.threshold_accounts} accounts or ${settings.threshold_arr:,.0f}), "
            f"but no roadmap item addresses the insight and it is not declined",
            "name the roadmap item that will answer it in addressed_by, or set 'status: declined' with a declined_reason",
        )


RULE = Rule(
    code="PO430",
    name="insight-needs-decision",
    severity="warning",
    rationale="Customers who ask loudly deserve an answer: a roadmap item that addresses their need, or a decision not to.",
    fix="Link the insight to a roadmap item (addressed_by) or decline it with a reason (thresholds: threshold-accounts and threshold-arr in [tool.prodops.feedback]).",
    check=check,
)

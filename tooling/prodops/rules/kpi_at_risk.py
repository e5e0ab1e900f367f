"""PO440: a KPI past its at-risk threshold is called out, with how long it has been there."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.metrics.model import format_value
from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    metrics = ctx.catalog.metrics
    for kpi in metrics.kpis.values():
        series = metrics.of(kpi.id)
        since = kpi.at_risk_since(series, ctx.today)
        latest = series.latest(ctx.today)
        if since is None or latest is None:
            continue
        side = "below" if kpi.higher_is_better else "above"
        days = (ctx.today - since.day).days
        yield Finding(
            kpi.id,
            ("thresholds", "at_risk"),
            f"KPI '{kpi.id}' is at risk: {format_value(latest.value)} {kpi.unit} on {latest.day.isoformat()} is "
            f"{side} the at-risk threshold of {format_value(kpi.limit('at_risk'))} {kpi.unit}, "
            f"since {since.day.isoformat()} ({days} {'day' if days == 1 else 'days'})",
            f"the owning team ({kpi.team}) says what it does about it, e.g. in a key result that tracks '{kpi.id}'",
        )


RULE = Rule(
    code="PO440",
    name="kpi-at-risk",
    severity="warning",
    rationale="A KPI past its at-risk threshold needs someone to act, and everyone to know how long it has been so.",
    fix="Bring the KPI back within its threshold, or agree a new threshold in the KPI's file.",
    check=check,
)

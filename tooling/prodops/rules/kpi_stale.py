"""PO441: a KPI has a value for every period its cadence promises."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.metrics import cadence
from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    metrics = ctx.catalog.metrics
    for kpi in metrics.kpis.values():
        latest = metrics.of(kpi.id).latest(ctx.today)
        hint = f"import the latest export: `prodops metrics import FILE` (the values go to {kpi.history_file})"
        if latest is None:
            yield Finding(kpi.id, ("cadence",), f"KPI '{kpi.id}' has no values yet", hint)
            continue
        missing = cadence.first_missing(kpi.cadence, latest.day, ctx.today)
        if missing is None:
            continue
        days = (ctx.today - latest.day).days
        yield Finding(
            kpi.id,
            ("cadence",),
            f"KPI '{kpi.id}' has no value since {latest.day.isoformat()} ({days} days): it is measured "
            f"{kpi.cadence}, and {missing} has no value",
            hint,
        )


RULE = Rule(
    code="PO441",
    name="kpi-stale",
    severity="warning",
    rationale="A KPI that is not measured as often as it promises shows a number nobody can trust.",
    fix="Import the KPI's values at least once per period of its cadence, or change its cadence.",
    check=check,
)

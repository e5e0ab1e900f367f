"""PO442: a key result that tracks a KPI has the KPI's latest value of its period as its current value."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.metrics.model import format_value
from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    metrics = ctx.catalog.metrics
    for objective in ctx.catalog.objectives.values():
        for kr in objective.key_results:
            kpi = metrics.kpis.get(kr.kpi)
            if kpi is None:
                continue
            period = objective.period
            latest = metrics.of(kpi.id).latest(min(period.end, ctx.today) if period is not None else ctx.today)
            if latest is None or abs(latest.value - kr.current) <= 1e-9 * max(1.0, abs(latest.value)):
                continue
            yield Finding(
                objective.id,
                ("key_results", kr.index, "current"),
                f"key result '{kr.id}' tracks KPI '{kpi.id}', whose latest value in {objective.period} is "
                f"{format_value(latest.value)} ({latest.day.isoformat()}), but its current value is "
                f"{format_value(kr.current)}",
                f"run `prodops checkin {kr.ref} --value {format_value(latest.value)} --confidence C "
                f"--date {latest.day.isoformat()}`, or correct {kpi.history_file}",
            )


RULE = Rule(
    code="PO442",
    name="kr-kpi-current",
    severity="warning",
    rationale="A key result that tracks a KPI shows the KPI's number; a typed value that differs is out of date or a typo.",
    fix="Check in the KPI's latest value (prodops metrics import does it), or correct the KPI's history.",
    check=check,
)

"""PO443: a key result that tracks a KPI is measured in the KPI's unit."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    kpis = ctx.catalog.metrics.kpis
    for objective in ctx.catalog.objectives.values():
        for kr in objective.key_results:
            kpi = kpis.get(kr.kpi)
            if kpi is None or kpi.unit == kr.unit:
                continue
            yield Finding(
                objective.id,
                ("key_results", kr.index, "unit"),
                f"key result '{kr.id}' is measured in '{kr.unit}', but the KPI it tracks, '{kpi.id}', is in '{kpi.unit}'",
                f"write 'unit: {kpi.unit}' (and the baseline and target in it), or track another KPI",
            )


RULE = Rule(
    code="PO443",
    name="kr-kpi-unit",
    severity="error",
    rationale="A key result's numbers come from the KPI it tracks; in another unit they would be compared as if they were the same.",
    fix="Use the KPI's unit in the key result, or track a KPI measured in the key result's unit.",
    check=check,
)

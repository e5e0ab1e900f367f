"""PO417: the dates inside one entity are in order."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        if item.start is not None and item.end is not None and item.start > item.end:
            yield Finding(
                item.id,
                ("target", "start"),
                f"target.start {item.start.isoformat()} is after target.end {item.end.isoformat()}",
                "swap them, or correct the one that is wrong",
            )
    for launch in ctx.catalog.launches.values():
        for (stage, day), (next_stage, next_day) in zip(launch.dates, launch.dates[1:], strict=False):
            if day > next_day:
                yield Finding(
                    launch.id,
                    ("dates", next_stage),
                    f"dates.{next_stage} {next_day.isoformat()} is before dates.{stage} {day.isoformat()}",
                    f"stages run in order ({' → '.join(s for s, _ in launch.dates)}): correct one of the two dates",
                )
        decision, ga = launch.go_no_go, launch.ga
        if decision is not None and decision.date is not None and ga is not None and decision.date > ga:
            yield Finding(
                launch.id,
                ("go_no_go", "date"),
                f"the go/no-go decision ({decision.date.isoformat()}) is after GA ({ga.isoformat()})",
                "hold the go/no-go meeting before GA, or move GA",
            )


RULE = Rule(
    code="PO417",
    name="date-order",
    severity="error",
    rationale="Dates out of order (an end before its start, GA before beta) are typing mistakes that break every timeline.",
    fix="Correct the date that is wrong so that start ≤ end and launch stages run in order.",
    check=check,
)

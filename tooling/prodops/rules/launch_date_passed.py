"""PO407: a launch whose date has passed is not still planned."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule

KIND = "launch"


def check(ctx: Context) -> Iterator[Finding]:
    for launch in ctx.catalog.launches.values():
        ga = launch.ga
        if launch.open and ga is not None and ga < ctx.today:
            days = (ctx.today - ga).days
            yield Finding(
                launch.id,
                ("dates", "ga"),
                f"GA date {ga.isoformat()} passed {days} day{'s' if days != 1 else ''} ago but the launch is still '{launch.status}'",
                f"set the status to {ctx.statuses(KIND, 'done')} (or {ctx.statuses(KIND, 'dropped', last=True)}), or move the GA date to the new plan",
            )


RULE = Rule(
    code="PO407",
    name="launch-date-passed",
    severity="warning",
    rationale="A plan whose date has passed tells readers something that is no longer true.",
    fix="Record what happened: mark the launch launched or cancelled, or move its date.",
    check=check,
)

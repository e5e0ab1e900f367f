"""PO419: a launch is not planned before the work it launches is due."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for launch in ctx.catalog.launches.values():
        ga = launch.ga
        if not launch.open or ga is None:
            continue
        for index, item_id in enumerate(launch.items):
            item = ctx.catalog.items.get(item_id)
            if item is None or not item.active or item.due is None or item.due <= ga:
                continue
            yield Finding(
                launch.id,
                ("items", index),
                f"GA ({ga.isoformat()}) is {(item.due - ga).days} days before '{item_id}' is due ({item.due.isoformat()})",
                f"move GA to {item.due.isoformat()} or later, or bring '{item_id}' forward",
            )


RULE = Rule(
    code="PO419",
    name="launch-before-item-due",
    severity="warning",
    rationale="The work must ship before it can launch; a GA date before the due date is a slip already planned in.",
    fix="Align the dates: GA on or after the due date of every item the launch ships.",
    check=check,
)

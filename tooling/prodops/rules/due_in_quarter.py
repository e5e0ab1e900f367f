"""PO420: an item is not due after the end of the period it targets (a quarter, a half-year, a cycle: the calendar's)."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        if item.quarter is None or item.end is None or not item.active or item.end <= item.quarter.end:
            continue
        yield Finding(
            item.id,
            ("target", "end"),
            f"due {item.end.isoformat()}, after the end of its target {item.quarter.noun} {item.quarter} "
            f"({item.quarter.end.isoformat()})",
            f"set target.quarter to the {item.quarter.noun} of {item.end.isoformat()}, or bring target.end into {item.quarter}",
        )


RULE = Rule(
    code="PO420",
    name="due-in-quarter",
    severity="warning",
    rationale="Views by period count an item in the period it targets; a due date outside it hides a slip.",
    fix="Make target.quarter the period (in the declared cadence) that target.end falls in.",
    check=check,
)

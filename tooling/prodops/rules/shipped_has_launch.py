"""PO408: a shipped item has a launch, or a stated reason it needs none."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        if item.done and not item.launch_exempt_reason and not ctx.catalog.launches_of(item.id):
            yield Finding(
                item.id,
                ("status",),
                f"item is {item.status} but no launch plan ships it",
                "add the item to a launch's 'items', or add 'launch_exempt_reason:' saying why it needs no launch",
            )


RULE = Rule(
    code="PO408",
    name="shipped-has-launch",
    severity="error",
    rationale="Customers only benefit from what they hear about; silent shipping should be a decision, not an accident.",
    fix="Link the item from a launch plan, or state why it needs none in launch_exempt_reason.",
    check=check,
)

"""PO450: work still under way does not have all of its delivery tickets done."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule

KIND = "roadmap-item"


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        progress = item.progress
        if item.meaning != "active" or progress is None or not progress.all_done:
            continue
        yield Finding(
            item.id,
            ("progress", "tickets_done"),
            f"all {progress.tickets_total} ticket{'s' if progress.tickets_total != 1 else ''} of its delivery work "
            f"are done in {progress.source}, but the item is still '{item.status}'",
            f"set the status to {ctx.statuses(KIND, 'done')} if it shipped, or add the work still to do to delivery "
            "and import again",
        )


RULE = Rule(
    code="PO450",
    name="delivery-all-done",
    severity="warning",
    rationale="An item whose tickets are all closed has shipped, or has work nobody has ticketed yet.",
    fix="Mark the item shipped, or ticket the remaining work and name it in delivery.",
    check=check,
)

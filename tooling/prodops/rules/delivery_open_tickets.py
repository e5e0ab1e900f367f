"""PO451: work marked done has no delivery tickets still open."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule

KIND = "roadmap-item"


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        progress = item.progress
        if not item.done or progress is None or not progress.open_tickets:
            continue
        yield Finding(
            item.id,
            ("progress", "tickets_done"),
            f"'{item.status}', but {progress.open_tickets} of its {progress.tickets_total} delivery tickets "
            f"are still open in {progress.source}",
            f"close or move the open tickets (see {item.file.rsplit('/', 1)[0]}/delivery/{item.id}.csv) and import "
            f"again, or set the status back to {ctx.statuses(KIND, 'active')}",
        )


RULE = Rule(
    code="PO451",
    name="delivery-open-tickets",
    severity="warning",
    rationale="A shipped item with open tickets either did not ship in full or leaves the tracker out of date.",
    fix="Close or move the open tickets, or reopen the item.",
    check=check,
)

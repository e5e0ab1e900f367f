"""PO452: work under way shows ticket activity within the last delivery-stale-weeks."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    weeks = ctx.config.delivery_stale_weeks
    for item in ctx.catalog.items.values():
        progress = item.progress
        last = progress.last_activity if progress is not None else None
        if item.meaning != "active" or progress is None or last is None or progress.all_done:
            continue
        days = (ctx.today - last).days
        if days <= weeks * 7:
            continue
        yield Finding(
            item.id,
            ("progress", "last_activity"),
            f"no activity on its delivery tickets for {days} days (last {last.isoformat()}); "
            f"the limit is {weeks} week{'s' if weeks != 1 else ''}",
            "import a newer export if work went on, or say on the item why it has stalled (or move it out of now)",
        )


RULE = Rule(
    code="PO452",
    name="delivery-stale",
    severity="warning",
    rationale="Work in progress whose tickets nobody has touched for weeks has stalled, and the roadmap should say so.",
    fix="Import a fresh export, or record why the work stalled (delivery-stale-weeks, 3 by default).",
    check=check,
)

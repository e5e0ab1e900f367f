"""PO416: work that is under way is not past its due date."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule

KIND = "roadmap-item"


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        due = item.due
        # Ideas and discovery carry no commitment; planned and in-progress work does.
        if not item.committed or due is None or due >= ctx.today:
            continue
        days = (ctx.today - due).days
        where = ("target", "end") if item.end is not None else ("target", "quarter")
        yield Finding(
            item.id,
            where,
            f"due {due.isoformat()}, {days} day{'s' if days != 1 else ''} ago, but still '{item.status}'",
            f"set the status to {ctx.statuses(KIND, 'done')} if it shipped, or move target.end to the date the team now expects",
        )


RULE = Rule(
    code="PO416",
    name="item-overdue",
    severity="warning",
    rationale="A roadmap that shows late work as on time misleads everyone who plans around it.",
    fix="Record what happened: mark the item shipped, or move its due date to the new plan.",
    check=check,
)

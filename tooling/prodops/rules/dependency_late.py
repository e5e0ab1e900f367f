"""PO409: no item depends on one that is due after it."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    items = ctx.catalog.items
    for item in items.values():
        due = item.due
        if due is None or not item.active:
            continue
        for index, dep_id in enumerate(item.depends_on):
            dep = items.get(dep_id)
            if dep is None:
                continue
            if dep.dropped:
                yield Finding(
                    item.id,
                    ("depends_on", index),
                    f"depends on '{dep_id}', which is {dep.status}",
                    "remove the dependency or find another way to deliver what it provided",
                )
                continue
            dep_due = dep.due
            if not dep.done and dep_due is not None and dep_due > due:
                yield Finding(
                    item.id,
                    ("depends_on", index),
                    f"depends on '{dep_id}', due {dep_due.isoformat()}, {(dep_due - due).days} days after this item is due ({due.isoformat()})",
                    "move this item's target later, or bring the dependency forward",
                )


RULE = Rule(
    code="PO409",
    name="dependency-late",
    severity="error",
    rationale="A plan that needs a dependency before it exists is a slip waiting to be announced.",
    fix="Align the dates: a dependency must be due no later than the item that needs it.",
    check=check,
)

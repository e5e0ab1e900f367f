"""PO401: work in "now" or in progress has an owner and moves a key result."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for item in ctx.catalog.items.values():
        if not (item.horizon == "now" or item.meaning == "active") or not item.active:
            continue
        why = "in progress" if item.meaning == "active" else "in 'now'"
        where = ("status",) if item.meaning == "active" else ("horizon",)
        if not item.owner:
            yield Finding(
                item.id,
                where,
                f"item is {why} but has no owner",
                f"prodops set {item.id} owner HANDLE (the accountable person)",
            )
        if not item.key_results:
            yield Finding(
                item.id,
                where,
                f"item is {why} but moves no key result",
                f"prodops add {item.id} key_results OBJECTIVE-ID.KR-ID (the key result it moves), or "
                + " and ".join(_step_back(ctx, item.id, item.meaning == "active", item.horizon == "now")),
            )


def _step_back(ctx: Context, item_id: str, active: bool, now: bool) -> list[str]:
    """The commands that take an item out of the work that must move a key result."""
    # Moving first keeps the finding where it was (on the status), so neither step is refused as adding one.
    steps = [f"prodops move {item_id} --horizon next"] if now else []
    if active:
        found = ctx.catalog.kinds.values_meaning("roadmap-item", "committed") if ctx.catalog.kinds is not None else ()
        back = found[0] if found else None
        steps.append(
            f"prodops set {item_id} status {back}"
            if back
            else f"set its status back to {ctx.statuses('roadmap-item', 'committed')}"
        )
    return steps


RULE = Rule(
    code="PO401",
    name="strategy-coverage",
    severity="error",
    rationale="Work the organisation is doing now must have someone accountable and a reason in the strategy.",
    fix="Give the item an owner and link it to the key result it moves (prodops add ITEM key_results OBJECTIVE-ID.KR-ID), or take it out of 'now'.",
    check=check,
)

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
                + (
                    f"prodops move {item.id} --horizon next"
                    if item.horizon == "now"
                    else f"set its status back to {ctx.statuses('roadmap-item', 'committed')}"
                ),
            )


RULE = Rule(
    code="PO401",
    name="strategy-coverage",
    severity="error",
    rationale="Work the organisation is doing now must have someone accountable and a reason in the strategy.",
    fix="Give the item an owner and link it to the key result it moves (prodops add ITEM key_results OBJECTIVE-ID.KR-ID), or take it out of 'now'.",
    check=check,
)

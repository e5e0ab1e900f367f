"""PO402: every key result of the current period has work behind it."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for objective in ctx.catalog.objectives.values():
        if objective.period is None or ctx.today not in objective.period:
            continue  # not this period's (or gives none): no work is asked of it
        for kr in objective.key_results:
            if not any(not item.dropped for item in ctx.catalog.items_moving(kr.ref)):
                yield Finding(
                    objective.id,
                    ("key_results", kr.index),
                    f"key result '{kr.ref}' has no roadmap item moving it",
                    f"prodops add ITEM key_results {kr.ref} (ITEM: the roadmap item that will move it)",
                )


RULE = Rule(
    code="PO402",
    name="kr-has-work",
    severity="warning",
    rationale="A key result nobody is working on is a wish, not a plan.",
    fix="Link at least one roadmap item to the key result, or drop the key result.",
    check=check,
)

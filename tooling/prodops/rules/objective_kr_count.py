"""PO404: an objective has two to five key results."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule

MIN_KRS, MAX_KRS = 2, 5


def check(ctx: Context) -> Iterator[Finding]:
    for objective in ctx.catalog.objectives.values():
        count = len(objective.key_results)
        if count < MIN_KRS:
            yield Finding(
                objective.id,
                ("key_results",),
                f"objective has {count} key result; it needs {MIN_KRS} to {MAX_KRS}",
                "add a key result that would catch gaming the first one (a quality or counter-metric)",
                at_key=True,
            )
        elif count > MAX_KRS:
            yield Finding(
                objective.id,
                ("key_results",),
                f"objective has {count} key results; it needs {MIN_KRS} to {MAX_KRS}",
                "keep the key results that matter most, or split the objective in two",
                at_key=True,
            )


RULE = Rule(
    code="PO404",
    name="objective-kr-count",
    severity="error",
    rationale="One key result is easy to game; more than five means no focus.",
    fix="Give each objective two to five key results.",
    check=check,
)

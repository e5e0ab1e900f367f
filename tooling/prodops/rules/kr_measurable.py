"""PO403: a key result is measurable: its target differs from its baseline in its stated direction."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for objective in ctx.catalog.objectives.values():
        for kr in objective.key_results:
            path = ("key_results", kr.index)
            if kr.baseline is None or kr.target is None:
                continue  # the adopter's schema does not require them: nothing to compare
            if kr.baseline == kr.target:
                yield Finding(
                    objective.id,
                    (*path, "target"),
                    f"key result '{kr.id}': target equals baseline ({kr.target:g})",
                    "set the target to the value that counts as success; a target equal to today's value measures nothing",
                )
            elif (kr.direction == "increase") != (kr.target > kr.baseline):
                yield Finding(
                    objective.id,
                    (*path, "direction"),
                    f"key result '{kr.id}': direction is '{kr.direction}' but the target ({kr.target:g}) is "
                    f"{'below' if kr.target < kr.baseline else 'above'} the baseline ({kr.baseline:g})",
                    "fix the direction, or swap baseline and target if they were entered the wrong way round",
                )


RULE = Rule(
    code="PO403",
    name="kr-measurable",
    severity="error",
    rationale="A key result must say how far the metric should move and which way, or progress cannot be computed.",
    fix="Give the key result a target different from its baseline, in its direction.",
    check=check,
)

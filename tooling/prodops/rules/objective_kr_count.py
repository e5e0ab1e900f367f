"""PO404: an objective has as many key results as the settings ask (two to five by default)."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def _count(n: int) -> str:
    return f"{n} key result{'' if n == 1 else 's'}"


def check(ctx: Context) -> Iterator[Finding]:
    low, high = ctx.config.key_results_min, ctx.config.key_results_max
    wanted = f"{low} to {high}" if low != high else str(low)
    for objective in ctx.catalog.objectives.values():
        count = len(objective.key_results)
        if count < low:
            yield Finding(
                objective.id,
                ("key_results",),
                f"objective has {_count(count)}; it needs {wanted} (key-results-min, key-results-max)",
                "add a key result that would catch gaming the first one (a quality or counter-metric)",
                at_key=True,
            )
        elif count > high:
            yield Finding(
                objective.id,
                ("key_results",),
                f"objective has {_count(count)}; it needs {wanted} (key-results-min, key-results-max)",
                "keep the key results that matter most, or split the objective in two",
                at_key=True,
            )


RULE = Rule(
    code="PO404",
    name="objective-kr-count",
    severity="error",
    rationale="One key result is easy to game; more than five means no focus.",
    fix="Give each objective key-results-min to key-results-max key results (2 to 5 by default).",
    check=check,
)

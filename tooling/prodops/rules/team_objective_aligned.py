"""PO414: a team objective is aligned to a company objective of its period (or of a longer period holding it)."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    objectives = ctx.catalog.objectives
    for objective in objectives.values():
        if objective.level != "team":
            continue
        if not objective.parents:
            if not ctx.config.team_objective_parent:
                continue
            yield Finding(
                objective.id,
                ("level",),
                "team objective is not aligned to any parent objective",
                "add 'parents:' with the company objective it contributes to",
            )
            continue
        for i, parent in enumerate(objective.parents):
            other = objectives.get(parent.objective)
            # A half-year goal may serve a yearly one: the parent's period must hold the child's.
            if other is None or other.period is None or objective.period is None:
                continue  # a period the adopter's schema does not require, not given: nothing to compare
            if not (other.period.start <= objective.period.start <= objective.period.end <= other.period.end):
                yield Finding(
                    objective.id,
                    ("parents", i, "objective"),
                    f"parent '{other.id}' belongs to {other.period}, this objective to {objective.period}",
                    f"align to an objective of {objective.period} or of a longer period that holds it",
                )


RULE = Rule(
    code="PO414",
    name="team-objective-aligned",
    severity="error",
    rationale="Team objectives exist to move company objectives; an unaligned one is a local priority in disguise.",
    fix=(
        "List the company objective(s) of the same period (or of a longer one holding it) the team objective "
        "contributes to in 'parents' (team-objective-parent = false lets a team objective have none; the parents "
        "it names must still match)."
    ),
    check=check,
)

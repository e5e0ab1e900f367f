"""PO410: every person named in the data is a member of a team in the registry."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.catalog import PERSON
from prodops.rules.base import Context, Finding, Rule
from prodops.suggest import did_you_mean


def check(ctx: Context) -> Iterator[Finding]:
    people = ctx.catalog.people
    registry = ctx.catalog.kinds
    teams = f"{registry['team'].folder}/" if registry is not None and "team" in registry else "the team files"
    for ref in ctx.catalog.references:
        if ref.kind != PERSON or ref.target in people:
            continue
        suggestion = did_you_mean(ref.target, people)
        yield Finding(
            ref.source,
            ref.path,
            f"{ref.field}: '{ref.target}' is not a member of any team{suggestion}",
            f"use the Git host handle of a member listed in {teams}, or add the person to their team",
        )


RULE = Rule(
    code="PO410",
    name="owner-known",
    severity="error",
    rationale="Owners must be real people the organisation can route reviews and questions to.",
    fix="Name people by a handle listed in a team file (`prodops list team` shows the teams).",
    check=check,
)

"""PO444: every approver a playbook's lifecycle names is a team, a role or a person in the team registry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prodops.approvals import slug
from prodops.diagnostics import JsonPath
from prodops.rules.base import Context, Finding, Rule
from prodops.suggest import did_you_mean


def _named(lifecycle: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    for group, specs in (
        ("transitions", lifecycle.get("transitions", ())),
        ("approvals", lifecycle.get("approvals", ())),
    ):
        for index, spec in enumerate(specs):
            for field in ("approved-by", "all-of"):
                for position, name in enumerate(spec.get(field, ())):
                    yield ("lifecycle", group, index, field, position), name


def check(ctx: Context) -> Iterator[Finding]:
    teams = ctx.catalog.teams
    roles = {slug(m.role) for t in teams.values() for m in t.members if m.role}
    people = ctx.catalog.people
    for playbook_id in sorted(ctx.catalog.playbooks):
        lifecycle = ctx.catalog.documents[playbook_id].data.get("lifecycle")
        if not isinstance(lifecycle, dict):
            continue
        for path, name in _named(lifecycle):
            kind, _, value = name.partition(":")
            known, what = {
                "team": (teams, "team"),
                "lead": (teams, "team"),
                "role": (roles, "role held by a member"),
                "person": (people, "member of any team"),
            }.get(kind, (None, ""))
            if known is None or value in known:
                continue
            yield Finding(
                playbook_id,
                path,
                f"approver '{name}': '{value}' is not a {what}{did_you_mean(value, known)}",
                f"name a {what} in the team registry"
                + (
                    " (a role is written in lower case with hyphens: 'Security Engineer' is role:security-engineer)"
                    if kind == "role"
                    else ""
                ),
            )


RULE = Rule(
    code="PO444",
    name="approver-known",
    severity="error",
    rationale="An approval nobody in the team registry can give would block every change that needs it.",
    fix="Name an existing team, a role a member holds, or a member, as the team registry spells them.",
    check=check,
)

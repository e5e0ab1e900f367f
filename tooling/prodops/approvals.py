"""Required approvals: who may approve a status change, and which reviews of a pull request count.

A playbook's lifecycle names approvers on a transition (``approved-by``: any one of them;
``all-of``: each of them) or for every status change of entities of some tier (``approvals``).
An approver is one of:

- ``owning-team-lead`` / ``owning-team``: the lead, or any member, of the entity's owning team;
- ``lead:TEAM`` / ``team:TEAM``: the lead, or any member, of a team in the registry;
- ``role:ROLE``: any member whose role in the registry reads ROLE (``Security Engineer`` is
  ``role:security-engineer``);
- ``person:HANDLE``: one person.

People are the team registry's members; a member's handle is their login on the Git host.
The reviews are a pull request's, as GitHub's REST API lists them
(``GET /repos/{owner}/{repo}/pulls/{n}/reviews``): the latest review of each reviewer
that approves or withdraws (``APPROVED``, ``CHANGES_REQUESTED``, ``DISMISSED``) is their
verdict, and an approval counts only if it was given on the head commit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic

# A comment after an approval leaves it standing, as on GitHub.
_VERDICTS = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})
_STATES = frozenset({*_VERDICTS, "COMMENTED", "PENDING"})


@dataclass(frozen=True)
class Reviews:
    """The logins (lower case) whose latest verdict approves the head commit."""

    head: str
    approved: frozenset[str]


def slug(text: str) -> str:
    """A role as an approver names it: ``Head of Product Operations`` -> ``head-of-product-operations``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def decide(reviews: list[dict[str, Any]], head: str) -> Reviews:
    """Which reviewers approve ``head``: each one's latest verdict, in the order they were submitted."""
    latest: dict[str, tuple[str, str]] = {}
    ordered = sorted(enumerate(reviews), key=lambda pair: (str(pair[1].get("submitted_at") or ""), pair[0]))
    for _, review in ordered:
        state = review["state"]
        if state in _VERDICTS and review.get("user") is not None:  # a deleted account's review has no user
            latest[review["user"]["login"].lower()] = (state, review.get("commit_id") or "")
    approved = frozenset(login for login, (state, commit) in latest.items() if state == "APPROVED" and commit == head)
    return Reviews(head, approved)


def read(path: Path, head: str, shown: str | None = None) -> tuple[Reviews | None, list[Diagnostic]]:
    """The reviews in ``path`` (a JSON list of GitHub reviews), or the diagnostics that say what is wrong with it."""
    name = shown or str(path)

    def problem(message: str, line: int = 0, column: int = 0, hint: str = "") -> tuple[None, list[Diagnostic]]:
        fix = (
            hint
            or "pass the output of `gh api repos/OWNER/REPO/pulls/N/reviews --paginate --slurp` flattened to one list"
        )
        return None, [Diagnostic("error", "PO506", message, name, line, column, hint=fix)]

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return problem(f"cannot read the reviews: {getattr(error, 'strerror', None) or error}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return problem(f"the reviews are not JSON: {error.msg}", error.lineno, error.colno)
    if not isinstance(data, list):
        return problem(f"the reviews must be a JSON list of reviews, not {type(data).__name__}", 1, 1)
    for index, review in enumerate(data):
        user = review.get("user") if isinstance(review, dict) else None
        login = user.get("login") if isinstance(user, dict) else None
        state = review.get("state") if isinstance(review, dict) else None
        commit = review.get("commit_id") if isinstance(review, dict) else None
        if isinstance(review, dict) and review.get("user", 0) is None:
            login = ""  # a deleted account ("ghost"): its review counts for nobody
        if not isinstance(login, str) or state not in _STATES or not (commit is None or isinstance(commit, str)):
            return problem(
                f"review [{index}] needs user.login (a string), state (one of {', '.join(sorted(_STATES))}) "
                "and commit_id (a string)",
                hint="check that the file is GitHub's list of a pull request's reviews",
            )
    return decide(data, head), []


@dataclass(frozen=True)
class Approver:
    """One approver a lifecycle names, with the people who can act as it."""

    name: str  # as written: "team:platform"
    label: str  # as a person reads it: "a member of team 'platform'"
    people: tuple[tuple[str, str], ...]  # (login, full name)

    def describe(self) -> str:
        who = ", ".join(f"{name} (@{login})" for login, name in self.people) or "nobody in the team registry"
        return f"{self.label}: {who}"


def phrase(name: str) -> str:
    """An approver as a playbook's page reads it: ``lead:platform`` -> ``the lead of team 'platform'``."""
    kind, _, value = name.partition(":")
    fixed = {"owning-team-lead": "the owning team's lead", "owning-team": "a member of the owning team"}
    forms = {
        "lead": f"the lead of team '{value}'",
        "team": f"a member of team '{value}'",
        "role": f"a member with the role '{value}'",
        "person": f"'{value}'",
    }
    return fixed.get(name) or forms.get(kind, name)


def resolve(name: str, owning: tuple[str, ...], registry: Catalog) -> Approver:
    """Who can act as the approver ``name`` for an entity owned by the teams ``owning``, per ``registry``'s teams."""
    kind, _, value = name.partition(":")
    teams = registry.teams

    def person(handle: str) -> tuple[str, str]:
        found = registry.people.get(handle)
        return (handle, found[0].name if found else handle)

    def leads(ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple(person(teams[t].lead) for t in ids if t in teams)

    def members(ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple(dict.fromkeys((m.handle, m.name) for t in ids if t in teams for m in teams[t].members))

    own = ", ".join(f"'{t}'" for t in owning) or "(none found)"
    if name == "owning-team-lead":
        return Approver(name, f"the lead of the owning team {own}", leads(owning[:1]))
    if name == "owning-team":
        return Approver(name, f"a member of the owning team {own}", members(owning[:1]))
    if kind == "lead":
        return Approver(name, f"the lead of team '{value}'", leads((value,)))
    if kind == "team":
        return Approver(name, f"a member of team '{value}'", members((value,)))
    if kind == "role":
        holders = sorted({(m.handle, m.name) for t in teams.values() for m in t.members if slug(m.role) == value})
        return Approver(name, f"a member with the role '{value}'", tuple(holders))
    return Approver(name, f"'{value}'", (person(value),) if value in registry.people else ())


def given(approver: Approver, reviews: Reviews) -> bool:
    return any(login.lower() in reviews.approved for login, _ in approver.people)


def missing(
    needed: list[tuple[str, ...]],
    came: str,
    playbook: str,
    owning: tuple[str, ...],
    registry: Catalog,
    reviews: Reviews | None,
    where: tuple[str, int, int, str],
) -> Iterator[Diagnostic]:
    """For a status change ``came`` needing the approver groups ``needed``, a diagnostic per group.

    A group none of whose approvers approved is an error (PO504); without ``reviews``, it is pending (PO505).
    """
    rel, line, column, field = where
    for group in dict.fromkeys(needed):
        found = [resolve(name, owning, registry) for name in group]
        if reviews is not None and any(given(a, reviews) for a in found):
            continue
        who = "; ".join(a.describe() for a in found)
        one = "approval by " + (" or ".join(a.label for a in found))
        if reviews is None:
            yield Diagnostic(
                "warning",
                "PO505",
                f"{came} will need {one} (playbook '{playbook}')",
                rel,
                line,
                column,
                (field,),
                hint=f"who may approve: {who}",
            )
        else:
            yield Diagnostic(
                "error",
                "PO504",
                f"{came} requires {one} (playbook '{playbook}')",
                rel,
                line,
                column,
                (field,),
                hint=f"ask for an approving review of the head commit {reviews.head[:12]} from {who}",
            )

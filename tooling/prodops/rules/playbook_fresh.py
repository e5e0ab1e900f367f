"""PO411: playbooks are reviewed regularly."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    limit = ctx.config.playbook_review_days
    for playbook in ctx.catalog.playbooks.values():
        if playbook.last_reviewed is None:
            continue  # the adopter's schema does not require a review date: nothing to measure
        age = (ctx.today - playbook.last_reviewed).days
        if age > limit:
            yield Finding(
                playbook.id,
                ("last_reviewed",),
                f"playbook last reviewed {age} days ago ({playbook.last_reviewed.isoformat()}); the limit is {limit}",
                f"ask {playbook.owner} to check the playbook still matches practice, then update last_reviewed",
            )
        elif playbook.last_reviewed > ctx.today:
            yield Finding(
                playbook.id, ("last_reviewed",), "last_reviewed is in the future", "set it to the date of the review"
            )


RULE = Rule(
    code="PO411",
    name="playbook-fresh",
    severity="warning",
    rationale="A playbook nobody has checked drifts from how the team really works.",
    fix="Review the playbook with its owner and update last_reviewed (limit: playbook-review-days, 180 by default).",
    check=check,
)

"""PO412: check-ins fall inside their objective's period and are in order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    # A final check-in in the first weeks after a period closes is normal practice.
    grace = timedelta(days=ctx.config.checkin_grace_days)
    for objective in ctx.catalog.objectives.values():
        if objective.period is None:
            continue  # no period to be in (the adopter's schema does not require one)
        start, end = objective.period.start, objective.period.end
        for kr in objective.key_results:
            previous = None
            for i, checkin in enumerate(kr.checkins):
                path = ("key_results", kr.index, "checkins", i, "date")
                when = checkin.date
                if when < start or when > end + grace:
                    yield Finding(
                        objective.id,
                        path,
                        f"check-in dated {when.isoformat()} is outside {objective.period} ({start.isoformat()} to {end.isoformat()})",
                        f"check the date; a check-in for another {objective.period.noun} belongs to that {objective.period.noun}'s objective",
                    )
                elif when > ctx.today:
                    yield Finding(
                        objective.id,
                        path,
                        f"check-in dated {when.isoformat()} is in the future",
                        "date the check-in when the value was measured",
                    )
                elif previous is not None and when < previous:
                    yield Finding(
                        objective.id,
                        path,
                        f"check-in dated {when.isoformat()} is before the one above it",
                        "keep check-ins oldest first",
                    )
                previous = when


RULE = Rule(
    code="PO412",
    name="checkin-in-period",
    severity="error",
    rationale="Progress history is only trustworthy if every check-in belongs to the period it reports on.",
    fix="Date each check-in inside its objective's period (or up to checkin-grace-days after it closes, 21 by default), oldest first.",
    check=check,
)

"""PO413: key results of the current period are checked in regularly."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    limit = ctx.config.checkin_stale_days
    for objective in ctx.catalog.objectives.values():
        period = objective.period
        if period is None or ctx.today not in period or (ctx.today - period.start).days <= limit:
            continue
        for kr in objective.key_results:
            last = max((c.date for c in kr.checkins), default=None)
            if last is None:
                yield Finding(
                    objective.id,
                    ("key_results", kr.index),
                    f"key result '{kr.id}' has no check-in yet",
                    f"run `prodops checkin {kr.ref} --value V --confidence C`",
                )
            elif (ctx.today - last).days > limit:
                yield Finding(
                    objective.id,
                    ("key_results", kr.index),
                    f"key result '{kr.id}': last check-in was {(ctx.today - last).days} days ago ({last.isoformat()}); the limit is {limit}",
                    f"run `prodops checkin {kr.ref} --value V --confidence C`",
                )


RULE = Rule(
    code="PO413",
    name="checkin-stale",
    severity="warning",
    rationale="A key result nobody has measured for weeks gives no early warning.",
    fix="Check in on every current key result at least every checkin-stale-days (21 by default).",
    check=check,
)

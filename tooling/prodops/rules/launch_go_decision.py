"""PO415: a launch that is ready or launched has a recorded 'go'."""

from __future__ import annotations

from collections.abc import Iterator

from prodops.rules.base import Context, Finding, Rule


def check(ctx: Context) -> Iterator[Finding]:
    for launch in ctx.catalog.launches.values():
        if launch.meaning not in ("active", "done"):
            continue
        decision = launch.go_no_go.decision if launch.go_no_go else None
        if decision != "go":
            yield Finding(
                launch.id,
                ("go_no_go", "decision") if launch.go_no_go else ("status",),
                f"launch is '{launch.status}' but the go/no-go decision is {repr(decision) if decision else 'not recorded'}",
                "record 'go_no_go: {decision: go, ...}' from the go/no-go meeting, or set the status back",
            )


RULE = Rule(
    code="PO415",
    name="launch-go-decision",
    severity="error",
    rationale="Nothing goes to customers without the approvers' recorded decision.",
    fix="Record the go decision and its approvers before marking a launch ready or launched.",
    check=check,
)

"""Campaigns (``prodops.compliance``) as text, Markdown or JSON: what ``prodops report compliance`` prints.

Every text from YAML (ids, teams, the rules' messages that quote titles) is escaped for Markdown
(``historytext.md``); the plain text keeps it as written but on one line.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from prodops.compliance import Campaign
from prodops.historytext import md


def _line(text: str) -> str:
    return " ".join(str(text).split())


def _deadline(campaign: Campaign, today: date) -> str:
    left = campaign.days_left(today)
    if campaign.deadline is None or left is None:
        return "no deadline (a warning for what is new)"
    if left > 0:
        return f"{campaign.deadline.isoformat()} ({left} day{'s' if left != 1 else ''} left)"
    return f"{campaign.deadline.isoformat()} (an error since then)"


def _scope(campaign: Campaign) -> str:
    after = campaign.created_after
    return f"entities first committed after {after.isoformat()}" if after is not None else "every entity"


def _burndown(campaign: Campaign) -> list[str]:
    return [f"{p.day.isoformat()}: {p.count if p.count is not None else 'not known'}" for p in campaign.burndown]


def text(campaigns: list[Campaign], today: date) -> str:
    if not campaigns:
        return (
            "No rule is rolled out on a schedule ([tool.prodops.rules.CODE] with error-from or only-created-after).\n"
        )
    lines: list[str] = []
    for c in campaigns:
        lines += [
            f"{c.code} {c.name}: {len(c.open)} not compliant, {c.severity} today",
            f"  deadline: {_deadline(c, today)}",
            f"  applies to: {_scope(c)}",
            f"  teams: {', '.join(_line(t) for t in c.teams) or 'none'}",
        ]
        lines += [
            f"  {o.file}: {_line(o.entity)} ({', '.join(map(_line, o.teams)) or 'no team'}): {_line(o.message)}"
            for o in c.open
        ]
        if c.burndown:
            lines.append(f"  burn-down since {c.start.isoformat()}: " + ", ".join(_burndown(c)))
        lines.append("")
    return "\n".join(lines)


def markdown(campaigns: list[Campaign], today: date) -> str:
    lines = ["# Compliance", ""]
    if not campaigns:
        return "\n".join([*lines, "No rule is rolled out on a schedule.", ""])
    for c in campaigns:
        lines += [
            f"## {c.code} {md(c.name)}",
            "",
            md(c.rationale),
            "",
            f"- Deadline: {_deadline(c, today)}",
            f"- Severity today: {c.severity}",
            f"- Applies to: {_scope(c)}",
            f"- Not compliant: {len(c.open)}",
            f"- Teams: {', '.join(md(t) for t in c.teams) or 'none'}",
            f"- How to comply: {md(c.fix)}",
            "",
        ]
        if c.open:
            lines += ["| Entity | Teams | File | Finding |", "|---|---|---|---|"]
            lines += [
                f"| {md(o.entity)} | {', '.join(md(t) for t in o.teams)} | {md(o.file)} | {md(o.message)} |"
                for o in c.open
            ]
            lines.append("")
        if c.burndown:
            lines += [f"Burn-down (entities not compliant at the end of each week since {c.start.isoformat()}):", ""]
            lines += ["| Week ending | Not compliant |", "|---|---|"]
            lines += [
                f"| {p.day.isoformat()} | {p.count if p.count is not None else 'not known'} |" for p in c.burndown
            ]
            lines.append("")
    return "\n".join(lines)


def as_json(campaigns: list[Campaign], today: date) -> str:
    def one(c: Campaign) -> dict[str, Any]:
        return {
            "code": c.code,
            "name": c.name,
            "severity": c.severity,
            "deadline": c.deadline.isoformat() if c.deadline else None,
            "days_left": c.days_left(today),
            "only_created_after": c.created_after.isoformat() if c.created_after else None,
            "start": c.start.isoformat(),
            "teams": list(c.teams),
            "open": [
                {"entity": o.entity, "file": o.file, "teams": list(o.teams), "message": o.message} for o in c.open
            ],
            "burndown": [{"day": p.day.isoformat(), "count": p.count} for p in c.burndown],
        }

    return json.dumps({"today": today.isoformat(), "campaigns": [one(c) for c in campaigns]}, indent=2) + "\n"


FORMATS = {"text": text, "markdown": markdown, "json": as_json}

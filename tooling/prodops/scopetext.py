"""A period's scope (``prodops.scope``) as Markdown or JSON: what ``prodops report scope`` prints.

Titles, ids and team names come from YAML and are escaped for Markdown (``historytext.md``).
"""

from __future__ import annotations

import json
from typing import Any

from prodops.historytext import md
from prodops.scope import OUTCOMES, Comparison, Entry, Scope

HEADINGS = {
    "added": "Added",
    "cut": "Cut",
    "slipped": "Slipped",
    "finished": "Finished",
    "open": "Still open",
}


def _share(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "not known"


def _entry(e: Entry) -> str:
    title = f" {md(e.title)}" if e.kind == "item" and e.title != e.ref else ""
    whose = md(e.team) or ("company" if e.kind == "key result" else "no team")
    return f"- {e.kind} `{e.ref.replace('`', '')}`{title} ({whose})"


def _against(c: Comparison) -> str:
    return "its last day" if c.label == "end" else "now"


def markdown(found: Scope) -> str:
    p = found.period
    lines = [f"# Scope of {md(str(p))}", ""]
    items = sum(e.kind == "item" for e in found.planned)
    lines.append(
        f"The plan on {p.start.isoformat()}, the {p.noun}'s first day: {items} item(s) and "
        f"{len(found.planned) - items} key result(s)."
    )
    if not found.known_from_start:
        lines.append("The history begins after that day: the first day's plan is not known in full.")
    lines.append("")
    for c in found.comparisons:
        commit = f", commit {c.commit.oid[:12]} of {c.commit.day}" if c.commit is not None else ""
        lines += [f"## Against {_against(c)} ({c.day.isoformat()}{commit})", ""]
        lines += ["| | Items | Key results |", "|---|---|---|"]
        for what in ("added", *OUTCOMES):
            lines.append(f"| {HEADINGS[what]} | {c.count(what, 'item')} | {c.count(what, 'key result')} |")  # type: ignore[arg-type]
        lines += ["", f"Say/do on the first day's plan: {_share(c.say_do)}", ""]
        for what in ("added", *OUTCOMES):
            entries = c.added if what == "added" else c.outcomes[what]  # type: ignore[index]
            if entries and what != "open":
                lines += [f"### {HEADINGS[what]}", "", *(_entry(e) for e in entries), ""]
    return "\n".join(lines)


def as_json(found: Scope) -> str:
    def entries(found_entries: tuple[Entry, ...]) -> list[dict[str, str]]:
        return [{"kind": e.kind, "ref": e.ref, "title": e.title, "team": e.team} for e in found_entries]

    def one(c: Comparison) -> dict[str, Any]:
        return {
            "against": c.label,
            "day": c.day.isoformat(),
            "commit": c.commit.oid if c.commit is not None else None,
            "say_do": c.say_do,
            "added": entries(c.added),
            **{o: entries(c.outcomes[o]) for o in OUTCOMES},
        }

    body = {
        "period": str(found.period),
        "first_day": found.period.start.isoformat(),
        "known_from_start": found.known_from_start,
        "first_day_plan": entries(found.planned),
        "comparisons": [one(c) for c in found.comparisons],
    }
    return json.dumps(body, indent=2) + "\n"


FORMATS = {"markdown": markdown, "json": as_json}

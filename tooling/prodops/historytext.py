"""The history's answers as text: an entity's timeline, its state as of a date, the quarter report, the digest.

Text from YAML files and from Git (titles, ids, author names) is escaped for Markdown, so a
title cannot turn into a link, an image or HTML in whatever shows the report.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from prodops.calendar import Calendar
from prodops.history import Change, Commit, Index, State
from prodops.historyview import DONE_ITEM, DONE_LAUNCH, DueHistory, Event, Quarter, due, due_history

# What can start emphasis, code, a link or image ("!" and "(" are inert once "[" and "]" are
# escaped), HTML, a table cell or a character reference; nothing here starts a line ("#", "+").
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|&~])")
# The order of digest sections, and their headings.
SECTIONS = {
    "moved to now": "Moved to now",
    "slipped": "Slipped",
    DONE_ITEM: "Shipped",
    DONE_LAUNCH: "Launched",
    "confidence": "Key-result confidence",
}
SHOWN = ("title", "status", "horizon", "team", "owner", "period", "quarter", "end", "ga")


def md(text: str) -> str:
    """``text`` as literal Markdown text on one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def _commit(commit: Commit) -> str:
    return f"{commit.day} {commit.oid[:8]} {commit.author}"


def _fields(state: State, calendar: Calendar) -> list[str]:
    lines = [f"{key}: {state[key]}" for key in SHOWN if key in state and key != "title"]
    when = due(state, calendar)
    if when is not None:
        lines.append(f"due: {when.isoformat()}")
    if state.get("items"):
        lines.append(f"items: {', '.join(state['items'])}")
    for kr, (current, confidence, *_) in state.get("krs", {}).items():
        lines.append(f"{kr}: current {_num(current)}, confidence {_num(confidence)}")
    return lines


def _num(value: Any) -> str:
    return "–" if value is None else f"{value:g}"


def as_of(index: Index, entity: str, day: date, change: Change) -> str:
    """``prodops show ID --as-of DAY``: the entity's tracked fields then, and the commit that set them."""
    assert change.state is not None
    state = change.state
    then = str(state.get("id") or entity)  # the id of that date: the one the site as of that date shows
    lines = [
        str(state.get("title") or then),
        f"{index.kinds[entity]} {then} · as of {day.isoformat()} (set by {_commit(index.commits[change.commit])})",
        *([f"called {entity} now"] if then != entity else []),
        "",
        *_fields(state, index.calendar),
    ]
    return "\n".join(lines) + "\n"


def timeline(index: Index, entity: str) -> str:
    """``prodops history ID``: every change the history keeps, and the due date's moves."""
    lines = [f"{index.kinds[entity]} {entity}: {len(index.changes[entity])} changes since {index.begins}", ""]
    previous: State = {}
    for change in index.changes[entity]:
        head = _commit(index.commits[change.commit])
        if change.state is None:
            lines.append(f"{head}  removed")
            previous = {}
            continue
        now, was = _fields(change.state, index.calendar), set(_fields(previous, index.calendar))
        diff = [line for line in now if line not in was]
        if previous.get("id") not in (None, change.state.get("id")):
            diff.insert(0, f"id: {previous['id']} → {change.state.get('id')}")
        if due(previous, index.calendar) is not None and due(change.state, index.calendar) is None:
            diff.append("due: removed")
        diff = diff or ["(title)"]
        lines.append(f"{head}  " + "; ".join(diff))
        previous = change.state
    lines += ["", _due_summary(due_history(index, entity))]
    return "\n".join(lines) + "\n"


def _due_summary(history: DueHistory) -> str:
    if not history.moves:
        return "due date: never moved"
    return (
        f"due date: moved {len(history.moves)} times, {len(history.slips)} later, "
        f"{history.slipped_days} days slipped in all"
    )


def list_rows(states: dict[str, tuple[State, Commit]], calendar: Calendar) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for entity, (state, commit) in states.items():
        when = due(state, calendar)
        rows.append(
            {
                "id": str(state.get("id") or entity),  # the id of that date
                "title": state.get("title", ""),
                "team": state.get("team", ""),
                "owner": state.get("owner", ""),
                "status": state.get("status", ""),
                "horizon": state.get("horizon", ""),
                "due": when.isoformat() if when else "",
                "period": state.get("period", ""),
                "ga": state.get("ga", ""),
                "changed": commit.day,
            }
        )
    return sorted(rows, key=lambda row: str(row["id"]))


def quarter_report(index: Index, report: Quarter) -> str:
    """``prodops report quarter``: say/do and slips per team, in Markdown."""
    period = report.period
    lines = [f"# {period}: say/do and slips", ""]
    lines.append(
        f"Work in *now* on {period.start.isoformat()} (not already shipped or cancelled) against what was "
        f"shipped on {period.end.isoformat()}; slips are due dates moved later by commits in the {period.noun}. "
        f"History from {index.begins or 'no commits'}."
    )
    if not report.known_from_start:
        lines += ["", f"The history here begins on {index.begins}, after the {period.noun} began: say/do is not known."]
    lines += ["", "| team | in now at start | shipped | say/do | slips | days slipped |", "|---|---|---|---|---|---|"]
    for team in report.teams.values():
        ratio = "–" if team.ratio is None else f"{round(team.ratio * 100)}%"
        days = sum(m.days for m in team.slips)
        lines.append(
            f"| {md(team.team or '(none)')} | {len(team.committed)} | {len(team.done)} | {ratio} "
            f"| {len(team.slips)} | {days} |"
        )
    if not report.teams:
        lines.append("| (no team had work in now) | 0 | 0 | – | 0 | 0 |")
    for team in report.teams.values():
        lines += ["", f"## {md(team.team or '(none)')}", ""]
        for entity, state in team.committed:
            done = team.done.get(entity)
            mark = str(done.get("status")) if done is not None else "not shipped"
            lines.append(f"- {md(state.get('title') or entity)} ({md(entity)}): {mark}")
        if not team.committed:
            lines.append("- nothing was in now at the start")
        for move in team.slips:
            lines.append(
                f"- slipped: {md(move.entity)} {move.before.isoformat()} → {move.after.isoformat()} "
                f"(+{move.days} days) on {move.commit.day} by {md(move.commit.author)}"
            )
    return "\n".join(lines) + "\n"


def digest(index: Index, events: list[Event], since: date, until: date) -> str:
    """``prodops digest``: what changed, per team and kind of change, in Markdown."""
    lines = [f"# What changed, {since.isoformat()} to {until.isoformat()}", ""]
    if index.begins and index.begins > since.isoformat():
        lines += [f"The history here begins on {index.begins}.", ""]
    if not events:
        lines.append("Nothing moved, slipped, shipped or launched, and no key result changed confidence.")
        return "\n".join(lines) + "\n"
    for team in sorted({e.team for e in events}):
        lines += [f"## {md(team or '(no team)')}", ""]
        for what, heading in SECTIONS.items():
            chosen = [e for e in events if e.team == team and e.section == what]
            if not chosen:
                continue
            lines += [f"### {heading}", ""]
            for e in chosen:
                detail = f": {md(e.detail)}" if e.detail else ""
                lines.append(
                    f"- {md(e.title or e.entity)} ({md(e.entity)}){detail} — {e.commit.day}, {md(e.commit.author)}"
                )
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"

"""What the history index answers: states as of a date, due-date moves, say/do per quarter, a digest of changes.

Dates are the commits' committer dates (the day a change landed on the branch), in the
committer's own time zone, settled so that they run forwards along the first parents
(``commitdates``): a backdated commit cannot rewrite a closed quarter. "As of a date" is the
state at the last indexed commit on or before that day.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodops.calendar import Calendar, Period
from prodops.history import Change, Commit, Index, State
from prodops.states import CLOSED, MeaningOf, builtin_meaning

ITEM = "roadmap-item"
LAUNCH = "launch"
# The digest sections of done work (Event.section): items shipped, launches launched, whatever the words.
DONE_ITEM = f"done {ITEM}"
DONE_LAUNCH = f"done {LAUNCH}"


def commit_at(index: Index, day: date) -> int | None:
    """The last commit (an index into ``index.commits``) on or before ``day``; None before the history begins."""
    found = bisect_right([c.day for c in index.commits], day.isoformat())  # settled: the days never go back
    return found - 1 if found else None


def change_at(index: Index, entity: str, at: int) -> Change | None:
    """The change in force at commit ``at`` (None when the entity did not exist yet)."""
    changes = index.changes.get(entity, [])
    where = bisect_right([c.commit for c in changes], at)
    return changes[where - 1] if where else None


def named_at(index: Index, name: str, at: int) -> str | None:
    """The entity (keyed by the id it has now) that was called ``name`` at commit ``at``; None when none was.

    The index follows an entity through a change of id, so an as-of answer looks up the id
    of that date, not today's.
    """
    current = change_at(index, name, at)
    if current is not None and current.state is not None and current.state.get("id") == name:
        return name
    for entity in index.changes:
        change = change_at(index, entity, at)
        if change is not None and change.state is not None and change.state.get("id") == name:
            return entity
    return None


def ever_named(index: Index) -> dict[str, str]:
    """Every id an entity ever had -> the id it has now (today's ids map to themselves)."""
    names: dict[str, str] = {}
    for entity, changes in index.changes.items():
        for change in changes:
            if change.state is not None:
                names.setdefault(str(change.state.get("id", entity)), entity)
    names.update({entity: entity for entity in index.changes})
    return names


def states_at(index: Index, at: int, kind: str | None = None) -> dict[str, tuple[State, Commit]]:
    """Every entity (of ``kind``) that existed at commit ``at``: its state and the commit that set it."""
    out: dict[str, tuple[State, Commit]] = {}
    for entity in sorted(index.changes):
        if kind is not None and index.kinds[entity] != kind:
            continue
        change = change_at(index, entity, at)
        if change is not None and change.state is not None:
            out[entity] = (change.state, index.commits[change.commit])
    return out


def due(state: State | None, calendar: Calendar) -> date | None:
    """The due date of a roadmap item's version: its end date, or the end of its target period."""
    if state is None:
        return None
    try:
        if isinstance(state.get("end"), str):
            return date.fromisoformat(state["end"])
        if isinstance(state.get("quarter"), str):
            period = calendar.parse(state["quarter"])
            return period.end if period is not None else None
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class Move:
    """The due date changed from ``before`` to ``after`` in ``commit``."""

    entity: str
    commit: Commit
    before: date
    after: date
    team: str

    @property
    def days(self) -> int:
        return (self.after - self.before).days

    @property
    def is_slip(self) -> bool:
        """What a slip is, for every report: the due date moved later than the last one known."""
        return self.days > 0


@dataclass(frozen=True)
class DueHistory:
    entity: str
    moves: tuple[Move, ...]

    @property
    def slips(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.is_slip)

    @property
    def slipped_days(self) -> int:
        """Days the due date moved later, added up (a move earlier does not take any back)."""
        return sum(m.days for m in self.slips)


def due_history(index: Index, entity: str) -> DueHistory:
    """Every move of an entity's due date, each from the last due date known before it.

    A due date that was removed and later restored moves from the one before its removal, so
    taking a date out for a while does not hide a slip.
    """
    moves: list[Move] = []
    before: date | None = None
    for change in index.changes.get(entity, []):
        after = due(change.state, index.calendar)
        if before is not None and after is not None and after != before and change.state is not None:
            moves.append(Move(entity, index.commits[change.commit], before, after, str(change.state.get("team", ""))))
        if after is not None:
            before = after
    return DueHistory(entity, tuple(moves))


@dataclass
class TeamQuarter:
    team: str
    committed: list[tuple[str, State]] = field(default_factory=list)  # in now at the start: (id, state then)
    done: dict[str, State] = field(default_factory=dict)  # of those, done (shipped) by the end: id -> state then
    slips: list[Move] = field(default_factory=list)  # due dates moved later during the quarter

    @property
    def ratio(self) -> float | None:
        return len(self.done) / len(self.committed) if self.committed else None


@dataclass
class Quarter:
    period: Period
    teams: dict[str, TeamQuarter]
    known_from_start: bool  # False when the history begins after the quarter's first day


def quarter(index: Index, period: Period, meaning: MeaningOf = builtin_meaning) -> Quarter:
    """Say/do and slips per team: items in now (and not closed) on the first day that were done on the last.

    ``meaning`` says what a status means (the registry's ``Kinds.meaning``; the built-in words by default).
    """
    start, end = commit_at(index, period.start), commit_at(index, period.end)
    teams: dict[str, TeamQuarter] = {}

    def team(name: str) -> TeamQuarter:
        return teams.setdefault(name, TeamQuarter(name))

    if start is not None and end is not None:
        at_end = states_at(index, end, ITEM)
        for entity, (state, _) in states_at(index, start, ITEM).items():
            if state.get("horizon") != "now" or meaning(ITEM, state.get("status")) in CLOSED:
                continue
            bucket = team(str(state.get("team", "")))
            bucket.committed.append((entity, state))
            later = at_end.get(entity)
            if later is not None and meaning(ITEM, later[0].get("status")) == "done":
                bucket.done[entity] = later[0]
    first, last = period.start.isoformat(), period.end.isoformat()
    for entity, kind in sorted(index.kinds.items()):
        if kind != ITEM:
            continue
        for move in due_history(index, entity).slips:
            if first <= move.commit.day <= last:
                team(move.team).slips.append(move)
    return Quarter(period, dict(sorted(teams.items())), start is not None and index.begins <= first)


@dataclass(frozen=True)
class Event:
    """One thing a stakeholder wants to hear about."""

    what: str  # "moved to now", "slipped", "done" (an item or a launch), "confidence", "value" (a key result's)
    entity: str
    title: str
    team: str
    commit: Commit
    detail: str = ""
    kind: str = ""
    status: str = ""  # the status an item or a launch was done with, as the schema names it
    # A key result's change: its id, and its value and confidence before and after (None: not known).
    kr: str = ""
    moved: tuple[float | None, float | None, float | None, float | None] = (None, None, None, None)

    @property
    def label(self) -> str:
        """What a reader sees: the status a thing was done with, as the schema names it, else the kind of change."""
        return self.status if self.what == "done" and self.status else self.what

    @property
    def section(self) -> str:
        """The digest's section: the kind of change, done work apart from done launches."""
        return f"done {self.kind}" if self.what == "done" else self.what


def digest(index: Index, since: date, until: date, meaning: MeaningOf = builtin_meaning) -> list[Event]:
    """The changes whose commits fall between ``since`` and ``until`` (both included), oldest first.

    ``meaning`` says what a status means (the registry's ``Kinds.meaning``; the built-in words by default).
    """
    first, last = since.isoformat(), until.isoformat()
    events: list[tuple[int, Event]] = []
    for entity, changes in index.changes.items():
        kind = index.kinds[entity]
        slips = {m.commit.oid: m for m in due_history(index, entity).slips} if kind == "roadmap-item" else {}
        previous: State | None = None
        for change in changes:
            commit = index.commits[change.commit]
            if change.state is not None and first <= commit.day <= last:
                team = _team(index, kind, change.state, change.commit)
                found = _events(kind, entity, previous, change.state, team, commit, slips.get(commit.oid), meaning)
                events += [(change.commit, e) for e in found]
            previous = change.state
    return [e for _, e in sorted(events, key=lambda pair: (pair[0], pair[1].team, pair[1].entity))]


def _team(index: Index, kind: str, state: State, at: int) -> str:
    if kind != "launch":
        return str(state.get("team", ""))
    for item in state.get("items", []):  # a launch belongs to the team of the work it launches
        named = named_at(index, item, at)  # the launch names its items by the ids of that commit
        change = change_at(index, named, at) if named is not None else None
        if change is not None and change.state is not None:
            return str(change.state.get("team", ""))
    return ""


def _events(
    kind: str,
    entity: str,
    before: State | None,
    after: State,
    team: str,
    commit: Commit,
    slip: Move | None,
    meaning: MeaningOf,
) -> list[Event]:
    old: State = before or {}
    title = str(after.get("title", ""))
    out: list[Event] = []

    def event(what: str, detail: str = "", **kr: Any) -> None:
        out.append(Event(what, entity, title, team, commit, detail, kind, str(after.get("status", "")), **kr))

    done = meaning(kind, after.get("status")) == "done" and meaning(kind, old.get("status")) != "done"
    if kind == ITEM:
        if after.get("horizon") == "now" and old.get("horizon") != "now":
            event("moved to now", f"from {old['horizon']}" if old.get("horizon") else "new")
        if slip is not None:
            event("slipped", f"{slip.before.isoformat()} → {slip.after.isoformat()} (+{slip.days} days)")
        if done:
            event("done")
    elif kind == LAUNCH:
        if done:
            event("done", f"GA {after['ga']}" if after.get("ga") else "")
    elif kind == "objective":
        old_krs: dict[str, Any] = old.get("krs", {})
        for kr, (current, confidence, *_) in after.get("krs", {}).items():
            if kr not in old_krs:
                continue
            before, was = old_krs[kr][0], old_krs[kr][1]
            moved = (before, current, was, confidence)
            if None not in (was, confidence) and was != confidence:
                event("confidence", f"{entity}.{kr}: {was:g} → {confidence:g}", kr=kr, moved=moved)
            elif None not in (before, current) and before != current:
                # A check-in that moved the value but kept the confidence is news too.
                event("value", f"{entity}.{kr}: {before:g} → {current:g}", kr=kr, moved=moved)
    return out

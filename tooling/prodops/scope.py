"""A period's scope: the plan as it stood on its first day against what became of it, from the history index.

The plan of a period at a commit is its roadmap items due in it (``historyview.due``: the end
date, or the end of the target period) that are open, and the key results of its objectives
(an objective's ``period`` names it, in the declared calendar's notation, so half-years and
cycles work as quarters do). The first day's plan is the plan at the last commit on or
before the period's first day. Against a later commit (the period's last day once it closed, and
now) each entry of the first day's plan is, in this order of precedence:

* *cut*: gone from the repository, or (an item) its status means dropped;
* *finished*: (an item) its status means done; (a key result) its value reached its target;
* *slipped*: (an item) due outside the period; (a key result) its objective moved to another period;
* *open*: still planned, not finished.

*Added* are the entries of the later plan that the first day's plan did not have. Say/do is the
share of the first day's items that finished. Statuses are judged by what they mean (``states``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from prodops.calendar import Period
from prodops.history import Commit, Index, State
from prodops.historyview import ITEM, commit_at, due, states_at
from prodops.states import MeaningOf, builtin_meaning

OBJECTIVE = "objective"
Outcome = Literal["cut", "finished", "slipped", "open"]
OUTCOMES: tuple[Outcome, ...] = ("cut", "finished", "slipped", "open")


@dataclass(frozen=True)
class Entry:
    """An item or a key result of a plan."""

    kind: Literal["item", "key result"]
    ref: str  # an item's id, or OBJECTIVE.KR
    title: str
    team: str


@dataclass(frozen=True)
class Comparison:
    """The first day's plan against the plan at ``day`` (``label``: "end" or "now")."""

    label: str
    day: date
    commit: Commit | None
    added: tuple[Entry, ...]
    outcomes: dict[Outcome, tuple[Entry, ...]]

    def count(self, outcome: Outcome | Literal["added"], kind: str | None = None) -> int:
        found = self.added if outcome == "added" else self.outcomes[outcome]
        return sum(kind is None or e.kind == kind for e in found)

    @property
    def say_do(self) -> float | None:
        """Finished items of the first day's plan, as a share of its items (None: it had none)."""
        planned = sum(self.count(o, "item") for o in OUTCOMES)
        return self.count("finished", "item") / planned if planned else None


@dataclass(frozen=True)
class Scope:
    period: Period
    planned: tuple[Entry, ...]  # the first day's plan
    known_from_start: bool  # False when the history begins after the period's first day
    comparisons: tuple[Comparison, ...]


_Plan = dict[str, tuple[Entry, State, str]]  # ref -> (entry, its state, how it stands: "", "done", "dropped")


def _plan(index: Index, at: int | None, period: Period, meaning: MeaningOf, everything: bool = False) -> _Plan:
    """The plan of ``period`` at commit ``at``; with ``everything``, every item and key result (to judge the plan by)."""
    plan: _Plan = {}
    if at is None:
        return plan
    for entity, (state, _) in states_at(index, at, ITEM).items():
        stands = meaning(ITEM, state.get("status"))
        stands_as = stands if stands in ("done", "dropped") else ""
        if everything or (_within(due(state, index.calendar), period) and stands != "dropped" and stands != "done"):
            entry = Entry("item", entity, str(state.get("title") or entity), str(state.get("team", "")))
            plan[entity] = (entry, state, stands_as)
    for entity, (state, _) in states_at(index, at, OBJECTIVE).items():
        named = index.calendar.parse(str(state.get("period", "")))
        in_period = named is not None and named == period
        if not (everything or in_period):
            continue
        for kr, numbers in (state.get("krs") or {}).items():
            ref = f"{entity}.{kr}"
            entry = Entry("key result", ref, ref, str(state.get("team", "")))
            plan[ref] = (entry, {**state, "in_period": in_period, "numbers": numbers}, "")
    return plan


def _within(day: date | None, period: Period) -> bool:
    return day is not None and period.start <= day <= period.end


def _reached(numbers: object) -> bool:
    if not isinstance(numbers, list) or len(numbers) < 4:
        return False
    current, _, baseline, target = numbers[:4]
    if current is None or target is None:
        return False
    rising = baseline is None or target >= baseline
    return bool(current >= target if rising else current <= target)


def _outcome(entry: Entry, later: tuple[Entry, State, str] | None, period: Period, index: Index) -> Outcome:
    if later is None or later[2] == "dropped":
        return "cut"
    _, state, stands = later
    if entry.kind == "item":
        if stands == "done":
            return "finished"
        return "open" if _within(due(state, index.calendar), period) else "slipped"
    if _reached(state.get("numbers")):
        return "finished"
    return "open" if state.get("in_period") else "slipped"


def scope(index: Index, period: Period, today: date, meaning: MeaningOf = builtin_meaning) -> Scope:
    """The first day's plan of ``period`` against its last day (once it closed) and against ``today``."""
    first_at = commit_at(index, period.start)
    planned = _plan(index, first_at, period, meaning)
    done_before = {ref for ref, (_, _, stands) in _plan(index, first_at, period, meaning, True).items() if stands}
    points = [("end", period.end)] if period.end < today else []
    points.append(("now", today))
    comparisons: list[Comparison] = []
    for label, day in points:
        at = commit_at(index, day)
        every = _plan(index, at, period, meaning, everything=True)
        now_planned = _plan(index, at, period, meaning)
        outcomes: dict[Outcome, list[Entry]] = {o: [] for o in OUTCOMES}
        for ref, (entry, _, _) in planned.items():
            outcomes[_outcome(entry, every.get(ref), period, index)].append(entry)
        # Added: planned at ``day`` (or finished in the period since) but not on the first day.
        added = [e for ref, (e, _, _) in now_planned.items() if ref not in planned]
        added += [
            e
            for ref, (e, state, stands) in every.items()
            if ref not in planned and ref not in now_planned and ref not in done_before and e.kind == "item"
            and stands == "done" and _within(due(state, index.calendar), period)
        ]  # fmt: skip
        comparisons.append(
            Comparison(
                label,
                day,
                index.commits[at] if at is not None else None,
                tuple(sorted(added, key=_order)),
                {o: tuple(sorted(found, key=_order)) for o, found in outcomes.items()},
            )
        )
    known = first_at is not None and index.begins <= period.start.isoformat()
    return Scope(period, tuple(sorted((e for e, _, _ in planned.values()), key=_order)), known, tuple(comparisons))


def _order(entry: Entry) -> tuple[str, str, str]:
    return (entry.kind, entry.team, entry.ref)

"""Past quarters scored from the history index: each key result's final progress and check-in path, each objective's score.

A quarter is scored from the versions in force on its last day (the last indexed commit on or
before it), so a file edited or removed after the quarter does not rewrite its result. A key
result's final progress is the share of the way from its baseline to its target that its
current value had then (``model.progress``, clamped to 0..1); its path is the dated check-ins
of that version that fall inside the quarter. An objective's final score is the mean of its own
key results' final progress (child objectives are scored on their own). A key result counts as
*reached* when its final progress is 1.0: the target met, which is what its confidence forecast
("how likely the owner thinks the target will be reached", in the objective schema).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from prodops.calendar import Period
from prodops.history import Index
from prodops.historyview import commit_at, states_at
from prodops.model import progress

REACHED_FROM = 1.0  # final progress at which a key result counts as reached


@dataclass(frozen=True)
class Point:
    """One check-in: its date, the measured value and the confidence given."""

    day: str
    value: float | None
    confidence: float | None


@dataclass(frozen=True)
class KeyResultScore:
    objective: str
    id: str
    team: str
    baseline: float | None
    target: float | None
    final: float | None  # the current value on the quarter's last day
    confidence: float | None  # the confidence on the quarter's last day
    path: tuple[Point, ...]  # check-ins dated inside the quarter, oldest first

    @property
    def ref(self) -> str:
        return f"{self.objective}.{self.id}"

    @property
    def progress(self) -> float | None:
        """Final progress (0..1); None when baseline, target or value is not a number."""
        if self.baseline is None or self.target is None or self.final is None:
            return None
        return progress(self.baseline, self.target, self.final)

    @property
    def reached(self) -> bool | None:
        share = self.progress
        return None if share is None else share >= REACHED_FROM


@dataclass(frozen=True)
class ObjectiveScore:
    id: str
    title: str
    team: str  # empty for a company objective
    key_results: tuple[KeyResultScore, ...]

    @property
    def score(self) -> float | None:
        """The mean of the key results' final progress (those that have one)."""
        known = [share for kr in self.key_results if (share := kr.progress) is not None]
        return sum(known) / len(known) if known else None


@dataclass(frozen=True)
class QuarterScore:
    period: Period
    objectives: tuple[ObjectiveScore, ...]
    known: bool  # False when the history has no commit on or before the quarter's last day


def past_periods(index: Index, today: date) -> list[Period]:
    """The past periods to review, oldest first: those objectives in the history were set for, and every
    period of the calendar's primary kind the history covers (a roadmap without OKRs has reviews too),
    each ended before ``today``."""
    calendar = index.calendar
    found: set[str] = set()
    for entity, changes in index.changes.items():
        if index.kinds[entity] == "objective":
            found.update(str(c.state["period"]) for c in changes if c.state is not None and "period" in c.state)
    periods = {period for text in found if (period := calendar.parse(text)) is not None}
    if index.begins:
        periods.update(calendar.between(date.fromisoformat(index.begins), today))
    return sorted((p for p in periods if p.end < today), key=lambda p: (p.start, p.end))


def score(index: Index, period: Period) -> QuarterScore:
    """The objectives of ``period`` as they stood on its last day, scored."""
    at = commit_at(index, period.end)
    if at is None:
        return QuarterScore(period, (), False)
    first, last = period.start.isoformat(), period.end.isoformat()
    objectives = []
    for entity, (state, _) in states_at(index, at, "objective").items():
        if state.get("period") != str(period):
            continue
        team = str(state.get("team", ""))
        checkins = state.get("checkins", {})
        krs = tuple(
            _kr(entity, kr, numbers, checkins.get(kr, []), team, first, last)
            for kr, numbers in state.get("krs", {}).items()
        )
        objectives.append(ObjectiveScore(entity, str(state.get("title") or entity), team, krs))
    return QuarterScore(period, tuple(objectives), True)


def _kr(
    objective: str, kr: str, numbers: list[Any], checkins: list[list[Any]], team: str, first: str, last: str
) -> KeyResultScore:
    current, confidence, baseline, target = numbers
    path = [Point(day, value, conf) for day, value, conf in checkins if first <= day <= last]
    return KeyResultScore(
        objective, kr, team, baseline, target, current, confidence, tuple(sorted(path, key=lambda p: p.day))
    )

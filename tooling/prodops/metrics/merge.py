"""Merging an export into the KPI histories, and the check-ins it records on key results that track a KPI.

``plan`` computes every file's new text without writing anything; ``apply`` writes the plan
atomically (every file or none). Merging is idempotent: values already in a history change
nothing, so importing the same file twice writes nothing the second time. A value that differs
from the one already recorded for its date is a restatement, and is reported as one; restating a
value of a period of the KPI's cadence that ended before today needs ``restate``, and without it
the value is refused (and the recorded one kept). A key result's check-in that was not written by
an import (typed by hand or by ``prodops checkin``) and is as new as the KPI's latest value or
newer is never overwritten without ``restate``: the import reports the conflict instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from prodops import edit, filetext
from prodops.catalog import Catalog
from prodops.metrics import cadence, history
from prodops.metrics.importer import Export
from prodops.metrics.model import TOTAL, Kpi, Point, Series


@dataclass(frozen=True)
class Restatement:
    kpi: str
    day: str
    segment: str
    old: float
    new: float
    line: int  # in the export


@dataclass(frozen=True)
class Refused:
    """A restatement of a value of a period that has ended, left out without ``restate``."""

    restatement: Restatement
    period: str  # the KPI's cadence period of the value, as words: "the week of 2026-11-09"


@dataclass(frozen=True)
class Conflict:
    """A typed check-in as new as the KPI's latest value or newer, left as written without ``restate``."""

    kr: str  # OBJECTIVE.KR
    checkin_day: date
    checkin_value: float
    kpi_day: date
    kpi_value: float


@dataclass(frozen=True)
class CheckIn:
    kr: str  # OBJECTIVE.KR
    day: date
    value: float
    new: bool  # a check-in added (False: the current value, or the check-in of that date, corrected)


@dataclass
class Plan:
    """What an import changes: per file its new bytes (and the bytes it was planned on), and why."""

    added: dict[str, tuple[str, int]] = field(default_factory=dict)  # KPI -> (its history file, values added)
    restated: list[Restatement] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    writes: dict[str, tuple[bytes, bytes | None]] = field(default_factory=dict)  # rel -> (new, old; None: new file)

    @property
    def changed(self) -> bool:
        return bool(self.writes)


def plan(root: Path, catalog: Catalog, export: Export, source: str, today: date, restate: bool = False) -> Plan:
    """The histories and objective files as the export leaves them (nothing is written).

    Without ``restate``, a recorded value of a period that ended before today, and a typed
    check-in as new as the KPI's latest value, are kept (``Plan.refused``, ``Plan.conflicts``).
    """
    out = Plan()
    merged: dict[str, Series] = {}
    changed: dict[str, set[str]] = {}  # KPI -> the dates whose headline value the export adds or restates
    # (with ``restate``, every date of the export: its values win over typed check-ins too)
    tracked = {kr.kpi for kr in catalog.key_results.values() if kr.kpi}
    for kpi_id in sorted(export.values):
        kpi = catalog.metrics.kpis[kpi_id]
        existing = catalog.metrics.of(kpi_id)
        segments: dict[str, dict[str, float]] = {
            name: {p.day.isoformat(): p.value for p in points} for name, points in existing.segments.items()
        }
        added = 0
        restated = False
        this_period = cadence.period(kpi.cadence, today)
        for segment, days in sorted(export.values[kpi_id].items()):
            known = segments.setdefault(segment, {})
            for day, (value, line) in sorted(days.items()):
                old = known.get(day)
                if old is None:
                    added += 1
                elif old != value:
                    restatement = Restatement(kpi_id, day, segment, old, value, line)
                    period = cadence.period(kpi.cadence, date.fromisoformat(day))
                    if not restate and period < this_period:
                        out.refused.append(Refused(restatement, cadence.label(kpi.cadence, period)))
                        continue
                    out.restated.append(restatement)
                    restated = True
                elif not (restate and segment == TOTAL):
                    continue  # with --restate, a value already recorded still sets the key results it shows
                known[day] = value
                if segment == TOTAL:
                    changed.setdefault(kpi_id, set()).add(day)
        if added or restated:
            rel = kpi.history_file
            out.added[kpi_id] = (rel, added)
            path = root / rel
            old_bytes = path.read_bytes() if path.exists() else None
            new_bytes = history.render({n: sorted(days.items()) for n, days in segments.items()}).encode("utf-8")
            if new_bytes != old_bytes:
                out.writes[rel] = (new_bytes, old_bytes)
        if kpi_id not in tracked or kpi_id not in changed:  # only a tracked KPI's new series is looked at again
            continue
        merged[kpi_id] = Series(
            {
                name: tuple(Point(date.fromisoformat(d), v) for d, v in sorted(days.items()))
                for name, days in segments.items()
            }
        )
    _checkins(root, catalog, merged, changed, source, today, restate, out)
    return out


def _checkins(
    root: Path,
    catalog: Catalog,
    merged: Mapping[str, Series],
    changed: Mapping[str, set[str]],
    source: str,
    today: date,
    restate: bool,
    out: Plan,
) -> None:
    """Check in the KPI's value on each key result that tracks a KPI the export brings values of.

    Only a latest value that the export adds or restates counts: the KPI's latest value in the
    key result's quarter (up to today) gets a new check-in when it belongs to a period of the
    KPI's cadence (a day, week or month) after that of the key result's last check-in; in the
    same period it corrects the current value (and the check-in of that date, if there is one),
    unless the last check-in was typed (not imported) and is as new as that value or newer: then,
    without ``restate``, the key result is left as written and the conflict reported.
    """
    for objective in sorted(catalog.objectives.values(), key=lambda o: o.id):
        edits: list[tuple[int, dict[str, Any] | None, float, int | None]] = []
        for kr in objective.key_results:
            series = merged.get(kr.kpi)
            if series is None:
                continue
            kpi = catalog.metrics.kpis[kr.kpi]
            period = objective.period  # None: the objective gives no period; its key results show the latest value
            latest = series.latest(min(period.end, today) if period is not None else today)
            if latest is None or (period is not None and latest.day < period.start):
                continue
            if latest.day.isoformat() not in changed.get(kr.kpi, ()):
                continue  # the export leaves the value the key result shows as it was
            last = max(kr.checkins, key=lambda c: c.date, default=None)
            if last is None or cadence.period(kpi.cadence, latest.day) > cadence.period(kpi.cadence, last.date):
                item = {
                    "date": latest.day.isoformat(),
                    "value": _number(latest.value),
                    "confidence": kr.confidence,
                    "note": note(kpi, source),
                }
                edits.append((kr.index, item, latest.value, None))
                out.checkins.append(CheckIn(kr.ref, latest.day, latest.value, True))
            elif latest.value != kr.current or (last.date == latest.day and last.value != latest.value):
                if not restate and last.date >= latest.day and not imported(last.note):
                    out.conflicts.append(Conflict(kr.ref, last.date, last.value, latest.day, latest.value))
                    continue
                same_day = next(
                    (i for i, c in enumerate(kr.checkins) if c.date == latest.day and c.value != latest.value), None
                )
                edits.append((kr.index, None, latest.value, same_day))
                out.checkins.append(CheckIn(kr.ref, latest.day, latest.value, False))
        if edits:
            _edit_objective(root, objective.file, edits, out)


_IMPORTED = " by prodops metrics import."


def note(kpi: Kpi, source: str) -> str:
    """The note of an imported check-in: where the number comes from."""
    where = f"{kpi.source.system}: {kpi.source.report}" if kpi.source.report else kpi.source.system
    return f"From {where}. Imported from {source}{_IMPORTED}"


def imported(checkin_note: str) -> bool:
    """Whether a check-in with this note was written by an import (``note``), not typed."""
    return checkin_note.endswith(_IMPORTED)


def _edit_objective(
    root: Path, rel: str, edits: list[tuple[int, dict[str, Any] | None, float, int | None]], out: Plan
) -> None:
    raw = (root / rel).read_bytes()
    text, form = filetext.decode(raw, rel)
    new = text
    for index, item, value, same_day in edits:
        new = edit.set_value(new, ("key_results", index, "current"), _number(value))
        if same_day is not None:
            new = edit.set_value(new, ("key_results", index, "checkins", same_day, "value"), _number(value))
        if item is not None:
            new = edit.append_item(new, ("key_results", index, "checkins"), item)
    if new != text:
        out.writes[rel] = (form.encode(new), raw)


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def apply(root: Path, planned: Plan) -> None:
    """Write the plan: every file or none, each only if it still holds the bytes it was planned on."""
    existing = [root / rel for rel, (_, old) in planned.writes.items() if old is not None]
    with edit.locked_all(existing):
        edit.replace_all({root / rel: (new, old) for rel, (new, old) in planned.writes.items()}, root=root)

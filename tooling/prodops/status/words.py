"""A status update in words: the ``Message`` a product manager would send for a ``StatusUpdate``."""

from __future__ import annotations

from prodops.status.message import Entry, Message, Section
from prodops.status.update import KrLine, Line, StatusUpdate


def _entry(line: Line) -> Entry:
    return Entry(line.title, line.page, line.detail, line.person)


def _num(value: float, unit: str = "") -> str:
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _kr(line: KrLine) -> Entry:
    value = _num(line.value, line.unit)
    if line.before is not None and line.before != line.value:
        value += f" (from {_num(line.before, line.unit)})"
    else:
        value += " (unchanged)"
    parts = [value, f"{line.progress:.0%} of the way"]
    if line.pace is not None:
        ahead = "ahead of" if line.progress >= line.pace else "behind"
        parts[1] += f", {ahead} the pace of {line.pace:.0%}"
    if line.confidence is None:
        parts.append("no confidence")
    elif line.confidence_before is not None and line.confidence_before != line.confidence:
        parts.append(f"confidence {line.confidence_before:g} → {line.confidence:g}")
    else:
        parts.append(f"confidence {line.confidence:g}")
    if line.note:
        parts.append(f"last check-in: {line.note}")
    return Entry(line.title, line.page, "; ".join(parts), line.person)


def message(update: StatusUpdate) -> Message:
    """The update as sections: shipped, launched, moved to now, slipped, key results, risks, demand answered."""
    sections = [
        Section("Shipped", tuple(_entry(x) for x in update.shipped)),
        Section("Launched", tuple(_entry(x) for x in update.launched)),
        Section("Moved into now", tuple(_entry(x) for x in update.moved_to_now)),
        Section("Slipped", tuple(_entry(x) for x in update.slipped)),
        Section("Key results", tuple(_kr(x) for x in update.key_results)),
        Section(
            "Risks",
            tuple(
                Entry(x.title, x.page, f"{heading}: {x.detail}" if x.detail else heading, x.person)
                for heading, x in update.risks
            ),
        ),
        Section(
            "Customer demand answered",
            tuple(
                Entry(a.insight, a.page, f"answered by {a.item}; {a.accounts} accounts asked") for a in update.answered
            ),
        ),
    ]
    window = f"{update.since.isoformat()} to {update.until.isoformat()}"
    summary = f"What happened from {window}."
    if update.history_begins:
        summary += f" The history here begins on {update.history_begins}."
    return Message(
        title=f"Status of {update.name}, {window}",
        summary=summary,
        sections=tuple(s for s in sections if s.entries),
        nothing="Nothing shipped, launched, moved or slipped, and there are no key results this quarter.",
    )

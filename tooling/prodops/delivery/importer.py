"""Match an export's tickets to the roadmap items that name them, and plan what the import writes.

A ticket belongs to an item when the item's ``delivery`` names the ticket itself or what it
belongs to (its epic or parent, its GitHub milestone, its Linear project). An epic named by an
item is a container: its child tickets count, not the epic. Each item found in the export gets
its ``progress`` (written into the item with the edit helpers, every other byte kept) and its
tickets, one line each with their dates, in ``roadmap/delivery/ID.csv`` beside it: the item
stays short, and a review sees one line change per ticket that moved. Nothing that already says
what the export says is rewritten, so a second import writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import edit, filetext, tabular
from prodops.catalog import Catalog
from prodops.delivery.read import Export, Skipped, Source, Ticket
from prodops.diagnostics import ProdopsError
from prodops.feedback.write import Change
from prodops.model import RoadmapItem

FOLDER = "delivery"
COLUMNS = ("key", "title", "status", "done", "points", "updated", "resolved")


@dataclass
class Outcome:
    """What an import found: rows read, tickets matched to items or not, rows skipped, files to write."""

    rows: int
    matched: list[Ticket] = field(default_factory=list)
    unmatched: list[Ticket] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    items: dict[str, list[Ticket]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


def sidecar(item: RoadmapItem) -> str:
    """Where an item's tickets are kept: ``delivery/ID.csv`` in the item's folder."""
    folder = item.file.rsplit("/", 1)[0] if "/" in item.file else "."
    return f"{folder}/{FOLDER}/{item.id}.csv"


def match(items: Iterable[RoadmapItem], export: Export) -> Outcome:
    """Each item's tickets in ``export``; an item whose references the export does not hold is left out."""
    by_ref: dict[str, list[str]] = {}
    for item in items:
        for ref in item.delivery:
            by_ref.setdefault(ref, []).append(item.id)
    containers = {parent for t in export.tickets for parent in t.parents}
    outcome = Outcome(export.rows, skipped=list(export.skipped))
    for ticket in export.tickets:
        owners: set[str] = set()
        for parent in ticket.parents:
            owners.update(by_ref.get(parent, ()))
        if ticket.key not in containers:  # an epic with children in the export counts through them
            owners.update(by_ref.get(ticket.key, ()))
        if not owners:
            (outcome.unmatched if ticket.key not in by_ref else outcome.matched).append(ticket)
            continue
        outcome.matched.append(ticket)
        for owner in sorted(owners):
            outcome.items.setdefault(owner, []).append(ticket)
    return outcome


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else round(value, 2)


def progress(source: Source, tickets: list[Ticket]) -> dict[str, Any]:
    """The ``progress`` an item's tickets add up to (points only where the tracker has estimates)."""
    done = [t for t in tickets if t.done]
    out: dict[str, Any] = {"source": source, "tickets_done": len(done), "tickets_total": len(tickets)}
    total = sum(t.points for t in tickets)
    if total:
        out["points_done"] = _number(sum(t.points for t in done))
        out["points_total"] = _number(total)
    dates = [d for t in tickets for d in (t.updated, t.resolved) if d is not None]
    if dates:
        out["last_activity"] = max(dates).isoformat()
    return out


def ticket_lines(tickets: list[Ticket]) -> str:
    """The sidecar CSV: one line per ticket, by key, with its dates (ISO) and whether it is done."""
    rows = [
        {
            "key": t.key,
            "title": t.title,
            "status": t.status,
            "done": "yes" if t.done else "no",
            "points": _number(t.points) if t.points else "",
            "updated": t.updated.isoformat() if t.updated else "",
            "resolved": t.resolved.isoformat() if t.resolved else "",
        }
        for t in sorted({t.key: t for t in tickets}.values(), key=lambda t: t.key)
    ]
    # Titles hold no line breaks (``read.clean``), so plain LF lines read and diff best.
    return tabular.write(COLUMNS, rows).replace("\r\n", "\n")


def plan(root: Path, catalog: Catalog, source: Source, outcome: Outcome) -> list[Change]:
    """The item files and sidecars that change (none when they already say what the export says)."""
    changes: list[Change] = []
    for item_id, tickets in sorted(outcome.items.items()):
        item = catalog.items[item_id]
        raw = (root / item.file).read_bytes()
        text, form = filetext.decode(raw, item.file)
        try:
            for key, value in progress(source, tickets).items():
                text = edit.set_value(text, ("progress", key), value)
        except ProdopsError as exc:
            raise ProdopsError(f"{item.file}: {exc}") from exc
        data = form.encode(text)
        if data != raw:
            changes.append(Change(item.file, raw, data))
        rel = sidecar(item)
        path = root / rel
        before = path.read_bytes() if path.is_file() else None
        after = ticket_lines(tickets).encode("utf-8")
        if after != before:
            changes.append(Change(rel, before, after))
    return changes

"""Customer asks answered: per account, the insights whose items shipped or launched in a window.

For customer success to follow up. Accounts are named by their id in the CRM or billing
system (``account_ids`` of an insight's demand) and by name only where the source mapping
keeps names (``account_names``); nothing about a person is read or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from prodops import historyview
from prodops.catalog import Catalog
from prodops.feedback import insight as insights
from prodops.feedback.aggregate import account_id_of
from prodops.history import Index
from prodops.historyview import DONE_ITEM, DONE_LAUNCH
from prodops.status.message import Entry, Message, Section
from prodops.status.update import page_of


@dataclass(frozen=True)
class Shipped:
    item: str
    title: str
    day: str  # when it shipped (or its launch launched)


def shipped(catalog: Catalog, index: Index | None, since: date, until: date) -> list[Shipped]:
    """Items shipped in the window (from the history), and the items of launches generally available in it."""
    found: dict[str, Shipped] = {}
    events = historyview.digest(index, since, until, catalog.meaning) if index is not None else []
    for event in events:  # an item's own shipping first, then the launches that launched it
        if event.section == DONE_ITEM and event.entity in catalog.items:
            found.setdefault(event.entity, Shipped(event.entity, event.title, event.commit.day))
    for event in events:
        if event.section == DONE_LAUNCH and event.entity in catalog.launches:
            for item in catalog.launches[event.entity].items:
                if item in catalog.items:
                    found.setdefault(item, Shipped(item, catalog.items[item].title, event.commit.day))
    return sorted(found.values(), key=lambda s: (s.day, s.item))


def _ids(entry: Mapping[str, Any]) -> list[str]:
    """An entry's account ids; one edited in by hand that could not be an id (control characters) is left out."""
    return [a for a in (account_id_of(str(a)) for a in entry.get("account_ids") or ()) if a]


def _names(entry: Mapping[str, Any]) -> list[str]:
    """An entry's account names, where it has no ids: both name the same accounts, and ids are what a CRM finds."""
    return [] if entry.get("account_ids") else [str(n) for n in entry.get("account_names") or ()]


def _unnamed(entry: Mapping[str, Any]) -> int:
    named = len(_ids(entry)) + len(_names(entry))
    return max(0, int(entry.get("accounts", 0)) - named)


def message(catalog: Catalog, index: Index | None, since: date, until: date) -> Message:
    by_account: dict[str, list[Entry]] = {}
    unnamed: list[Entry] = []
    for ship in shipped(catalog, index, since, until):
        for found in insights.addressing(catalog, ship.item):
            entries = [e for e in found.entries if str(e.get("last_seen", "")) <= until.isoformat()]
            entry = Entry(found.title, page_of(catalog, found.id), f"answered by {ship.title}, {ship.day}")
            ids = sorted({a for e in entries for a in _ids(e)})
            names = sorted({n for e in entries for n in _names(e)})
            for account in ids:
                by_account.setdefault(f"Account {account}", []).append(entry)
            for name in names:
                by_account.setdefault(name, []).append(entry)
            # Accounts counted in an entry that named none of them (a month's count: at least this many).
            rest = max((_unnamed(e) for e in entries), default=0)
            if rest > 0:
                unnamed.append(Entry(found.title, entry.page, f"{entry.detail}; at least {rest} more accounts asked"))
    sections = [Section(account, tuple(entries)) for account, entries in sorted(by_account.items())]
    if unnamed:
        sections.append(Section("Accounts without an id", tuple(unnamed)))
    window = f"{since.isoformat()} to {until.isoformat()}"
    summary = "Items shipped or launched in this window, and the accounts whose asks they answer: follow up with each."
    if index is not None and index.begins > since.isoformat():
        summary += f" The history here begins on {index.begins}: what was shipped by then counts as shipped that day."
    return Message(
        title=f"Customer asks answered, {window}",
        summary=summary,
        sections=tuple(sections),
        nothing="Nothing that shipped or launched in this window answers an insight.",
    )

"""What each channel is sent this week: status updates, the digest and per-owner reminders, as ``Outgoing`` values.

Each outgoing message has a key (channel, kind of message, whom it is about, and the ISO week
of its last day) so a rerun for the same week finds it in the record of what was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from prodops import freshness, historyview
from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic
from prodops.history import Index
from prodops.historytext import SECTIONS
from prodops.historyview import Event
from prodops.notify.settings import Channel
from prodops.status import update, words
from prodops.status.message import Entry, Message, Section


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


@dataclass(frozen=True)
class Outgoing:
    channel: Channel
    what: str  # "status", "digest" or "reminders"
    about: str  # a team id, "organisation", or a person's handle
    period: str  # the ISO week of the window's last day: "2026-W49"
    message: Message
    recipients: tuple[Recipient, ...] = ()  # e-mail only

    @property
    def key(self) -> str:
        return f"{self.channel.name}/{self.what}/{self.about}/{self.period}"


@dataclass(frozen=True)
class Inputs:
    """What the messages are computed from: the pipeline's result and the history (None outside Git)."""

    catalog: Catalog
    diagnostics: list[Diagnostic]
    index: Index | None
    updates: Mapping[str, update.StatusUpdate]  # by team id, or "organisation"
    since: date
    until: date
    site_url: str


def week(day: date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def _teams(channel: Channel, catalog: Catalog) -> tuple[str, ...]:
    return channel.teams or ("organisation",)


def _people(channel: Channel, catalog: Catalog) -> tuple[str, ...]:
    """The handles a channel speaks to: its owners, or the members of its teams (everyone without either)."""
    if channel.owners:
        return channel.owners
    teams = channel.teams or tuple(catalog.teams)
    return tuple(h for h, (_, team) in catalog.people.items() if team in teams)


def recipients(channel: Channel, catalog: Catalog, handles: tuple[str, ...] | None = None) -> tuple[Recipient, ...]:
    """E-mail addresses from the team registry (people without one are left out)."""
    out = []
    for handle in handles if handles is not None else _people(channel, catalog):
        found = catalog.people.get(handle)
        if found is not None and found[0].email:
            out.append(Recipient(found[0].name, found[0].email))
    return tuple(dict.fromkeys(out))


def digest_message(inputs: Inputs, teams: tuple[str, ...]) -> Message:
    """The digest (what moved to now, slipped, shipped, launched, changed confidence) of ``teams`` ("organisation": all)."""
    events = (
        historyview.digest(inputs.index, inputs.since, inputs.until, inputs.catalog.meaning)
        if inputs.index is not None
        else []
    )
    chosen = [e for e in events if "organisation" in teams or e.team in teams]
    catalog = inputs.catalog
    sections = []
    for what, heading in SECTIONS.items():
        entries = tuple(_digest_entry(catalog, e) for e in chosen if e.section == what)
        if entries:
            sections.append(Section(heading, entries))
    window = f"{inputs.since.isoformat()} to {inputs.until.isoformat()}"
    return Message(
        title=f"What changed, {window}",
        summary="Moved to now, slipped, shipped, launched, and key results whose confidence changed.",
        sections=tuple(sections),
        nothing="Nothing moved, slipped, shipped or launched, and no key result changed confidence.",
    ).linked(inputs.site_url)


def _digest_entry(catalog: Catalog, event: Event) -> Entry:
    """A digest event in words: a confidence change names its key result by title, not by id."""
    title, detail = event.title or event.entity, event.detail
    who = update.owner_name(catalog, event.entity)
    if event.what == "confidence":
        ref, _, change = event.detail.partition(": ")
        kr = catalog.key_results.get(ref)
        if kr is not None:
            title, detail, who = kr.title, f"confidence {change} ({event.title})", update.person(catalog, kr.owner)
    return Entry(title, update.page_of(catalog, event.entity), detail, who)


def reminder_message(inputs: Inputs, handle: str, findings: list[Diagnostic]) -> Message:
    """What one owner needs to update, with the fix for each finding."""
    catalog = inputs.catalog
    by_file = {doc.rel: oid for oid, doc in catalog.documents.items()}
    entries = []
    for d in sorted(findings, key=lambda f: (f.file, f.line)):
        entity = by_file.get(d.file, "")
        detail = d.message + (f" ({d.hint})" if d.hint else "")
        entries.append(
            Entry(update.title_of(catalog, entity) if entity else d.file, update.page_of(catalog, entity), detail)
        )
    name = update.person(catalog, handle)
    return Message(
        title=f"{name}: product operations data to update",
        summary="Update these in a pull request; the reminder stops once nothing is left.",
        sections=(Section("To update", tuple(entries)),),
    ).linked(inputs.site_url)


def outgoing(channel: Channel, inputs: Inputs) -> list[Outgoing]:
    """Every message ``channel`` is to be sent for the window."""
    period = week(inputs.until)
    catalog = inputs.catalog
    out: list[Outgoing] = []
    for what in channel.sends:
        if what == "status":
            for team in _teams(channel, catalog):
                found = inputs.updates[team]
                message = words.message(found).linked(inputs.site_url)
                out.append(Outgoing(channel, what, team, period, message, recipients(channel, catalog)))
        elif what == "digest":
            teams = _teams(channel, catalog)
            out.append(
                Outgoing(
                    channel, what, "+".join(teams), period, digest_message(inputs, teams), recipients(channel, catalog)
                )
            )
        else:
            owners = freshness.by_owner(catalog, inputs.diagnostics)
            for handle in _people(channel, catalog):
                findings = owners.get(handle, [])
                if findings:
                    message = reminder_message(inputs, handle, findings)
                    out.append(
                        Outgoing(channel, what, handle, period, message, recipients(channel, catalog, (handle,)))
                    )
    return out

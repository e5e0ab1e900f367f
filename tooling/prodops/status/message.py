"""What a message says, before it is written for a channel: a title, a summary and sections of entries.

The status update, the digest and the reminders are each turned into a ``Message``; every
output (Markdown, plain text, HTML, Slack, Teams, e-mail, the site's team page) writes the
same ``Message``, so they carry the same facts. Text here is plain: each writer escapes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Entry:
    """One fact: a title (linked to ``page`` when there is one), a detail and a person's name."""

    title: str
    page: str = ""  # site-relative ("roadmap-item/x.html") or absolute (once ``linked``)
    detail: str = ""
    person: str = ""

    @property
    def words(self) -> str:
        """The entry as one line of plain text, without its link."""
        detail = f": {self.detail}" if self.detail else ""
        who = f" ({self.person})" if self.person else ""
        return f"{self.title}{detail}{who}"


@dataclass(frozen=True)
class Section:
    heading: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Message:
    title: str
    summary: str
    sections: tuple[Section, ...]
    nothing: str = ""  # what to say when there is no section

    def linked(self, site_url: str) -> Message:
        """The message with every page made absolute under ``site_url`` (kept relative without one)."""
        if not site_url:
            return self
        base = site_url.rstrip("/") + "/"
        return self.map_pages(lambda page: page if not page or "://" in page else base + page)

    def map_pages(self, change: Callable[[str], str]) -> Message:
        """The message with ``change`` applied to every entry's page."""
        sections = tuple(
            Section(s.heading, tuple(replace(e, page=change(e.page)) for e in s.entries)) for s in self.sections
        )
        return Message(self.title, self.summary, sections, self.nothing)

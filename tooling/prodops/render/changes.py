"""The "What changed" page and its Atom feed: the history's digest, week by week.

Both come from the history index (``prodops.history``); a repository that is not a Git
repository, or has no commits, gets the page with a note instead. The feed is written with
the standard library's XML writer, which escapes every text node, and is served as a file
next to the page (it makes no request anywhere: links in it are relative to the site).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from prodops import history, historyview
from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.historyview import Event
from prodops.kinds import page_path
from prodops.render import reviews
from prodops.render.renderer import Site, SiteOptions, environment
from prodops.states import MeaningOf, builtin_meaning

PAGE = "changes.md"
FEED = "changes.atom"
WEEKS = 12
ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot hold at all (a Git author name can carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Shown:
    """An event as the page shows it: the event, and the entity page's address if it has one."""

    what: str
    entity: str
    title: str
    detail: str
    commit: history.Commit
    link: str
    hint: str = ""  # the id behind words, as a tooltip (a key result's ``objective.kr1``)


@dataclass(frozen=True)
class Week:
    start: date
    teams: list[tuple[str, list[Shown]]]


def load_index(root: Path) -> tuple[history.Index | None, str]:
    """The history index for the site's pages, or None and a note saying why there is none."""
    try:
        return history.load(root), ""
    except ProdopsError as exc:
        return None, "No history to show: " + str(exc).replace(str(root), "the repository") + "."


def add_history(
    site: Site, root: Path, options: SiteOptions, catalog: Catalog, diagnostics: Sequence[Diagnostic] = ()
) -> None:
    """Every page made from Git's history, from one index: what changed (and its feed), quarter reviews, calibration.

    And the release notes, which come from the shipped launches, and the team status pages
    (whose risks come from the rules' ``diagnostics``).
    """
    index, note = load_index(root)
    meaning = catalog.kinds.meaning if catalog.kinds is not None else builtin_meaning
    _add(site, index, note, options, set(catalog.documents), meaning, catalog)
    from prodops.render.history import add_entity_history

    add_entity_history(site, index, note, catalog)
    reviews.add_reviews(site, index, note, options, catalog)
    reviews.add_release_notes(site, catalog)
    from prodops.render.status import add_status_pages

    add_status_pages(site, index, options, catalog, diagnostics)
    from prodops.render.compliance import add_compliance

    add_compliance(site, root, options, catalog)


def add_changes(
    site: Site, root: Path, options: SiteOptions, known: set[str], meaning: MeaningOf = builtin_meaning
) -> None:
    """Add the page and the feed to ``site``; ``known`` are the ids that have a page now."""
    index, note = load_index(root)
    _add(site, index, note, options, known, meaning)


def _add(
    site: Site,
    index: history.Index | None,
    note: str,
    options: SiteOptions,
    known: set[str],
    meaning: MeaningOf,
    catalog: Catalog | None = None,
) -> None:
    weeks: list[Week] = []
    until = anchor(index, options.today)
    since = until - timedelta(days=until.weekday() + 7 * (WEEKS - 1))
    if index is not None:
        weeks = _weeks(historyview.digest(index, since, until, meaning), known, catalog)
        if index.begins and index.begins > since.isoformat():
            note = f"The history here begins on {index.begins}."
        if until != options.today:
            note = f"{note} The repository has not changed since; these are the weeks as of the last change, {until}.".strip()
        if index.redated:
            note = (
                f"{note} {index.redated} commit(s) are dated before the commit they follow or in the future; "
                "each is counted on the nearest day that keeps the order."
            ).strip()
    env = environment()  # the pages' own, with their filters and macros
    site.pages[PAGE] = env.get_template("changes.md.j2").render(changes=weeks, weeks=WEEKS, today=until, note=note)
    site.files[FEED] = feed(weeks, options)


def anchor(index: history.Index | None, today: date) -> date:
    """The last day the page covers: today, or the last commit's day when none landed this week.

    A repository that has rested for a while still shows what last changed, as of that
    change, rather than weeks of nothing.
    """
    if index is None or not index.commits:
        return today
    last = date.fromisoformat(index.commits[-1].day)
    return last if last < today - timedelta(days=today.weekday()) else today


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def kr_words(e: Event, catalog: Catalog | None) -> tuple[str, str]:
    """A key result's change in words, and its id: "Net revenue retention: 104 → 106 %, confidence 0.7 → 0.6".

    The title and unit are the key result's as the repository has them now; a key result since
    removed is named by its id.
    """
    ref = f"{e.entity}.{e.kr}"
    kr = catalog.key_results.get(ref) if catalog is not None else None
    name = kr.title if kr is not None and kr.title else ref
    unit = f" {kr.unit}" if kr is not None and kr.unit else ""
    before, after, was, now = e.moved
    value = f"{_number(before)} → {_number(after)}{unit}" if before != after else ""
    confidence = f"confidence {_number(was)} → {_number(now)}" if was != now else ""
    return f"{name}: " + ", ".join(part for part in (value, confidence) if part), ref


def _weeks(events: list[Event], known: set[str], catalog: Catalog | None = None) -> list[Week]:
    by_week: dict[date, dict[str, list[Shown]]] = {}
    for e in events:
        day = date.fromisoformat(e.commit.day)
        start = day - timedelta(days=day.weekday())
        kind = e.kind
        link = page_path(kind, e.entity).removesuffix(".md") + ".html" if e.entity in known else ""
        detail, hint = kr_words(e, catalog) if e.kr else (e.detail, "")
        if e.kr and link:
            link += f"#kr-{e.kr}"
        shown = Shown(e.label, e.entity, e.title, detail, e.commit, link, hint)
        by_week.setdefault(start, {}).setdefault(e.team, []).append(shown)
    return [Week(start, sorted(teams.items())) for start, teams in sorted(by_week.items(), reverse=True)]


def feed(weeks: list[Week], options: SiteOptions) -> bytes:
    """An Atom feed (RFC 4287) with one entry per week, its changes as plain text."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text:
            element.text = _NOT_XML.sub("\ufffd", text)
        return element

    root = ET.Element(f"{{{ATOM}}}feed")
    sub(root, "id", "urn:prodops:changes")
    sub(root, "title", f"{options.site_name}: what changed")
    newest = [max(e.commit.moment for _, events in w.teams for e in events) for w in weeks]
    sub(root, "updated", max(newest) if newest else f"{options.today.isoformat()}T00:00:00Z")
    sub(sub(root, "author"), "name", options.site_name)
    sub(root, "link", rel="alternate", href="changes.html")
    sub(root, "link", rel="self", href=FEED)
    for week, updated in zip(weeks, newest, strict=True):
        entry = sub(root, "entry")
        sub(entry, "id", f"urn:prodops:changes:week:{week.start.isoformat()}")
        sub(entry, "title", f"Week of {week.start.isoformat()}")
        sub(entry, "updated", updated)
        sub(entry, "link", rel="alternate", href=f"changes.html#week-of-{week.start.isoformat()}")
        lines = []
        for team, events in week.teams:
            lines.append(team or "No team")
            lines += [
                f"- {e.what}: {e.title or e.entity}" + (f": {e.detail}" if e.detail else "") + f" ({e.commit.day})"
                for e in events
            ]
        sub(entry, "content", "\n".join(lines), type="text")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"

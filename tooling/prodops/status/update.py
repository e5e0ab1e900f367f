"""The status update of a team, an objective or the whole organisation over a window, as a value.

It puts together what is already computed elsewhere and adds nothing of its own: the history's
digest (moved to now, slipped, shipped, launched), the key results' progress, the expected pace
of their quarter, their value and confidence at the window's start (from the history), the
note of their last check-in, the rules' findings that make a risk (overdue, stale, launches not
ready) and the customer insights the shipped items answer. Everything is in words: titles,
people's names, and the site page of each entity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from prodops import historyview
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import Diagnostic
from prodops.feedback import insight as insights
from prodops.history import Index
from prodops.historyview import DONE_ITEM, DONE_LAUNCH
from prodops.kinds import page_path
from prodops.model import KeyResult, Objective
from prodops.pace import pace

# Whose update: one team's, one objective's or everyone's (the words match the CLI's options, not kinds).
Scope = Literal["team"] | Literal["objective"] | Literal["organisation"]

# The rules whose findings are risks a status update names, by the heading they go under.
RISK_RULES = {
    "PO416": "overdue",
    "PO407": "stale",
    "PO411": "stale",
    "PO413": "stale",
    "PO406": "launch not ready",
    "PO415": "launch not ready",
}


@dataclass(frozen=True)
class Line:
    """One fact: what it is about (title and site page), a detail, and the person to ask."""

    title: str
    page: str  # site-relative page ("roadmap-item/x.html"), empty when there is none
    detail: str = ""
    person: str = ""  # a name, never a handle


@dataclass(frozen=True)
class KrLine:
    title: str
    objective: str  # the objective's title
    page: str
    before: float | None  # the value at the window's start (None when the history does not know it)
    value: float
    unit: str
    progress: float
    pace: float | None  # the share of the quarter gone by (where progress would be on a straight line); None: no period
    confidence_before: float | None
    confidence: float | None  # None: the key result records no confidence
    note: str  # the last check-in's note
    person: str


@dataclass(frozen=True)
class Answered:
    insight: str  # its title
    page: str
    item: str  # the title of the item that answers it
    accounts: int  # accounts that asked, in the peak month


@dataclass(frozen=True)
class StatusUpdate:
    scope: Scope
    name: str  # the team's name, the objective's title, or the organisation
    key: str  # the team or objective id, or "organisation"
    since: date
    until: date
    shipped: tuple[Line, ...]
    launched: tuple[Line, ...]
    moved_to_now: tuple[Line, ...]
    slipped: tuple[Line, ...]
    key_results: tuple[KrLine, ...]
    risks: tuple[tuple[str, Line], ...]  # (heading, fact)
    answered: tuple[Answered, ...]
    history_begins: str = ""

    @property
    def empty(self) -> bool:
        return not (self.shipped or self.launched or self.moved_to_now or self.slipped or self.key_results)


def person(catalog: Catalog, handle: str) -> str:
    """A person's name from the team registry (the handle when the registry does not know them)."""
    found = catalog.people.get(handle)
    return found[0].name if found is not None else handle


def page_of(catalog: Catalog, entity: str) -> str:
    """The entity's page on the site, relative to its root (empty for an unknown entity)."""
    kind = catalog.kind_of(entity)
    return page_path(kind, entity).removesuffix(".md") + ".html" if kind is not None else ""


def _teams_of(catalog: Catalog, entity: str) -> tuple[str, ...]:
    item = catalog.items.get(entity)
    if item is not None:
        return item.teams
    objective = catalog.objectives.get(entity)
    if objective is not None:
        return (objective.team,) if objective.team else ()
    launch = catalog.launches.get(entity)
    if launch is not None:
        return tuple(t for i in launch.items if i in catalog.items for t in catalog.items[i].teams)
    kr = catalog.key_results.get(entity)
    if kr is not None:
        return _teams_of(catalog, kr.objective)
    return ()


def _objectives(catalog: Catalog, scope: Scope, key: str, until: date) -> list[Objective]:
    if scope == "objective":
        return [catalog.objectives[key]]
    current = [o for o in catalog.objectives.values() if o.period is not None and until in o.period]
    if scope == "team":
        current = [o for o in current if o.team == key]
    return sorted(current, key=lambda o: o.id)


def _entities(catalog: Catalog, scope: Scope, key: str) -> set[str] | None:
    """The entities an objective's update speaks of: it, and the items and launches of its key results."""
    if scope != "objective":
        return None
    refs = {kr.ref for kr in catalog.objectives[key].key_results}
    items = {i.id for i in catalog.items.values() if refs & set(i.key_results)}
    launches = {lid for lid, launch in catalog.launches.items() if items & set(launch.items)}
    return {key, *items, *launches}


def _kr_line(
    catalog: Catalog, index: Index | None, objective: Objective, kr: KeyResult, at: int | None, until: date
) -> KrLine:
    before = confidence_before = None
    if index is not None and at is not None:
        change = historyview.change_at(index, objective.id, at)
        if change is not None and change.state is not None:
            numbers = change.state.get("krs", {}).get(kr.id)
            if numbers is not None:
                before, confidence_before = numbers[0], numbers[1]
    return KrLine(
        title=kr.title,
        objective=objective.title,
        page=page_of(catalog, objective.id),
        before=before,
        value=kr.current,
        unit=kr.unit,
        progress=kr.progress,
        pace=pace(objective.period, until),
        confidence_before=confidence_before,
        confidence=kr.confidence,
        note=kr.checkins[-1].note if kr.checkins else "",
        person=person(catalog, kr.owner),
    )


def compute(
    catalog: Catalog,
    config: Config,
    diagnostics: list[Diagnostic],
    index: Index | None,
    scope: Scope,
    key: str,
    since: date,
    until: date,
) -> StatusUpdate:
    """The update of ``key`` (a team id, an objective id, or "organisation") from ``since`` to ``until``."""
    wanted = _entities(catalog, scope, key)

    def mine(entity: str, team: str = "") -> bool:
        if wanted is not None:
            return entity in wanted
        return scope == "organisation" or key in (_teams_of(catalog, entity) or (team,))

    lines: dict[str, list[Line]] = {DONE_ITEM: [], DONE_LAUNCH: [], "moved to now": [], "slipped": []}
    at: int | None = None
    if index is not None:
        for event in historyview.digest(index, since, until, catalog.meaning):
            if event.section in lines and mine(event.entity, event.team):
                owner = owner_name(catalog, event.entity)
                lines[event.section].append(
                    Line(event.title or event.entity, page_of(catalog, event.entity), event.detail, owner)
                )
        at = historyview.commit_at(index, since - timedelta(days=1))
    krs = [
        _kr_line(catalog, index, objective, kr, at, until)
        for objective in _objectives(catalog, scope, key, until)
        for kr in objective.key_results
    ]
    risks: list[tuple[str, Line]] = [
        ("at risk", Line(kr.title, kr.page, f"confidence {kr.confidence:g}", kr.person))
        for kr in krs
        if kr.confidence is not None and kr.confidence < config.at_risk_below
    ]
    by_file = {doc.rel: oid for oid, doc in catalog.documents.items()}
    for d in sorted(diagnostics, key=lambda d: (RISK_RULES.get(d.code, ""), d.file, d.line)):
        entity = by_file.get(d.file)
        if d.code in RISK_RULES and entity is not None and mine(entity):
            title = title_of(catalog, entity)
            risks.append(
                (RISK_RULES[d.code], Line(title, page_of(catalog, entity), d.message, owner_name(catalog, entity)))
            )
    answered = [
        Answered(found.title, page_of(catalog, found.id), line.title, found.demand().accounts)
        for what in (DONE_ITEM,)
        for line, event_id in _ids(catalog, lines[what])
        for found in insights.addressing(catalog, event_id)
    ]
    name = "the organisation"
    if scope == "team":
        name = catalog.teams[key].name if key in catalog.teams else key
    elif scope == "objective":
        name = catalog.objectives[key].title if key in catalog.objectives else key
    return StatusUpdate(
        scope=scope,
        name=name,
        key=key,
        since=since,
        until=until,
        shipped=tuple(lines[DONE_ITEM]),
        launched=tuple(lines[DONE_LAUNCH]),
        moved_to_now=tuple(lines["moved to now"]),
        slipped=tuple(lines["slipped"]),
        key_results=tuple(krs),
        risks=tuple(risks),
        answered=tuple(answered),
        history_begins=index.begins if index is not None and index.begins > since.isoformat() else "",
    )


def _ids(catalog: Catalog, lines: list[Line]) -> list[tuple[Line, str]]:
    by_page = {page_of(catalog, i): i for i in catalog.items}
    return [(line, by_page[line.page]) for line in lines if line.page in by_page]


def title_of(catalog: Catalog, entity: str) -> str:
    for table in (catalog.items, catalog.objectives, catalog.launches, catalog.playbooks):
        found = table.get(entity)
        if found is not None:
            return str(found.title)
    return entity


def owner_name(catalog: Catalog, entity: str) -> str:
    """The name of the person who owns the entity (a launch: its product owner), or empty."""
    item = catalog.items.get(entity)
    if item is not None:
        return person(catalog, item.owner) if item.owner else ""
    objective = catalog.objectives.get(entity)
    if objective is not None:
        return person(catalog, objective.owner)
    launch = catalog.launches.get(entity)
    if launch is not None:
        product = dict(launch.owners).get("product")
        return person(catalog, product) if product else ""
    playbook = catalog.playbooks.get(entity)
    return person(catalog, playbook.owner) if playbook is not None else ""

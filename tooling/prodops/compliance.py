"""Campaigns: the rules rolled out on a schedule, who is not compliant yet, and how that burned down.

A campaign is a rule with ``error-from`` or ``only-created-after`` in ``[tool.prodops.rules.CODE]``
(``prodops.schedule``). Its open entities are those the rule finds today (an entity counts once,
however many findings it has), each with its owning teams. The burn-down runs the rule on the
repository as it was (``sources.revision`` at the history's commit of the day) at the end of
each week since the campaign's start: its ``start`` setting, else the day its table first appeared
in the configuration file, else ``WEEKS`` weeks before today; at most ``WEEKS`` points, the
last one today. A revision read once serves every week that ends on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from prodops import gitrev, history, historyview, pipeline, sources
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import ProdopsError
from prodops.rules import REGISTRY, Context
from prodops.schedule import Schedule, first_days

WEEKS = 26  # the most points a burn-down has (half a year of weeks)


@dataclass(frozen=True)
class Open:
    """An entity that does not comply yet: where, whose, and the rule's first finding about it."""

    entity: str
    file: str
    teams: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Point:
    """How many entities did not comply at the end of ``day`` (None: not known, before the history or unreadable)."""

    day: date
    count: int | None


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    rationale: str
    fix: str
    severity: str  # the rule's severity today
    deadline: date | None  # error-from
    created_after: date | None  # only-created-after
    start: date
    open: tuple[Open, ...]
    burndown: tuple[Point, ...]

    @property
    def teams(self) -> tuple[str, ...]:
        """Every team that owns an entity not compliant yet, by name."""
        return tuple(sorted({team for found in self.open for team in found.teams}))

    def days_left(self, today: date) -> int | None:
        return (self.deadline - today).days if self.deadline is not None else None


def campaigns(root: Path, catalog: Catalog, config: Config, today: date, burndown: bool = True) -> list[Campaign]:
    """Every campaign of ``config``, judged on ``catalog`` (a whole run's) and, with ``burndown``, on ``root``'s Git history."""
    planned = {code: s for code, s in sorted(config.rules.items()) if s.campaign}
    if not planned:
        return []
    first = first_days(root) if any(s.only_created_after for s in planned.values()) else {}
    out: list[Campaign] = []
    index = _index(root) if burndown else None
    catalogs: dict[str, Catalog | None] = {}  # commit -> the catalog then (None: it did not pass its checks)
    for code, schedule in planned.items():
        rule = REGISTRY[code]
        start = schedule.start or _first_scheduled(root, config.source, code) or today - timedelta(weeks=WEEKS)
        points = _points(root, index, config, schedule, first, start, today, catalogs) if index is not None else ()
        default = config.severity.get(code, rule.severity)
        out.append(
            Campaign(
                code=code,
                name=rule.name,
                rationale=rule.rationale,
                fix=rule.fix,
                severity=schedule.severity_on(today, default),
                deadline=schedule.error_from,
                created_after=schedule.only_created_after,
                start=start,
                open=tuple(_open(catalog, config, schedule, first, today)),
                burndown=tuple(points),
            )
        )
    return out


def _open(
    catalog: Catalog, config: Config, schedule: Schedule, first: Mapping[str, str], today: date
) -> Iterable[Open]:
    seen: dict[str, Open] = {}
    for finding in REGISTRY[schedule.code].check(Context(catalog=catalog, config=config, today=today)):
        if finding.entity in seen or not schedule.applies(first.get(finding.entity)):
            continue
        doc = catalog.documents.get(finding.entity)
        seen[finding.entity] = Open(
            finding.entity, doc.rel if doc is not None else "", catalog.owning_teams(finding.entity), finding.message
        )
    return sorted(seen.values(), key=lambda o: (o.teams, o.entity))


def week_ends(start: date, today: date) -> list[date]:
    """The Sundays from ``start`` up to ``today``, then ``today``; the last ``WEEKS`` of them."""
    days: list[date] = []
    day = start + timedelta(days=6 - start.weekday())
    while day < today:
        days.append(day)
        day += timedelta(weeks=1)
    days.append(today)
    return days[-WEEKS:]


def _points(
    root: Path,
    index: history.Index,
    config: Config,
    schedule: Schedule,
    first: Mapping[str, str],
    start: date,
    today: date,
    catalogs: dict[str, Catalog | None],
) -> list[Point]:
    quiet = replace(config, severity=dict.fromkeys(REGISTRY, "off"), rules={})  # the rule is run here, once
    points: list[Point] = []
    for day in week_ends(start, today):
        at = historyview.commit_at(index, day)
        if at is None:
            points.append(Point(day, None))
            continue
        oid = index.commits[at].oid
        if oid not in catalogs:
            catalogs[oid] = _catalog_at(root, oid, day, quiet)
        catalog = catalogs[oid]
        if catalog is None:
            points.append(Point(day, None))
            continue
        points.append(Point(day, len(list(_open(catalog, config, schedule, first, day)))))
    return points


def _catalog_at(root: Path, oid: str, day: date, config: Config) -> Catalog | None:
    try:
        with sources.revision(root, oid) as revision:
            found = pipeline.run(revision.source, today=day, config=config)
    except ProdopsError:
        return None
    return found.catalog if found.rules_checked else None


def _index(root: Path) -> history.Index | None:
    try:
        return history.load(root)
    except ProdopsError:
        return None


def _first_scheduled(root: Path, source: str, code: str) -> date | None:
    """The day the configuration file first held the rule's schedule (its code under ``rules``), from Git."""
    file = source.split(" ", 1)[0]
    if not file:
        return None
    try:
        done = gitrev.run_git(
            root, "log", "--first-parent", "--reverse", "--format=%cs", "-G", rf"rules\.{code}\b|^\s*{code}\s*=", "--", file,
            needed_for="the compliance burn-down",
        )  # fmt: skip
    except ProdopsError:
        return None
    days = done.stdout.decode(errors="replace").split()
    try:
        return date.fromisoformat(days[0]) if done.returncode == 0 and days else None
    except ValueError:
        return None

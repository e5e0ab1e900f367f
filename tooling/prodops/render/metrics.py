"""KPI pages: the overview (tiles by owning team), one page per KPI, the home page's strip and key-result charts.

What a KPI's status is, and since when, is computed in ``metrics.model``; this module chooses
what each page shows (the last year of values, sampled to one a week when they are denser)
and renders it through the site's templates, so every page passes through ``clean_page``.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup

from prodops import model
from prodops.kinds import KindSpec
from prodops.metrics import cadence
from prodops.metrics.model import Kpi, Point, Series, Status, format_value
from prodops.render import charts

if TYPE_CHECKING:
    from prodops.render.renderer import Renderer

KIND = "kpi"
WINDOW = timedelta(days=366)  # a KPI page charts the year up to its latest value
DENSE = 120  # more values than this in the window are sampled to the last one of each week
STATUS_WORDS: dict[Status, str] = {"healthy": "healthy", "watch": "watch", "at-risk": "at risk", "no-data": "no data"}


@dataclass(frozen=True)
class KpiView:
    kpi: Kpi
    series: Series
    status: Status
    latest: Point | None
    previous: Point | None
    since: Point | None  # the start of the current at-risk run
    shown: tuple[Point, ...]  # the values charted and tabled
    key_results: tuple[model.KeyResult, ...]
    objectives: tuple[model.Objective, ...]
    missing: str | None = None  # the first whole period without a value (a stale KPI), as PO441 says

    @property
    def status_word(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def change(self) -> str:
        if self.latest is None or self.previous is None:
            return ""
        delta = self.latest.value - self.previous.value
        return ("+" if delta > 0 else "") + format_value(round(delta, 6))


def page_path(kpi_id: str) -> str:
    """A KPI's page, where every kind's entity pages are (``kpi/ID.md``)."""
    return f"{KIND}/{kpi_id}.md"


def sample(points: Sequence[Point], today: date) -> tuple[Point, ...]:
    """The year of values up to the latest one (by ``today``); when there are more than ``DENSE``, the last of each week."""
    known = [p for p in points if p.day <= today]
    if not known:
        return ()
    recent = [p for p in known if p.day > known[-1].day - WINDOW]
    if len(recent) <= DENSE:
        return tuple(recent)
    weekly: dict[int, Point] = {}
    for p in recent:
        weekly[(p.day.toordinal() - 1) // 7] = p
    return tuple(weekly[k] for k in sorted(weekly))


def view(renderer: Renderer, kpi: Kpi) -> KpiView:
    catalog = renderer.catalog
    today = renderer.options.today
    series = catalog.metrics.of(kpi.id)
    total = [p for p in series.total if p.day <= today]
    krs = tuple(
        sorted((kr for kr in catalog.key_results.values() if kr.kpi == kpi.id), key=lambda kr: kr.ref, reverse=True)
    )
    named = {*kpi.objectives, *(kr.objective for kr in krs)}
    objectives = tuple(
        sorted(
            (catalog.objectives[o] for o in named if o in catalog.objectives),
            key=lambda o: (str(o.period), o.id),
            reverse=True,
        )
    )
    latest = total[-1] if total else None
    return KpiView(
        kpi=kpi,
        series=series,
        status=kpi.status_of(latest.value if latest else None),
        latest=latest,
        previous=total[-2] if len(total) > 1 else None,
        since=kpi.at_risk_since(series, today),
        shown=sample(total, today),
        key_results=krs,
        objectives=objectives,
        missing=cadence.first_missing(kpi.cadence, latest.day, today) if latest is not None else None,
    )


_VIEWS: weakref.WeakKeyDictionary[Renderer, list[KpiView]] = weakref.WeakKeyDictionary()


def views(renderer: Renderer) -> list[KpiView]:
    """Every KPI's view, by name; computed once per build (the home strip and the KPI pages share them)."""
    found = _VIEWS.get(renderer)
    if found is None:
        kpis = sorted(renderer.catalog.metrics.kpis.values(), key=lambda k: k.name)
        found = _VIEWS[renderer] = [view(renderer, kpi) for kpi in kpis]
    return found


def chart(v: KpiView) -> Markup:
    """A KPI's trend with its target and thresholds."""
    kpi = v.kpi
    rules = [charts.Rule("watch", kpi.limit("watch"), "watch"), charts.Rule("at risk", kpi.limit("at_risk"), "at-risk")]
    if kpi.target is not None:
        rules.insert(0, charts.Rule("target", kpi.target, "target"))
    return charts.trend_chart(
        [(p.day, p.value) for p in v.shown], f"{kpi.name} ({kpi.unit}), {kpi.cadence}", kpi.unit, rules
    )


def spark(v: KpiView) -> Markup:
    return charts.mini_trend([(p.day, p.value) for p in v.shown[-26:]], f"{v.kpi.name}, recent values")


def kr_chart(renderer: Renderer, kr: model.KeyResult) -> Markup:
    """A key result's KPI series over its quarter, against its baseline, target and expected pace."""
    kpi = renderer.catalog.metrics.kpis.get(kr.kpi)
    objective = renderer.catalog.objectives.get(kr.objective)
    if kpi is None or objective is None or objective.period is None:
        return Markup("")  # no KPI, or no period to chart it over
    start, end = objective.period.start, objective.period.end
    points = [
        (p.day, p.value)
        for p in renderer.catalog.metrics.of(kpi.id).total
        if start <= p.day <= min(end, renderer.options.today)
    ]
    given = (("baseline", kr.baseline), ("target", kr.target))
    rules = [charts.Rule(name, value, name) for name, value in given if value is not None]
    # The pace runs from the baseline to the target: without either, there is none to draw.
    pace = (start, kr.baseline, end, kr.target) if kr.baseline is not None and kr.target is not None else None
    return charts.trend_chart(points, f"{kpi.name} in {objective.period} for {kr.title}", kpi.unit, rules, pace)


def groups(renderer: Renderer, all_views: list[KpiView]) -> list[tuple[str, str, list[KpiView]]]:
    """The KPIs by owning team: (team id, team name, views), teams by name."""
    teams = renderer.catalog.teams
    by_team: dict[str, list[KpiView]] = {}
    for v in all_views:
        by_team.setdefault(v.kpi.team, []).append(v)
    named = [(t, teams[t].name if t in teams else t, vs) for t, vs in by_team.items()]
    return sorted(named, key=lambda g: g[1])


def pages(renderer: Renderer, spec: KindSpec) -> dict[str, str]:
    """The page provider of the KPI kind: the overview (its index page) and one page per KPI."""
    all_views = views(renderer)
    index = spec.index_page
    out = {
        index: renderer.render_template(index, "kpis_index.md.j2", groups=groups(renderer, all_views), m_kpi=_Helpers)
    }
    for v in all_views:
        path = page_path(v.kpi.id)
        out[path] = renderer.render_template(
            path, "kpi.md.j2", v=v, m_kpi=_Helpers, file=v.kpi.file, edit_url=renderer.edit_url(v.kpi.file)
        )
    return out


def strip(renderer: Renderer, here: str) -> Markup:
    """The home page's KPI strip: every KPI's tile, those at risk first."""
    order = {"at-risk": 0, "watch": 1, "no-data": 2, "healthy": 3}
    all_views = sorted(views(renderer), key=lambda v: (order[v.status], v.kpi.name))
    if not all_views:
        return Markup("")
    return Markup(
        renderer.env.get_template("_kpi_strip.j2").render(here=here, r=renderer, views=all_views, m_kpi=_Helpers)
    )


class _Helpers:
    """What the KPI templates call: charts and links (a namespace, so templates stay declarative)."""

    chart = staticmethod(chart)
    spark = staticmethod(spark)
    page_path = staticmethod(page_path)
    fmt = staticmethod(format_value)

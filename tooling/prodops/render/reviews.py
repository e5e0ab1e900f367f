"""Pages made from the history and shipped launches: quarter reviews, forecast calibration, release notes.

A review page per past quarter scores its OKRs as they stood on its last day (``scoring``) and
shows say/do and slips per team (``historyview.quarter``, what ``prodops report quarter``
prints) and its scope, the plan on its first day against its last (``scope``, what ``prodops
report scope`` prints); the calibration page shows ``calibration.calibrate`` over every past quarter. Each is
computed once here from one history index; the release notes come from the catalog (launches
that launched, with their ``release_note``). Text from YAML and Git is escaped by the templates,
Markdown fields go through the field cleaner, and every page through ``clean_page`` afterwards.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup

from prodops import calibration, historyview, scope, scoretext, scoring, values
from prodops.calendar import DEFAULT, Period
from prodops.catalog import Catalog
from prodops.history import Index
from prodops.kinds import page_path
from prodops.model import Launch
from prodops.render import charts
from prodops.render.renderer import Site, SiteOptions, environment
from prodops.states import builtin_meaning

FOLDER = "history"
INDEX = f"{FOLDER}/index.md"
CALIBRATION = f"{FOLDER}/calibration.md"
RELEASE_NOTES = "release-notes.md"


@dataclass(frozen=True)
class Review:
    """One past quarter: its OKR scores and its say/do, and the page it is on."""

    score: scoring.QuarterScore
    quarter: historyview.Quarter
    page: str
    plan: scope.Scope | None = None  # the plan on its first day against its last (``prodops report scope``)

    @property
    def mean(self) -> float | None:
        known = [s for o in self.score.objectives if (s := o.score) is not None]
        return sum(known) / len(known) if known else None


def page_of(period: Period) -> str:
    return f"{FOLDER}/{period}.md"


def _link(here: str, target: str) -> str:
    html = target[:-3] + ".html" if target.endswith(".md") else target
    return posixpath.relpath(html, posixpath.dirname(here) or ".")


def add_reviews(site: Site, index: Index | None, note: str, options: SiteOptions, catalog: Catalog) -> None:
    """The quarter review pages, their index and the calibration page (``index`` None: no history, ``note`` says why)."""
    env = environment()
    env.filters["conf"] = lambda value: charts.confidence(value, values.confidence_band(value, options.config))
    reviews: list[Review] = []
    meaning = catalog.kinds.meaning if catalog.kinds is not None else builtin_meaning
    if index is not None:
        for period in scoring.past_periods(index, options.today):
            reviews.append(
                Review(
                    scoring.score(index, period),
                    historyview.quarter(index, period, meaning),
                    page_of(period),
                    scope.scope(index, period, options.today, meaning),
                )
            )
    known = set(catalog.documents)

    def kr_title(ref: str) -> str:
        """The key result's title as the repository has it now (its id where it is gone)."""
        kr = catalog.key_results.get(ref)
        return kr.title if kr is not None and kr.title else ref

    def entity(here: str, kind: str, entity_id: str) -> str:
        return _link(here, page_path(kind, entity_id)) if entity_id in known else ""

    begins = index.begins if index is not None else ""
    noun = (index.calendar if index is not None else DEFAULT).noun  # "quarter", "cycle", "period"
    for review in reviews:
        here = review.page
        site.pages[here] = env.get_template("review_quarter.md.j2").render(
            review=review,
            here=here,
            link=lambda kind, entity_id, here=here: entity(here, kind, entity_id),
            chart=_path_chart,
            band=lambda value: values.confidence_band(value, options.config).replace(" ", "-"),
            outcome=calibration.OUTCOME,
            begins=begins,
            back=_link(here, INDEX),
            calibration_page=_link(here, CALIBRATION),
            noun=noun,
            kr_title=kr_title,
        )
    site.pages[INDEX] = env.get_template("reviews_index.md.j2").render(
        reviews=list(reversed(reviews)),
        link=lambda target: _link(INDEX, target),
        calibration_page=_link(INDEX, CALIBRATION),
        note=note,
        begins=begins,
        today=options.today,
        noun=noun,
    )
    found = calibration.calibrate([r.score for r in reviews], options.config)
    site.pages[CALIBRATION] = env.get_template("calibration.md.j2").render(
        calibration=found,
        outcome=calibration.OUTCOME,
        note=note,
        begins=begins,
        reviews=_link(CALIBRATION, INDEX),
        pages={r.score.period: _link(CALIBRATION, r.page) for r in reviews},
        kr_title=kr_title,
        pct=scoretext.share,
        brier=scoretext.number,
        noun=noun,
    )


def _path_chart(kr: scoring.KeyResultScore) -> Markup:
    points = [(date.fromisoformat(p.day), p.value) for p in kr.path if p.value is not None]
    if kr.baseline is None or kr.target is None:
        return Markup('<span class="po-muted">no baseline or target</span>')
    return charts.sparkline([(d, v) for d, v in points if v is not None], kr.baseline, kr.target, f"{kr.ref} values")


def shipped_launches(catalog: Catalog, since: date | None = None) -> list[Launch]:
    """Launches that launched (GA on or after ``since``), newest first."""
    launched = [
        launch
        for launch in catalog.launches.values()
        if launch.done and (since is None or (launch.ga is not None and launch.ga >= since))
    ]
    return sorted(launched, key=lambda launch: (launch.ga or date.min, launch.id), reverse=True)


def add_release_notes(site: Site, catalog: Catalog) -> None:
    """The release-notes page: every launched launch, newest first, with its customer-facing note."""
    env = environment()
    here = RELEASE_NOTES
    rows: list[dict[str, Any]] = []
    for launch in shipped_launches(catalog):
        rows.append(
            {
                "launch": launch,
                "link": _link(here, page_path("launch", launch.id)),
                "work": [
                    (catalog.items[i].title, _link(here, page_path("roadmap-item", i)))
                    for i in launch.items
                    if i in catalog.items
                ],
            }
        )
    site.pages[here] = env.get_template("release_notes.md.j2").render(rows=rows)

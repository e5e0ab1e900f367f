"""The per-build state and helpers every page module uses: links, templates, people, bars and charts.

One ``Renderer`` per build holds the catalog, the options and the pages rendered so far; page
modules (``generic``, ``metrics``, ``feedback``) receive it and add pages through it, and
``pages.Pages`` assembles the whole site on top of it. It imports no page module.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jinja2
from markupsafe import Markup, escape

from prodops import kinds, model, values
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import Diagnostic
from prodops.kinds import page_path
from prodops.pace import pace
from prodops.render import charts, monthgrid
from prodops.schemas import SchemaSet, enum_values
from prodops.states import builtin_meaning
from prodops.text import safe

# How many entries a long list shows before its "Show all" button (site/javascripts/filters.js), so
# that a page of a large organisation stays readable: cards per board column (and per column of a
# team's board), rows per timeline group, rows of a long table, objectives of an OKR period.
COLLAPSE = {"board": 15, "team-board": 3, "timeline": 15, "table": 50, "launches": 10, "objectives": 10, "rows": 10}


@dataclass(frozen=True)
class Demand:
    """What customers ask of an item: its insights' accounts and ARR added up (peak month of each)."""

    insights: int = 0
    accounts: int = 0
    arr: float = 0.0


@dataclass(frozen=True)
class SiteOptions:
    """What the renderer needs beyond the catalog."""

    today: date
    edit_base: str = ""  # e.g. https://github.com/org/repo/edit/main/ ; empty: no edit links
    site_name: str = "Product operations"
    config: Config = field(default_factory=Config)


@dataclass
class Site:
    """The rendered pages, by path relative to the docs folder, plus extra files (schemas)."""

    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    edit_urls: dict[str, str] = field(default_factory=dict)
    provided: dict[str, set[str]] = field(default_factory=dict)  # kind -> the pages its page providers added


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the process: a server renders the site again on every change.

    Jinja checks each entry against its template's source checksum, so an edited template compiles anew.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def environment() -> jinja2.Environment:
    """The templates with their filters and macros, shared by every page renderer (site, public, changes)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("prodops.render", "templates"),
        bytecode_cache=_COMPILED,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = safe.inline
    env.filters["md"] = safe.markdown_field
    env.filters["href"] = safe.href
    env.filters["bar"] = charts.progress_bar
    env.filters["day"] = values.day_text  # a date, or "not set" for one the schema does not require
    env.filters["month_grid"] = monthgrid.launch_weeks
    # The default bands; a Renderer replaces this with the repository's (``at-risk-below``, ``on-track-from``).
    env.filters["conf"] = lambda value: charts.confidence(value, values.confidence_band(value, Config()))
    env.filters["json"] = lambda value: Markup(json.dumps(value, ensure_ascii=True))
    env.filters["plain_title"] = safe.plain_title
    # A status word's declared meaning, which the badges' colours key on; a Renderer reads the schemas'.
    env.filters["meaning"] = lambda status, kind="": builtin_meaning(kind, status) or ""
    env.filters["num"] = lambda value: (
        values.number_text(value) if value is None or abs(value) < 1000 else f"{value:,.0f}"
    )
    return env


def status_meanings(registry: kinds.Kinds) -> dict[str, str]:
    """Each status word of every kind and its declared meaning; a word two kinds give different meanings has none."""
    found: dict[str, set[str]] = {}
    for spec in registry:
        for value, meaning in spec.states.items():
            found.setdefault(value, set()).add(meaning)
    return {value: next(iter(m)) for value, m in found.items() if len(m) == 1}


class Renderer:
    """One build's state and the helpers its pages and templates use."""

    def __init__(
        self,
        catalog: Catalog,
        schemas: SchemaSet,
        diagnostics: Iterable[Diagnostic],
        options: SiteOptions,
        schema_files: Mapping[str, bytes],
        extra_pages: Mapping[str, str] | None = None,
    ) -> None:
        self.catalog = catalog
        self.schemas = schemas
        self.warnings = [d for d in diagnostics if d.severity != "error"]
        self.options = options
        self.schema_files = schema_files
        self.env = environment()
        self.env.filters["conf"] = lambda value: charts.confidence(value, self.band(value))
        self.calendar = catalog.calendar
        self.period = self.calendar.containing(options.today)
        # Every declared period today falls in (a half-year and its year), the primary one first.
        self.periods_now = self.calendar.all_containing(options.today)
        self.site = Site()
        self.extra_pages = dict(extra_pages or {})
        # Columns and counts follow the schema: a horizon or status an organisation adds gets its own.
        self.horizons = enum_values(schemas, "roadmap-item", ("horizon",))
        self.statuses = enum_values(schemas, "roadmap-item", ("status",))
        self.kinds = kinds.registry(schemas)
        self.collapse = COLLAPSE
        self._demand: dict[str, Demand] | None = None
        self._meanings = status_meanings(self.kinds)
        self.env.filters["meaning"] = self.status_meaning

    def status_meaning(self, status: object, kind: str = "") -> str:
        """What ``status`` of ``kind`` means, for its badge's colour; without a kind, the meaning every kind with
        that word agrees on ("" when none)."""
        if not isinstance(status, str):
            return ""
        if kind:
            return self.kinds.meaning(kind, status) or ""
        return self._meanings.get(status, "")

    # -- links -------------------------------------------------------------------------------

    def link(self, here: str, target: str) -> str:
        """Relative address of page ``target`` (a .md path) from page ``here``."""
        target_html = target[:-3] + ".html" if target.endswith(".md") else target
        return _relative(target_html, posixpath.dirname(here))

    def entity_link(self, here: str, kind: str, entity_id: str) -> str:
        return self.link(here, page_path(kind, entity_id))

    def kr_link(self, here: str, kr_ref: str) -> str:
        objective, _, kr = kr_ref.partition(".")
        return self.entity_link(here, "objective", objective) + f"#kr-{kr}"

    # -- rendering -----------------------------------------------------------------------------

    def _page(self, path: str, template: str, **context: Any) -> None:
        here = path
        self.site.pages[path] = self.env.get_template(template).render(
            here=here,
            r=self,
            today=self.options.today,
            period=self.period,
            calendar=self.calendar,
            site_name=self.options.site_name,
            **context,
        )

    def _entity(self, kind: str, entity_id: str, file: str, template: str, **context: Any) -> None:
        path = page_path(kind, entity_id)
        edit = f"{self.options.edit_base}{file}" if self.options.edit_base else ""
        if edit:
            self.site.edit_urls[path] = edit
        self._page(path, template, file=file, edit_url=edit, **context)
        self.site.pages[path] = self.sections(kind, entity_id, path, self.site.pages[path])

    def sections(self, kind: str, entity_id: str, path: str, page: str) -> str:
        """An entity's page with what other modules add to it; none here (``pages.Pages`` adds the registered ones)."""
        return page

    def render_template(self, here: str, template: str, **context: Any) -> str:
        """One template rendered for page ``here`` with the renderer's helpers (for page providers too)."""
        return self.env.get_template(template).render(
            here=here,
            r=self,
            today=self.options.today,
            period=self.period,
            calendar=self.calendar,
            site_name=self.options.site_name,
            **context,
        )

    # -- helpers used by templates ---------------------------------------------------------------

    def demand(self, item_id: str) -> Demand:
        """The demand of the insights that name this item in ``addressed_by`` (none without the insight kind)."""
        if self._demand is None:
            self._demand = {}
            if "insight" in self.schemas.kinds:
                from prodops.feedback.insight import insights

                for insight in insights(self.catalog):
                    asked = insight.demand()
                    for item_id_ in set(insight.addressed_by):
                        was = self._demand.get(item_id_, Demand())
                        self._demand[item_id_] = Demand(
                            was.insights + 1, was.accounts + asked.accounts, was.arr + asked.arr
                        )
        return self._demand.get(item_id, Demand())

    def overdue(self, item: model.RoadmapItem) -> bool:
        """Committed work whose due date has passed while it is still open."""
        return bool(item.active and item.committed and item.due is not None and item.due < self.options.today)

    def _launch_at_risk(self, launch: model.Launch) -> bool:
        """Two weeks or less to GA with the checklist under half done, or a no-go on record."""
        if not launch.open:
            return False
        decided_no = launch.go_no_go is not None and launch.go_no_go.decision == "no-go"
        close = launch.ga is not None and (launch.ga - self.options.today).days <= 14
        return decided_no or (close and launch.readiness_done < 0.5)

    def item_risks(self, item: model.RoadmapItem) -> list[str]:
        """Why an open item is at risk, in words: a key result it moves is at risk, or a launch of it is."""
        if not item.active:
            return []
        found = []
        krs = [kr for ref in item.key_results if (kr := self.catalog.key_results.get(ref)) is not None]
        if any(self.at_risk(kr) for kr in krs):
            found.append("moves a key result at risk")
        if any(self._launch_at_risk(launch) for launch in self.catalog.launches_of(item.id)):
            found.append("its launch is at risk")
        return found

    def person(self, handle: str) -> str:
        found = self.catalog.people.get(handle)
        return f"{found[0].name} (@{handle})" if found else f"@{handle}"

    def team_name(self, team_id: str) -> str:
        """A team's name for a reader (its id where the registry does not know it)."""
        team = self.catalog.teams.get(team_id)
        return team.name if team is not None and team.name else team_id

    def name(self, handle: str) -> str:
        """A person's name for a reader (their handle where the registry does not know them)."""
        found = self.catalog.people.get(handle)
        return found[0].name if found else f"@{handle}"

    def kr_title(self, ref: str) -> str:
        """A key result's title, for words where an id (``objective.kr1``) would otherwise show."""
        kr = self.catalog.key_results.get(ref)
        return kr.title if kr is not None and kr.title else ref

    def kr_named(self, here: str, ref: str) -> Markup:
        """A link to a key result that reads as its title; its id is the link's tooltip."""
        return Markup('<a href="{}" title="{}">{}</a>').format(self.kr_link(here, ref), ref, self.kr_title(ref))

    def rice(self, item: model.RoadmapItem) -> str:
        return f"{item.rice.score:,.1f}" if item.rice else "–"

    def objective_bar(self, objective: model.Objective) -> Markup:
        """An objective's progress with its child objectives rolled up (``Objective.progress``)."""
        return charts.progress_bar(objective.progress, objective.title)

    def kr_bar(self, kr: model.KeyResult) -> Markup:
        """A key result's progress, coloured by its confidence, with the expected pace in the current period."""
        objective = self.catalog.objectives.get(kr.objective)
        shown = None
        if objective is not None and objective.period is not None and self.options.today in objective.period:
            shown = pace(objective.period, self.options.today)
        return charts.progress_bar(kr.progress, kr.title, self.band(kr.confidence), shown)

    def band(self, confidence: float | None) -> str:
        return values.confidence_band(confidence, self.options.config)

    def at_risk(self, kr: model.KeyResult) -> bool:
        return values.at_risk(kr.confidence, self.options.config)

    def risky(self, objective: model.Objective) -> list[model.KeyResult]:
        return [kr for kr in objective.key_results if self.at_risk(kr)]

    def edit_url(self, file: str) -> str:
        return f"{self.options.edit_base}{file}" if self.options.edit_base else ""

    def checkin_chart(self, kr: model.KeyResult) -> Markup:
        if kr.baseline is None or kr.target is None:
            return Markup('<span class="po-muted">no baseline or target</span>')
        return charts.sparkline(
            [(ci.date, ci.value) for ci in kr.checkins], kr.baseline, kr.target, f"Check-ins of {kr.title}"
        )


def data_attributes(facets: Mapping[str, str]) -> Markup:
    """``data-key="value"`` for each facet, escaped, for the filters' script (site/javascripts/filters.js)."""
    return Markup(" ".join(f'data-{escape(key)}="{escape(value)}"' for key, value in facets.items()))


def _relative(target: str, start: str) -> str:
    """``posixpath.relpath(target, start or ".")`` for the site's page paths, without its two getcwd() calls."""
    to, base = target.split("/"), start.split("/") if start else []
    if target.startswith("/") or start.startswith("/") or any(p in ("", ".", "..") for p in (*to, *base)):
        return posixpath.relpath(target, start or ".")
    same = 0
    while same < len(base) and same < len(to) and base[same] == to[same]:
        same += 1
    return "/".join([".."] * (len(base) - same) + to[same:]) or "."

"""Catalog -> site pages (Markdown with HTML fragments), through Jinja2 templates.

Knows nothing of MkDocs: the result is a mapping of page paths to text, which the
MkDocs plugin hands to MkDocs in memory and ``prodops render`` writes to a folder.
Every page links with relative ``.html`` addresses, so the site works from any
sub-path, from a file system, and under another generator that reads the same Markdown.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import jinja2
from markupsafe import Markup, escape

from prodops import approvals, kinds, lifecycle, model, values
from prodops.calendar import Period
from prodops.catalog import Catalog
from prodops.codes import CHECKS
from prodops.config import Config
from prodops.diagnostics import Diagnostic
from prodops.pace import pace
from prodops.render import charts, generic, monthgrid, providers, safe
from prodops.render import metrics as metrics_pages
from prodops.rules import REGISTRY
from prodops.schemas import SchemaSet, enum_values
from prodops.states import builtin_meaning

# How many entries a long list shows before its "Show all" button (site/javascripts/filters.js), so
# that a page of a large organisation stays readable: cards per board column (and per column of a
# team's board), rows per timeline group, rows of a long table, objectives of an OKR period.
COLLAPSE = {"board": 15, "team-board": 3, "timeline": 15, "table": 50, "launches": 10, "objectives": 10, "rows": 10}


@dataclass(frozen=True)
class Board:
    """Board columns by horizon (active work only) and what the board leaves out, by status."""

    columns: list[tuple[str, list[model.RoadmapItem]]]
    hidden: dict[str, int]


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


def page_path(kind: str, entity_id: str) -> str:
    """An entity's page: one folder per kind, named as the kind (``KindSpec.page_dir``)."""
    return f"{kind}/{entity_id}.md"


class Renderer:
    """Renders every page; one instance per build."""

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

    def render(self) -> Site:
        c = self.catalog
        self._page("index.md", "dashboard.md.j2", **self._dashboard())
        self._page("roadmap/index.md", "roadmap_board.md.j2", board=self._board(c.items.values()))
        self._page("roadmap/teams.md", "roadmap_teams.md.j2", teams=self._by_team())
        self._page("roadmap/timeline.md", "roadmap_timeline.md.j2", **self._timeline("roadmap/timeline.md"))
        self._page(
            "roadmap/timeline-all.md", "roadmap_timeline.md.j2", **self._timeline("roadmap/timeline-all.md", full=True)
        )
        self._page("roadmap/all.md", "roadmap_all.md.j2", items=self._by_rice())
        periods = sorted({o.period for o in c.objectives.values() if o.period is not None}, reverse=True)
        self._page("okrs/index.md", "okrs_index.md.j2", periods=periods, current=self.periods_now)
        for period in periods:
            self._page(f"okrs/{period}.md", "okrs_period.md.j2", **self._okr_period(period))
        self._page("launches/index.md", "launches_index.md.j2", **self._calendar())
        self._page("health.md", "health.md.j2", **self._health())
        self._page(
            "playbooks/index.md", "playbooks_index.md.j2", playbooks=sorted(c.playbooks.values(), key=lambda p: p.title)
        )
        self._page("teams/index.md", "teams_index.md.j2", teams=sorted(c.teams.values(), key=lambda t: t.name))
        for item in c.items.values():
            self._entity("roadmap-item", item.id, item.file, "item.md.j2", item=item, **self._item_context(item))
        for objective in c.objectives.values():
            self._entity(
                "objective",
                objective.id,
                objective.file,
                "objective.md.j2",
                objective=objective,
                **self._objective_context(objective),
            )
        for launch in c.launches.values():
            self._entity(
                "launch", launch.id, launch.file, "launch.md.j2", launch=launch, **self._launch_context(launch)
            )
        governed = {cycle.playbook: cycle for cycle in lifecycle.lifecycles(c)}
        for playbook in c.playbooks.values():
            self._entity(
                "playbook",
                playbook.id,
                playbook.file,
                "playbook.md.j2",
                playbook=playbook,
                launches=self._launches_following(playbook.id),
                lifecycle=governed.get(playbook.id),
                approvers=approvals.phrase,
            )
        for team in c.teams.values():
            self._entity("team", team.id, team.file, "team.md.j2", team=team, **self._team_context(team))
        for spec in self.kinds.generic:
            generic.pages(self, spec)
        providers.add_pages(self)
        self._reference()
        self.site.pages.update(self.extra_pages)
        return self.site

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
        self.site.pages[path] = providers.with_sections(self, kind, entity_id, path, self.site.pages[path])

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

    # -- contexts ------------------------------------------------------------------------------

    def _dashboard(self) -> dict[str, Any]:
        c = self.catalog
        current = sorted(
            (o for o in c.objectives.values() if o.period is not None and self.options.today in o.period),
            key=lambda o: (o.level != "company", o.period.start if o.period else date.min, o.title),
        )
        counts: dict[str, Counter[str]] = {h: Counter() for h in self.horizons}
        for item in c.items.values():
            counts.setdefault(item.horizon or values.NOT_SET, Counter())[item.status] += 1
        today = self.options.today
        upcoming = sorted(
            (
                launch
                for launch in c.launches.values()
                if today <= values.undated_last(launch.ga) <= today + timedelta(days=90) and not launch.dropped
            ),
            key=lambda launch: values.undated_last(launch.ga),
        )
        at_risk = [kr for o in current for kr in o.key_results if self.at_risk(kr)]
        unowned = sorted(
            (i for i in c.items.values() if i.active and i.horizon in ("now", "next") and not i.owner),
            key=lambda i: i.id,
        )
        return {
            "objectives": current,
            "counts": counts,
            "statuses": self.statuses,
            "horizons": list(counts),
            "within30": [launch for launch in upcoming if values.undated_last(launch.ga) <= today + timedelta(days=30)],
            "within90": [launch for launch in upcoming if values.undated_last(launch.ga) > today + timedelta(days=30)],
            "at_risk": at_risk,
            "unowned": unowned,
            "warnings": self.warnings,
            "health": self._health()["groups"],
            "documents": c.documents,
        }

    def _board(self, items: Iterable[model.RoadmapItem]) -> Board:
        by_horizon: dict[str, list[model.RoadmapItem]] = {h: [] for h in self.horizons}
        hidden: Counter[str] = Counter()
        for item in items:
            if item.active:
                by_horizon.setdefault(item.horizon or values.NOT_SET, []).append(item)
            else:
                hidden[item.status] += 1
        columns = [
            (h, sorted(found, key=lambda i: (-(i.rice.score if i.rice else 0), i.id)))
            for h, found in by_horizon.items()
        ]
        return Board(columns, dict(sorted(hidden.items())))

    def _by_team(self) -> list[tuple[model.Team | None, str, Board]]:
        by_team: dict[str, list[model.RoadmapItem]] = defaultdict(list)
        for item in self.catalog.items.values():
            for team in item.teams:  # an item shows under its own team and every contributing one
                by_team[team].append(item)
        return [(self.catalog.teams.get(t), t, self._board(items)) for t, items in sorted(by_team.items())]

    def _timeline(self, here: str, full: bool = False) -> dict[str, Any]:
        """Rows grouped by team; by default the window from the last period to four periods ahead."""
        today = self.options.today
        window_start = self.calendar.previous(self.period).start
        ahead = self.period
        for _ in range(4):
            ahead = self.calendar.next(ahead)
        window_end = ahead.end
        rows, undated, outside = [], [], []
        for item in self.catalog.items.values():
            if not item.active:
                continue
            end = item.due
            start = item.start or (item.quarter.start if item.quarter else None)
            if start is None or end is None:
                undated.append(item)
                continue
            if end < start:
                start, end = end, start  # PO417 reports it; the chart still shows the span
            if not full and (end < window_start or start > window_end):
                outside.append(item)
                continue
            team = self.catalog.teams.get(item.team)
            rows.append(
                charts.TimelineRow(
                    group=team.name if team else item.team,
                    label=item.title,
                    link=self.entity_link(here, "roadmap-item", item.id),
                    status=item.status,
                    start=start,
                    end=end,
                    overdue=item.committed and end < today,
                    # The script draws an arrow from each dependency's bar to this one (filters.js).
                    facets={**self._facets(item), "po-id": item.id, "po-deps": " ".join(item.depends_on)},
                    after=tuple(self.catalog.items[d].title for d in item.depends_on if d in self.catalog.items),
                    meaning=self.status_meaning(item.status, "roadmap-item"),
                )
            )
        rows.sort(key=lambda r: (r.group, r.start, r.end, r.label))
        if rows:
            low = min(r.start for r in rows) if full else window_start
            high = max(r.end for r in rows) if full else window_end
            ticks = [(p.start, p.year_name, p.short) for p in self.calendar.between(low, high) if p.start >= low]
            chart = charts.timeline(rows, low, high, today, ticks, collapse=COLLAPSE["timeline"])
        else:
            chart = Markup('<p class="po-muted">No roadmap item has dates in this window.</p>')
        return {
            "chart": chart,
            "undated": sorted(undated, key=lambda i: (i.team, i.id)),
            "outside": sorted(outside, key=lambda i: (i.team, i.id)),
            "window": (window_start, window_end),
            "full": full,
            "shown": len(rows),
            "noun": self.calendar.noun,  # "quarter", "half-year", "cycle", "period"
        }

    def facet_attributes(self, item: model.RoadmapItem) -> Markup:
        """The item's facets as data-* attributes, for the templates."""
        return data_attributes(self._facets(item))

    def objective_facets(self, objective: model.Objective) -> Markup:
        """What the filters on an OKR page match an objective on: team, level, owner and its key results' confidence."""
        bands = {self.band(kr.confidence).replace(" ", "-") for kr in objective.key_results}
        owner = objective.owner or ""
        return data_attributes(
            {
                "po-item": "1",
                "team": objective.team or "",
                "team-label": self.team_name(objective.team) if objective.team else "",
                "level": objective.level,
                "owner": owner,
                "owner-label": self.name(owner) if owner else "",
                "confidence": " ".join(sorted(bands)),
                "text": f"{objective.id} {self.name(owner) if owner else ''}".rstrip(),
            }
        )

    def launch_facets(self, launch: model.Launch) -> Markup:
        """What the filters on the launch calendar match a launch on: tier, status, team (of its work) and owner."""
        team = next((self.catalog.items[i].team for i in launch.items if i in self.catalog.items), "")
        owner = dict(launch.owners).get("product", "") if launch.owners else ""
        return data_attributes(
            {
                "po-item": "1",
                "tier": str(launch.tier or ""),
                "status": launch.status,
                "team": team,
                "team-label": self.team_name(team) if team else "",
                "owner": owner,
                "owner-label": self.name(owner) if owner else "",
                "text": f"{launch.id} {self.name(owner) if owner else ''}".rstrip(),
            }
        )

    def _facets(self, item: model.RoadmapItem) -> dict[str, str]:
        """What the filters on the roadmap views match an item on (see site/javascripts/filters.js)."""
        return {
            "po-item": "1",
            "team": item.team,
            "team-label": self.team_name(item.team),
            "status": item.status,
            "horizon": item.horizon or "",
            "quarter": str(item.quarter) if item.quarter else "",
            "owner": item.owner,
            # The owner filter lists people by name; the address keeps the handle.
            "owner-label": self.name(item.owner) if item.owner else "",
            "tags": " ".join(item.tags),
            # Words the text filter matches besides the title, which it reads from the item's link.
            "text": f"{item.id} {self.person(item.owner) if item.owner else ''}".rstrip(),
        }

    def _by_rice(self) -> list[model.RoadmapItem]:
        return sorted(self.catalog.items.values(), key=lambda i: (-(i.rice.score if i.rice else -1), i.id))

    def _okr_period(self, period: Period) -> dict[str, Any]:
        objectives = [o for o in self.catalog.objectives.values() if o.period == period]
        children: dict[str, list[model.Objective]] = defaultdict(list)
        roots = []
        for o in sorted(objectives, key=lambda o: o.title):
            parents = [p.objective for p in o.parents if p.objective in self.catalog.objectives]
            if not parents:
                roots.append(o)
            for p in parents:
                children[p].append(o)
        work = {
            kr.ref: sorted(self.catalog.items_moving(kr.ref), key=lambda i: i.id)
            for o in objectives
            for kr in o.key_results
        }
        return {
            "objectives": sorted(objectives, key=lambda o: (o.level != "company", o.title)),
            "roots": roots,
            "children": children,
            "shown_period": period,
            "work": work,
            "formula": values.FORMULA,
        }

    def _calendar(self) -> dict[str, Any]:
        """Launches still to come (soonest first, by month), the overdue ones, and the past ones."""
        today = self.options.today
        upcoming: dict[tuple[int, int], list[model.Launch]] = defaultdict(list)
        overdue, past, undated = [], [], []
        for launch in self.catalog.launches.values():
            ga = launch.ga
            if not launch.open:
                past.append(launch)
            elif ga is None:
                undated.append(launch)  # the adopter's schema does not require a GA date
            elif ga < today:
                overdue.append(launch)  # its date passed and it has not launched (rule PO407)
            else:
                upcoming[(ga.year, ga.month)].append(launch)
        months = [
            (date(y, m, 1).strftime("%B %Y"), sorted(found, key=lambda launch: values.undated_last(launch.ga)))
            for (y, m), found in sorted(upcoming.items())
        ]
        return {
            "months": months + ([("No GA date", sorted(undated, key=lambda launch: launch.id))] if undated else []),
            "overdue": sorted(overdue, key=lambda launch: values.undated_last(launch.ga)),
            "past": sorted(past, key=lambda launch: launch.ga or date.min, reverse=True),
            "at_risk": {launch.id for launch in self.catalog.launches.values() if self._launch_at_risk(launch)},
        }

    def _launch_at_risk(self, launch: model.Launch) -> bool:
        """Two weeks or less to GA with the checklist under half done, or a no-go on record."""
        if not launch.open:
            return False
        decided_no = launch.go_no_go is not None and launch.go_no_go.decision == "no-go"
        close = launch.ga is not None and (launch.ga - self.options.today).days <= 14
        return decided_no or (close and launch.readiness_done < 0.5)

    def _health(self) -> dict[str, Any]:
        """Warnings counted by rule, with the first few of each; the full list has its own page."""
        by_code: dict[str, list[Diagnostic]] = defaultdict(list)
        for d in self.warnings:
            by_code[d.code].append(d)
        titles = {code: check.name for code, check in CHECKS.items()} | {
            code: rule.name for code, rule in REGISTRY.items()
        }
        groups = sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return {"groups": [(code, titles.get(code, code), found) for code, found in groups]}

    def _item_context(self, item: model.RoadmapItem) -> dict[str, Any]:
        c = self.catalog
        return {
            "krs": [(ref, c.key_results.get(ref)) for ref in item.key_results],
            "depends_on": [c.items.get(d) for d in item.depends_on],
            "blocks": sorted(c.dependents(item.id), key=lambda i: i.id),
            "launches": c.launches_of(item.id),
            "team": c.teams.get(item.team),
        }

    def _objective_context(self, objective: model.Objective) -> dict[str, Any]:
        c = self.catalog
        children = sorted(
            (o for o in c.objectives.values() if any(p.objective == objective.id for p in o.parents)),
            key=lambda o: o.id,
        )
        return {
            "parents": [(c.objectives.get(p.objective), p) for p in objective.parents],
            "children": children,
            "work": {kr.ref: sorted(c.items_moving(kr.ref), key=lambda i: i.id) for kr in objective.key_results},
            "launch_metrics": {
                kr.ref: sorted(
                    (launch for launch in c.launches.values() if kr.ref in launch.success_metrics), key=lambda x: x.id
                )
                for kr in objective.key_results
            },
            "team": c.teams.get(objective.team) if objective.team else None,
        }

    def _launch_context(self, launch: model.Launch) -> dict[str, Any]:
        c = self.catalog
        playbook = c.playbooks.get(launch.playbook)
        required = playbook.required_for(launch.tier) if playbook else ()
        carried = {r.id for r in launch.readiness}
        return {
            "items": [(i, c.items.get(i)) for i in launch.items],
            "playbook": playbook,
            "missing_required": [t for t in required if t.id not in carried],
            "open_items": [r for r in launch.readiness if r.open],
            "metrics": [(ref, c.key_results.get(ref)) for ref in launch.success_metrics],
        }

    def _launches_following(self, playbook_id: str) -> list[model.Launch]:
        return sorted(
            (launch for launch in self.catalog.launches.values() if launch.playbook == playbook_id),
            key=lambda x: x.ga or date.min,
            reverse=True,
        )

    def _team_context(self, team: model.Team) -> dict[str, Any]:
        c = self.catalog
        handles = {m.handle for m in team.members}
        return {
            "items": self._board(i for i in c.items.values() if team.id in i.teams),
            "closed": sorted((i for i in c.items.values() if team.id in i.teams and not i.active), key=lambda i: i.id),
            "objectives": sorted(
                (o for o in c.objectives.values() if o.team == team.id),
                key=lambda o: (str(o.period), o.id),
                reverse=True,
            ),
            "launches": sorted(
                (launch for launch in c.launches.values() if dict(launch.owners).get("product") in handles),
                key=lambda x: x.ga or date.min,
                reverse=True,
            ),
            "playbooks": sorted((p for p in c.playbooks.values() if p.owner in handles), key=lambda p: p.id),
        }

    def _reference(self) -> None:
        kinds = sorted(self.schemas.kinds.values(), key=lambda k: k.kind)
        self._page("reference/schemas/index.md", "schemas_index.md.j2", kinds=kinds)
        for ks in kinds:
            rows = list(_field_rows(self.schemas, ks.file, ks.schema))
            self._page(f"reference/schemas/{ks.kind}.md", "schema_kind.md.j2", ks=ks, rows=rows)
        self._page("reference/rules.md", "rules.md.j2", checks=list(CHECKS.values()), rules=list(REGISTRY.values()))
        for name, content in self.schema_files.items():
            self.site.files[f"schemas/{name}"] = content
        from prodops import export

        self.site.files.update(export.site_files(self.catalog, self.schemas, self.options.today))

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

    def kpi_strip(self, here: str) -> Markup:
        """The home page's KPI tiles (empty when the repository has no KPIs)."""
        return metrics_pages.strip(self, here)

    def kr_kpi_chart(self, kr: model.KeyResult) -> Markup:
        """A key result's KPI series against its baseline, target and expected pace (empty without a KPI)."""
        return metrics_pages.kr_chart(self, kr) if kr.kpi else Markup("")

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


def _field_rows(schemas: SchemaSet, file: str, node: Mapping[str, Any], prefix: str = "") -> Iterable[dict[str, str]]:
    required = set(node.get("required", ()))
    for name, prop in (node.get("properties") or {}).items():
        resolved, ref_file = schemas.expand(file, prop)
        items = resolved.get("items")
        item_node: Mapping[str, Any] | None = None
        item_file = ref_file
        if isinstance(items, Mapping):
            item_node, item_file = schemas.expand(ref_file, items)
        kind = resolved.get("type", "")
        type_text = str(kind)
        if kind == "array" and item_node is not None:
            type_text = f"list of {item_node.get('type', 'values')}"
        if "x-ref" in resolved or (item_node is not None and "x-ref" in item_node):
            target = resolved.get("x-ref") or (item_node or {}).get("x-ref")
            type_text += f" (id of a {target})"
        allowed = resolved.get("enum") or (item_node or {}).get("enum") or []
        examples = resolved.get("examples") or []
        example = json.dumps(examples[0], ensure_ascii=False) if examples else ""
        yield {
            "name": prefix + name,
            "required": "yes" if name in required else "",
            "type": type_text,
            "allowed": ", ".join(str(a) for a in allowed),
            "description": str(resolved.get("description", "")),
            "example": example if len(example) <= 120 else example[:117] + "...",
        }
        if kind == "object" and "properties" in resolved:
            yield from _field_rows(schemas, ref_file, resolved, prefix + name + ".")
        elif item_node is not None and "properties" in item_node:
            yield from _field_rows(schemas, item_file, item_node, prefix + name + "[].")

"""The Compliance page: every rule rolled out on a schedule, from the same values as `prodops report compliance`.

The campaigns come from ``compliance.campaigns`` (the burn-down reads the Git history at
``root``); text from YAML and from the rules' messages is escaped by the template.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from markupsafe import Markup

from prodops import compliance
from prodops.catalog import Catalog
from prodops.kinds import page_path
from prodops.render import charts
from prodops.render.renderer import Site, SiteOptions, environment

PAGE = "compliance.md"


def add_compliance(site: Site, root: Path, options: SiteOptions, catalog: Catalog) -> None:
    """Add the Compliance page to ``site`` (a short note when no rule is rolled out on a schedule)."""
    add_page(site, compliance.campaigns(root, catalog, options.config, options.today), options, catalog)


def add_page(site: Site, found: list[compliance.Campaign], options: SiteOptions, catalog: Catalog) -> None:
    """The Compliance page of ``found`` campaigns; entities with a page in ``catalog`` are linked."""
    known = set(catalog.documents)

    def link(entity: str) -> str:
        if entity not in known:
            return ""
        kind = catalog.documents[entity].kind.kind
        return posixpath.relpath(page_path(kind, entity).removesuffix(".md") + ".html", posixpath.dirname(PAGE) or ".")

    site.pages[PAGE] = (
        environment()
        .get_template("compliance.md.j2")
        .render(campaigns=found, today=options.today, link=link, chart=_chart)
    )


def _chart(campaign: compliance.Campaign) -> Markup:
    """One bar per week's end: the entities not compliant then (weeks not known are left out)."""
    points = [(p.day.isoformat(), p.count) for p in campaign.burndown if p.count is not None]
    if not points:
        return Markup('<span class="po-muted">no history to count from</span>')
    return charts.trend(points, f"Entities not compliant with {campaign.code} by week")

"""The customer feedback pages: Top customer asks, Demand with no roadmap item, one page per insight,
and the demand section of each roadmap item's page.

Reads the insights through ``feedback.insight`` (the demand figures are computed there, once)
and renders with the site's templates and filters, so every value is escaped and every
Markdown field goes through the field cleaner like on any other page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from prodops.feedback.insight import Demand, Insight, addressing, insights, rank_key
from prodops.feedback.triage import months_between
from prodops.render import charts

if TYPE_CHECKING:
    from prodops.render.pages import Renderer

KIND = "insight"
TOP_PAGE = "insights/index.md"
UNADDRESSED_PAGE = "insights/no-roadmap-item.md"
TREND_MONTHS = 6


def insight_page(insight_id: str) -> str:
    return f"{KIND}/{insight_id}.md"


def _months(today: date) -> list[str]:
    """The last ``TREND_MONTHS`` months, this one included."""
    index = today.year * 12 + today.month - 1 - (TREND_MONTHS - 1)
    return months_between(date(index // 12, index % 12 + 1, 1), today)


def trend(demand: Demand, months: list[str], label: str) -> Markup:
    by_month = dict(demand.by_month or {})
    return charts.trend([(m, by_month.get(m, 0)) for m in months], label)


def _row(r: Renderer, here: str, insight: Insight, months: list[str]) -> dict[str, Any]:
    demand = insight.demand()
    items = [
        (
            item_id,
            r.catalog.items[item_id].title,
            r.catalog.items[item_id].status,
            r.entity_link(here, "roadmap-item", item_id),
        )
        for item_id in insight.addressed_by
        if item_id in r.catalog.items
    ]
    return {
        "insight": insight,
        "demand": demand,
        "link": r.link(here, insight_page(insight.id)),
        "trend": trend(demand, months, f"records per month for {insight.title}"),
        "roadmap": items,
        "facets": {
            "po-item": "1",
            "status": insight.status,
            "owner": insight.owner,
            "segments": " ".join(sorted(set(insight.segments) | set(demand.segments))),
            "sources": " ".join(demand.sources),
        },
    }


def _ranked(every: list[Insight]) -> list[Insight]:
    return sorted(every, key=lambda i: (rank_key(i.demand()), i.id))


def render(r: Renderer) -> None:
    """Add the feedback pages to the site ``r`` is building (nothing when the repository has no insight kind)."""
    if KIND not in r.schemas.kinds:
        return
    every = insights(r.catalog)
    months = _months(r.options.today)
    settings = r.options.config.feedback
    ranked = _ranked(every)
    r._page(
        TOP_PAGE,
        "insights_index.md.j2",
        title="Top customer asks",
        rows=[_row(r, TOP_PAGE, i, months) for i in ranked if not i.demand().empty],
        quiet=[_row(r, TOP_PAGE, i, months) for i in ranked if i.demand().empty],
        months=months,
        unaddressed=False,
        settings=settings,
    )
    open_ = [i for i in ranked if not i.addressed_by and i.status != "declined"]
    r._page(
        UNADDRESSED_PAGE,
        "insights_index.md.j2",
        title="Demand with no roadmap item",
        rows=[_row(r, UNADDRESSED_PAGE, i, months) for i in open_],
        quiet=[],
        months=months,
        unaddressed=True,
        settings=settings,
    )
    for insight in every:
        here = insight_page(insight.id)
        r._page(here, "insight.md.j2", **_insight_context(r, here, insight, months))
        if r.options.edit_base:
            r.site.edit_urls[here] = f"{r.options.edit_base}{insight.rel}"


def _insight_context(r: Renderer, here: str, insight: Insight, months: list[str]) -> dict[str, Any]:
    demand = insight.demand()
    cells: dict[str, dict[str, Any]] = defaultdict(dict)
    for entry in insight.entries:
        cells[str(entry["period"])][str(entry["source"])] = entry
    data = r.catalog.documents[insight.id].data
    edit = f"{r.options.edit_base}{insight.rel}" if r.options.edit_base else ""
    return {
        "row": _row(r, here, insight, months),
        "insight": insight,
        "demand": demand,
        "problem": data.get("problem", ""),
        "periods": sorted(cells, reverse=True),
        "sources": list(demand.sources),
        "cells": cells,
        "quotes": _quotes(insight),
        "file": insight.rel,
        "edit_url": edit,
        "owner_team": r.catalog.people.get(insight.owner, (None, ""))[1],
    }


QUOTES_SHOWN = 8


def _quotes(insight: Insight) -> list[tuple[str, str, str]]:
    """The most recent distinct quotes: (period, source, quote)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for entry in sorted(insight.entries, key=lambda e: (str(e["period"]), str(e["source"])), reverse=True):
        for quote in entry.get("quotes") or ():
            seen.setdefault(quote, (str(entry["period"]), str(entry["source"]), quote))
    return list(seen.values())[:QUOTES_SHOWN]


def item_demand(r: Renderer, here: str, item_id: str) -> Markup:
    """The demand section of a roadmap item's page: the insights it addresses, with their figures and trend."""
    if KIND not in r.schemas.kinds:
        return Markup("")
    found = _ranked(addressing(r.catalog, item_id))
    if not found:
        return Markup("")
    months = _months(r.options.today)
    return Markup(
        r.env.get_template("_item_demand.j2").render(
            rows=[_row(r, here, i, months) for i in found], here=here, r=r, months=months
        )
    )

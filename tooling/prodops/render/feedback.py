"""The customer feedback pages: Top customer asks, Demand with no roadmap item, the demand section
of each insight's page and of each roadmap item's page (registered in ``render/providers.py``).

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
from prodops.feedback.insight import one as one_insight
from prodops.feedback.triage import months_between
from prodops.render import charts

if TYPE_CHECKING:
    from prodops.kinds import KindSpec
    from prodops.render.renderer import Renderer

KIND = "insight"
TOP_PAGE = "insights/index.md"
UNADDRESSED_PAGE = "insights/no-roadmap-item.md"
TREND_MONTHS = 6


def insight_page(insight_id: str) -> str:
    """Where the generic page of an insight is (``render/generic.py`` renders it)."""
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


def pages(r: Renderer, spec: KindSpec) -> dict[str, str]:
    """The page provider of insights (``render/providers.py``): Top customer asks and Demand with no roadmap item."""
    every = insights(r.catalog)
    months = _months(r.options.today)
    settings = r.options.config.feedback
    ranked = _ranked(every)
    open_ = [i for i in ranked if not i.addressed_by and not i.dropped]
    return {
        TOP_PAGE: r.render_template(
            TOP_PAGE,
            "insights_index.md.j2",
            title="Top customer asks",
            rows=[_row(r, TOP_PAGE, i, months) for i in ranked if not i.demand().empty],
            quiet=[_row(r, TOP_PAGE, i, months) for i in ranked if i.demand().empty],
            months=months,
            unaddressed=False,
            settings=settings,
        ),
        UNADDRESSED_PAGE: r.render_template(
            UNADDRESSED_PAGE,
            "insights_index.md.j2",
            title="Demand with no roadmap item",
            rows=[_row(r, UNADDRESSED_PAGE, i, months) for i in open_],
            quiet=[],
            months=months,
            unaddressed=True,
            settings=settings,
        ),
    }


def insight_section(r: Renderer, here: str, insight_id: str) -> str:
    """Added to an insight's page: the items that address it with their status, demand by month and source, quotes."""
    found = one_insight(r.catalog, insight_id)
    if found is None:
        return ""
    return r.render_template(here, "_insight_demand.j2", **_insight_context(r, here, found, _months(r.options.today)))


def _insight_context(r: Renderer, here: str, insight: Insight, months: list[str]) -> dict[str, Any]:
    demand = insight.demand()
    cells: dict[str, dict[str, Any]] = defaultdict(dict)
    for entry in insight.entries:
        cells[str(entry["period"])][str(entry["source"])] = entry
    return {
        "row": _row(r, here, insight, months),
        "insight": insight,
        "demand": demand,
        "periods": sorted(cells, reverse=True),
        "sources": list(demand.sources),
        "cells": cells,
        "quotes": _quotes(insight),
        "asks_link": r.link(here, TOP_PAGE),
    }


QUOTES_SHOWN = 8


def _quotes(insight: Insight) -> list[tuple[str, str, str]]:
    """The most recent distinct quotes: (period, source, quote)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for entry in sorted(insight.entries, key=lambda e: (str(e["period"]), str(e["source"])), reverse=True):
        for quote in entry.get("quotes") or ():
            seen.setdefault(quote, (str(entry["period"]), str(entry["source"]), quote))
    return list(seen.values())[:QUOTES_SHOWN]


def item_section(r: Renderer, here: str, item_id: str) -> str:
    """Added to a roadmap item's page: the demand of the insights it addresses (accounts, ARR, trend)."""
    if KIND not in r.schemas.kinds:
        return ""
    found = _ranked(addressing(r.catalog, item_id))
    if not found:
        return ""
    months = _months(r.options.today)
    return r.render_template(here, "_item_demand.j2", rows=[_row(r, here, i, months) for i in found], months=months)

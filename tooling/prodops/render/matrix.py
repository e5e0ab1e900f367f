"""The roadmap's value/effort matrix: every item with a RICE estimate as a point of an inline SVG.

Value is reach × impact × confidence, effort is the estimate's effort (RICE's score is their
ratio). The chart needs no JavaScript: each point is a link to its item with the title as its
tooltip, the quadrants are split at the medians, and the same items are listed below the chart
for readers without a picture. Every text goes through the template's escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from prodops.catalog import Catalog
from prodops.render.renderer import COLLAPSE, Site, environment

PAGE = "roadmap/matrix.md"
WIDTH, HEIGHT, PAD = 720, 440, 48
LABELS = 6  # the best scores named on the chart itself; more names would overlap


@dataclass(frozen=True)
class Point:
    id: str
    title: str
    team: str
    value: float
    effort: float
    score: float
    x: float
    y: float
    href: str


def points(catalog: Catalog) -> list[Point]:
    """The items with a RICE estimate, placed on the chart (effort across, value up), best score first."""
    rated = [(i, i.rice) for i in catalog.items.values() if i.rice is not None]
    if not rated:
        return []
    values = [r.reach * r.impact * r.confidence for _, r in rated]
    top_value, top_effort = max(values) or 1.0, max(r.effort for _, r in rated) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    out = [
        Point(
            item.id,
            item.title,
            item.team,
            value,
            rice.effort,
            rice.score,
            round(PAD + inner_w * rice.effort / top_effort, 1),
            round(HEIGHT - PAD - inner_h * value / top_value, 1),
            f"../roadmap-item/{item.id}.html",
        )
        for (item, rice), value in zip(rated, values, strict=True)
    ]
    return sorted(out, key=lambda p: (-p.score, p.id))


def add_matrix(site: Site, catalog: Catalog) -> None:
    """Add the matrix page to ``site``."""
    found = points(catalog)
    mid_x = PAD + (WIDTH - 2 * PAD) / 2
    mid_y = HEIGHT / 2
    if found:
        top_effort = max(p.effort for p in found) or 1.0
        top_value = max(p.value for p in found) or 1.0
        mid_x = round(PAD + (WIDTH - 2 * PAD) * median(p.effort for p in found) / top_effort, 1)
        mid_y = round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * median(p.value for p in found) / top_value, 1)
    site.pages[PAGE] = (
        environment()
        .get_template("roadmap_matrix.md.j2")
        .render(
            points=found,
            width=WIDTH,
            height=HEIGHT,
            pad=PAD,
            mid_x=mid_x,
            mid_y=mid_y,
            labels=LABELS,
            shown=COLLAPSE["rows"],
        )
    )

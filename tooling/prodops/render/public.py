"""The public site's pages, made from a :class:`prodops.audience.PublicView` and nothing else.

The renderer is handed the filtered data only (no catalog, no documents, no diagnostics), so
what the audience filter left out cannot reach a page. Like the internal pages, the text
goes through :mod:`prodops.text.safe` here and the whole page through its sanitiser after
conversion (the MkDocs plugin and ``prodops render`` do that for every generated page).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from prodops.audience import PublicView, export_bytes
from prodops.calendar import Calendar
from prodops.render.renderer import Site, environment
from prodops.states import PUBLIC_LABELS

HORIZON_LABELS = {
    "now": ("Now", "Being built"),
    "next": ("Next", "Coming up"),
    "later": ("Later", "On our radar"),
}
# Earlier in the lifecycle shows lower in a column: what is being built comes first, then what is
# committed, then what is proposed (within a meaning, the value later in the schema's enum first).
_MEANING_ORDER = ("active", "committed", "proposed")
EXPORT_FILE = "roadmap.json"


def _order(meanings: Mapping[str, str]) -> dict[str, int]:
    """Each status value's place in a column."""
    ranked = sorted(
        enumerate(meanings.items()),
        key=lambda pair: (_MEANING_ORDER.index(pair[1][1]) if pair[1][1] in _MEANING_ORDER else 9, -pair[0]),
    )
    return {value: at for at, (_, (value, _)) in enumerate(ranked)}


def _card(record: dict[str, Any]) -> dict[str, Any]:
    status = str(record.get("status", ""))
    return {
        "id": record["id"],
        "title": record.get("title", record["id"]),
        "summary": record.get("public_summary", ""),
        "status": status,
        "horizon": str(record.get("horizon", "")),
        "status_label": PUBLIC_LABELS.get(status, status),
        "quarter": (record.get("target") or {}).get("quarter", ""),
        "depends_on": list(record.get("depends_on", ())),
    }


def _when(calendar: Calendar, text: str) -> tuple[date, date]:
    period = calendar.parse(text) if text else None
    return (period.end, period.start) if period is not None else (date.min, date.min)


def render_public(view: PublicView) -> Site:
    """The public pages: the now/next/later roadmap and what shipped recently, plus the public export."""
    env = environment()
    kind = "roadmap-item"
    meanings = view.states.get(kind, {})
    order = _order(meanings)
    items = [_card(r) for r in view.entities.get(kind, ())]
    for c in items:
        c["meaning"] = meanings.get(c["status"], "")  # what the badge's colour keys on, whatever the word
    done = {c["id"] for c in items if meanings.get(c["status"]) == "done"}
    titles = {c["id"]: c["title"] for c in items}
    pages = {c["id"]: "shipped.html" if c["id"] in done else "index.html" for c in items}
    for c in items:
        # Only public items are in ``depends_on`` by now; each link goes to the page its card is on.
        c["deps"] = [(titles[d], f"{pages[d]}#item-{d}") for d in c["depends_on"] if d in pages]
    open_items = [c for c in items if c["id"] not in done]
    columns = []
    for horizon in view.horizons:
        cards = sorted(
            (c for c in open_items if c["horizon"] == horizon),
            key=lambda c: (order.get(c["status"], len(order)), c["title"].lower()),
        )
        label, blurb = HORIZON_LABELS.get(horizon, (horizon.capitalize(), ""))
        columns.append({"horizon": horizon, "label": label, "blurb": blurb, "cards": cards})
    shipped = sorted((c for c in items if c["id"] in done), key=lambda c: c["title"].lower())
    # The latest target period first (when periods are shown), in the calendar's order, not the text's.
    shipped.sort(key=lambda c: _when(view.calendar, c["quarter"]), reverse=True)
    context = {
        "title": view.title,
        "request_url": view.request_feature_url,
        "export": EXPORT_FILE,
    }
    site = Site()
    site.pages["index.md"] = env.get_template("public_roadmap.md.j2").render(
        columns=columns, shipped_count=len(shipped), **context
    )
    site.pages["shipped.md"] = env.get_template("public_shipped.md.j2").render(shipped=shipped, **context)
    site.files[EXPORT_FILE] = export_bytes(view)
    return site

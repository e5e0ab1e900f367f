"""The company site: built from this repository's objectives and the units' contracts, nothing else.

Pages (Markdown with inert HTML blocks, every value from a contract escaped here and the whole
converted page cleaned again by :func:`prodops.text.safe.clean_page` in the MkDocs hook):

* ``index.md``: the company objectives, each with its progress and the units' objectives that
  name it as a parent (``COMPANY:ID``);
* ``roadmap.md``: one board of every unit's open items by horizon, each card carrying its unit
  and status meaning as ``data-*`` facets, so ``filters.js`` filters it by unit (``?unit=...``);
* ``dependencies.md``: items that depend on another unit's item, late ones flagged;
* ``units/UNIT.md``: one page per unit, regenerated only when its contract's hash changed
  (``manifest.json`` in the build folder remembers the hashes).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodops.catalog import UNIT_SEPARATOR, Catalog
from prodops.edit import write_atomic
from prodops.federation.contract import Contract
from prodops.federation.units import Unit
from prodops.kinds import page_path
from prodops.model import progress
from prodops.render.charts import progress_bar
from prodops.text.safe import inline

MANIFEST = "manifest.json"
HORIZONS = ("now", "next", "later")
CLOSED = ("done", "dropped")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class UnitData:
    """One unit as the company site sees it: its declaration, its contract (or why it has none) and its hash."""

    unit: Unit
    contract: Contract | None
    problem: str = ""
    digest: str = ""


@dataclass(frozen=True)
class Card:
    unit: str
    id: str
    title: str
    horizon: str
    meaning: str
    status: str
    due: str
    depends_on: tuple[str, ...]


def text(value: object, limit: int = 300) -> str:
    """A contract's value as HTML text: one line, at most ``limit`` characters, escaped."""
    flat = _CONTROL.sub(" ", str(value))
    return html.escape(flat[:limit] + ("…" if len(flat) > limit else ""), quote=True)


def digest(contract: Contract) -> str:
    canon = json.dumps({i: [k, r] for i, (k, r) in contract.entities.items()}, sort_keys=True, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def record_progress(record: Mapping[str, Any]) -> float:
    """An objective record's progress: the mean of its key results' (as ``model.progress``)."""
    krs = [kr for kr in record.get("key_results", []) if isinstance(kr, Mapping)]
    shares = []
    for kr in krs:
        current = _number(kr.get("current"))
        shares.append(progress(_number(kr.get("baseline")), _number(kr.get("target")), current or 0.0))
    return sum(shares) / len(shares) if shares else 0.0


def _bar(share: float) -> str:
    return str(progress_bar(share, "progress"))


def cards(units: Iterable[UnitData]) -> list[Card]:
    out = []
    for data in units:
        if data.contract is None:
            continue
        for entity_id in data.contract.ids_of("roadmap-item"):
            record = data.contract.entities[entity_id][1]
            deps = record.get("depends_on", [])
            out.append(
                Card(
                    unit=data.unit.name,
                    id=entity_id,
                    title=str(record.get("title", entity_id)),
                    horizon=str(record.get("horizon", "")),
                    meaning=str(record.get("meaning", "")),
                    status=str(record.get("status", "")),
                    due=str(record.get("due", "")),
                    depends_on=tuple(str(d) for d in deps) if isinstance(deps, list) else (),
                )
            )
    return out


def _html(markdown_path: str) -> str:
    """A page's address on a unit's own site (built with ``use_directory_urls: false``)."""
    return markdown_path.removesuffix(".md") + ".html"


def _unit_link(data: UnitData, path: str = "", label: str = "") -> str:
    """``label`` (the unit's name by default), linked to ``path`` on the unit's own site when it has one."""
    shown = text(label or data.unit.name)
    if not data.unit.site:
        return shown
    return f'<a href="{text(data.unit.site.rstrip("/") + "/" + path)}">{shown}</a>'


def _card(card: Card, by_name: Mapping[str, UnitData]) -> str:
    due = f" · due {text(card.due)}" if card.due else ""
    return (
        f'<li class="po-card" data-po-item data-unit="{text(card.unit)}" data-status="{text(card.meaning)}" '
        f'data-horizon="{text(card.horizon)}" data-text="{text(card.id)} {text(card.unit)}">'
        f'<a class="po-card__title" href="units/{text(card.unit)}.html#{text(card.id)}">{text(card.title)}</a> '
        f'<span class="po-card__id">{text(card.id)}</span> '
        f'<span class="po-card__meta"><span class="po-badge" data-meaning="{text(card.meaning)}">{text(card.status)}</span>'
        f" · {_unit_link(by_name[card.unit])}{due}</span></li>"
    )


def roadmap_page(units: list[UnitData]) -> str:
    by_name = {u.unit.name: u for u in units}
    open_cards = [c for c in cards(units) if c.meaning not in CLOSED]
    columns = []
    for horizon in HORIZONS:
        here = sorted((c for c in open_cards if c.horizon == horizon), key=lambda c: (c.due or "9999", c.unit, c.id))
        body = "".join(_card(c, by_name) for c in here) or '<li class="po-muted">Nothing here.</li>'
        columns.append(
            f'<section class="po-board__col" aria-label="{horizon}"><h2 class="po-board__head">{horizon.capitalize()} '
            f'<span class="po-count">({len(here)})</span></h2><ul class="po-cards" data-po-collapse="25">{body}</ul></section>'
        )
    problems = "".join(
        f'<p class="po-warn">Unit {text(u.unit.name)}: no contract ({text(u.problem)}).</p>' for u in units if u.problem
    )
    return (
        "# Company roadmap\n\n"
        "<p class=\"po-lede\">Every unit's open items by horizon, from the units' contracts. Filter by unit; the "
        "filter is kept in the address, so a view can be shared.</p>\n\n"
        + (f"{problems}\n\n" if problems else "")
        + f'<div class="po-filterable"><div class="po-board">{"".join(columns)}</div></div>\n'
    )


def objectives_page(company: str, catalog: Catalog, units: list[UnitData]) -> str:
    own = sorted(catalog.objectives.values(), key=lambda o: o.id)
    top = [o for o in own if o.level == "company"] or own
    lines = [
        "# Company objectives\n",
        "<p class=\"po-lede\">The company's objectives and the units' objectives that contribute to them.</p>\n",
    ]
    for objective in top:
        rows = []
        for data in units:
            if data.contract is None:
                continue
            for oid in data.contract.ids_of("objective"):
                record = data.contract.entities[oid][1]
                parents = record.get("parents", [])
                named = (
                    {str(p.get("objective")) for p in parents if isinstance(p, Mapping)}
                    if isinstance(parents, list)
                    else set()
                )
                if f"{company}{UNIT_SEPARATOR}{objective.id}" in named:
                    rows.append(
                        f'<li data-unit="{text(data.unit.name)}">{_unit_link(data)}: '
                        f'<a href="units/{text(data.unit.name)}.html#{text(oid)}">{text(record.get("title", oid))}</a> '
                        f"{_bar(record_progress(record))}</li>"
                    )
        contributing = (
            f"<ul>{''.join(rows)}</ul>" if rows else '<p class="po-muted">No unit names it as a parent yet.</p>'
        )
        lines.append(
            f"## {inline(objective.title)}\n\n"
            f'<div class="po-objective" id="{text(objective.id)}"><p>{_bar(objective.progress)} '
            f"<code>{text(objective.id)}</code></p>{contributing}</div>\n"
        )
    return "\n".join(lines)


def dependencies(units: list[UnitData]) -> list[tuple[Card, str, Card | None, bool]]:
    """Each cross-unit dependency: (depending card, target reference, target card if known, late)."""
    index = {f"{c.unit}{UNIT_SEPARATOR}{c.id}": c for c in cards(units)}
    out = []
    for card in cards(units):
        for ref in card.depends_on:
            if UNIT_SEPARATOR not in ref:
                continue
            target = index.get(ref)
            late = target is not None and (
                target.meaning == "dropped" or (bool(card.due and target.due) and target.due > card.due)
            )
            out.append((card, ref, target, late or target is None))
    return out


def dependencies_page(units: list[UnitData]) -> str:
    rows = []
    for card, ref, target, late in dependencies(units):
        flag = '<span class="po-flag po-flag--late">late</span> ' if late else ""
        why = (
            "not in the unit's contract"
            if target is None
            else ("dropped" if target.meaning == "dropped" else f"due {text(target.due)}")
        )
        rows.append(
            f'<tr data-po-item data-unit="{text(card.unit)}"><td>{text(card.unit)}</td><td>{text(card.title)}'
            f" <code>{text(card.id)}</code></td><td>{text(card.due)}</td><td><code>{text(ref)}</code></td>"
            f"<td>{flag}{why}</td></tr>"
        )
    table = (
        "<table><thead><tr><th>Unit</th><th>Item</th><th>Due</th><th>Depends on</th><th>Target</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="po-muted">No item depends on another unit\'s item.</p>'
    )
    return (
        "# Cross-unit dependencies\n\n"
        '<p class="po-lede">Items that depend on another unit\'s item; <em>late</em> marks a target due after the item '
        "that waits for it, dropped, or missing.</p>\n\n"
        f'<div class="po-filterable">{table}</div>\n'
    )


def unit_page(data: UnitData) -> str:
    name = data.unit.name
    head = f"# Unit {inline(name)}\n\n"
    if data.unit.site:
        head += f'<p>Its own site: <a href="{text(data.unit.site)}">{text(data.unit.site)}</a></p>\n\n'
    if data.contract is None:
        return head + f'<p class="po-warn">No contract: {text(data.problem)}</p>\n'
    objectives = "".join(
        f'<li id="{text(o)}">{text(data.contract.entities[o][1].get("title", o))} '
        f"{_bar(record_progress(data.contract.entities[o][1]))}</li>"
        for o in data.contract.ids_of("objective")
    )
    items = "".join(
        f'<tr id="{text(c.id)}"><td>{_unit_link(data, _html(page_path("roadmap-item", c.id)), c.id)}</td>'
        f"<td>{text(c.title)}</td><td>{text(c.horizon)}</td><td>{text(c.status)}</td><td>{text(c.due)}</td></tr>"
        for c in cards([data])
    )
    return (
        head
        + f"## Objectives\n\n<ul>{objectives}</ul>\n\n## Roadmap items\n\n"
        + "<table><thead><tr><th>Id</th><th>Title</th><th>Horizon</th><th>Status</th><th>Due</th></tr></thead>"
        + f"<tbody>{items}</tbody></table>\n"
    )


def write_pages(docs: Path, company: str, catalog: Catalog, units: list[UnitData]) -> list[str]:
    """Write the pages into ``docs``; a unit's page only when its contract's hash changed. Returns the units redone."""
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "units").mkdir(exist_ok=True)
    manifest_path = docs.parent / MANIFEST
    try:
        before = json.loads(manifest_path.read_text(encoding="utf-8")).get("units", {})
    except (OSError, ValueError, AttributeError):
        before = {}
    redone = []
    for data in units:
        page = docs / "units" / f"{data.unit.name}.md"
        key = data.digest or "problem:" + data.problem
        if before.get(data.unit.name) == key and page.is_file():
            continue
        write_atomic(page, unit_page(data).encode("utf-8"))
        redone.append(data.unit.name)
    write_atomic(docs / "index.md", objectives_page(company, catalog, units).encode("utf-8"))
    write_atomic(docs / "roadmap.md", roadmap_page(units).encode("utf-8"))
    write_atomic(docs / "dependencies.md", dependencies_page(units).encode("utf-8"))
    manifest = {"units": {u.unit.name: u.digest or "problem:" + u.problem for u in units}}
    write_atomic(manifest_path, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return redone


def asset(repo: Path, part: str) -> Path:
    """The site's style sheet or script: the repository's own (``site/``), else the one shipped with prodops."""
    own = repo / "site" / part
    return own if own.is_file() else Path(__file__).resolve().parents[3] / "site" / part


def mkdocs_config(out: Path, title: str, units: list[UnitData]) -> dict[str, Any]:
    """The company site's MkDocs configuration: the house theme, the one sanitiser as a hook."""
    return {
        "site_name": title,
        "docs_dir": str(out / "docs"),
        "site_dir": str(out / "site"),
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "features": ["navigation.top", "search.suggest"]},
        "plugins": ["search"],
        "hooks": [str(Path(__file__).with_name("mkdocs_hook.py"))],
        "markdown_extensions": ["toc", "tables", "admonition"],
        "extra_css": ["stylesheets/prodops.css"],
        "extra_javascript": ["javascripts/filters.js"],
        "nav": [
            {"Objectives": "index.md"},
            {"Roadmap": "roadmap.md"},
            {"Dependencies": "dependencies.md"},
            {"Units": [{u.unit.name: f"units/{u.unit.name}.md"} for u in units]},
        ],
    }

"""The History section of each roadmap item, objective and launch page, from Git's history index.

What a reader asks of a page's past: when its status and horizon moved, how far its due date
(or GA day) slipped, and for an objective how each key result's value went. Newest first; the
first few are shown and the rest fold behind *Show all*. The section is spliced into the page
already rendered, just before its source line, so the entity's own template knows nothing of Git.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from prodops import history
from prodops.catalog import Catalog
from prodops.historyview import due_history
from prodops.kinds import page_path
from prodops.render.renderer import Site, environment

SHOWN = 5  # entries before "Show all"
_SOURCE = '<p class="po-source">'


@dataclass(frozen=True)
class Entry:
    """One change in words, with the commit that made it."""

    day: str
    author: str
    oid: str
    what: str
    text: str


def _moved(what: str, before: Any, after: Any) -> str:
    return f"{what} {before} → {after}" if before else f"{what} {after}"


def _days(before: date, after: date) -> str:
    days = (after - before).days
    return f"{abs(days)} day{'s' if abs(days) != 1 else ''} {'later' if days > 0 else 'earlier'}"


def _ga(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _number(value: Any) -> str:
    return "?" if not isinstance(value, (int, float)) else f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def entries(index: history.Index, entity: str, catalog: Catalog | None = None) -> list[Entry]:
    """An entity's changes in words, newest first: status, horizon, due date, GA day, key results."""
    kind = index.kinds.get(entity, "")
    moves = {m.commit.oid: m for m in due_history(index, entity).moves} if kind == "roadmap-item" else {}
    out: list[Entry] = []
    previous: dict[str, Any] = {}
    for change in index.changes.get(entity, []):
        commit = index.commits[change.commit]

        def add(what: str, text: str, commit: history.Commit = commit) -> None:
            out.append(Entry(commit.day, commit.author, commit.oid[:8], what, text))

        state = change.state
        if state is None:
            add("removed", "the file was removed")
            previous = {}
            continue
        if not previous:
            add("created", ", ".join(f"{k} {state[k]}" for k in ("status", "horizon") if state.get(k)))
        else:
            for key in ("status", "horizon"):
                if state.get(key) != previous.get(key) and state.get(key):
                    add(key, _moved(key, previous.get(key), state[key]))
        move = moves.get(commit.oid)
        if move is not None:
            add(
                "slipped" if move.is_slip else "due",
                f"due moved {move.before} → {move.after}, {_days(move.before, move.after)}",
            )
        was, now = _ga(previous.get("ga")), _ga(state.get("ga"))
        if previous and was is not None and now is not None and was != now:
            add("GA", f"GA moved {was} → {now}, {_days(was, now)}")
        old_krs: dict[str, Any] = previous.get("krs", {})
        for kr, numbers in state.get("krs", {}).items():
            if kr not in old_krs or not previous:
                continue
            before, current, was_c, now_c = old_krs[kr][0], numbers[0], old_krs[kr][1], numbers[1]
            parts = []
            if before != current:
                parts.append(f"{_number(before)} → {_number(current)}")
            if was_c != now_c:
                parts.append(f"confidence {_number(was_c)} → {_number(now_c)}")
            if parts:
                found = catalog.key_results.get(f"{entity}.{kr}") if catalog is not None else None
                name = found.title if found is not None and found.title else kr
                unit = f" {found.unit}" if found is not None and found.unit and before != current else ""
                add("key result", f"{name}: {parts[0]}{unit}" + "".join(f", {p}" for p in parts[1:]))
        previous = state
    return out[::-1]


def add_entity_history(site: Site, index: history.Index | None, note: str, catalog: Catalog) -> None:
    """Add a History section to every roadmap item, objective and launch page that ``site`` has."""
    template = environment().get_template("_history.j2")
    begins = index.begins if index is not None else ""
    for kind, ids in (("roadmap-item", catalog.items), ("objective", catalog.objectives), ("launch", catalog.launches)):
        for entity in ids:
            path = page_path(kind, entity)
            page = site.pages.get(path)
            if page is None:
                continue
            found = entries(index, entity, catalog) if index is not None else []
            section = template.render(entries=found, shown=SHOWN, note=note, begins=begins)
            at = page.rfind(_SOURCE)
            site.pages[path] = page + section if at < 0 else page[:at] + section + "\n" + page[at:]

"""Questions asked of the catalog from the command line: show, list, graph, trace and reports."""

from __future__ import annotations

import html
import json
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from prodops import kinds, model, tabular
from prodops.calendar import Period
from prodops.catalog import KEY_RESULT, PERSON, Catalog
from prodops.config import Config
from prodops.delivery import view as delivery_view
from prodops.diagnostics import ProdopsError
from prodops.schemas import SchemaSet
from prodops.values import NOT_SET, confidence_text, day_text, number_text, or_not_set


def current_period(catalog: Catalog, today: date) -> Period:
    """The period of the calendar's primary kind that ``today`` falls in."""
    return catalog.calendar.containing(today)


def bar(share: float, width: int = 20) -> str:
    """A progress bar in text, with the percentage written out."""
    filled = round(max(0.0, min(1.0, share)) * width)
    return "█" * filled + "░" * (width - filled) + f" {round(share * 100):>3}%"


def _entity(catalog: Catalog, entity_id: str) -> tuple[str, Any]:
    found = catalog.entity(entity_id)
    if found is not None:
        return str(catalog.kind_of(entity_id)), found
    if entity_id in catalog.documents:  # its file loaded but failed its schema: there is no model to show
        rel = catalog.documents[entity_id].rel
        raise ProdopsError(
            f"'{entity_id}' ({rel}) has errors, so it cannot be shown; `prodops validate {rel}` lists them"
        )
    import difflib

    close = difflib.get_close_matches(entity_id, list(catalog.documents), n=1)
    raise ProdopsError(f"no entity '{entity_id}'" + (f" (did you mean '{close[0]}'?)" if close else ""))


def show(catalog: Catalog, entity_id: str, derive_reach: bool = False) -> str:
    kind, entity = _entity(catalog, entity_id)
    doc = catalog.documents[entity_id]
    lines = [f"{getattr(entity, 'title', entity_id)}", f"{kind} {entity_id} · {doc.rel}", ""]
    for key, value in doc.data.items():
        if key == "id":
            continue
        lines += _outline(key, value, 0)
    if isinstance(entity, model.RoadmapItem):
        rice = f"{entity.rice.score:.1f}" if entity.rice else "–"
        lines += ["", f"RICE score: {rice}"]
        if entity.progress is not None:
            lines.append(delivery_view.summary(entity.progress))
        if derive_reach:
            from prodops.feedback.reach import derivations

            derived = derivations(catalog).get(entity_id)
            if derived is not None:
                lines.append(f"  {derived.explain()}")
    if isinstance(entity, model.Objective):
        lines += ["", f"progress: {bar(entity.progress)}"]
        if entity.rolled_up is not None:  # it has child objectives: say what its own key results make
            lines.append(f"  own key results: {bar(entity.own_progress)}")
        lines += [
            f"  {kr.id}: {bar(kr.progress)}  confidence {confidence_text(kr.confidence)}" for kr in entity.key_results
        ]
    if isinstance(entity, model.Launch):
        lines += ["", f"readiness: {bar(entity.readiness_done)}"]
    outgoing = [r for r in catalog.references if r.source == entity_id and r.kind != PERSON]
    incoming = [
        r
        for r in catalog.references
        if r.kind != PERSON and (r.target == entity_id or r.target.startswith(entity_id + "."))
    ]
    lines += ["", "relations:"]
    lines += [f"  → {r.field}: {r.target}" for r in outgoing] or ["  → none"]
    lines += [f"  ← {r.source} ({r.field})" for r in incoming] or ["  ← none"]
    return "\n".join(lines) + "\n"


def _outline(key: str, value: Any, depth: int) -> list[str]:
    """A field as a reader writes it down: nested mappings indented, list items with '-', text on one line."""
    pad = "  " * depth
    if isinstance(value, dict):
        return [f"{pad}{key}:", *(line for k, v in value.items() for line in _outline(str(k), v, depth + 1))]
    if isinstance(value, list):
        lines = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = item.items()
                head = _outline(str(first[0]), first[1], depth + 2)
                lines.append(f"{pad}  - {head[0].lstrip()}")
                lines += head[1:]
                lines += [line for k, v in rest for line in _outline(str(k), v, depth + 2)]
            else:
                lines.append(f"{pad}  - {_one_line(item)}")
        return lines
    return [f"{pad}{key}: {_one_line(value)}"]


def _one_line(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def check_filters(
    catalog: Catalog, schemas: SchemaSet, kind: str, filters: dict[str, str | None]
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """Filters normalised (``2026-q4`` is ``2026-Q4``), and (option, message) for each value nothing can match.

    A value that no entity could ever have is a typo, not an empty answer: it is reported with
    the closest known value. Allowed values come from the schemas and the teams, never from a list here.
    """
    from prodops.schemas import enum_values
    from prodops.suggest import did_you_mean

    known: dict[str, list[str]] = {
        "team": sorted(catalog.teams),
        "owner": sorted(catalog.people),
        "status": list(enum_values(schemas, kind, ("status",))),
        "horizon": list(enum_values(schemas, kind, ("horizon",))),
    }
    out = dict(filters)
    problems: list[tuple[str, str]] = []
    for name, value in filters.items():
        if value is None:
            continue
        if name == "period":
            found = catalog.calendar.parse(value)
            if found is None:
                problems.append(("--period", f"'{value}' is not {catalog.calendar.describe()}"))
            else:
                out[name] = str(found)
            continue
        if name not in known:
            # Any other field of the kind (``--where FIELD=VALUE``): an enum's values are checked, others match as written.
            ks = schemas.kinds.get(kind)
            properties = (ks.schema.get("properties") or {}) if ks is not None else {}
            if name not in properties:
                fields = ", ".join(sorted(str(f) for f in properties if f != "id"))
                problems.append(
                    (
                        "--where",
                        f"{kind} has no field '{name}'{did_you_mean(name, list(properties))} (fields: {fields})",
                    )
                )
                continue
            known[name] = list(enum_values(schemas, kind, (name,)))
            if not known[name]:
                continue
        options = known.get(name, [])
        if not options:
            problems.append((f"--{name}", f"{kind} has no {name} to filter on"))
        elif value not in options:
            folded = {o.casefold(): o for o in options}
            if value.casefold() in folded:
                out[name] = folded[value.casefold()]
                continue
            shown = ", ".join(options) if len(options) <= 12 else f"{len(options)} known values"
            article = "an" if name[0] in "aeiou" else "a"
            problems.append((f"--{name}", f"'{value}' is not {article} {name} ({shown}){did_you_mean(value, options)}"))
    return out, problems


def list_columns(schemas: SchemaSet, kind: str) -> tuple[str, ...]:
    """The columns `prodops list KIND` shows (a CSV of no rows still has them as its header)."""
    return kinds.registry(schemas)[kind].list_columns


def rows(
    catalog: Catalog,
    schemas: SchemaSet,
    kind: str,
    *,
    team: str | None = None,
    status: str | None = None,
    horizon: str | None = None,
    period: str | None = None,
    owner: str | None = None,
    where: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The entities of ``kind`` as list rows, in the kind's order, filtered (``where``: any field = value)."""
    spec = kinds.registry(schemas)[kind]
    wanted = {"team": team, "status": status, "horizon": horizon, "period": period, "owner": owner, **(where or {})}
    given = {name: value for name, value in wanted.items() if value is not None}
    out: list[dict[str, Any]] = []
    for entity in spec.ordered(list(catalog.of(kind).values())):
        row = spec.row(catalog, entity)
        if given and not all(_facet(catalog, spec, entity, row, name) == value for name, value in given.items()):
            continue
        out.append(row)
    return out


def _facet(catalog: Catalog, spec: kinds.KindSpec, entity: Any, row: dict[str, Any], name: str) -> str:
    """The value a filter compares: the row's column, the kind's owner or team, or else the field in the file.

    A field an adopter added to a built-in kind (a ``status`` on objectives) is in the file, not the row.
    """
    if name in row:
        return str(row[name] if row[name] is not None else "")
    if name == "owner":
        return spec.owner(entity)
    if name == "team":
        return next(iter(spec.teams(entity)), "")
    doc = catalog.documents.get(entity.id)
    value = doc.data.get(name) if doc is not None else None
    return "" if value is None else str(value)


# Shares are printed as the site prints them (50%); JSON and CSV keep the number (0.502).
SHARE_COLUMNS = frozenset({"progress", "readiness"})


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in SHARE_COLUMNS and isinstance(value, float):
        return f"{round(value * 100)}%"
    return str(value)


def format_rows(data: list[dict[str, Any]], fmt: str, columns: Sequence[str], *, escape_csv: bool = True) -> str:
    """Rows as JSON, CSV (with a header even when empty; see ``tabular`` for ``escape_csv``) or a text table."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return tabular.write(columns, data, escape=escape_csv)
    if not data:
        return "no matching entities\n"
    cells = [[_cell(c, row[c]) for c in columns] for row in data]
    widths = [min(50, max(len(c), *(len(r[i]) for r in cells))) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append(
            "  ".join(
                (v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(r, widths, strict=True)
            ).rstrip()
        )
    return "\n".join(lines) + "\n"


def _edges(catalog: Catalog) -> list[tuple[str, str, str]]:
    out = []
    for ref in catalog.references:
        if ref.kind == PERSON:
            continue
        target = ref.target.partition(".")[0] if ref.kind == KEY_RESULT else ref.target
        out.append(
            (ref.source, target, ref.field if ref.kind != KEY_RESULT else f"moves {ref.target.partition('.')[2]}")
        )
    return out


def graph(catalog: Catalog, entity_id: str | None, depth: int, fmt: str) -> str:
    """The relation graph (every entity, or those within ``depth`` links of one), in Mermaid or DOT."""
    edges = _edges(catalog)
    if entity_id is not None:
        _entity(catalog, entity_id)
        # Neighbours both ways, built once: the walk is linear in the edges it reaches.
        neighbours: dict[str, list[str]] = defaultdict(list)
        for a, b, _ in edges:
            neighbours[a].append(b)
            neighbours[b].append(a)
        keep = {entity_id}
        frontier = deque([(entity_id, 0)])
        while frontier:
            node, d = frontier.popleft()
            if d >= depth:
                continue
            for there in neighbours.get(node, ()):
                if there not in keep:
                    keep.add(there)
                    frontier.append((there, d + 1))
        edges = [e for e in edges if e[0] in keep and e[1] in keep]
        nodes = sorted(keep)
    else:
        nodes = sorted(catalog.documents)
    label = {n: str(getattr(catalog.entity(n), "title", n)) for n in nodes}
    if fmt == "dot":
        lines = ["digraph prodops {", "  rankdir=LR;", "  node [shape=box];"]
        lines += [f'  "{n}" [label={json.dumps(label[n] + chr(10) + n)}];' for n in nodes]
        lines += [f'  "{a}" -> "{b}" [label={json.dumps(f)}];' for a, b, f in sorted(set(edges))]
        return "\n".join([*lines, "}"]) + "\n"
    ids = {n: f"n{i}" for i, n in enumerate(nodes)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[n]}["{_mermaid(label[n])}<br/><small>{n}</small>"]' for n in nodes]
    lines += [f"  {ids[a]} -->|{_mermaid(f)}| {ids[b]}" for a, b, f in sorted(set(edges)) if a in ids and b in ids]
    return "\n".join(lines) + "\n"


def _mermaid(text: str) -> str:
    return html.escape(text, quote=True).replace("|", "&#124;")


def trace(catalog: Catalog, kr_ref: str) -> str:
    kr = catalog.key_results.get(kr_ref)
    if kr is None:
        raise ProdopsError(f"no key result '{kr_ref}'; write it as OBJECTIVE-ID.KR-ID")
    lines = [
        f"{kr_ref}: {kr.title}",
        f"  {bar(kr.progress)}  now {kr.current:g} {kr.unit}, target {number_text(kr.target)}, confidence {confidence_text(kr.confidence)}",
        "",
    ]
    items = sorted(catalog.items_moving(kr_ref), key=lambda i: i.id)
    if not items:
        lines.append("no roadmap item moves it")
    for item in items:
        due = f", due {item.due.isoformat()}" if item.due else ""
        lines.append(
            f"• {item.id} — {item.title} [{or_not_set(item.status)}, {item.horizon or NOT_SET}{due}] owner @{item.owner or 'none'}"
        )
        for dep_id in item.depends_on:
            dep = catalog.items.get(dep_id)
            if dep is not None:
                dep_due = f", due {dep.due.isoformat()}" if dep.due else ""
                lines.append(f"    depends on {dep.id} — {dep.title} [{or_not_set(dep.status)}{dep_due}]")
        for launch in catalog.launches_of(item.id):
            lines.append(
                f"    shipped by {launch.id} — tier {launch.tier or '–'}, GA {day_text(launch.ga)} [{or_not_set(launch.status)}], readiness {round(launch.readiness_done * 100)}%"
            )
    return "\n".join(lines) + "\n"


def okr_report(catalog: Catalog, period_text: str, today: date, config: Config | None = None) -> str:
    period = catalog.calendar.parse(period_text)
    if period is None:
        raise ProdopsError(f"'{period_text}' is not {catalog.calendar.describe()}")
    from prodops.values import FORMULA, at_risk

    bands = config if config is not None else Config()
    objectives = sorted(
        (o for o in catalog.objectives.values() if o.period == period), key=lambda o: (o.level != "company", o.title)
    )
    lines = [
        f"# OKR review {period}",
        "",
        f"As of {today.isoformat()}. Progress is the share of the way from baseline to target. {FORMULA}",
        "",
    ]
    if not objectives:
        return "\n".join([*lines, f"No objectives for this {period.noun}."]) + "\n"
    risky = [kr for o in objectives for kr in o.key_results if at_risk(kr.confidence, bands)]
    lines += [
        f"**{len(objectives)} objectives · {sum(len(o.key_results) for o in objectives)} key results · {len(risky)} at risk**",
        "",
    ]
    for o in objectives:
        team = f", {o.team}" if o.team else ""
        lines += [f"## {o.title}", "", f"{o.level}{team} · owner @{o.owner} · `{bar(o.progress)}`", ""]
        lines += [
            "| Key result | Progress | Now | Confidence | Since last check-in | Work |",
            "|---|---|---|---|---|---|",
        ]
        for kr in o.key_results:
            change = ""
            if len(kr.checkins) >= 2:
                a, b = kr.checkins[-2], kr.checkins[-1]
                change = f"{b.value - a.value:+g} {kr.unit} ({a.date.isoformat()} → {b.date.isoformat()})"
            work = (
                ", ".join(
                    f"{i.id} ({or_not_set(i.status)})" for i in sorted(catalog.items_moving(kr.ref), key=lambda i: i.id)
                )
                or "**none**"
            )
            risk = " ⚠ at risk" if at_risk(kr.confidence, bands) else ""
            lines.append(
                f"| {kr.id}: {kr.title} | `{bar(kr.progress, 10)}` | {kr.current:g} {kr.unit} | {confidence_text(kr.confidence)}{risk} | {change} | {work} |"
            )
        lines.append("")
    if risky:
        lines += (
            ["## At risk", ""]
            + [
                f"- **{kr.ref}** {kr.title}: confidence {confidence_text(kr.confidence)}"
                + (f" — {kr.checkins[-1].note}" if kr.checkins and kr.checkins[-1].note else "")
                for kr in risky
            ]
            + [""]
        )
    return "\n".join(lines)


def launch_report(catalog: Catalog, today: date, until: date) -> str:
    """Launches due in the window, and before them those whose GA passed without launching."""
    open_launches = [x for x in catalog.launches.values() if x.open]
    dated = [(x, x.ga) for x in open_launches if x.ga is not None]  # one without a GA date is due nowhere
    overdue = sorted(((x, ga) for x, ga in dated if ga < today), key=lambda pair: pair[1])
    launches = [x for x, _ in sorted(((x, ga) for x, ga in dated if today <= ga <= until), key=lambda pair: pair[1])]
    lines = [f"# Launches from {today.isoformat()} to {until.isoformat()}", ""]
    if overdue:
        lines += ["## Past their GA date, not launched", ""]
        lines += [
            f"- **{x.title}** (`{x.id}`): GA {ga.isoformat()}, {(today - ga).days} days ago, still {x.status}"
            " — launch it, or move its date"
            for x, ga in overdue
        ]
        lines.append("")
    if not launches:
        return "\n".join([*lines, "No launches in this window."]) + "\n"
    for launch in launches:
        decision = launch.go_no_go.decision if launch.go_no_go else "not set"
        lines += [
            f"## {launch.title} — GA {day_text(launch.ga)}",
            "",
            f"tier {launch.tier or '–'} · {launch.status} · go/no-go {decision} · readiness `{bar(launch.readiness_done)}`",
            "",
        ]
        playbook = catalog.playbooks.get(launch.playbook)
        carried = {r.id for r in launch.readiness}
        missing = [t for t in (playbook.required_for(launch.tier) if playbook else ()) if t.id not in carried]
        open_items = [r for r in launch.readiness if r.open]
        by_owner: dict[str, list[str]] = {}
        for r in open_items:
            by_owner.setdefault(r.owner, []).append(f"{r.title} ({r.status})")
        for owner, things in sorted(by_owner.items()):
            lines.append(f"- @{owner}: {'; '.join(things)}")
        for t in missing:
            lines.append(f"- not in the checklist yet: {t.title} (`{t.id}`)")
        if not open_items and not missing:
            lines.append("- nothing missing")
        lines.append("")
    return "\n".join(lines)


def as_html(markdown_text: str, title: str) -> str:
    """A self-contained HTML page (no script, no outside requests) from a report's Markdown."""
    from prodops.text import safe

    style = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left}code{font-family:monospace}"
    return safe.html_document(safe.markdown_html(markdown_text), title, style)

"""The triage meeting's report: top customer asks, new demand, what needs a decision, unmatched feedback.

``prodops report feedback --since 90d`` prints it; it reads only the insights (and, when an
import has run in this working copy, what it left unmatched), and returns Markdown text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from prodops import edit
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.feedback.insight import Demand, Insight, insights, rank_key

TOP = 10
BLOCKS = "▁▂▃▄▅▆▇█"
LAST_IMPORTS = Path(".prodops-cache") / "feedback-imports.json"


def sparkline(by_month: dict[str, int] | None, months: list[str]) -> str:
    """Records per month as block characters (one per month of ``months``)."""
    values = [(by_month or {}).get(m, 0) for m in months]
    top = max(values, default=0)
    if not top:
        return "·" * len(months)
    return "".join("·" if v == 0 else BLOCKS[min(len(BLOCKS) - 1, (v * len(BLOCKS) - 1) // top)] for v in values)


def months_between(start: date, end: date) -> list[str]:
    out: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True)
class Imported:
    source: str
    file: str
    day: str
    read: int
    matched: int
    unmatched: int
    rejected: int


def record_import(root: Path, entry: Imported) -> None:
    """Remember the last import of each source in this working copy (not committed: the cache folder)."""
    path = root / LAST_IMPORTS
    known = read_imports(root)
    known[entry.source] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {name: vars(item) for name, item in sorted(known.items())}
    edit.write_atomic(path, (json.dumps(data, indent=1) + "\n").encode(), sync=False)


def read_imports(root: Path) -> dict[str, Imported]:
    try:
        raw: Any = json.loads((root / LAST_IMPORTS).read_text(encoding="utf-8"))
        return {str(k): Imported(**v) for k, v in raw.items()}
    except (OSError, ValueError, TypeError):
        return {}  # no import yet, or a file of another version: the report says the count is not known


def _cell(text: str) -> str:
    """Text from a YAML file as one Markdown table cell (a | would start a new column)."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _money(amount: float) -> str:
    return f"${amount:,.0f}"


def _row(rank: int, insight: Insight, demand: Demand, months: list[str], catalog: Catalog) -> str:
    items = ", ".join(
        f"{i} ({catalog.items[i].status})" if i in catalog.items else i for i in insight.addressed_by
    ) or (insight.status if insight.dropped else "**none**")
    return (
        f"| {rank} | {_cell(insight.title)} (`{insight.id}`) | {insight.status} | {demand.accounts} | {_money(demand.arr)} "
        f"| {demand.count} | `{sparkline(dict(demand.by_month or {}), months)}` | {items} |"
    )


def report(catalog: Catalog, config: Config, today: date, days: int, root: Path) -> str:
    since = today - timedelta(days=days)
    months = months_between(since, today)
    every = insights(catalog)
    recent = [(i, i.demand(since)) for i in every]
    asked = sorted(((i, d) for i, d in recent if not d.empty), key=lambda p: (rank_key(p[1]), p[0].id))
    total = sum(d.count for _, d in asked)
    lines = [
        f"# Customer feedback: the last {days} days",
        "",
        f"{since.isoformat()} to {today.isoformat()}. {total:,} matched records on {len(asked)} of {len(every)} insights. "
        "Accounts and ARR are those of each insight's busiest month in the period.",
        "",
        "## Top customer asks",
        "",
    ]
    header = [
        "| # | Insight | Status | Accounts | ARR | Records | Trend | Roadmap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    if asked:
        lines += header + [_row(n, i, d, months, catalog) for n, (i, d) in enumerate(asked[:TOP], start=1)]
    else:
        lines.append("No feedback in the period.")
    new = [(i, d) for i, d in asked if i.demand().first_seen >= since.isoformat()]
    lines += ["", "## New demand", "", "Insights first asked for in the period.", ""]
    lines += (header + [_row(n, i, d, months, catalog) for n, (i, d) in enumerate(new, start=1)]) if new else ["None."]
    settings = config.feedback
    undecided = [
        (i, d)
        for i, d in asked
        if not i.decided and (d.accounts >= settings.threshold_accounts or d.arr >= settings.threshold_arr)
    ]
    lines += [
        "",
        "## Needs a decision",
        "",
        f"Above the threshold ({settings.threshold_accounts} accounts or {_money(settings.threshold_arr)} in a month) "
        "with no roadmap item and not declined.",
        "",
    ]
    lines += [
        f"- {_cell(i.title)} (`{i.id}`, owner @{i.owner}): {d.accounts} accounts, {_money(d.arr)}" for i, d in undecided
    ] or ["None."]
    lines += ["", "## Unmatched feedback", ""]
    imports = read_imports(root)
    if imports:
        lines += [
            "| Source | Imported | File | Read | Matched | Unmatched | Rejected |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {m.source} | {m.day} | `{Path(m.file).name}` | {m.read:,} | {m.matched:,} | {m.unmatched:,} | {m.rejected:,} |"
            for m in imports.values()
        ]
    else:
        lines.append(
            "Not known: no import has run in this working copy (`prodops feedback import … --unmatched FILE`)."
        )
    return "\n".join(lines) + "\n"

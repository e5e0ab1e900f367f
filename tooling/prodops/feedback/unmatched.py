"""The triage report of feedback no insight matched: CSV for a spreadsheet, Markdown for the meeting notes.

Text from an export is data, never markup or a formula: CSV cells go through ``tabular``
(a cell starting with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'``), and Markdown cells
are escaped so nothing in them becomes a link, an image, HTML or a table column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from prodops import edit, tabular
from prodops.diagnostics import ProdopsError
from prodops.feedback.aggregate import Unmatched

COLUMNS = ("where", "date", "source", "account", "segment", "text")
FORMATS = (".csv", ".md", ".markdown")


def _markdown_cell(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
    return text.replace("&", "&amp;")


def render(rows: Sequence[Unmatched], suffix: str, export: str) -> str:
    if suffix == ".csv":
        return tabular.write(
            COLUMNS,
            (
                {
                    "where": r.where,
                    "date": r.day.isoformat(),
                    "source": r.source,
                    "account": r.account,
                    "segment": r.segment,
                    "text": r.text,
                }
                for r in rows
            ),
        )
    lines = [
        f"# Unmatched feedback: {len(rows)} record{'s' * (len(rows) != 1)}",
        "",
        f"From `{_markdown_cell(export)}`. Give each recurring theme an insight, or add a keyword to an insight's `match`.",
        "",
        "| where | date | source | account | segment | text |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.where} | {r.day.isoformat()} | {_markdown_cell(r.source)} | {_markdown_cell(r.account)} "
        f"| {r.segment} | {_markdown_cell(r.text)} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def check_target(path: Path) -> str:
    """The report's format from ``path``'s extension; a usage mistake is an error before anything is read."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ProdopsError(f"--unmatched {path}: write the report to a .csv or .md file")
    return ".csv" if suffix == ".csv" else ".md"


def write(path: Path, rows: Sequence[Unmatched], export: str) -> None:
    edit.write_atomic(path, render(rows, check_target(path), export).encode("utf-8"))

"""Print a diff report: Markdown for a pull-request comment or job summary, or JSON for tools.

Text from the repository is untrusted (a pull request from a fork writes it): values are
shown in code spans, table pipes are escaped and ``@`` cannot mention anyone.
"""

from __future__ import annotations

import json
from typing import Any

from prodops.diff import EntityChange, Report

LABELS = {
    "roadmap-item": "Roadmap item",
    "objective": "Objective",
    "launch": "Launch",
    "playbook": "Playbook",
    "team": "Team",
}
MARKER = "<!-- prodops-diff -->"


def _text(value: str, limit: int = 120) -> str:
    one_line = " ".join(str(value).split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    for char in "\\`*_[]<>#|~":
        one_line = one_line.replace(char, "\\" + char)
    return one_line.replace("@", "@\u200b")


def _code(value: Any) -> str:
    if value is None:
        return "–"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    if len(text) > 100:
        text = text[:99] + "…"
    return "`" + text.replace("`", "ʹ").replace("|", "\\|") + "`"


def _name(change: EntityChange) -> str:
    return f"{LABELS.get(change.kind, change.kind)} `{change.id}` — {_text(change.title, 80)}"


def markdown(report: Report) -> str:
    counts = {
        status: sum(c.status == status for c in report.changes) for status in ("changed", "added", "removed", "renamed")
    }
    lines = [MARKER, f"## Product ops changes: `{report.base}` → `{report.head}`", ""]
    if not report.changes:
        lines.append("No roadmap, OKR, launch, playbook or team changes.")
        return "\n".join(lines) + "\n"
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    attention = report.attention
    lines.append(f"**{summary}** · {len(attention)} change{'s' if len(attention) != 1 else ''} to look at")
    lines.append("")
    if attention:
        lines += ["### Look at these", ""]
        for change, note in attention:
            lines.append(f"- {_name(change)}: {note}")
        lines.append("")
    lines += ["### All changes", ""]
    for change in report.changes:
        header = f"{_name(change)} ({change.status}, `{change.file}`)"
        if not change.fields:
            lines.append(f"- {header}")
            continue
        lines += [
            "<details>",
            f"<summary>{header}: {len(change.fields)} field{'s' if len(change.fields) != 1 else ''}</summary>",
            "",
        ]
        lines += ["| Field | Before | After |", "|---|---|---|"]
        lines += [f"| `{f.path}` | {_code(f.old)} | {_code(f.new)} |" for f in change.fields]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return (
        json.dumps(
            {
                "version": 1,
                "base": report.base,
                "head": report.head,
                "changes": [
                    {
                        "kind": c.kind,
                        "id": c.id,
                        "old_id": c.old_id or None,
                        "title": c.title,
                        "file": c.file,
                        "status": c.status,
                        "notes": c.notes,
                        "fields": [{"path": f.path, "old": f.old, "new": f.new} for f in c.fields],
                    }
                    for c in report.changes
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )

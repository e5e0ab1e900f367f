"""Print a diff report: Markdown for a pull-request comment or job summary, or JSON for tools.

Text from the repository is untrusted (a pull request from a fork writes it): values are
shown in code spans, table pipes are escaped and ``@`` cannot mention anyone. Markdown is not
read inside raw HTML (a ``<summary>`` line), so text placed there is HTML-escaped instead of
Markdown-escaped: ``_text`` for Markdown, ``_html`` for HTML, never one for the other.

The Markdown summary ranks: called-out changes are grouped by team, the groups with the
heaviest changes first (moves into *now*, commitments, slips), and when ``max_chars`` is
given (a pull-request comment holds at most 65,536) the groups that do not fit are kept as
counts, with a pointer to the full report.
"""

from __future__ import annotations

import difflib
import html
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from prodops import kinds
from prodops.audiencediff import AudienceChange, Audiences
from prodops.diff import EntityChange, FieldChange, Note, Report
from prodops.metrics.model import format_value

MARKER = "<!-- prodops-diff -->"
COMMENT_LIMIT = 65_536  # what GitHub accepts in one issue or pull-request comment
_TEXT_MIN = 60  # text longer than this is shown as a word diff
_VALUES_SHOWN = 40  # KPI history rows shown per KPI; the JSON report has them all
_AUDIENCE_SHOWN = 60  # audience changes listed in the summary; the JSON report has them all
_CONTEXT_WORDS = 6


def _one_line(value: str, limit: int) -> str:
    one_line = " ".join(str(value).split())
    return one_line[: limit - 1] + "…" if len(one_line) > limit else one_line


def _text(value: str, limit: int = 120) -> str:
    """Untrusted text in Markdown: every character that could start markup or an entity is escaped."""
    one_line = _one_line(value, limit)
    for char in "\\`*_[]<>#|~&!":
        one_line = one_line.replace(char, "\\" + char)
    return one_line.replace("@", "@\u200b")


def _html(value: str, limit: int = 120) -> str:
    """Untrusted text inside raw HTML, where Markdown escapes mean nothing: HTML-escaped, on one line."""
    return html.escape(_one_line(value, limit), quote=False).replace("@", "@\u200b")


def _html_code(value: str) -> str:
    return f"<code>{_html(value, 100)}</code>"


def _code(value: Any) -> str:
    if value is None:
        return "–"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    if len(text) > 100:
        text = text[:99] + "…"
    return "`" + text.replace("`", "ʹ").replace("|", "\\|") + "`"


def _label(change: EntityChange) -> str:
    label = change.label or change.kind
    return label[:1].upper() + label[1:]


def _name(change: EntityChange) -> str:
    """The entity in Markdown: kind, id and title."""
    return f"{_text(_label(change))} {_code(change.id)} — {_text(change.title, 80)}"


def _html_name(change: EntityChange) -> str:
    """The entity inside raw HTML (a ``<summary>``)."""
    return f"{_html(_label(change))} {_html_code(change.id)} — {_html(change.title, 80)}"


def _is_text(f: FieldChange) -> bool:
    return isinstance(f.old, str) and isinstance(f.new, str) and max(len(f.old), len(f.new)) > _TEXT_MIN


def word_diff(old: str, new: str, context: int = _CONTEXT_WORDS) -> str:
    """The words that changed, ~~deleted~~ and **inserted**, with a few words of context around each change."""
    a, b = old.split(), new.split()
    pieces: list[str] = []
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            words = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if len(words) > 2 * context or ((first or last) and len(words) > context):
                head = [] if first else words[:context]
                tail = [] if last else words[-context:]
                pieces.append(
                    " ".join(_text(w) for w in head)
                    + (" … " if head or tail else "…")
                    + " ".join(_text(w) for w in tail)
                )
            else:
                pieces.append(" ".join(_text(w) for w in words))
            continue
        if i2 > i1:
            pieces.append("~~" + " ".join(_text(w) for w in a[i1:i2]) + "~~")
        if j2 > j1:
            pieces.append("**" + " ".join(_text(w) for w in b[j1:j2]) + "**")
    return " ".join(p.strip() for p in pieces if p.strip())


def _quote(text: str) -> list[str]:
    return ["> " + _text(line, 2_000) if line.strip() else ">" for line in text.splitlines()]


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _values(change: EntityChange) -> list[str]:
    """A KPI's history changes as a table, values of closed periods marked."""
    if not change.values:
        return []
    lines = ["| Date | Segment | Before | After | Period |", "|---|---|---|---|---|"]
    for v in change.values[:_VALUES_SHOWN]:
        old = _code(format_value(v.old)) if v.old is not None else "–"
        new = _code(format_value(v.new)) if v.new is not None else "–"
        period = f"**{_text(v.period)} (closed)**" if v.closed and v.change != "added" else _text(v.period)
        segment = _code(v.segment) if v.segment else "–"
        lines.append(f"| {v.day.isoformat()} | {segment} | {old} | {new} | {period} |")
    left = len(change.values) - _VALUES_SHOWN
    if left > 0:
        lines += ["", f"…and {_count(left, 'more value')} (the JSON report has them all)."]
    return [*lines, ""]


def _details(change: EntityChange) -> list[str]:
    if not change.fields and not change.values:
        return [f"- {_name(change)} ({change.status}, {_code(change.file)})"]
    counts = [_count(n, what) for n, what in ((len(change.fields), "field"), (len(change.values), "value")) if n]
    header = f"{_html_name(change)} ({change.status}, {_html_code(change.file)})"
    lines = ["<details>", f"<summary>{header}: {', '.join(counts)}</summary>", ""]
    lines += _values(change)
    values = [f for f in change.fields if not _is_text(f)]
    texts = [f for f in change.fields if _is_text(f)]
    if values:
        lines += ["| Field | Before | After |", "|---|---|---|"]
        lines += [f"| {_code(f.path)} | {_code(f.old)} | {_code(f.new)} |" for f in values]
        lines.append("")
    for f in texts:
        lines += [f"{_code(f.path)}: {word_diff(str(f.old), str(f.new))}", ""]
        lines += ["<details><summary>Full text, before and after</summary>", ""]
        lines += [*_quote(str(f.old)), "", "→", "", *_quote(str(f.new)), "", "</details>", ""]
    lines.append("</details>")
    return lines


@dataclass(frozen=True)
class _Group:
    team: str
    title: str
    notes: list[tuple[EntityChange, Note]]

    @property
    def weight(self) -> int:
        return max(note.weight for _, note in self.notes)

    def counts(self) -> str:
        changed = {(c.kind, c.id): c for c, _ in self.notes}.values()
        entities = Counter((c.label or c.kind, c.plural or c.kind + "s") for c in changed)
        parts = [f"{n} {plural if n != 1 else label}" for (label, plural), n in entities.items()]
        n = len(self.notes)
        return f"{n} change{'s' if n != 1 else ''} to look at ({', '.join(parts)})"


def _groups(report: Report) -> list[_Group]:
    by_team: dict[str, list[tuple[EntityChange, Note]]] = {}
    for change, note in report.attention:
        by_team.setdefault(change.team, []).append((change, note))
    groups = []
    for team, notes in by_team.items():
        title = report.team_names.get(team, team) if team else "Company-wide"
        notes.sort(key=lambda cn: (-cn[1].weight, kinds.rank(cn[0].kind), cn[0].id))
        groups.append(_Group(team, title, notes))
    groups.sort(key=lambda g: (-g.weight, -len(g.notes), g.title))
    return groups


def markdown(report: Report, max_chars: int | None = None, full_report: str = "") -> str:
    """The summary; with ``max_chars``, at most that many characters (the heaviest groups kept whole)."""
    counts = {
        status: sum(c.status == status for c in report.changes)
        for status in ("changed", "added", "removed", "renamed", "affected")
    }
    head = [MARKER, f"## Product ops changes: {_code(report.base)} → {_code(report.head)}", ""]
    audience = _audience(report.audience)
    if not report.changes:
        nothing = "No entity file changed, but what is published did (above)." if report.audience.changes else ""
        return "\n".join([*head, *audience, nothing or "No entity of any kind changed."]) + "\n"
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    attention = report.attention
    groups = _groups(report)
    head.append(
        f"**{summary}** · {len(attention)} change{'s' if len(attention) != 1 else ''} to look at"
        + (f" in {len(groups)} group{'s' if len(groups) != 1 else ''}" if groups else "")
    )
    head.append("")
    head += audience
    where = full_report or "the job summary and the `prodops-summary` artifact"
    budget = max_chars if max_chars is not None else 10**12
    out = "\n".join(head) + "\n"

    def fits(extra: str, reserve: int) -> bool:
        return len(out) + len(extra) + reserve <= budget

    summaries = [f"- **{_text(g.title, 60)}**: {g.counts()}\n" for g in groups]
    trailer_reserve = 400
    if groups:
        out += "### Look at these\n\n"
        left_out: list[str] = []
        for index, group in enumerate(groups):
            lines = [f"#### {_text(group.title, 60)} — {group.counts()}", ""]
            lines += [f"- {_name(change)}: {note.text}" for change, note in group.notes]
            section = "\n".join(lines) + "\n\n"
            rest = sum(len(s) for s in summaries[index + 1 :])
            if not left_out and fits(section, rest + trailer_reserve):
                out += section
            else:
                left_out.append(summaries[index])
        if left_out:
            out += f"Not shown in full here (the full report is in {where}):\n\n" + "".join(left_out) + "\n"
    out += "### All changes\n\n"
    remaining = len(report.changes)
    for change in report.changes:
        block = "\n".join(_details(change)) + "\n"
        if not fits(block, trailer_reserve):
            break
        out += block
        remaining -= 1
    if remaining:
        out += f"\n…and {remaining} more changed entit{'ies' if remaining != 1 else 'y'}: see {where}.\n"
    if len(out) > budget:  # a budget too small even for the counts: cut, and say so
        tail = f"\n\n…cut to {budget} characters; see {where}.\n"
        out = out[: max(0, budget - len(tail))] + tail
    return out


def _audience_line(c: AudienceChange) -> str:
    where = _code(c.file)
    if c.scope == "kind":
        return f"- Kind {_code(c.kind)} ({where}): its entities **{c.old} → {c.new}**"
    if c.scope == "field":
        return f"- Field {_code(c.kind + '.' + c.name)} ({where}): **{c.old} → {c.new}**"
    named = f"{_text(c.kind)} {_code(c.name)} — {_text(c.title, 80)} ({where})"
    return f"- {named}: **{'now public' if c.widened else 'no longer public'}**"


def _audience(audiences: Audiences) -> list[str]:
    """The audience section: widenings flagged at the top, narrowings folded away below them."""
    lines: list[str] = []
    widened, narrowed = audiences.widened, audiences.narrowed
    if audiences.problems:
        lines += ["> [!WARNING]", "> **What this change publishes could not be compared:**", ">"]
        lines += [f"> - {_text(problem, 400)}" for problem in audiences.problems]
        lines.append("")
    if widened:
        lines += [
            "> [!WARNING]",
            "> **This change publishes more.** What the public site and `prodops export --audience public` "
            "show widens; check that each of these may be published:",
            ">",
        ]
        lines += ["> " + _audience_line(c) for c in widened[:_AUDIENCE_SHOWN]]
        if len(widened) > _AUDIENCE_SHOWN:
            lines.append(f"> - …and {len(widened) - _AUDIENCE_SHOWN} more (the JSON report has them all)")
        lines.append("")
    if narrowed:
        lines += ["<details>", f"<summary>Published to fewer readers: {len(narrowed)}</summary>", ""]
        lines += [_audience_line(c) for c in narrowed[:_AUDIENCE_SHOWN]]
        if len(narrowed) > _AUDIENCE_SHOWN:
            lines.append(f"- …and {len(narrowed) - _AUDIENCE_SHOWN} more (the JSON report has them all)")
        lines += ["", "</details>", ""]
    return lines


def _audience_json(c: AudienceChange) -> dict[str, Any]:
    return {
        "scope": c.scope,
        "kind": c.kind,
        "name": c.name or None,
        "title": c.title or None,
        "file": c.file,
        "old": c.old,
        "new": c.new,
    }


def as_json(report: Report) -> str:
    return (
        json.dumps(
            {
                "version": 2,
                "base": report.base,
                "head": report.head,
                "audience": {
                    "widened": [_audience_json(c) for c in report.audience.widened],
                    "narrowed": [_audience_json(c) for c in report.audience.narrowed],
                    "problems": list(report.audience.problems),
                },
                "changes": [
                    {
                        "kind": c.kind,
                        "id": c.id,
                        "old_id": c.old_id or None,
                        "title": c.title,
                        "file": c.file,
                        "status": c.status,
                        "team": c.team or None,
                        "notes": [n.text for n in c.notes],
                        "weights": [n.weight for n in c.notes],
                        "fields": [{"path": f.path, "old": f.old, "new": f.new} for f in c.fields],
                        "values": [
                            {
                                "date": v.day.isoformat(),
                                "segment": v.segment,
                                "change": v.change,
                                "old": v.old,
                                "new": v.new,
                                "period": v.period,
                                "closed": v.closed,
                            }
                            for v in c.values
                        ],
                    }
                    for c in report.changes
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )

"""Read a tracker export into tickets: a Jira CSV, GitHub's issue JSON or a Linear CSV.

Each reader knows its vendor's columns (see ``tests/fixtures/delivery/README.md`` for the
documentation they follow) and what "done" means there: Jira's status category ``Done``,
GitHub's ``closed`` state, a Linear issue with a ``Completed`` or ``Canceled`` date. A row that
cannot be a ticket (no key, a key not in the tracker's form, a date or estimate that cannot be
read) is a ``Skipped`` with its line and the reason, never dropped silently; an export that cannot
be read at all (not the format asked for, a missing column) raises ``ExportError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from prodops import tabular
from prodops.diagnostics import ProdopsError
from prodops.feedback.read import detect_encoding

Source = Literal["jira", "github", "linear"]
SOURCES: tuple[Source, ...] = ("jira", "github", "linear")
MAX_EXPORT_BYTES = 64 * 1024 * 1024
MAX_POINTS = 10_000.0  # an estimate above this is a typo or an attack, not story points
MAX_TITLE = 300
ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,8}")
_GITHUB_URL = re.compile(
    r"https://github\.com/([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})/issues/([1-9][0-9]{0,8})"
)
_API_REPO = re.compile(r"https://api\.github\.com/repos/([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_JIRA_DATES = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%Y-%m-%d %H:%M", "%d/%b/%y")


class ExportError(ProdopsError):
    """The export cannot be read as the source's format (PO150); nothing is imported."""

    def __init__(self, reason: str, line: int = 0, column: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.line, self.column = reason, line, column or (1 if line else 0)


@dataclass(frozen=True)
class Ticket:
    """One piece of delivery work as its tracker reports it."""

    key: str  # PAY-123, ENG-42, owner/repo#12
    title: str
    status: str
    done: bool
    points: float
    updated: date | None
    resolved: date | None
    # What the ticket belongs to, as item references name it: its epic or parent, milestone, project.
    parents: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Skipped:
    where: str
    reason: str


@dataclass
class Export:
    rows: int = 0
    tickets: list[Ticket] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def read(path: Path, source: Source) -> Export:
    """The tickets of the export at ``path``; raises ``ExportError`` when it cannot be read at all."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ExportError(f"not a file; give the path of a {source} export")
        if size > MAX_EXPORT_BYTES:
            raise ExportError(f"{size:,} bytes is more than an export of delivery work can be (64 MB)")
        text = path.read_text(encoding=detect_encoding(path)).removeprefix("\ufeff")
    except OSError as exc:
        raise ExportError(f"cannot read the export: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ExportError(f"the bytes are not text ({exc.reason})") from exc
    if source == "github":
        return _github(path, text)
    header, rows = _csv(path, text)
    return _jira(path, header, rows) if source == "jira" else _linear(path, header, rows)


def _csv(path: Path, text: str) -> tuple[list[str], list[tabular.Row]]:
    if text.lstrip()[:1] in ("[", "{"):
        raise ExportError("this is JSON, not a CSV export; is --source right?", 1)
    rows: list[tabular.Row] = []
    for row in tabular.read(text.splitlines(keepends=True)):
        if isinstance(row, tabular.Broken):
            raise ExportError(f"{row.message} ({row.hint})", row.line)
        if row.cells and any(c.strip() for c in row.cells):
            rows.append(row)
    if not rows:
        raise ExportError("the export is empty (no header line, no rows)")
    return [c.strip() for c in rows[0].cells], rows[1:]


def _require(path: Path, header: Sequence[str], names: Sequence[str], what: str) -> None:
    missing = [n for n in names if n not in header]
    if missing:
        raise ExportError(
            f"the header has no {', '.join(repr(m) for m in missing)} column; "
            f"export {what} with all fields, or check --source",
            1,
        )


def _columns(header: Sequence[str], cells: Sequence[str]) -> dict[str, list[str]]:
    """Column -> its values: Jira repeats a column (Sprint, Labels) once per value."""
    out: dict[str, list[str]] = {}
    for name, value in zip(header, cells, strict=False):
        if value.strip():
            out.setdefault(name, []).append(value.strip())
    return out


def clean(text: str) -> str:
    """A title as kept: no control characters, one line, at most ``MAX_TITLE`` characters."""
    return " ".join(_CONTROL.sub(" ", text).split())[:MAX_TITLE]


def _points(values: list[str]) -> float:
    if not values:
        return 0.0
    points = float(values[0])  # ValueError: the caller skips the row
    if not 0 <= points <= MAX_POINTS:
        raise ValueError(f"{values[0]} is not a plausible estimate (0 to {MAX_POINTS:,.0f})")
    return points


def _jira_date(text: str) -> date:
    for pattern in _JIRA_DATES:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return _iso_date(text)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValueError(f"{clean(text)[:40]!r} is not a date (03/Nov/26 12:17 PM or 2026-11-03)") from None


def _first(fields: dict[str, list[str]], *names: str) -> list[str]:
    for name in names:
        if name in fields:
            return fields[name]
    return []


def _rows(header: list[str], rows: list[tabular.Row], export: Export) -> Iterator[tuple[str, dict[str, list[str]]]]:
    for row in rows:
        export.rows += 1
        where = f"line {row.line}"
        if len(row.cells) != len(header):
            export.skipped.append(
                Skipped(where, f"the row has {len(row.cells)} cells but the header has {len(header)}")
            )
            continue
        yield where, _columns(header, row.cells)


def _jira(path: Path, header: list[str], rows: list[tabular.Row]) -> Export:
    _require(path, header, ("Issue key", "Status Category", "Updated"), "the Jira issues (Export > CSV)")
    export = Export()
    parsed: list[tuple[str, dict[str, list[str]]]] = list(_rows(header, rows, export))
    keys_by_id = {f["Issue id"][0]: f["Issue key"][0] for _, f in parsed if "Issue id" in f and "Issue key" in f}
    for where, fields in parsed:
        key = (fields.get("Issue key") or [""])[0]
        if not key:
            export.skipped.append(Skipped(where, "no Issue key"))
            continue
        if not ISSUE_KEY.fullmatch(key):
            export.skipped.append(Skipped(where, f"Issue key {clean(key)[:40]!r} is not a Jira key (PAY-123)"))
            continue
        category = (fields.get("Status Category") or [""])[0]
        try:
            points = _points(_first(fields, "Custom field (Story Points)", "Custom field (Story point estimate)"))
            updated = _jira_date(fields["Updated"][0]) if "Updated" in fields else None
            resolved = _jira_date(fields["Resolved"][0]) if "Resolved" in fields else None
        except ValueError as exc:
            export.skipped.append(Skipped(where, f"{key}: {clean(str(exc))[:120]}"))
            continue
        parents = tuple(
            keys_by_id.get(v, v)
            for v in (
                *fields.get("Parent", ()),
                *fields.get("Custom field (Epic Link)", ()),
                *fields.get("Parent id", ()),
            )
        )
        export.tickets.append(
            Ticket(
                key,
                clean((fields.get("Summary") or [""])[0]),
                clean((fields.get("Status") or [category])[0])[:40],
                category.casefold() == "done",
                points,
                updated,
                resolved,
                tuple(p for p in parents if ISSUE_KEY.fullmatch(p)),
                where,
            )
        )
    return export


def _linear(path: Path, header: list[str], rows: list[tabular.Row]) -> Export:
    _require(path, header, ("ID", "Status", "Updated"), "the Linear issues (Export > CSV)")
    export = Export()
    for where, fields in _rows(header, rows, export):
        key = (fields.get("ID") or [""])[0]
        if not ISSUE_KEY.fullmatch(key):
            export.skipped.append(Skipped(where, f"ID {clean(key)[:40]!r} is not a Linear issue id (ENG-42)"))
            continue
        try:
            points = _points(fields.get("Estimate", []))
            updated = _iso_date(fields["Updated"][0]) if "Updated" in fields else None
            finished = _first(fields, "Completed", "Canceled")
            resolved = _iso_date(finished[0]) if finished else None
        except ValueError as exc:
            export.skipped.append(Skipped(where, f"{key}: {clean(str(exc))[:120]}"))
            continue
        parents = [p for p in fields.get("Parent issue", []) if ISSUE_KEY.fullmatch(p)]
        parents += [project_ref(p) for p in fields.get("Project", [])]
        export.tickets.append(
            Ticket(
                key,
                clean((fields.get("Title") or [""])[0]),
                clean(fields["Status"][0] if "Status" in fields else "")[:40],
                resolved is not None,
                points,
                updated,
                resolved,
                tuple(parents),
                where,
            )
        )
    return export


def project_ref(name: str) -> str:
    """How an item names a Linear project: ``linear:project/`` and its name in lower case with dashes."""
    return "linear:project/" + "-".join(re.findall(r"[a-z0-9]+", name.casefold()))[:80]


def _github(path: Path, text: str) -> Export:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"not JSON ({exc.msg}); give `gh issue list --json ...` output", exc.lineno, exc.colno
        ) from None
    except RecursionError:  # nested far deeper than any issue list
        raise ExportError("the JSON nests too deeply to be an issue list") from None
    if not isinstance(data, list):
        raise ExportError(
            "expected a JSON array of issues (gh issue list --json, or GET /repos/OWNER/REPO/issues)", 1, 1
        )
    export = Export()
    for index, issue in enumerate(data, start=1):
        export.rows += 1
        where = f"record {index}"
        found = _github_issue(issue, where)
        (export.tickets if isinstance(found, Ticket) else export.skipped).append(found)  # type: ignore[arg-type]
    return export


def _github_issue(issue: Any, where: str) -> Ticket | Skipped:
    if not isinstance(issue, dict):
        return Skipped(where, "not an issue object")
    if "pull_request" in issue:
        return Skipped(where, "a pull request, not an issue")
    url = issue.get("url") if isinstance(issue.get("url"), str) and "api.github.com" not in issue["url"] else None
    url = url or issue.get("html_url")
    match = _GITHUB_URL.fullmatch(url) if isinstance(url, str) else None
    if match is None:
        return Skipped(where, "no issue url of the form https://github.com/OWNER/REPO/issues/N")
    owner, repo, number = match.groups()
    state = issue.get("state")
    if not isinstance(state, str) or state.casefold() not in ("open", "closed"):
        return Skipped(where, f"{owner}/{repo}#{number}: state is not open or closed")
    milestone = issue.get("milestone")
    parents: tuple[str, ...] = ()
    if isinstance(milestone, dict) and isinstance(milestone.get("number"), int) and 0 < milestone["number"] < 10**9:
        parents = (f"{owner}/{repo}/milestone/{milestone['number']}",)
    try:
        updated = issue.get("updatedAt", issue.get("updated_at"))
        closed = issue.get("closedAt", issue.get("closed_at"))
        updated_on = _iso_date(updated) if isinstance(updated, str) and updated else None
        closed_on = _iso_date(closed) if isinstance(closed, str) and closed else None
    except ValueError:
        return Skipped(where, f"{owner}/{repo}#{number}: a date is not an ISO timestamp")
    title = issue.get("title")
    return Ticket(
        f"{owner}/{repo}#{number}",
        clean(title) if isinstance(title, str) else "",
        state.casefold(),
        state.casefold() == "closed",
        0.0,
        updated_on,
        closed_on,
        parents,
        where,
    )

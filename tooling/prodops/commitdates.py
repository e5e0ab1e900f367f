"""Commit dates along first parents, made to run forwards: what the history counts a commit's day as.

Git records whatever date the committer's clock (or ``GIT_COMMITTER_DATE``) said, so one
commit dated back to July would otherwise rewrite a closed quarter, and one dated next year
would keep its change out of every digest until then. Along the first-parent chain a commit
cannot have landed before the commit it follows, nor after the one that follows it, nor after
today; ``settle`` holds each commit to that, and ``check`` finds the commits of a range that
break it, for CI to refuse them before they land.

Days are compared in the committer's own time zone, as the history counts them; "today" is
the latest day it is anywhere on Earth now (UTC+14), so no honest clock is in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prodops import gitrev
from prodops.diagnostics import ProdopsError


def latest_day(now: datetime | None = None) -> str:
    """The latest calendar day it is anywhere now (UTC+14): a commit dated after it is in the future."""
    moment = (now or datetime.now(UTC)).astimezone(UTC) + timedelta(hours=14)
    return moment.date().isoformat()


def settle(days: list[str], latest: str) -> list[str]:
    """``days`` (oldest commit first) made non-decreasing and never after ``latest``.

    A commit in the future counts on the day of the commit after it (the last one, on
    ``latest``); then a commit dated before the one it follows counts on that one's day.
    """
    out = list(days)
    bound = latest
    for at in range(len(out) - 1, -1, -1):
        if out[at] > latest:
            out[at] = bound
        bound = min(out[at], latest)
    for at in range(1, len(out)):
        out[at] = max(out[at], out[at - 1])
    return out


@dataclass(frozen=True)
class BadDate:
    """A commit whose date goes back before the commit it follows, or into the future."""

    oid: str
    day: str
    before: str  # the day of the commit it follows ("" for the first)
    latest: str
    subject: str

    def message(self) -> str:
        if self.day > self.latest:
            why = f"is dated {self.day}, in the future (it is at most {self.latest} anywhere today)"
        else:
            why = f"is dated {self.day}, before the commit it follows ({self.before})"
        return (
            f"commit {self.oid[:12]} ({self.subject}) {why}; the history would count it on another day. "
            "Commit it again with the right date: `git commit --amend --no-edit --date=now` "
            "(or `git rebase --committer-date-is-author-date` with honest author dates)"
        )


def check(root: Path, revisions: str, now: datetime | None = None) -> list[BadDate]:
    """The commits along the first parents of ``revisions`` (``BASE..HEAD``) whose date goes backwards or ahead."""
    if not revisions or revisions.startswith("-") or any(c in revisions for c in "\0\n\r"):
        raise ProdopsError(f"'{revisions}' is not a revision range (write it BASE..HEAD)")
    done = gitrev.run_git(
        root,
        "log",
        "--first-parent",
        "--reverse",
        "-z",  # a subject can hold any character but NUL, a line break too
        "--format=%H%x00%cI%x00%P%x00%s",
        "--end-of-options",
        revisions,
        needed_for="checking commit dates",
    )
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ProdopsError(f"'{revisions}' is not a revision range here: {message[0] if message else 'git log failed'}")
    fields = done.stdout.decode(errors="replace").split("\0")
    rows = [fields[at : at + 4] for at in range(0, len(fields) - 3, 4)]
    latest = latest_day(now)
    found: list[BadDate] = []
    before = _day_of(root, rows[0][2].split()[0]) if rows and rows[0][2] else ""
    for oid, when, _, subject in rows:
        day = when[:10]
        if day > latest or day < before:
            found.append(BadDate(oid, day, before, latest, subject))
        before = max(before, min(day, latest))
    return found


def _day_of(root: Path, oid: str) -> str:
    done = gitrev.run_git(root, "log", "-1", "--format=%cI", oid, needed_for="checking commit dates")
    return done.stdout.decode(errors="replace")[:10] if done.returncode == 0 else ""

"""Which records of a source are already counted in insight demand, so that none is counted twice.

Exports overlap: weekly and monthly exports of one month, a filtered view, the same export
saved again. A record is told apart by its own id in the export (the ticket id, the post id:
the mapping's ``id`` column) or, for a source without ids, by a hash of its content. An import
adds to demand only the records (and insight) pairs not yet counted, and never removes
anything it did not see; removing a month takes ``--replace SOURCE:MONTH``.

The ids are kept beside the insights, one file per source (``counted/SOURCE.tsv``), in Git:
a line per record, sorted, with its month, its id, a token for its account (a hash of the
account key, never a name) and the insights it is counted in. Ids only: an id that could
carry anything else (an address, a space, an over-long value) is kept as a hash of itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from prodops.diagnostics import ProdopsError

FOLDER = "counted"
SUFFIX = ".tsv"
HEADER = (
    "# Feedback records counted in insight demand by `prodops feedback import` (ids only; written by the tool).\n"
    "# month\trecord\taccount\tinsights\n"
)
NO_ACCOUNT = "-"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:#/-]{0,63}")
_PERIOD = re.compile(r"[1-9][0-9]{3}-(0[1-9]|1[0-2])")
_TOKEN = re.compile(r"-|[0-9a-f]{12}")
_INSIGHT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _hash(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def record_id(value: str) -> str:
    """The id a record is kept under: the export's own when it is plainly an id, else a hash of it."""
    value = value.strip()
    if _SAFE_ID.fullmatch(value) and "@" not in value and not value.startswith(("c:", "h:")):
        return value
    return "h:" + _hash(value, 16)


def content_id(*parts: str) -> str:
    """The id of a record from a source without ids: a hash of what it says, when and for whom."""
    return "c:" + _hash("\x1f".join(parts), 16)


def account_token(key: str) -> str:
    """What is kept of an account: a hash of its key, enough to tell accounts apart and nothing more."""
    return _hash(key, 12) if key else NO_ACCOUNT


@dataclass
class Line:
    period: str
    account: str
    insights: set[str] = field(default_factory=set)


@dataclass
class Prior:
    """What an insight's month of one source held before an import: its records and account tokens."""

    count: int = 0
    accounts: set[str] = field(default_factory=set)


@dataclass
class Counted:
    """The counted records of one source, as read and as changed by an import."""

    source: str
    rel: str
    before: bytes | None  # None when the file does not exist yet
    records: dict[str, Line] = field(default_factory=dict)
    # (record, insight) pairs counted by this import: not part of what was there before.
    added: set[tuple[str, str]] = field(default_factory=set)

    def is_counted(self, record: str, insight: str) -> Line | None:
        line = self.records.get(record)
        return line if line is not None and insight in line.insights else None

    def count(self, record: str, insight: str, period: str, account: str) -> None:
        line = self.records.setdefault(record, Line(period, account))
        line.insights.add(insight)
        self.added.add((record, insight))

    def forget(self, period: str) -> None:
        """Forget every record of ``period`` (``--replace SOURCE:MONTH``)."""
        self.records = {r: line for r, line in self.records.items() if line.period != period}

    def prior(self) -> dict[tuple[str, str], Prior]:
        """(insight, period) -> the records and accounts counted there before this import."""
        out: dict[tuple[str, str], Prior] = {}
        for record, line in self.records.items():
            for insight in line.insights:
                if (record, insight) not in self.added:
                    prior = out.setdefault((insight, line.period), Prior())
                    prior.count += 1
                    if line.account != NO_ACCOUNT:
                        prior.accounts.add(line.account)
        return out

    def text(self) -> bytes:
        rows = sorted(
            (line.period, record, line.account, " ".join(sorted(line.insights)))
            for record, line in self.records.items()
            if line.insights
        )
        # A checkout that turned the line breaks into CRLF keeps them: the file changes only when its ids do.
        newline = "\r\n" if self.before is not None and b"\r\n" in self.before else "\n"
        text = HEADER + "".join("\t".join(row) + "\n" for row in rows)
        return text.replace("\n", newline).encode("utf-8")


def rel_for(insights_folder: str, source: str) -> str:
    return f"{insights_folder}/{FOLDER}/{source}{SUFFIX}"


def read(root: Path, insights_folder: str, source: str) -> Counted:
    """The counted records of ``source`` (none when the file does not exist)."""
    rel = rel_for(insights_folder, source)
    try:
        raw: bytes | None = (root / rel).read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        raise ProdopsError(f"{rel}: cannot read the records counted so far: {exc.strerror}") from exc
    counted = Counted(source, rel, raw)
    if raw is None:
        return counted
    hint = f"the file is written by prodops feedback import; restore it with git checkout -- {rel}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProdopsError(f"{rel}: not UTF-8 text\n    hint: {hint}") from exc
    for number, row in enumerate(text.splitlines(), start=1):
        if not row or row.startswith("#"):
            continue
        cells = row.split("\t")
        problem = _problem(cells)
        if problem:
            raise ProdopsError(f"{rel}:{number}:1: {problem}\n    hint: {hint}")
        period, record, account, insights = cells
        if record in counted.records:
            raise ProdopsError(f"{rel}:{number}:1: record {record!r} is listed twice\n    hint: {hint}")
        counted.records[record] = Line(period, account, set(insights.split(" ")))
    return counted


def _problem(cells: list[str]) -> str:
    if len(cells) != 4:
        return f"expected 4 tab-separated fields (month, record, account, insights), found {len(cells)}"
    period, record, account, insights = cells
    if not _PERIOD.fullmatch(period):
        return f"{period[:20]!r} is not a month written YYYY-MM"
    if record_id(record) != record and not re.fullmatch(r"[ch]:[0-9a-f]{16}", record):
        return f"{record[:20]!r} is not a record id"
    if not _TOKEN.fullmatch(account):
        return f"{account[:20]!r} is not an account token (12 hex digits, or - for none)"
    if not all(_INSIGHT.fullmatch(i) for i in insights.split(" ")):
        return "the insights are ids separated by single spaces"
    return ""

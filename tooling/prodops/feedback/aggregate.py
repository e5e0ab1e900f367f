"""Sum matched feedback per insight, source and month: what is written into insight files.

Only aggregates are kept: counts, distinct accounts, their ARR and segments, first and
last dates, votes, and up to three short scrubbed quotes. Every record read is counted
once as matched, unmatched or rejected, so the totals always add up to the rows read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodops.feedback.accounts import Accounts
from prodops.feedback.mapping import Record, Rejected
from prodops.feedback.match import Matcher
from prodops.feedback.scrub import quote

QUOTES = 3
# Raw texts kept per bucket, best first, so that three distinct quotes are left once scrubbed
# (two records may differ only in a signature); only these are ever scrubbed.
CANDIDATES = 6
Key = tuple[str, str, str]  # insight, source, period (YYYY-MM)


@dataclass
class Bucket:
    count: int = 0
    votes: int = 0
    accounts: dict[str, str] = field(default_factory=dict)  # account key -> name ("" when unknown)
    arr: dict[str, float] = field(default_factory=dict)  # account key -> ARR, when the accounts export has it
    segments: set[str] = field(default_factory=set)
    first: date = date.max
    last: date = date.min
    # (rank, text, people): the best few records, ranked by the account's ARR, then the record's order.
    quotes: list[tuple[tuple[float, int], str, tuple[str, ...]]] = field(default_factory=list)


@dataclass(frozen=True)
class Unmatched:
    where: str
    day: date
    source: str
    account: str  # kept only when the mapping keeps account names
    segment: str
    raw: str
    people: tuple[str, ...]

    @property
    def text(self) -> str:
        """The record's text as it may be shown: scrubbed, short, one line (worked out only when shown)."""
        return quote(self.raw, self.people)


@dataclass
class Tally:
    """The outcome of reading one export."""

    buckets: dict[Key, Bucket] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    matched: int = 0
    covered: set[tuple[str, str]] = field(default_factory=set)  # (source, period) the export has records for

    @property
    def read(self) -> int:
        return self.matched + len(self.unmatched) + len(self.rejected)


def tally(
    records: Iterable[Record | Rejected],
    matcher: Matcher,
    accounts: Accounts | None,
    keep_names: bool,
) -> Tally:
    out = Tally()
    for order, record in enumerate(records):
        if isinstance(record, Rejected):
            out.rejected.append(record)
            continue
        period = f"{record.day.year:04d}-{record.day.month:02d}"
        out.covered.add((record.source, period))
        found = accounts.find(record.account_id, record.domain, record.account_name) if accounts else None
        key = found.key if found is not None else record.account_key
        name = (found.name if found is not None and found.name else record.account_name) if keep_names else ""
        segment = (found.segment if found is not None and found.segment else "") or record.segment
        insights = matcher.match(record)
        if not insights:
            out.unmatched.append(
                Unmatched(record.where, record.day, record.source, name, segment, record.text, record.people)
            )
            continue
        out.matched += 1
        for insight in insights:
            bucket = out.buckets.get((insight, record.source, period))
            if bucket is None:
                bucket = out.buckets[(insight, record.source, period)] = Bucket()
            bucket.count += 1
            bucket.votes += record.votes
            if key:
                bucket.accounts.setdefault(key, name)
                if found is not None:
                    bucket.arr[key] = found.arr
            if segment:
                bucket.segments.add(segment)
            bucket.first = min(bucket.first, record.day)
            bucket.last = max(bucket.last, record.day)
            rank = (-(found.arr if found is not None else 0.0), order)
            better = len(bucket.quotes) < CANDIDATES or rank < bucket.quotes[-1][0]
            if better and all(record.text != text for _, text, _ in bucket.quotes):
                bucket.quotes.append((rank, record.text, record.people))
                bucket.quotes.sort()
                del bucket.quotes[CANDIDATES:]
    return out


def entries(out: Tally, segments: Sequence[str], has_votes: bool) -> dict[str, list[dict[str, Any]]]:
    """The demand entries per insight, as they are written (fields in the schema's order)."""
    order = {s: i for i, s in enumerate(segments)}
    by_insight: dict[str, list[dict[str, Any]]] = {}
    for (insight, source, period), bucket in sorted(out.buckets.items()):
        entry: dict[str, Any] = {"source": source, "period": period, "count": bucket.count}
        if has_votes:
            entry["votes"] = bucket.votes
        entry["accounts"] = len(bucket.accounts)
        if bucket.arr:
            total = sum(bucket.arr.values())
            entry["arr"] = int(total) if float(total).is_integer() else round(total, 2)
        if bucket.segments:
            entry["segments"] = sorted(bucket.segments, key=lambda s: order.get(s, len(order)))
        names = sorted({n for n in bucket.accounts.values() if n})
        if names:
            entry["account_names"] = names[:200]
        entry["first_seen"] = bucket.first.isoformat()
        entry["last_seen"] = bucket.last.isoformat()
        said = [q for q in dict.fromkeys(quote(text, people) for _, text, people in bucket.quotes) if q]
        if said:
            entry["quotes"] = said[:QUOTES]
        by_insight.setdefault(insight, []).append(entry)
    return by_insight

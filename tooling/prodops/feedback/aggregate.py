"""Sum matched feedback per insight, source and month: what is written into insight files.

Only aggregates are kept: counts, distinct accounts (by their id where the export or the
accounts export gives one; never a person), their ARR and segments, first and last dates,
votes, and up to three short scrubbed quotes. Every record read is counted
once as matched, unmatched or rejected, so the totals always add up to the rows read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prodops.feedback.accounts import Accounts
from prodops.feedback.counted import Counted, Prior, account_token
from prodops.feedback.mapping import Record, Rejected
from prodops.feedback.match import Matcher
from prodops.feedback.scrub import Names, quote

QUOTES = 3
# Raw texts kept per bucket, best first, so that three distinct quotes are left once scrubbed
# (two records may differ only in a signature); only these are ever scrubbed.
CANDIDATES = 6
Key = tuple[str, str, str]  # insight, source, period (YYYY-MM)
# Accounts named per entry, by id or by name (the schema's ``maxItems``).
ACCOUNTS = 200
# What an account id may be: one short token, no space, no '@' (never a person's address), nothing unprintable.
_ACCOUNT_ID = re.compile(r"[^\s@\x00-\x1f\x7f-\x9f]{1,80}")


@dataclass
class Bucket:
    count: int = 0
    votes: int = 0
    accounts: dict[str, str] = field(default_factory=dict)  # account key -> name ("" when unknown)
    ids: dict[str, str] = field(default_factory=dict)  # account key -> its id in the CRM or billing system
    arr: dict[str, float] = field(default_factory=dict)  # account key -> ARR, when the accounts export has it
    segments: set[str] = field(default_factory=set)
    first: date = date.max
    last: date = date.min
    # (rank, text): the best few records, ranked by the account's ARR, then the record's order.
    quotes: list[tuple[tuple[float, int], str]] = field(default_factory=list)


@dataclass(frozen=True)
class Unmatched:
    where: str
    day: date
    source: str
    account: str  # kept only when the mapping keeps account names
    segment: str
    raw: str
    names: Names  # every person the export names (complete once the export is read)

    @property
    def text(self) -> str:
        """The record's text as it may be shown: scrubbed, short, one line (worked out only when shown)."""
        return quote(self.raw, self.names)


@dataclass
class Tally:
    """The outcome of reading one export."""

    buckets: dict[Key, Bucket] = field(default_factory=dict)
    unmatched: list[Unmatched] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    matched: int = 0
    already: dict[Key, int] = field(default_factory=dict)  # records matched but counted by an earlier import
    # The people of every record: a name from one record is scrubbed from the text of all others.
    names: Names = field(default_factory=Names)

    @property
    def read(self) -> int:
        return self.matched + len(self.unmatched) + len(self.rejected)


def tally(
    records: Iterable[Record | Rejected],
    matcher: Matcher,
    accounts: Accounts | None,
    keep_names: bool,
    counted_for: Callable[[str], Counted],
) -> Tally:
    """Tally the records not yet counted (``counted_for(source)`` knows which are, and learns the new ones)."""
    out = Tally()
    for order, record in enumerate(records):
        if isinstance(record, Rejected):
            out.rejected.append(record)
            continue
        period = f"{record.day.year:04d}-{record.day.month:02d}"
        out.names.add(record.people)
        found = accounts.find(record.account_id, record.domain, record.account_name) if accounts else None
        key = found.key if found is not None else record.account_key
        name = (found.name if found is not None and found.name else record.account_name) if keep_names else ""
        segment = (found.segment if found is not None and found.segment else "") or record.segment
        account_id = account_id_of((found.id if found is not None else "") or record.account_id)
        insights = matcher.match(record)
        if not insights:
            out.unmatched.append(
                Unmatched(record.where, record.day, record.source, name, segment, record.text, out.names)
            )
            continue
        out.matched += 1
        counted = counted_for(record.source)
        for insight in insights:
            seen = counted.is_counted(record.id, insight)
            if seen is not None:
                was = (insight, record.source, seen.period)
                out.already[was] = out.already.get(was, 0) + 1
                continue
            counted.count(record.id, insight, period, account_token(key))
            bucket = out.buckets.get((insight, record.source, period))
            if bucket is None:
                bucket = out.buckets[(insight, record.source, period)] = Bucket()
            bucket.count += 1
            bucket.votes += record.votes
            if key:
                bucket.accounts.setdefault(key, name)
                if account_id:
                    bucket.ids.setdefault(key, account_id)
                if found is not None:
                    bucket.arr[key] = found.arr
            if segment:
                bucket.segments.add(segment)
            bucket.first = min(bucket.first, record.day)
            bucket.last = max(bucket.last, record.day)
            rank = (-(found.arr if found is not None else 0.0), order)
            better = len(bucket.quotes) < CANDIDATES or rank < bucket.quotes[-1][0]
            if better and all(record.text != text for _, text in bucket.quotes):
                bucket.quotes.append((rank, record.text))
                bucket.quotes.sort()
                del bucket.quotes[CANDIDATES:]
    return out


def account_id_of(text: str) -> str:
    """``text`` as an account id, or "" when it cannot be one (an address, a name with spaces, control characters)."""
    text = text.strip()
    return text if _ACCOUNT_ID.fullmatch(text) else ""


@dataclass
class Summary:
    """What one import did to one insight's demand for one source and month."""

    added: int = 0
    already: int = 0
    removed: int = 0


Entry = dict[str, Any]
# (insight, period) -> what was counted there before this import, per source.
Before = Callable[[str], Mapping[tuple[str, str], Prior]]
# An entry whose count the counted ids do not back (imported before ids were kept, or edited):
# (insight, source, period, the entry's count, the ids counted).
Unbacked = tuple[str, str, str, int, int]


def entries(
    out: Tally,
    segments: Sequence[str],
    has_votes: bool,
    current: Mapping[str, list[Entry]],
    replaced: set[tuple[str, str]],
    before: Before,
) -> tuple[dict[str, list[Entry]], dict[Key, Summary], list[Unbacked]]:
    """Every insight's demand after the import, per insight, source and month what changed, and the
    entries new records would be added to that the counted ids do not back (nothing may be written then).

    New records are added to what is there; entries of ``replaced`` (source, period) pairs are
    removed first; nothing else is ever taken away. Fields are written in the schema's order.
    """
    unbacked: list[Unbacked] = []
    order = {s: i for i, s in enumerate(segments)}
    summary: dict[Key, Summary] = {}
    for key, n in out.already.items():
        summary.setdefault(key, Summary()).already += n
    new: dict[str, dict[tuple[str, str], Bucket]] = {}
    for (insight, source, period), bucket in out.buckets.items():
        new.setdefault(insight, {})[(source, period)] = bucket
        summary.setdefault((insight, source, period), Summary()).added += bucket.count
    after: dict[str, list[Entry]] = {}
    for insight, existing in current.items():
        kept: dict[tuple[str, str], Entry] = {}
        for entry in existing:
            pair = (str(entry.get("source")), str(entry.get("period")))
            if pair in replaced:
                summary.setdefault((insight, *pair), Summary()).removed += int(entry.get("count", 0))
            else:
                kept[pair] = entry
        for (source, period), bucket in new.get(insight, {}).items():
            prior = before(source).get((insight, period)) or Prior()
            old = kept.get((source, period))
            if old is not None and int(old.get("count", 0)) != prior.count:
                unbacked.append((insight, source, period, int(old.get("count", 0)), prior.count))
            known = prior.accounts
            said = [quote(text, out.names) for _, text in bucket.quotes]
            kept[(source, period)] = _merged(
                kept.get((source, period)), bucket, source, period, said, known, has_votes, order
            )
        after[insight] = [kept[pair] for pair in sorted(kept, key=lambda p: (p[1], p[0]))]
    return after, dict(sorted(summary.items())), unbacked


def _merged(
    old: Entry | None,
    bucket: Bucket,
    source: str,
    period: str,
    quotes: list[str],
    known: set[str],
    has_votes: bool,
    order: Mapping[str, int],
) -> Entry:
    """``old`` (or nothing) with the records of ``bucket`` added; accounts counted before are not counted again."""
    old = old or {}
    fresh = [k for k in bucket.accounts if account_token(k) not in known]
    entry: Entry = {"source": source, "period": period, "count": int(old.get("count", 0)) + bucket.count}
    if has_votes or "votes" in old:
        entry["votes"] = int(old.get("votes", 0)) + bucket.votes
    entry["accounts"] = int(old.get("accounts", 0)) + len(fresh)
    if bucket.arr or "arr" in old:
        total = float(old.get("arr", 0)) + sum(bucket.arr.get(k, 0.0) for k in fresh)
        entry["arr"] = int(total) if float(total).is_integer() else round(total, 2)
    segments = {*(old.get("segments") or ()), *bucket.segments}
    if segments:
        entry["segments"] = sorted(segments, key=lambda s: (order.get(s, len(order)), s))
    ids = sorted({*(old.get("account_ids") or ()), *bucket.ids.values()})
    if ids:
        entry["account_ids"] = ids[:ACCOUNTS]
    names = sorted({*(old.get("account_names") or ()), *(n for n in bucket.accounts.values() if n)})
    if names:
        entry["account_names"] = names[:ACCOUNTS]
    firsts = [bucket.first.isoformat(), *([str(old["first_seen"])] if "first_seen" in old else [])]
    lasts = [bucket.last.isoformat(), *([str(old["last_seen"])] if "last_seen" in old else [])]
    entry["first_seen"] = min(firsts)
    entry["last_seen"] = max(lasts)
    said = [*(old.get("quotes") or ()), *quotes]
    said = [q for q in dict.fromkeys(said) if q]
    if said:
        entry["quotes"] = said[:QUOTES]
    return entry

"""Insights as read back from the catalog, and the demand figures computed from them, once.

Rules, reports and pages read these values; none of them adds demand up on its own.

An insight's demand is kept per source and month, each with its distinct accounts and
their ARR. Accounts are not kept across entries (only counts, unless a mapping keeps
names), so the insight-level figures are the **peak month**: the accounts (and their ARR)
of the month with the most, summed over the sources of that month. Counts and votes are
summed over every entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from prodops.catalog import Catalog
from prodops.states import Meaning, MeaningOf, builtin_meaning

KIND = "insight"


@dataclass(frozen=True)
class Demand:
    count: int = 0
    votes: int = 0
    accounts: int = 0  # in the peak month
    arr: float = 0.0  # of the peak month's accounts
    segments: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    first_seen: str = ""
    last_seen: str = ""
    by_month: Mapping[str, int] | None = None  # period -> records
    by_source: Mapping[str, int] | None = None  # source -> records
    quotes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Insight:
    id: str
    rel: str
    title: str
    status: str
    owner: str
    problem: str
    addressed_by: tuple[str, ...]
    segments: tuple[str, ...]
    declined_reason: str
    entries: tuple[Mapping[str, Any], ...]
    meaning: Meaning | None = None  # what the status means (``states.py``), from the schema

    def __post_init__(self) -> None:
        if self.meaning is None:  # built without a schema: the built-in words' meanings
            object.__setattr__(self, "meaning", builtin_meaning(KIND, self.status))

    @property
    def dropped(self) -> bool:
        """Declined: the organisation decided not to act on it."""
        return self.meaning == "dropped"

    def demand(self, since: date | None = None, source: str | None = None) -> Demand:
        return demand_of(self.entries, since, source)

    @property
    def decided(self) -> bool:
        """A roadmap item answers it, or it was declined: someone has decided what to do about it."""
        return bool(self.addressed_by) or self.dropped


def _period_start(period: str) -> date:
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def _complete(entries: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Demand rows with every figure demand needs, for a schema that leaves some out.

    A row without its month or count measures nothing and is skipped; a missing source is "",
    missing accounts 0, and missing first and last sightings are the month's first and last day.
    """
    for entry in entries:
        if "period" not in entry or "count" not in entry:
            continue
        period = str(entry["period"])
        yield {
            "source": "",
            "accounts": 0,
            "first_seen": f"{period}-01",
            "last_seen": f"{period}-31",  # compared as text with ISO dates: after every day of the month
            **entry,
        }


def demand_of(entries: Iterable[Mapping[str, Any]], since: date | None = None, source: str | None = None) -> Demand:
    """The figures of ``entries`` (those of months ending on or after ``since``, of ``source`` when given)."""
    count = votes = 0
    months: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    by_source: dict[str, int] = defaultdict(int)
    segments: set[str] = set()
    firsts: list[str] = []
    lasts: list[str] = []
    quotes: list[str] = []
    chosen: list[Mapping[str, Any]] = []
    for entry in _complete(entries):
        period = str(entry["period"])
        if since is not None and str(entry["last_seen"]) < since.isoformat():
            continue
        if source is not None and entry["source"] != source:
            continue
        chosen.append(entry)
        count += int(entry["count"])
        votes += int(entry.get("votes", 0))
        months[period][0] += int(entry["accounts"])
        months[period][1] += float(entry.get("arr", 0))
        by_source[str(entry["source"])] += int(entry["count"])
        segments.update(entry.get("segments") or ())
        firsts.append(str(entry["first_seen"]))
        lasts.append(str(entry["last_seen"]))
        quotes.extend(entry.get("quotes") or ())
    if not count:
        return Demand()
    peak = max(months.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))[1]
    return Demand(
        count=count,
        votes=votes,
        accounts=int(peak[0]),
        arr=float(peak[1]),
        segments=tuple(sorted(segments)),
        sources=tuple(sorted(by_source)),
        first_seen=min(firsts),
        last_seen=max(lasts),
        by_month=_months(chosen, None, None),
        by_source=dict(sorted(by_source.items())),
        quotes=tuple(dict.fromkeys(quotes))[:3],
    )


def _months(entries: Iterable[Mapping[str, Any]], since: date | None, source: str | None) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for entry in _complete(entries):
        if since is not None and str(entry["last_seen"]) < since.isoformat():
            continue
        if source is not None and entry["source"] != source:
            continue
        out[str(entry["period"])] += int(entry["count"])
    return dict(sorted(out.items()))


def from_data(data: Mapping[str, Any], rel: str, meaning: MeaningOf = builtin_meaning) -> Insight:
    return Insight(
        id=str(data["id"]),
        rel=rel,
        title=str(data.get("title") or data["id"]),
        status=str(data.get("status", "")),
        owner=str(data.get("owner", "")),
        problem=str(data.get("problem", "")),
        addressed_by=tuple(data.get("addressed_by") or ()),
        segments=tuple(data.get("segments") or ()),
        declined_reason=str(data.get("declined_reason", "")),
        entries=tuple(_complete(data.get("demand") or ())),
        meaning=meaning(KIND, data.get("status")),
    )


def insights(catalog: Catalog) -> list[Insight]:
    """Every insight in the catalog, by id (the rules run only on a repository without errors, so all are valid)."""
    meaning = catalog.kinds.meaning if catalog.kinds is not None else builtin_meaning
    return [
        from_data(doc.data, doc.rel, meaning) for oid, doc in sorted(catalog.documents.items()) if doc.kind.kind == KIND
    ]


def addressing(catalog: Catalog, item_id: str) -> list[Insight]:
    """The insights a roadmap item addresses (those that name it in ``addressed_by``)."""
    sources = sorted({r.source for r in catalog.referrers(item_id, "roadmap-item", "addressed_by")})
    found = (one(catalog, oid) for oid in sources)
    return [i for i in found if i is not None]


def one(catalog: Catalog, insight_id: str) -> Insight | None:
    """The insight with this id, or None (looked up, not found among every insight: pages ask once each)."""
    doc = catalog.documents.get(insight_id)
    if doc is None or doc.kind.kind != KIND:
        return None
    return from_data(doc.data, doc.rel, catalog.kinds.meaning if catalog.kinds is not None else builtin_meaning)


def rank_key(demand: Demand) -> tuple[float, int, int]:
    """Top customer asks first: by ARR, then accounts, then records."""
    return (-demand.arr, -demand.accounts, -demand.count)

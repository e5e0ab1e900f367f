"""KPIs as small frozen dataclasses, and the values computed from them (status, latest value), once.

A KPI's series comes from its history file (``history.py``); everything a page, a rule or
the importer says about where a KPI stands is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

Status = Literal["healthy", "watch", "at-risk", "no-data"]
TOTAL = ""  # the segment of the headline value; other segments break it down


@dataclass(frozen=True)
class Source:
    system: str
    query: str
    report: str
    link: str
    connection: str = ""  # a declared connection the query runs in (empty: the embedded DuckDB)


@dataclass(frozen=True)
class Thresholds:
    basis: str  # "absolute" or "target"
    watch: float
    at_risk: float


@dataclass(frozen=True)
class ValueRange:
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False


class Point(NamedTuple):
    """One value of a KPI (a tuple: a year of daily values for 200 KPIs is 73,000 of them)."""

    day: date
    value: float


@dataclass(frozen=True)
class Series:
    """A KPI's values, per segment (``TOTAL`` for the headline), each oldest first."""

    segments: dict[str, tuple[Point, ...]] = field(default_factory=dict)

    @property
    def total(self) -> tuple[Point, ...]:
        return self.segments.get(TOTAL, ())

    def latest(self, on_or_before: date | None = None) -> Point | None:
        """The last headline value (on or before a date, if given)."""
        points = self.total
        if on_or_before is None:
            return points[-1] if points else None
        for point in reversed(points):
            if point.day <= on_or_before:
                return point
        return None


@dataclass(frozen=True)
class Kpi:
    id: str
    file: str
    name: str
    definition: str
    unit: str
    direction: Literal["higher-is-better", "lower-is-better"]
    team: str
    owner: str
    source: Source
    cadence: str
    target: float | None
    values: ValueRange
    thresholds: Thresholds
    objectives: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.name

    @property
    def history_file(self) -> str:
        """The repository-relative path of the history beside the KPI's file."""
        return self.file.removesuffix(".yaml") + ".csv"

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher-is-better"

    def limit(self, which: Literal["watch", "at_risk"]) -> float:
        """A threshold as a value of the KPI's unit (a multiple of the target when the basis is the target)."""
        raw = self.thresholds.watch if which == "watch" else self.thresholds.at_risk
        if self.thresholds.basis == "target" and self.target is not None:
            return raw * self.target
        return raw

    def past(self, value: float, which: Literal["watch", "at_risk"]) -> bool:
        limit = self.limit(which)
        return value < limit if self.higher_is_better else value > limit

    def status_of(self, value: float | None) -> Status:
        if value is None:
            return "no-data"
        if self.past(value, "at_risk"):
            return "at-risk"
        if self.past(value, "watch"):
            return "watch"
        return "healthy"

    def status(self, series: Series) -> Status:
        latest = series.latest()
        return self.status_of(latest.value if latest is not None else None)

    def at_risk_since(self, series: Series, today: date | None = None) -> Point | None:
        """The first value of the run of at-risk values that ends with the latest one (by ``today``); None: not at risk."""
        first: Point | None = None
        for point in reversed(series.total):
            if today is not None and point.day > today:
                continue
            if not self.past(point.value, "at_risk"):
                break
            first = point
        return first


def build_kpi(data: dict[str, Any], file: str) -> Kpi:
    """A KPI from a schema-valid document."""
    source = data["source"]
    thresholds = data["thresholds"]
    values = data.get("values") or {}
    return Kpi(
        id=data["id"],
        file=file,
        name=data["name"],
        definition=data["definition"],
        unit=data["unit"],
        direction=data["direction"],
        team=data["team"],
        owner=data.get("owner", ""),
        source=Source(
            source["system"],
            source.get("query", ""),
            source.get("report", ""),
            source.get("link", ""),
            source.get("connection", ""),
        ),
        cadence=data["cadence"],
        target=data.get("target"),
        values=ValueRange(values.get("minimum"), values.get("maximum"), bool(values.get("whole", False))),
        thresholds=Thresholds(thresholds["basis"], thresholds["watch"], thresholds["at_risk"]),
        objectives=tuple(data.get("objectives") or ()),
        tags=tuple(data.get("tags") or ()),
    )


def format_value(value: float) -> str:
    """A value as the history files and messages write it: 42, 106.1, 0.25."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text

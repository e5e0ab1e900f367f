"""Forecast calibration: how the confidence given at key-result check-ins compared with what happened.

Every check-in dated inside a past quarter is one forecast: its confidence is the probability
the owner gave that the key result would reach its target. The outcome is whether it did, as
the quarter was scored (``scoring``): final progress 1.0 on the quarter's last day is 1, less is
0. A key result whose outcome is not known (its baseline, target or final value is not a
number) gives no forecasts. The Brier score is the mean of (confidence − outcome)² over the
forecasts: 0 is perfect, 0.25 is what always saying 0.5 scores, 1 is always certain and wrong.
The calibration table groups forecasts by the repository's confidence bands (``at-risk-below``,
``on-track-from``): a well-calibrated band reaches its targets about as often as its mean
confidence says.
"""

from __future__ import annotations

from dataclasses import dataclass

from prodops.calendar import Period
from prodops.config import Config
from prodops.scoring import QuarterScore
from prodops.values import BANDS, confidence_band

OUTCOME = "a key result counts as reached when its final progress on the period's last day is 1.0 (the target met)"


@dataclass(frozen=True)
class Forecast:
    period: Period
    ref: str  # OBJECTIVE.KR
    team: str
    day: str
    confidence: float
    reached: bool

    @property
    def error(self) -> float:
        """This forecast's squared error, (confidence − outcome)²."""
        return (self.confidence - (1.0 if self.reached else 0.0)) ** 2


@dataclass(frozen=True)
class Group:
    """Forecasts taken together: a confidence band, or a team."""

    name: str
    forecasts: tuple[Forecast, ...]

    @property
    def count(self) -> int:
        return len(self.forecasts)

    @property
    def key_results(self) -> int:
        return len({(f.period.start, f.ref) for f in self.forecasts})

    @property
    def mean_confidence(self) -> float | None:
        return sum(f.confidence for f in self.forecasts) / self.count if self.forecasts else None

    @property
    def reached_share(self) -> float | None:
        return sum(f.reached for f in self.forecasts) / self.count if self.forecasts else None

    @property
    def brier(self) -> float | None:
        return sum(f.error for f in self.forecasts) / self.count if self.forecasts else None


@dataclass(frozen=True)
class Calibration:
    periods: tuple[Period, ...]
    bands: tuple[tuple[Group, str], ...]  # every band, lowest first, with the range it covers
    teams: tuple[Group, ...]  # by team name; company objectives under "company"
    overall: Group
    # "PERIOD OBJECTIVE.KR" of each key result with a known outcome but no confidence at any check-in
    # (the schema does not require one): left out of the table, never counted as a guess of 0.5.
    without_confidence: tuple[str, ...] = ()


def forecasts(scores: list[QuarterScore]) -> list[Forecast]:
    """Every check-in of a key result with a known outcome, with its confidence and that outcome."""
    out = []
    for quarter in scores:
        for objective in quarter.objectives:
            for kr in objective.key_results:
                reached = kr.reached
                if reached is None:
                    continue
                for point in kr.path:
                    if point.confidence is not None:
                        team = objective.team or "company"
                        out.append(Forecast(quarter.period, kr.ref, team, point.day, point.confidence, reached))
    return out


def calibrate(scores: list[QuarterScore], config: Config) -> Calibration:
    """The calibration table by band and the Brier score per team, over ``scores``' quarters."""
    every = forecasts(scores)
    ranges = {
        BANDS[0]: f"below {config.at_risk_below:g}",
        BANDS[1]: f"{config.at_risk_below:g} to below {config.on_track_from:g}",
        BANDS[2]: f"{config.on_track_from:g} and above",
    }
    bands = tuple(
        (Group(band, tuple(f for f in every if confidence_band(f.confidence, config) == band)), ranges[band])
        for band in BANDS
    )
    teams = tuple(Group(team, tuple(f for f in every if f.team == team)) for team in sorted({f.team for f in every}))
    missing = tuple(
        f"{quarter.period} {kr.ref}"
        for quarter in scores
        for objective in quarter.objectives
        for kr in objective.key_results
        if kr.reached is not None and all(point.confidence is None for point in kr.path)
    )
    return Calibration(
        tuple(q.period for q in scores if q.known), bands, teams, Group("all teams", tuple(every)), missing
    )

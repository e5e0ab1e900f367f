"""Quarter scoring and forecast calibration on a history built commit by commit, checked against sums done by hand."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from test_history import commit, git

from prodops import calibration, history, scoring
from prodops.calendar import Period
from prodops.cli import cli
from prodops.config import Config

Checkin = tuple[str, float, float]  # date, value, confidence


def kr(kid: str, baseline: float, target: float, checkins: list[Checkin]) -> str:
    current, confidence = (checkins[-1][1], checkins[-1][2]) if checkins else (baseline, 0.5)
    lines = [
        f"  - id: {kid}\n    title: Result {kid}\n    metric: m\n    unit: u\n    direction: increase\n"
        f"    baseline: {baseline}\n    target: {target}\n    current: {current}\n    confidence: {confidence}\n"
        "    checkins:\n"
    ]
    lines += [f"      - date: {d}\n        value: {v}\n        confidence: {c}\n" for d, v, c in checkins]
    return "".join(lines)


def objective(oid: str, period: str, team: str, *krs: str) -> str:
    owner = f"level: team\nteam: {team}\n" if team else "level: company\n"
    return f"id: {oid}\ntitle: Objective {oid}\nperiod: {period}\n{owner}owner: ana\nkey_results:\n" + "".join(krs)


PAY = "okrs/2026-Q3/pay.yaml"
GROW = "okrs/2026-Q3/grow.yaml"


def build(tmp_path: Path) -> Path:
    """Payments: kr1 reached (0.8, 0.6, 0.9), kr2 not (0.4, 0.3, 0.2); growth: kr1 reached (0.3, 0.5)."""
    root = tmp_path / "ops"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")  # the history keeps the kinds they declare
    git(root, "init", "-q", "-b", "main")
    pay1 = kr("kr1", 0, 10, [("2026-07-01", 2, 0.8)])
    pay2 = kr("kr2", 100, 50, [("2026-07-01", 90, 0.4)])
    grow = kr("kr1", 0, 4, [("2026-06-20", 0, 0.9), ("2026-07-10", 1, 0.3)])  # June's check-in is before Q3
    commit(root, "2026-07-01", "Ana", {PAY: objective("pay", "2026-Q3", "payments", pay1, pay2)})
    commit(root, "2026-07-10", "Ben", {GROW: objective("grow", "2026-Q3", "growth", grow)})
    pay1 = kr("kr1", 0, 10, [("2026-07-01", 2, 0.8), ("2026-08-15", 6, 0.6)])
    pay2 = kr("kr2", 100, 50, [("2026-07-01", 90, 0.4), ("2026-08-15", 60, 0.3)])
    commit(root, "2026-08-15", "Ana", {PAY: objective("pay", "2026-Q3", "payments", pay1, pay2)})
    grow = kr("kr1", 0, 4, [("2026-06-20", 0, 0.9), ("2026-07-10", 1, 0.3), ("2026-09-01", 4, 0.5)])
    commit(root, "2026-09-01", "Ben", {GROW: objective("grow", "2026-Q3", "growth", grow)})
    pay1 = kr("kr1", 0, 10, [("2026-07-01", 2, 0.8), ("2026-08-15", 6, 0.6), ("2026-09-30", 10, 0.9)])
    pay2 = kr("kr2", 100, 50, [("2026-07-01", 90, 0.4), ("2026-08-15", 60, 0.3), ("2026-09-30", 55, 0.2)])
    commit(root, "2026-09-30", "Ana", {PAY: objective("pay", "2026-Q3", "payments", pay1, pay2)})
    # After the quarter: kr2 is edited to its target and a Q4 objective appears; neither changes Q3's score.
    late = kr("kr2", 100, 50, [("2026-07-01", 90, 0.4), ("2026-10-05", 50, 1.0)])
    q4 = kr("kr1", 0, 1, [("2026-10-06", 0, 0.5)])
    commit(
        root,
        "2026-10-06",
        "Ana",
        {
            PAY: objective("pay", "2026-Q3", "payments", pay1, late),
            "okrs/2026-Q4/q4.yaml": objective("q4", "2026-Q4", "", q4),
        },
    )
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return build(tmp_path)


def test_scores_are_what_the_quarter_ended_with(repo: Path) -> None:
    index = history.load(repo)
    assert scoring.past_periods(index, date(2026, 12, 1)) == [Period.parse("2026-Q3")]
    assert scoring.past_periods(index, date(2027, 1, 1)) == [Period.parse("2026-Q3"), Period.parse("2026-Q4")]
    quarter = scoring.score(index, Period.parse("2026-Q3"))
    by_id = {o.id: o for o in quarter.objectives}
    assert sorted(by_id) == ["grow", "pay"]
    pay = {k.id: k for k in by_id["pay"].key_results}
    assert pay["kr1"].progress == 1.0 and pay["kr1"].reached is True
    assert pay["kr2"].progress == pytest.approx(0.9) and pay["kr2"].reached is False  # 100 → 55 of 100 → 50
    assert by_id["pay"].score == pytest.approx(0.95)
    assert [(p.day, p.value, p.confidence) for p in pay["kr2"].path] == [
        ("2026-07-01", 90, 0.4),
        ("2026-08-15", 60, 0.3),
        ("2026-09-30", 55, 0.2),
    ]
    grow = by_id["grow"].key_results[0]
    assert [p.day for p in grow.path] == ["2026-07-10", "2026-09-01"]  # June's check-in is outside the quarter
    assert by_id["grow"].score == 1.0


def test_brier_scores_and_bands_match_the_hand_computation(repo: Path) -> None:
    index = history.load(repo)
    scores = [scoring.score(index, p) for p in scoring.past_periods(index, date(2026, 12, 1))]
    found = calibration.calibrate(scores, Config())
    teams = {g.name: g for g in found.teams}
    # payments: reached 0.8, 0.6, 0.9 → 0.04 + 0.16 + 0.01; missed 0.4, 0.3, 0.2 → 0.16 + 0.09 + 0.04
    assert teams["payments"].brier == pytest.approx(0.5 / 6)
    assert teams["payments"].count == 6 and teams["payments"].key_results == 2
    # growth: reached 0.3, 0.5 → 0.49 + 0.25
    assert teams["growth"].brier == pytest.approx(0.74 / 2)
    assert found.overall.brier == pytest.approx(1.24 / 8)
    bands = {g.name: (g, where) for g, where in found.bands}
    at_risk, watch, on_track = bands["at risk"][0], bands["watch"][0], bands["on track"][0]
    assert (at_risk.count, at_risk.reached_share) == (4, 0.25)  # 0.4, 0.3, 0.2 missed; growth's 0.3 reached
    assert at_risk.mean_confidence == pytest.approx(0.3) and at_risk.brier == pytest.approx(0.78 / 4)
    assert (watch.count, watch.reached_share) == (2, 1.0) and watch.brier == pytest.approx(0.41 / 2)
    assert (on_track.count, on_track.reached_share) == (2, 1.0) and on_track.brier == pytest.approx(0.05 / 2)
    assert [where for _, where in found.bands] == ["below 0.5", "0.5 to below 0.7", "0.7 and above"]


def test_bands_follow_the_repository_configuration(repo: Path) -> None:
    index = history.load(repo)
    scores = [scoring.score(index, Period.parse("2026-Q3"))]
    found = calibration.calibrate(scores, Config(at_risk_below=0.35, on_track_from=0.85))
    assert [g.count for g, _ in found.bands] == [3, 4, 1]  # <0.35: 0.3, 0.2, 0.3; 0.35–0.85: 0.8, 0.6, 0.4, 0.5


def test_report_calibration_prints_the_tables(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "calibration", "--root", str(repo), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Past quarters: 2026-Q3 (history from 2026-07-01)" in out
    assert "| at risk (below 0.5) | 4 | 2 | 30% | 25% | 0.195 |" in out
    assert "| watch (0.5 to below 0.7) | 2 | 2 | 55% | 100% | 0.205 |" in out
    assert "| on track (0.7 and above) | 2 | 1 | 85% | 100% | 0.025 |" in out
    assert "| payments | 6 | 2 | 53% | 50% | 0.083 |" in out
    assert "| growth | 2 | 1 | 40% | 100% | 0.370 |" in out
    assert "| **all teams** | 8 | 3 | 50% | 62% | 0.155 |" in out


def test_no_past_quarter_says_so(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "calibration", "--root", str(repo), "--today", "2026-09-15"])
    assert result.exit_code == 0, result.output
    assert "Past quarters: none" in result.stdout
    assert "nothing to calibrate" in result.stdout

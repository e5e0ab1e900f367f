"""KPI values computed once: thresholds (absolute and relative to a target), status, the at-risk run, cadences, history text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Literal

import pytest
from conftest import REPO_ROOT, copy_example

from prodops.metrics import cadence, history
from prodops.metrics.model import Kpi, Point, Series, Source, Thresholds, ValueRange, format_value
from prodops.schemas import enum_values, load_schemas


def kpi(
    direction: Literal["higher-is-better", "lower-is-better"] = "higher-is-better",
    basis: str = "absolute",
    watch: float = 32,
    at_risk: float = 28,
    target: float | None = None,
) -> Kpi:
    return Kpi(
        "k",
        "okrs/kpis/k.yaml",
        "K",
        "",
        "%",
        direction,
        "core",
        "",
        Source("W", "", "r", ""),
        "weekly",
        target,
        ValueRange(0, 100),
        Thresholds(basis, watch, at_risk),
        (),
        (),
    )


def test_cadences_are_the_schemas_cadences() -> None:
    schemas = load_schemas(REPO_ROOT / "schemas")
    assert set(cadence.PERIODS) == set(enum_values(schemas, "kpi", ("cadence",)))


@pytest.mark.parametrize(
    ("value", "status"),
    [(33, "healthy"), (32, "healthy"), (31.9, "watch"), (28, "watch"), (27.9, "at-risk"), (None, "no-data")],
)
def test_status_when_higher_is_better(value: float | None, status: str) -> None:
    assert kpi().status_of(value) == status


def test_thresholds_relative_to_the_target_when_lower_is_better() -> None:
    churn = kpi("lower-is-better", "target", watch=1.3, at_risk=1.6, target=1.1)
    assert churn.limit("watch") == pytest.approx(1.43)
    assert churn.limit("at_risk") == pytest.approx(1.76)
    assert [churn.status_of(v) for v in (1.2, 1.5, 1.8)] == ["healthy", "watch", "at-risk"]


def test_the_at_risk_run_ends_with_the_latest_value_and_ignores_the_future() -> None:
    days = [date(2026, 11, d) for d in (4, 11, 18, 25)]
    series = Series({"": tuple(Point(d, v) for d, v in zip(days, [27, 33, 27, 26], strict=True))})
    assert kpi().at_risk_since(series) == Point(date(2026, 11, 18), 27)
    recovered = Series({"": (*series.total[:3], Point(date(2026, 11, 25), 40))})
    assert kpi().at_risk_since(recovered) is None
    assert kpi().at_risk_since(recovered, date(2026, 11, 22)) == Point(date(2026, 11, 18), 27)


def test_stale_means_a_whole_period_without_a_value() -> None:
    # Weeks run Monday to Sunday: a value on Wednesday 2026-11-04 covers that week only.
    assert cadence.first_missing("weekly", date(2026, 11, 4), date(2026, 11, 15)) is None
    assert cadence.first_missing("weekly", date(2026, 11, 4), date(2026, 11, 16)) == "the week of 2026-11-09"
    assert cadence.first_missing("monthly", date(2026, 10, 31), date(2026, 11, 30)) is None
    assert cadence.first_missing("monthly", date(2026, 10, 31), date(2026, 12, 1)) == "November 2026"
    assert cadence.first_missing("daily", date(2026, 11, 20), date(2026, 11, 22)) == "2026-11-21"


def test_history_text_round_trips_and_is_canonical() -> None:
    text = 'date,value,segment\n2026-11-04,31,\n2026-11-04,29.5,"smb, EU"\n2026-11-11,33,\n'
    series, problems = history.parse(text, "okrs/kpis/k.csv", kpi())
    assert problems == []
    assert series.latest() == Point(date(2026, 11, 11), 33)
    rendered = history.render(
        {name: [(p.day.isoformat(), p.value) for p in points] for name, points in series.segments.items()}
    )
    assert rendered == text


def test_values_are_written_as_plainly_as_they_read() -> None:
    assert [format_value(v) for v in (42.0, 106.1, 0.25, -3.0, 1e16)] == ["42", "106.1", "0.25", "-3", "1e+16"]


@pytest.mark.parametrize("text", ["1_000", "nan", "inf", "1,5", " ", "0x10", "12%"])
def test_what_is_not_a_number(text: str) -> None:
    assert history.parse_number(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "date,value\n2026-11-04,31\n2026-11-11,33.5\n2026-11-18,1e+16\n",
        "date,value\n2026-11-11,33\n2026-11-04,31\n",  # out of order
        "date,value\n2026-11-04,31\n2026-11-04,32\n",  # twice
        "date,value\n2026-02-30,31\n",  # no such day
        "date,value\n2026-11-04,140\n",  # above the maximum
        "date,value\n",
    ],
)
def test_the_bulk_check_of_a_plain_history_agrees_with_the_line_by_line_one(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = history.parse(text, "okrs/kpis/k.csv", kpi())
    monkeypatch.setattr(history, "_plain", lambda text, kpi: None)
    assert history.parse(text, "okrs/kpis/k.csv", kpi()) == fast


def test_kpi_files_are_not_objectives_of_a_quarter_folder() -> None:
    from prodops import history as git_history
    from prodops.schemas import declared_kinds

    folders = declared_kinds(REPO_ROOT / "schemas")
    assert git_history._kind("okrs/2026-Q4/2026-q4-grow-net-revenue-retention.yaml", folders) == "objective"
    assert git_history._kind("okrs/kpis/net-revenue-retention.yaml", folders) is None
    assert git_history._kind("okrs/kpis/net-revenue-retention.csv", folders) is None
    schemas = load_schemas(REPO_ROOT / "schemas")
    kind = schemas.kind_for("okrs/kpis/net-revenue-retention.yaml")
    assert kind is not None and kind.kind == "kpi"


def test_history_files_are_not_content_files_to_discovery(tmp_path: Path) -> None:
    from prodops import loader

    root = copy_example(tmp_path / "repo")
    files, problems = loader.discover(root, load_schemas(root / "schemas"))
    assert problems == []
    assert "okrs/kpis/net-revenue-retention.yaml" in files
    assert not [f for f in files if f.endswith(".csv")]


@pytest.mark.parametrize(("today", "stale"), [(date(2026, 11, 22), 0), (date(2026, 12, 2), 12)])
def test_the_overview_says_which_kpis_are_stale(today: date, stale: int, tmp_path: Path) -> None:
    from prodops import pipeline
    from prodops.render import SiteOptions, render_site

    site = render_site(pipeline.build(copy_example(tmp_path / "repo"), today=today), SiteOptions(today=today))
    overview = site.pages["kpis/index.md"]
    assert overview.count('<li class="po-kpi ') == 12
    assert overview.count("stale: ") == stale
    if stale:
        assert "stale: November 2026 has no value" in overview  # the monthly KPIs end in October
        assert "(stale: the week of 2026-11-23 has no value)" in site.pages["kpi/net-revenue-retention.md"]


@pytest.mark.parametrize("text", ["1e309", "-1e309", "1e+309", "inf", "nan", "-inf", "Infinity"])
def test_a_number_that_is_not_finite_is_not_a_number(text: str) -> None:
    assert history.parse_number(text) is None


@pytest.mark.parametrize("value", ["1e309", "-1e309", "1e+309", "inf", "nan", "-inf", "Infinity"])
@pytest.mark.parametrize("limits", [ValueRange(), ValueRange(0, 100), ValueRange(whole=True)])
def test_a_history_value_that_is_not_finite_is_a_problem_at_its_line(value: str, limits: ValueRange) -> None:
    text = f"date,value\n2026-11-04,31\n2026-11-11,{value}\n2026-11-18,34\n"
    series, problems = history.parse(text, "okrs/kpis/k.csv", replace(kpi(), values=limits))
    assert [(p.code, p.line, p.column) for p in problems] == [("PO128", 3, 12)]
    assert value in problems[0].message
    assert [p.value for p in series.total] == [31, 34]

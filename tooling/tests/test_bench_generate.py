"""The benchmark generator writes a complete repository that validates clean, deterministically."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE, TODAY, bench_generator

from prodops.cli import cli
from prodops.pipeline import build


def _generator() -> ModuleType:
    return bench_generator()


def test_generated_repository_validates_clean_but_for_lateness(tmp_path: Path) -> None:
    """Like a real public roadmap, the generated one has committed work left open in past quarters."""
    written = _generator().generate(tmp_path / "repo", 300, seed=7)
    result = build(tmp_path / "repo", today=TODAY)
    assert written == 300 and len(result.files) == 300
    assert {(d.code, d.severity) for d in result.diagnostics} == {("PO416", "warning")}
    catalog = result.catalog
    assert catalog.items and catalog.objectives and catalog.launches and catalog.playbooks and catalog.teams
    assert any(item.depends_on for item in catalog.items.values())


def test_generation_is_deterministic(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "a", 80, seed=3)
    gen.generate(tmp_path / "b", 80, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_another_organisation_validates_with_no_problems_on_its_day(tmp_path: Path) -> None:
    """The content the adopter check puts in place of Ledgerline's: no error, no warning, nothing of Ledgerline."""
    gen = _generator()
    written = gen.generate(tmp_path / "repo", 90, seed=13, org=gen.QUAYSIDE, today=TODAY)
    result = build(tmp_path / "repo", today=TODAY)
    assert written == 90 and len(result.files) == 90
    assert result.diagnostics == []
    catalog = result.catalog
    assert sorted(catalog.teams) == ["bookings", "carrier-network", "customs", "visibility"]
    assert {t.name for t in catalog.teams.values()} >= {"Customs & Compliance", "Shipment Visibility"}
    assert sorted(catalog.playbooks) == ["release-readiness"]
    assert catalog.items and catalog.objectives and catalog.launches
    # Dated around the day: past quarters shipped, the current one under way, later ones planned.
    statuses = {item.status for item in catalog.items.values()}
    assert {"shipped", "in-progress"} <= statuses and "planned" in statuses
    assert {str(o.period) for o in catalog.objectives.values()} >= {"2026-Q3", "2026-Q4", "2027-Q1"}
    assert {launch.status for launch in catalog.launches.values()} == {"launched", "planned"}
    assert any(
        launch.ga is not None and launch.ga > TODAY for launch in catalog.launches.values()
    )  # `report launches` has something to say
    example_ids = {p.stem for p in (EXAMPLE / "roadmap").glob("*.yaml")}
    assert not example_ids & set(catalog.items)
    text = (tmp_path / "repo" / "processes" / "teams" / "customs.yaml").read_text(encoding="utf-8")
    assert "handle: '@quayside/customs'" in text or 'handle: "@quayside/customs"' in text


def test_the_benchmark_organisation_is_the_default(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "a", 40, seed=5)
    gen.generate(tmp_path / "b", 40, seed=5, org=gen.BENCH)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert any(f.parts[:2] == ("processes", "teams") and f.name == "team-000.yaml" for f in files)
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_a_half_year_organisation_validates_clean_and_builds(tmp_path: Path) -> None:
    gen = _generator()
    root = tmp_path / "repo"
    gen.generate(root, 90, seed=13, org=gen.QUAYSIDE, today=TODAY, calendar=gen.calendar_named("half"))
    result = build(root, today=TODAY)
    assert result.diagnostics == [] and len(result.files) == 90
    assert str(result.catalog.calendar.containing(TODAY)) == "2026-H2"
    periods = {str(o.period) for o in result.catalog.objectives.values()}
    assert periods == {"2025-H1", "2025-H2", "2026-H1", "2026-H2", "2027-H1", "2027-H2"}
    assert {str(i.quarter) for i in result.catalog.items.values()} <= periods
    shutil.copy(gen.REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")  # the site's configuration, as an adopter has it
    args = ["render", "--out", str(tmp_path / "site"), "--root", str(root), "--today", TODAY.isoformat()]
    site = CliRunner().invoke(cli, args)
    assert site.exit_code == 0, site.output
    page = (tmp_path / "site" / "docs" / "okrs" / "2026-H2.md").read_text(encoding="utf-8")
    assert 'title: "OKRs 2026-H2"' in page


@pytest.mark.parametrize(
    ("name", "current"), [("fiscal-april", "FY27-Q3"), ("cycles-6", "C34"), ("trimester", "2026-T3")]
)
def test_other_cadences_validate_clean_on_their_day(name: str, current: str, tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "repo", 60, seed=2, org=gen.QUAYSIDE, today=TODAY, calendar=gen.calendar_named(name))
    result = build(tmp_path / "repo", today=TODAY)
    assert result.diagnostics == [] and str(result.catalog.calendar.containing(TODAY)) == current


@pytest.mark.parametrize("name", ["fiscal-jan", "cycles-0", "cycles-x", "month", "<script>", "half-2"])
def test_an_unknown_calendar_is_refused_with_the_choices(name: str) -> None:
    with pytest.raises(ValueError, match=r"is not quarter, half, trimester, fiscal-MONTH \(fiscal-april\) or cycles-N"):
        _generator().calendar_named(name)

"""Computed values across entities, against hand computations."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY

from prodops.cli import cli
from prodops.pipeline import build
from prodops.render import SiteOptions, render_site

# The base repository by hand: company KRs 10 → 5 at 8 (0.4) and 30 → 40 at 33 (0.3); its child,
# the core team's objective, has 90 → 30 at 60 (0.5) and 40 → 60 at 45 (0.25), so 0.375 alone.
COMPANY_OWN = (0.4, 0.3)
CORE = (0.5 + 0.25) / 2


def test_a_child_counts_with_its_weight(base_repo: Path) -> None:
    rolled = {oid: o.progress for oid, o in build(base_repo, today=TODAY).catalog.objectives.items()}
    assert rolled["2026-q4-core"] == pytest.approx(CORE)
    # weight 1 (the default): (0.4 + 0.3 + 1 x 0.375) / (2 + 1)
    assert rolled["2026-q4-company"] == pytest.approx((sum(COMPANY_OWN) + CORE) / 3)
    path = base_repo / "okrs" / "2026-q4-core.yaml"
    path.write_text(
        path.read_text().replace(
            "  - objective: 2026-q4-company\n", "  - objective: 2026-q4-company\n    weight: 0.5\n"
        )
    )
    rolled = {oid: o.progress for oid, o in build(base_repo, today=TODAY).catalog.objectives.items()}
    # (0.4 + 0.3 + 0.5 x 0.375) / (2 + 0.5)
    assert rolled["2026-q4-company"] == pytest.approx((sum(COMPANY_OWN) + 0.5 * CORE) / 2.5)


def test_the_report_and_the_site_show_the_rolled_up_progress(base_repo: Path) -> None:
    expected = round((sum(COMPANY_OWN) + CORE) / 3 * 100)  # 36, where the company's own KRs alone give 35
    args = ["report", "okrs", "--period", "2026-Q4", "--root", str(base_repo), "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    heading = lines.index("## Customers get value in their first week")
    assert lines[heading + 2].endswith(f"{expected}%`"), lines[heading + 2]
    site = render_site(build(base_repo, today=TODAY), SiteOptions(today=TODAY))
    assert f'aria-label="Customers get value in their first week: {expected}%"' in site.pages["okrs/2026-Q4.md"]
    page = site.pages["objective/2026-q4-company.md"]
    assert f"{expected}%" in page and "its own key results alone: 35%" in page


def test_the_at_risk_threshold_is_one_setting_for_site_report_and_diff(base_repo: Path) -> None:
    # The base has key results at confidence 0.6 (company kr1), 0.5 (core kr1) and 0.6 (core kr2).
    def report() -> str:
        args = ["report", "okrs", "--period", "2026-Q4", "--root", str(base_repo), "--today", TODAY.isoformat()]
        return CliRunner().invoke(cli, args).output

    assert "· 0 at risk**" in report()
    (base_repo / "prodops.toml").write_text("at-risk-below = 0.65\n")
    assert "· 3 at risk**" in report()
    result = build(base_repo, today=TODAY)
    site = render_site(result, SiteOptions(today=TODAY, config=result.config))
    assert "Key results at risk (confidence below 0.65)" in site.pages["index.md"]
    assert site.pages["index.md"].count('class="po-conf po-conf--at-risk"') == 3


def test_the_bands_are_checked(base_repo: Path) -> None:
    (base_repo / "prodops.toml").write_text("at-risk-below = 0.8\non-track-from = 0.7\n")
    result = CliRunner().invoke(cli, ["validate", "--root", str(base_repo)])
    assert result.exit_code == 1
    assert "prodops.toml: 'at-risk-below' must not be above 'on-track-from'" in result.output

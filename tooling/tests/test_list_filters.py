"""`prodops list` filters: a value nothing can match is a usage error with a did-you-mean, never silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example

from prodops.cli import cli


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("filters") / "repo")


def _list(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["list", *args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["roadmap-item", "--status", "in-progres"],
            "Error: --status: 'in-progres' is not a status (idea, discovery, planned, in-progress, shipped, "
            "cancelled) (did you mean 'in-progress'?)",
        ),
        (
            ["roadmap-item", "--team", "payment"],
            "Error: --team: 'payment' is not a team (go-to-market, growth, payments, platform, "
            "product-leadership) (did you mean 'payments'?)",
        ),
        (
            ["roadmap-item", "--owner", "mateo"],
            "Error: --owner: 'mateo' is not an owner (23 known values) (did you mean 'mateo-garcia'?)",
        ),
        (["roadmap-item", "--horizon", "soon"], "Error: --horizon: 'soon' is not a horizon (now, next, later)"),
        (
            ["objective", "--period", "Q4"],
            "Error: Invalid value for '--period': 'Q4' is not a quarter such as 2026-Q4; periods near today: "
            "2026-Q3, 2026-Q4, 2027-Q1, 2027-Q2, 2027-Q3",
        ),
        (["objective", "--status", "open"], "Error: --status: objective has no status to filter on"),
    ],
)
def test_a_value_nothing_can_match_is_a_usage_error(repo: Path, args: list[str], message: str) -> None:
    code, output = _list(repo, *args)
    assert code == 2
    assert output.splitlines()[-1] == message


def test_period_and_case_are_forgiven(repo: Path) -> None:
    code, output = _list(repo, "objective", "--period", "2026-q4", "--format", "json")
    assert code == 0 and '"period": "2026-Q4"' in output
    code, upper = _list(repo, "roadmap-item", "--team", "Payments", "--format", "json")
    _, lower = _list(repo, "roadmap-item", "--team", "payments", "--format", "json")
    assert code == 0 and upper == lower and '"team": "payments"' in lower


def test_shares_print_as_the_site_prints_them(repo: Path) -> None:
    code, table = _list(repo, "objective", "--period", "2026-Q4")
    assert code == 0
    # The progress of the site, its child objectives included (its own key results alone make 50%).
    assert "2026-q4-grow-net-revenue-retention" in table and " 53%" in table
    code, as_json = _list(repo, "objective", "--period", "2026-Q4", "--format", "json")
    assert '"progress": 0.529' in as_json  # programs get the number

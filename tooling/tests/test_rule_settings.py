"""The numbers of the process rules are settings: tuning one changes the rule's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble

from prodops.cli import cli
from prodops.config import load_config
from prodops.diagnostics import ProdopsError
from prodops.rules import REGISTRY


def _validate(case: str, tmp_path: Path, toml: str = "") -> str:
    repo = assemble(FIXTURES / case, tmp_path / "repo")
    if toml:
        (repo / "pyproject.toml").write_text(f"[tool.prodops]\n{toml}\n")
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat()])
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    ("case", "code", "toml"),
    [
        ("invalid/PO404-one-key-result", "PO404", "key-results-min = 1"),
        ("invalid/PO414-team-objective-unaligned", "PO414", "team-objective-parent = false"),
        ("invalid/PO405-tier1-without-plans", "PO405", "full-launch-plan-tier = 0"),
    ],
)
def test_a_loosened_setting_clears_the_rule(case: str, code: str, toml: str, tmp_path: Path) -> None:
    assert f" {code} " in _validate(case, tmp_path / "default")
    tuned = _validate(case, tmp_path / "tuned", toml)
    assert "files checked" in tuned, tuned
    assert f" {code} " not in tuned


@pytest.mark.parametrize(
    ("case", "code", "toml"),
    [
        ("valid/PO404-three-key-results", "PO404", "key-results-max = 2"),
        ("valid/PO404-three-key-results", "PO404", "key-results-min = 4\nkey-results-max = 6"),
        ("valid/PO412-final-checkin-after-quarter", "PO412", "checkin-grace-days = 0"),
    ],
)
def test_a_tightened_setting_fires_the_rule(case: str, code: str, toml: str, tmp_path: Path) -> None:
    assert f" {code} " not in _validate(case, tmp_path / "default")
    assert f" {code} " in _validate(case, tmp_path / "tuned", toml)


def test_the_kr_count_message_names_the_tuned_range(tmp_path: Path) -> None:
    output = _validate("valid/PO404-three-key-results", tmp_path, "key-results-min = 1\nkey-results-max = 2")
    assert "objective has 3 key results; it needs 1 to 2 (key-results-min, key-results-max)" in output


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("key-results-min = 0", "'key-results-min' must be a whole number of key results, at least 1 (got 0)"),
        ("key-results-max = 2.5", "'key-results-max' must be a whole number of key results, at least 1 (got 2.5)"),
        ("key-results-min = 4\nkey-results-max = 3", "'key-results-min' (4) must not be above 'key-results-max' (3)"),
        ("team-objective-parent = 'no'", "'team-objective-parent' must be true or false (got 'no')"),
        ("checkin-grace-days = -1", "'checkin-grace-days' must be a whole number of days, 0 or more (got -1)"),
        ("full-launch-plan-tier = '1'", "'full-launch-plan-tier' must be a whole number, 0 or more (got '1')"),
    ],
)
def test_a_bad_rule_setting_is_a_clear_error(toml: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.prodops]\n{toml}\n")
    with pytest.raises(ProdopsError) as raised:
        load_config(tmp_path)
    assert str(raised.value) == f"pyproject.toml [tool.prodops]: {message}"


def test_a_bad_rule_setting_exits_1_without_a_traceback(tmp_path: Path) -> None:
    repo = assemble(None, tmp_path / "repo")
    (repo / "pyproject.toml").write_text("[tool.prodops]\nkey-results-max = 0\n")
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat()])
    assert result.exit_code == 1, result.output
    assert "'key-results-max' must be a whole number of key results, at least 1 (got 0)" in result.output


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        ("PO404", "key-results-min"),
        ("PO414", "team-objective-parent"),
        ("PO412", "checkin-grace-days"),
        ("PO405", "full-launch-plan-tier"),
        ("PO452", "delivery-stale-weeks"),
    ],
)
def test_the_rule_docs_name_the_setting(code: str, setting: str) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rule = REGISTRY[code]
    assert setting in rule.fix
    assert setting in readme

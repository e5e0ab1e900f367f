"""Every fixture repository under fixtures/valid and fixtures/invalid, run through the CLI.

Each invalid case's expected.txt pins the full text output (a golden file), so a
change in any message is a reviewed diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble, check_golden

from prodops.cli import cli

VALID = sorted(p for p in (FIXTURES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def run_validate(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat(), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_is_clean(case: Path, tmp_path: Path) -> None:
    code, output = run_validate(assemble(case, tmp_path / "repo"), "--strict")
    assert output.endswith("checked: no problems\n"), output
    assert code == 0


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_matches_golden(case: Path, tmp_path: Path) -> None:
    code, output = run_validate(assemble(case, tmp_path / "repo"))
    check_golden(case / "expected.txt", output)
    assert code == (1 if " error " in output else 0)
    assert "Traceback" not in output


def test_base_fixture_is_clean(base_repo: Path) -> None:
    code, output = run_validate(base_repo, "--strict")
    assert (code, output) == (0, "8 files checked: no problems\n")

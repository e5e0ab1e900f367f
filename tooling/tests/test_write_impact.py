"""Every write says what it caused: the warnings it newly adds anywhere, one line each with file:line:col."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner
from conftest import TODAY

from prodops.cli import cli


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_set_prints_the_warning_it_causes(base_repo: Path) -> None:
    code, output = invoke(
        "set", "quick-setup", "target.end", "2027-01-15", "--root", str(base_repo), "--today", TODAY.isoformat()
    )
    assert code == 0, output
    assert "roadmap/quick-setup.yaml: target.end set to 2027-01-15" in output
    assert "roadmap/quick-setup.yaml:12:8: warning PO420 " in output


def test_set_that_causes_nothing_prints_no_warning(base_repo: Path) -> None:
    code, output = invoke(
        "set", "quick-setup", "target.end", "2026-12-10", "--root", str(base_repo), "--today", TODAY.isoformat()
    )
    assert code == 0, output
    assert "warning" not in output


def test_checkin_by_a_git_user_who_is_no_member_warns_how_to_fix_it(base_repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(base_repo)], check=True)
    subprocess.run(["git", "-C", str(base_repo), "config", "user.email", "stranger@example.com"], check=True)
    subprocess.run(["git", "-C", str(base_repo), "config", "user.name", "Some Stranger"], check=True)
    code, output = invoke(
        "checkin", "2026-q4-core.kr1", "--value", "50", "--confidence", "0.6",
        "--root", str(base_repo), "--today", TODAY.isoformat(),
    )  # fmt: skip
    assert code == 0, output
    assert "Some Stranger <stranger@example.com>" in output and "is no team member" in output
    assert "--author HANDLE" in output
    assert "author:" not in (base_repo / "okrs" / "2026-q4-core.yaml").read_text()


def test_feedback_import_prints_the_warning_it_causes(tmp_path: Path) -> None:
    from test_feedback_import import EXPORTS, small_repo

    repo = small_repo(tmp_path)
    with (repo / "pyproject.toml").open("a") as f:
        f.write("\n[tool.prodops.feedback]\nthreshold-accounts = 1\n")
    result = CliRunner().invoke(
        cli,
        ["feedback", "import", str(EXPORTS / "support-desk.csv"), "--source", "support-desk",
         "--root", str(repo), "--today", TODAY.isoformat()],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "updated 1 insight file" in result.output
    assert "roadmap/insights/payment-plans.yaml:" in result.output and " warning PO430 " in result.output

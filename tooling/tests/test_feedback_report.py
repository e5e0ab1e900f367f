"""`prodops report feedback`: the triage meeting's report, pinned on the example organisation."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, TODAY, check_golden, copy_example

from prodops.cli import cli

EXPORTS = FIXTURES / "feedback"


def report(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["report", "feedback", "--root", str(repo), "--today", TODAY.isoformat(), *args])
    return result.exit_code, result.output


def test_report_on_the_example_matches_golden(tmp_path: Path) -> None:
    code, output = report(copy_example(tmp_path / "repo"), "--since", "90d")
    assert code == 0, output
    check_golden(EXPORTS / "report-90d.expected", output)


def test_report_counts_unmatched_feedback_once_an_import_has_run(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    result = CliRunner().invoke(
        cli, ["feedback", "import", str(EXPORTS / "support-desk.csv"), "--source", "support-desk", "--root", str(repo)]
    )
    assert result.exit_code == 0, result.output
    code, output = report(repo, "--since", "30d")
    assert code == 0
    assert "| support-desk |" in output and "| 241 | 217 | 23 | 1 |" in output


def test_a_title_cannot_break_the_table(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    path = repo / "roadmap" / "insights" / "usage-based-invoicing.yaml"
    path.write_text(path.read_text().replace("title: Invoice customers", "title: Invoice | customers"))
    code, output = report(repo)
    assert code == 0
    assert "| Invoice \\| customers for metered usage (`usage-based-invoicing`) |" in output


def test_since_must_be_days(tmp_path: Path) -> None:
    code, output = report(copy_example(tmp_path / "repo"), "--since", "three months")
    assert code == 2
    assert "'three months' is not a number of days; write it like 30d" in output

"""Reading commands keep working around a broken file: they read the rest and say what they left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, copy_example

from prodops.cli import cli

BROKEN = "roadmap/usage-based-billing.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--today", TODAY.isoformat()])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example repository with a typo in one roadmap item's status."""
    root = copy_example(tmp_path / "repo")
    path = root / BROKEN
    text = path.read_text(encoding="utf-8")
    assert "\nstatus: in-progress\n" in text
    path.write_text(text.replace("\nstatus: in-progress\n", "\nstatus: in progres\n"), encoding="utf-8")
    return root


WARNING = (
    f"prodops: warning: left out 1 file with errors ({BROKEN}); showing the rest (`prodops validate` lists the errors)"
)


def test_show_prints_another_entity_and_one_warning_line(repo: Path) -> None:
    result = run("show", "proration-rounding-fix", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Correct proration rounding on mid-cycle plan changes\n")
    assert "status: in-progress" in result.stdout
    assert result.stderr.splitlines() == [WARNING]


def test_list_and_reports_read_everything_else(repo: Path) -> None:
    listed = run("list", "roadmap-item", "--format", "csv", "--root", str(repo))
    assert listed.exit_code == 0, listed.output
    ids = {line.split(",", 1)[0] for line in listed.stdout.splitlines()[1:]}
    assert "proration-rounding-fix" in ids and "usage-based-billing" not in ids
    assert len(ids) == len(list((repo / "roadmap").glob("*.yaml"))) - 1
    assert listed.stderr.splitlines() == [WARNING]
    for args in (("report", "okrs", "--period", "2026-Q4"), ("report", "launches", "--within", "90d")):
        report = run(*args, "--root", str(repo))
        assert report.exit_code == 0, report.output
        assert report.stdout.strip() and report.stderr.splitlines() == [WARNING]


def test_showing_the_broken_entity_names_its_file(repo: Path) -> None:
    result = run("show", "usage-based-billing", "--root", str(repo))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"prodops: 'usage-based-billing' ({BROKEN}) has errors, so it cannot be shown; "
        f"`prodops validate {BROKEN}` lists them"
    )


def test_references_to_a_file_that_does_not_parse_are_counted_not_left_out(repo: Path) -> None:
    objective = repo / "okrs" / "2026-Q4" / "2026-q4-payments-usage-billing.yaml"
    objective.write_text(objective.read_text(encoding="utf-8") + "id: again\n", encoding="utf-8")
    result = run("show", "proration-rounding-fix", "--root", str(repo))
    assert result.exit_code == 0, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"prodops: warning: left out 2 files with errors (okrs/2026-Q4/2026-q4-payments-usage-billing.yaml, {BROKEN}); "
    )
    assert " other error(s); showing the rest" in line


def test_exports_and_a_clean_repository_are_unchanged(repo: Path, tmp_path: Path) -> None:
    refused = run("export", "--format", "json", "--out", str(tmp_path / "out.json"), "--root", str(repo))
    assert refused.exit_code == 1
    assert "an export is written from valid data only" in refused.stderr
    assert not (tmp_path / "out.json").exists()
    (repo / BROKEN).write_text(
        (repo / BROKEN).read_text(encoding="utf-8").replace("status: in progres", "status: in-progress"),
        encoding="utf-8",
    )
    clean = run("show", "usage-based-billing", "--root", str(repo))
    assert clean.exit_code == 0 and clean.stderr == ""

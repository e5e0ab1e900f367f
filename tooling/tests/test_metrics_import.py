"""`prodops metrics import`: long and wide exports, idempotence, restatements, check-ins and every bad input.

Each bad input's full output is pinned in fixtures/metrics/ (a golden file per case).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble, check_golden

from prodops.cli import cli

CASE = FIXTURES / "valid" / "PO442-kr-in-step-with-its-kpi"  # KPI 'activation', tracked by 2026-q4-company.kr2
GOLDEN = FIXTURES / "metrics"
HISTORY = "okrs/kpis/activation.csv"
OBJECTIVE = "okrs/2026-q4-company.yaml"


def repo_with_kpi(tmp_path: Path, config: str = "") -> Path:
    repo = assemble(CASE, tmp_path / "repo")
    if config:
        (repo / "pyproject.toml").write_text(config)
    return repo


def run_import(repo: Path, export: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["metrics", "import", str(export), "--root", str(repo), "--today", TODAY.isoformat(), *args]
    )
    return result.exit_code, result.output.replace(str(export.parent) + "/", "")


def snapshot(repo: Path) -> dict[str, bytes]:
    files = (p for p in sorted(repo.rglob("*")) if p.is_file() and ".prodops-cache" not in p.parts)
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in files}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_long_export_merges_and_checks_in_the_tracking_key_result(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    export = write(tmp_path, "weekly.csv", "metric,date,value\nactivation,2026-11-18,34\nactivation,2026-11-21,35.5\n")
    code, output = run_import(repo, export)
    assert code == 0, output
    assert output == (
        "okrs/kpis/activation.csv: 1 value added\n"
        "2026-q4-company.kr2: checked in 35.5 (2026-11-21)\n"
        "weekly.csv: 2 values of 1 KPI: 1 added, 0 restated, 1 key result checked in\n"
    )
    assert (repo / HISTORY).read_text() == "date,value\n2026-11-04,31\n2026-11-11,33\n2026-11-18,34\n2026-11-21,35.5\n"
    assert "    current: 35.5\n" in (repo / OBJECTIVE).read_text()


def test_a_newer_value_in_the_same_week_corrects_the_current_value_only(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    assert run_import(repo, write(tmp_path, "a.csv", "metric,date,value\nactivation,2026-11-20,36\n"))[0] == 0
    checked_in = (repo / OBJECTIVE).read_text()
    code, output = run_import(repo, write(tmp_path, "b.csv", "metric,date,value\nactivation,2026-11-21,36.5\n"))
    assert code == 0, output
    # 2026-11-21 is in the week (Monday 2026-11-16 to Sunday 2026-11-22) of the check-in of 2026-11-20.
    assert "2026-q4-company.kr2: current value corrected: 36.5 (2026-11-21)\n" in output
    assert (repo / OBJECTIVE).read_text() == checked_in.replace("    current: 36\n", "    current: 36.5\n")


def test_the_check_in_names_the_source_and_the_edit_is_byte_exact(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    before = (repo / OBJECTIVE).read_text()
    export = write(tmp_path, "warehouse-2026-11-20.csv", "metric,date,value\nactivation,2026-11-20,36\n")
    code, output = run_import(repo, export)
    assert code == 0, output
    assert "2026-q4-company.kr2: checked in 36 (2026-11-20)\n" in output
    added = (
        "      - date: 2026-11-20\n"
        "        value: 36\n"
        "        confidence: 0.7\n"
        "        note: 'From Warehouse: Activation weekly. Imported from warehouse-2026-11-20.csv by prodops metrics import.'\n"
    )
    # The file is the old one with the current value changed and the check-in appended, nothing else.
    assert (repo / OBJECTIVE).read_text() == before.replace("    current: 34\n", "    current: 36\n") + added
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat(), "--strict"])
    assert result.exit_code == 0, result.output


def test_wide_export_with_mapped_columns_and_a_date_format(tmp_path: Path) -> None:
    config = (
        '[tool.prodops.metrics]\ndate-column = "Week"\ndate-format = "%d/%m/%Y"\n'
        '[tool.prodops.metrics.columns]\n"Activation %" = "activation"\n'
    )
    repo = repo_with_kpi(tmp_path, config)
    export = write(tmp_path, "looker.csv", "Week,Activation %\n18/11/2026,34\n20/11/2026,36\n21/11/2026,\n")
    code, output = run_import(repo, export)
    assert code == 0, output
    assert output.endswith("looker.csv: 2 values of 1 KPI: 1 added, 0 restated, 1 key result checked in\n")
    assert (repo / HISTORY).read_text().endswith("2026-11-18,34\n2026-11-20,36\n")


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    export = write(
        tmp_path, "e.csv", "metric,date,value,segment\nactivation,2026-11-20,36,\nactivation,2026-11-20,30,smb\n"
    )
    assert run_import(repo, export)[0] == 0
    first = snapshot(repo)
    code, output = run_import(repo, export)
    assert (code, output) == (
        0,
        "e.csv: 2 values of 1 KPI: nothing to import, every value is already in the histories\n",
    )
    assert snapshot(repo) == first  # byte-identical
    assert (repo / HISTORY).read_text().endswith("2026-11-18,34,\n2026-11-20,36,\n2026-11-20,30,smb\n")


def test_a_changed_value_is_reported_as_a_restatement(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    export = write(tmp_path, "fix.csv", "metric,date,value\nactivation,2026-11-11,32.5\n")
    code, output = run_import(repo, export, "--restate")  # the week of 2026-11-11 has ended
    assert code == 0, output
    assert output == (
        "okrs/kpis/activation.csv: 0 values added\n"
        "okrs/kpis/activation.csv: 2026-11-11 restated from 33 to 32.5 (line 2 of fix.csv)\n"
        # An older value restated: the key result shows the latest (2026-11-18), which stays.
        "fix.csv: 1 value of 1 KPI: 0 added, 1 restated, 0 key results checked in\n"
    )
    assert "2026-11-11,32.5\n" in (repo / HISTORY).read_text()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    before = snapshot(repo)
    export = write(tmp_path, "e.csv", "metric,date,value\nactivation,2026-11-20,36\n")
    code, output = run_import(repo, export, "--dry-run")
    assert code == 0
    assert output.endswith("1 key result checked in (dry run: nothing was written)\n")
    assert "2026-q4-company.kr2: would be checked in 36 (2026-11-20)\n" in output
    assert snapshot(repo) == before


BAD = {
    "unknown-metric": "metric,date,value\nactivation,2026-11-20,36\nactivaton,2026-11-20,36\nsignups,2026-11-20,4\nsignups,2026-11-21,5\n",
    "non-numeric-value": "metric,date,value\nactivation,2026-11-19,36%\nactivation,2026-11-20,n/a\nactivation,2026-11-21,101\n",
    "non-iso-date": "metric,date,value\nactivation,20/11/2026,36\nactivation,2026-11-31,36\nactivation,Nov 21 2026,36\n",
    "duplicate-rows": "metric,date,value,segment\nactivation,2026-11-20,36,\nactivation,2026-11-20,30,smb\nactivation,2026-11-20,36,\n",
    "unknown-column": "date,activation,Signups\n2026-11-20,36,4\n",
    "not-an-export": "when,what\n2026-11-20,36\n",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_with_its_golden_message_and_nothing_written(case: str, tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    before = snapshot(repo)
    export = write(tmp_path, f"{case}.csv", BAD[case])
    code, output = run_import(repo, export)
    assert code == 1
    assert "Traceback" not in output
    check_golden(GOLDEN / f"{case}.txt", output)
    assert snapshot(repo) == before


def test_a_wrong_date_format_in_the_configuration_is_an_error(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path, '[tool.prodops.metrics]\ndate-format = "%Y"\n')
    export = write(tmp_path, "e.csv", "metric,date,value\nactivation,2026-11-20,36\n")
    code, output = run_import(repo, export)
    assert code == 1
    assert "'metrics.date-format' must be a date format with day, month and year" in output


def test_an_objective_file_that_cannot_be_edited_exactly_stops_the_whole_import(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    objective = repo / OBJECTIVE
    text = objective.read_text()
    objective.write_bytes(text.replace("\n", "\r\n", 3).encode())  # mixed line breaks: refused, never guessed
    before = snapshot(repo)
    export = write(tmp_path, "e.csv", "metric,date,value\nactivation,2026-11-20,36\n")
    code, output = run_import(repo, export)
    assert code == 1
    assert "the file mixes line breaks (3 CRLF," in output
    assert snapshot(repo) == before  # the history was not written either


def test_a_value_after_the_quarter_checks_in_nothing(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    before = (repo / OBJECTIVE).read_bytes()
    export = write(tmp_path, "e.csv", "metric,date,value\nactivation,2027-01-06,40\n")
    result = CliRunner().invoke(cli, ["metrics", "import", str(export), "--root", str(repo), "--today", "2027-01-08"])
    code, output = result.exit_code, result.output.replace(str(tmp_path) + "/", "")
    assert code == 0, output
    assert output.endswith("1 added, 0 restated, 0 key results checked in\n")
    assert (repo / OBJECTIVE).read_bytes() == before


NOT_FINITE = ["1e309", "-1e309", "1E+400", "inf", "nan", "-inf", "Infinity"]


@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_value_that_is_not_finite_is_refused_at_its_line_and_column(value: str, tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    before = snapshot(repo)
    export = write(tmp_path, "e.csv", f"metric,date,value\nactivation,2026-11-20,36\nactivation,2026-11-21,{value}\n")
    code, output = run_import(repo, export)
    assert code == 1, output
    assert "Traceback" not in output
    assert f"e.csv:3:23: error PO128 value '{value}' of 'activation' is not a" in output
    assert snapshot(repo) == before


@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_wide_value_that_is_not_finite_is_refused_at_its_line_and_column(value: str, tmp_path: Path) -> None:
    repo = assemble(CASE, tmp_path / "repo")
    (repo / "okrs/kpis/activation.yaml").write_text(
        (repo / "okrs/kpis/activation.yaml")
        .read_text()
        .replace("  maximum: 100\n", "")  # no upper bound: 1e309 is only refused as infinite
    )
    before = snapshot(repo)
    export = write(tmp_path, "w.csv", f"date,activation\n2026-11-20,36\n2026-11-21,{value}\n")
    code, output = run_import(repo, export)
    assert code == 1, output
    assert "Traceback" not in output
    assert f"w.csv:3:12: error PO128 value '{value}' of 'activation' is not a" in output
    assert snapshot(repo) == before


def test_a_wide_header_names_each_unknown_column_where_it_starts(tmp_path: Path) -> None:
    # Quoted names with commas and spaces around names: the columns are those of the line as written.
    repo = repo_with_kpi(tmp_path)
    export = write(tmp_path, "w.csv", 'date, activation ,"Signups, weekly",  churn\n2026-11-20,36,4,2\n')
    code, output = run_import(repo, export)
    assert code == 1, output
    assert "w.csv:1:19: error PO129 metric 'Signups, weekly' is not a KPI" in output
    assert "w.csv:1:37: error PO129 metric 'churn' is not a KPI" in output


def test_restating_a_value_of_a_period_that_has_ended_needs_restate(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    before = (repo / HISTORY).read_text()
    # 2026-11-11 is in a week that ended before today (2026-11-22); 2026-11-20 is a new value.
    export = write(tmp_path, "fix.csv", "metric,date,value\nactivation,2026-11-11,32.5\nactivation,2026-11-20,36\n")
    code, output = run_import(repo, export)
    assert code == 1, output
    assert "Traceback" not in output
    assert (
        "fix.csv:2:23: error PO130 'activation' on 2026-11-11 is already recorded as 33 for a period that has ended "
        "(the week of 2026-11-09); the export says 32.5\n"
    ) in output
    assert "fix.csv: 2 values of 1 KPI: 1 added, 0 restated, 1 refused, 1 key result checked in\n" in output
    assert output.endswith(
        "prodops: 1 value of fix.csv was not imported: they restate periods that have ended (--restate replaces them)\n"
    )
    # The value refused is left as it was; the new value of the same file is imported.
    assert (repo / HISTORY).read_text() == before + "2026-11-20,36\n"
    code, output = run_import(repo, export, "--restate")
    assert code == 0, output
    assert "okrs/kpis/activation.csv: 2026-11-11 restated from 33 to 32.5 (line 2 of fix.csv)\n" in output
    assert "2026-11-11,32.5\n" in (repo / HISTORY).read_text()


def test_a_restated_value_of_the_current_period_needs_no_restate(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    assert run_import(repo, write(tmp_path, "a.csv", "metric,date,value\nactivation,2026-11-20,36\n"))[0] == 0
    code, output = run_import(repo, write(tmp_path, "b.csv", "metric,date,value\nactivation,2026-11-20,36.5\n"))
    assert code == 0, output
    assert "okrs/kpis/activation.csv: 2026-11-20 restated from 36 to 36.5 (line 2 of b.csv)\n" in output


def _typed_checkin(repo: Path, day: str, value: str) -> str:
    """A check-in on 2026-q4-company.kr2 written by hand, its current value set to match."""
    objective = repo / OBJECTIVE
    text = objective.read_text().replace("    current: 34\n", f"    current: {value}\n")
    text += f"      - date: {day}\n        value: {value}\n        confidence: 0.7\n        note: Counted by hand.\n"
    objective.write_text(text)
    return text


@pytest.mark.parametrize("day", ["2026-11-20", "2026-11-21"])
def test_an_imported_value_does_not_overwrite_a_newer_typed_check_in(day: str, tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    typed = _typed_checkin(repo, day, "37")
    export = write(tmp_path, "e.csv", "metric,date,value\nactivation,2026-11-20,36\n")
    code, output = run_import(repo, export)
    assert code == 0, output
    assert (
        f"2026-q4-company.kr2: not checked in: the check-in of {day} (37, not imported) is as new as the "
        "KPI's value of 2026-11-20 (36) or newer; left as written (--restate replaces it)\n"
    ) in output
    # The KPI's latest value now disagrees with the typed one: the import says so, one line.
    tail = "1 added, 0 restated, 0 key results checked in, 1 left as typed\n" + (
        "okrs/2026-q4-company.yaml:29:14: warning PO442 key result 'kr2' tracks KPI 'activation', whose latest "
        "value in 2026-Q4 is 36 (2026-11-20), but its current value is 37\n"
        "prodops: the change adds 1 warning (above); it was written\n"
    )
    assert output.endswith(tail), output
    assert (repo / OBJECTIVE).read_text() == typed  # as the PM wrote it
    assert (repo / HISTORY).read_text().endswith("2026-11-18,34\n2026-11-20,36\n")  # the KPI's record still grows
    code, output = run_import(repo, export, "--restate")
    assert code == 0, output
    assert "2026-q4-company.kr2: current value corrected: 36 (2026-11-20)\n" in output
    assert "    current: 36\n" in (repo / OBJECTIVE).read_text()


def test_an_imported_check_in_is_corrected_without_restate(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    assert run_import(repo, write(tmp_path, "a.csv", "metric,date,value\nactivation,2026-11-20,36\n"))[0] == 0
    code, output = run_import(repo, write(tmp_path, "b.csv", "metric,date,value\nactivation,2026-11-20,35\n"))
    assert code == 0, output
    assert "2026-q4-company.kr2: current value corrected: 35 (2026-11-20)\n" in output


def test_a_refused_restatement_in_a_wide_export_names_its_column(tmp_path: Path) -> None:
    repo = repo_with_kpi(tmp_path)
    export = write(tmp_path, "w.csv", 'date,"Activation, %"\n2026-11-11,32.5\n')
    (repo / "pyproject.toml").write_text('[tool.prodops.metrics.columns]\n"Activation, %" = "activation"\n')
    code, output = run_import(repo, export)
    assert code == 1, output
    assert "w.csv:2:12: error PO130 'activation' on 2026-11-11 is already recorded as 33" in output

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


def _example(tmp_path: Path) -> tuple[Path, list[str]]:
    from conftest import EXAMPLE_TODAY, copy_example

    repo = copy_example(tmp_path / "ops")
    return repo, ["--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()]


def test_move_prints_the_warning_it_causes_and_writes(tmp_path: Path) -> None:
    repo, common = _example(tmp_path)
    # An organisation that only warns about work in now without a key result (PO401 as a warning).
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.prodops]\n", '[tool.prodops.severity]\nPO401 = "warning"\n\n[tool.prodops]\n', 1
        )
    )
    code, output = invoke("move", "audit-log-export", "--horizon", "now", *common)
    assert (code, output) == (
        0,
        "roadmap/audit-log-export.yaml: moved to now\n"
        "roadmap/audit-log-export.yaml:7:10: warning PO401 item is in 'now' but moves no key result\n"
        "prodops: the change adds 1 warning (above); it was written\n",
    )
    assert "horizon: now\n" in (repo / "roadmap" / "audit-log-export.yaml").read_text()


def test_move_that_would_add_an_error_prints_it_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    repo, common = _example(tmp_path)
    path = repo / "roadmap" / "audit-log-export.yaml"
    before = path.read_bytes()
    code, output = invoke("move", "audit-log-export", "--horizon", "now", *common)
    assert (code, output) == (
        1,
        "roadmap/audit-log-export.yaml:7:10: error PO401 item is in 'now' but moves no key result\n"
        "    hint: prodops add audit-log-export key_results OBJECTIVE-ID.KR-ID (the key result it moves), "
        "or prodops move audit-log-export --horizon next\n"
        "prodops: roadmap/audit-log-export.yaml was not changed: moved to now would add the problems above\n",
    )
    assert path.read_bytes() == before


NEW = ("new", "roadmap-item", "--no-input", "--set", "team=payments", "--set", "problem=Overdue invoices pile up.")


def test_new_prints_the_warning_it_causes(tmp_path: Path) -> None:
    _repo, common = _example(tmp_path)
    sets = ("status=planned", "owner=mateo-garcia", "target.quarter=2026-Q4", "target.end=2027-01-20")
    code, output = invoke(*NEW, "--title", "Dunning for SMB", *(a for s in sets for a in ("--set", s)), *common)
    assert (code, output) == (
        0,
        "wrote roadmap/dunning-for-smb.yaml\n"
        "roadmap/dunning-for-smb.yaml:29:8: warning PO420 due 2027-01-20, after the end of its target quarter "
        "2026-Q4 (2026-12-31)\n"
        "prodops: the change adds 1 warning (above); it was written\n",
    )


def test_new_that_would_add_an_error_prints_it_and_exits_1(tmp_path: Path) -> None:
    repo, common = _example(tmp_path)
    sets = (
        "status=in-progress",
        "horizon=now",
        "owner=mateo-garcia",
        "target.quarter=2026-Q4",
        "target.end=2026-12-20",
    )
    code, output = invoke(*NEW, "--title", "Dunning now", *(a for s in sets for a in ("--set", s)), *common)
    assert code == 1
    assert output.startswith("roadmap/dunning-now.yaml:23:9: error PO401 item is in progress but moves no key result\n")
    assert output.endswith(
        "prodops: roadmap/dunning-now.yaml was not written: fill in the fields above (use --set FIELD=VALUE)\n"
    )
    assert not (repo / "roadmap" / "dunning-now.yaml").exists()


def test_metrics_import_prints_the_warning_of_a_kpi_it_pushes_past_its_threshold(tmp_path: Path) -> None:
    _repo, common = _example(tmp_path)
    export = tmp_path / "dso.csv"
    export.write_text("metric,date,value\nmedian-dso,2026-11-30,60\n")
    code, output = invoke("metrics", "import", str(export), *common)
    assert (code, output) == (
        0,
        "okrs/kpis/median-dso.csv: 1 value added\n"
        "2026-q4-payments-faster-collections.kr1: checked in 60 (2026-11-30)\n"
        f"{export}: 1 value of 1 KPI: 1 added, 0 restated, 1 key result checked in\n"
        "okrs/kpis/median-dso.yaml:23:12: warning PO440 KPI 'median-dso' is at risk: 60 days on 2026-11-30 is "
        "above the at-risk threshold of 50 days, since 2026-11-30 (2 days)\n"
        "prodops: the change adds 1 warning (above); it was written\n",
    )


def test_metrics_import_of_history_only_prints_the_warning_too(tmp_path: Path) -> None:
    repo, common = _example(tmp_path)
    export = tmp_path / "nrr.csv"
    # A KPI no key result tracks: only its history is written, and still judged before it is.
    kpis = sorted(p.stem for p in (repo / "okrs" / "kpis").glob("*.yaml"))
    assert "logo-churn" in kpis
    export.write_text("metric,date,value\nlogo-churn,2026-11-30,9\n")
    code, output = invoke("metrics", "import", str(export), *common)
    assert code == 0, output
    assert "okrs/kpis/logo-churn.yaml:" in output and "warning PO440 KPI 'logo-churn' is at risk" in output

"""Rules rolled out on a schedule: a warning until a deadline, an error from it, or only for what is new."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_example
from weekrepo import git

from prodops.cli import cli
from prodops.config import load_config
from prodops.diagnostics import ProdopsError

OVERDUE = (
    "roadmap/customer-portal-refresh.yaml",
    "roadmap/guided-bank-connection.yaml",
    "roadmap/sync-retry-and-alerting.yaml",
)


def _example(tmp_path: Path, table: str) -> Path:
    root = copy_example(tmp_path / "repo")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as out:
        out.write(f"\n[tool.prodops.rules.PO416]\n{table}\n")
    return root


def _validate(root: Path, today: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "--root", str(root), "--today", today])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _po416(output: str) -> list[str]:
    return [line for line in output.splitlines() if " PO416 " in line and not line.startswith(" ")]


def test_a_scheduled_rule_turns_from_warning_to_error_on_its_date(tmp_path: Path) -> None:
    root = _example(tmp_path, 'severity = "warning"\nerror-from = 2026-12-05')
    code, before = _validate(root, "2026-12-04")
    assert code == 0
    found = _po416(before)
    assert [line.split(":")[0] for line in found] == list(OVERDUE)
    assert all(": warning PO416 " in line for line in found)
    assert "PO416 becomes an error on 2026-12-05" in before
    code, after = _validate(root, "2026-12-05")
    assert code == 1
    found = _po416(after)
    assert {line.split(":")[0] for line in found} >= set(OVERDUE)
    assert all(": error PO416 " in line for line in found)
    assert "becomes an error" not in after


def test_an_info_rule_before_its_deadline_stays_info(tmp_path: Path) -> None:
    root = _example(tmp_path, 'severity = "info"\nerror-from = "2027-01-15"')
    _, output = _validate(root, "2026-12-02")
    assert all(": info PO416 " in line for line in _po416(output)) and len(_po416(output)) == 3


def test_only_entities_first_committed_after_the_date_are_judged(tmp_path: Path) -> None:
    root = _example(tmp_path, "only-created-after = 2026-11-01")
    newer = root / OVERDUE[0]
    text = newer.read_text(encoding="utf-8")
    newer.unlink()
    git(root, "init", "-q", "-b", "main", day="2026-10-01")
    git(root, "add", "-A", day="2026-10-01")
    git(root, "commit", "-q", "-m", "Before the standard", day="2026-10-01")
    newer.write_text(text, encoding="utf-8")
    git(root, "add", "-A", day="2026-11-20")
    git(root, "commit", "-q", "-m", "After the standard", day="2026-11-20")
    _, output = _validate(root, "2026-12-02")
    assert [line.split(":")[0] for line in _po416(output)] == [OVERDUE[0]]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            '[tool.prodops.rules.PO416]\nerror-from = "soon"',
            "pyproject.toml:3: [tool.prodops.rules.PO416] 'error-from' must be a date such as 2027-01-15 (got 'soon')",
        ),
        (
            '[tool.prodops.rules.PO416]\nseverity = "warning"\nonly-created-after = 2026-11-01T10:00:00',
            "pyproject.toml:4: [tool.prodops.rules.PO416] 'only-created-after' must be a date such as 2027-01-15 "
            "(got datetime.datetime(2026, 11, 1, 10, 0))",
        ),
        (
            '[tool.prodops.rules.PO416]\nseverity = "fatal"',
            "pyproject.toml:3: [tool.prodops.rules.PO416] 'severity' must be one of error, warning, info, off (got 'fatal')",
        ),
        (
            "[tool.prodops.rules.PO416]\nerror-form = 2027-01-15",
            "pyproject.toml:3: [tool.prodops.rules.PO416] unknown setting 'error-form' (did you mean 'error-from'?) "
            "(known settings: severity, error-from, only-created-after, start)",
        ),
        (
            "[tool.prodops.rules.PX416]\nerror-from = 2027-01-15",
            "pyproject.toml:2: [tool.prodops.rules.PX416] 'PX416' is not a process rule (did you mean 'PO416'?); "
            "`prodops rules` lists them",
        ),
        (
            "[tool.prodops.rules.PO101]\nerror-from = 2027-01-15",
            "pyproject.toml:2: [tool.prodops.rules.PO101] PO101 is a structural check; it cannot be scheduled "
            "(only process rules can)",
        ),
        (
            '[tool.prodops.rules.PO416]\nseverity = "error"\nerror-from = 2027-01-15',
            "pyproject.toml:3: [tool.prodops.rules.PO416] 'severity' is what the rule has before 'error-from': "
            "make it warning or info, or drop error-from",
        ),
        (
            "[tool.prodops.rules.PO416]\nerror-from = 2027-01-15\nstart = 2027-02-01",
            "pyproject.toml:4: [tool.prodops.rules.PO416] 'start' must not be after 'error-from'",
        ),
        (
            '[tool.prodops.rules]\nPO416 = "<script>alert(1)</script>"',
            "pyproject.toml:3: [tool.prodops.rules.PO416] must be a table such as [tool.prodops.rules.PO421] "
            "with error-from = 2027-01-15",
        ),
        (
            '[tool.prodops.severity]\nPO416 = "info"\n[tool.prodops.rules.PO416]\nseverity = "warning"',
            "pyproject.toml [tool.prodops]: the severity of PO416 is set twice, in [severity] and in [rules.PO416]; "
            "keep one",
        ),
    ],
)
def test_a_bad_schedule_is_an_error_on_its_line(table: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.prodops]\n{table}\n", encoding="utf-8")
    with pytest.raises(ProdopsError) as raised:
        load_config(tmp_path)
    assert str(raised.value) == message


def test_a_bad_schedule_exits_1_without_a_traceback(tmp_path: Path) -> None:
    root = _example(tmp_path, 'error-from = "2027-13-01"')
    code, output = _validate(root, "2026-12-02")
    assert code == 1
    line = (root / "pyproject.toml").read_text(encoding="utf-8").splitlines().index('error-from = "2027-13-01"') + 1
    assert (
        f"pyproject.toml:{line}: [tool.prodops.rules.PO416] 'error-from' must be a date such as 2027-01-15 "
        "(got '2027-13-01')"
    ) in output


@pytest.mark.parametrize(
    ("table", "shown"),
    [
        (
            '[tool.prodops.rules]\n"PO4' + "1" * 5000 + '" = {error-from = 2027-01-15}',
            f"pyproject.toml:3: [tool.prodops.rules.PO4{'1' * 36}…] 'PO4{'1' * 35}… "
            "is not a process rule (did you mean 'PO411'?)",
        ),
        ('[tool.prodops.rules.PO416]\n"<script>\\u0007" = 1', "unknown setting '<script>\\x07'"),
    ],
)
def test_a_hostile_schedule_is_shown_short_and_escaped(table: str, shown: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.prodops]\n{table}\n", encoding="utf-8")
    with pytest.raises(ProdopsError) as raised:
        load_config(tmp_path)
    message = str(raised.value)
    assert shown in message and len(message) < 400 and "\x07" not in message


def test_rules_lists_the_roll_out(tmp_path: Path) -> None:
    root = _example(tmp_path, 'severity = "info"\nerror-from = 2099-01-15\nonly-created-after = 2026-10-01')
    result = CliRunner().invoke(cli, ["rules", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert (
        "PO416  item-overdue  (info)\n    rolled out: an error from 2099-01-15; "
        "only entities first committed after 2026-10-01\n"
    ) in result.output

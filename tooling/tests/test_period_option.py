"""Period options: one parameter type, reading the repository's declared calendar, on every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example
from test_history import git

from prodops.cli import COMMANDS, PeriodType, cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in _commands(command, ctx)]
        elif command is not None:
            found.append((name, command))
    return found


def test_every_period_option_reads_the_calendar() -> None:
    ctx = click.Context(cli)
    assert set(COMMANDS) <= set(cli.list_commands(ctx))
    options = [
        (name, param)
        for name, command in _commands(cli, ctx)
        for param in command.params
        if isinstance(param, click.Option) and any("period" in opt for opt in param.opts)
    ]
    assert {"list", "report okrs", "report quarter", "report review", "move"} <= {name for name, _ in options}
    for name, param in options:
        assert isinstance(param.type, PeriodType), name


@pytest.mark.parametrize("period", ["2026-q4", "2026-Q4", " 2026-q4"])
def test_report_okrs_takes_what_list_takes(tmp_path: Path, period: str) -> None:
    root = str(copy_example(tmp_path / "ops"))
    common = ("--root", root, "--today", EXAMPLE_TODAY.isoformat())
    code, report = run("report", "okrs", "--period", period, *common)
    assert code == 0, report
    assert report.startswith("# OKR review 2026-Q4\n")
    code, listed = run("list", "objective", "--period", period, *common)
    assert code == 0 and "2026-Q4" in listed


def test_a_wrong_period_is_a_usage_error_naming_the_notation(tmp_path: Path) -> None:
    root = str(copy_example(tmp_path / "ops"))
    for command in (["report", "okrs"], ["list", "objective"], ["report", "quarter"]):
        code, output = run(*command, "--period", "2026-q9", "--root", root)
        assert code == 2, (command, output)
        assert "'2026-q9' is not a quarter such as 2026-Q4" in output


def test_periods_in_a_fiscal_calendar(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    code, output = run("init", str(root), "--today", "2026-05-12", "--calendar", "fiscal", "--fiscal-start", "april")
    assert code == 0, output
    common = ("--root", str(root), "--today", "2026-05-12")
    for period in ("FY27-Q1", "fy27-q1"):
        code, output = run("report", "okrs", "--period", period, *common)
        assert code == 0 and output.startswith("# OKR review FY27-Q1\n"), output
        code, output = run("list", "objective", "--period", period, *common)
        assert code == 0 and "FY27-Q1" in output, output
    code, output = run("report", "okrs", "--period", "2026-q2", *common)
    assert code == 2 and "'2026-q2' is not a quarter such as FY" in output


def test_a_period_of_another_notation_is_read_as_the_declared_one_it_falls_in(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    assert run("init", str(root), "--today", "2026-05-12", "--calendar", "fiscal", "--fiscal-start", "april")[0] == 0
    code, output = run("report", "okrs", "--root", str(root), "--today", "2026-05-12", "--period", "2026-q2")
    assert code == 2
    assert (
        "'2026-q2' is not a quarter such as FY27-Q3 (did you mean 'FY27-Q1'?); periods near today: "
        "FY26-Q4, FY27-Q1, FY27-Q2, FY27-Q3, FY27-Q4\n"
    ) in output
    # The review report by the name every cadence can use, the same as `report quarter`.
    git(root, "init", "-q", "-b", "main", day="2026-05-12")
    git(root, "add", "-A", day="2026-05-12")
    git(root, "commit", "-q", "-m", "Start", day="2026-05-12")
    review = run("report", "review", "--root", str(root), "--today", "2026-05-12", "--period", "fy27-q1")
    quarter = run("report", "quarter", "--root", str(root), "--today", "2026-05-12", "--period", "fy27-q1")
    assert review == quarter and review[0] == 0 and review[1].startswith("# FY27-Q1: say/do and slips\n")

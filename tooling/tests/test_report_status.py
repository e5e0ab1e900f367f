"""``prodops report status``: the weekly update in words, pinned by golden files on a week built in Git."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import weekrepo
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, FIXTURES, check_golden, copy_example

from prodops.cli import cli

GOLDEN = FIXTURES / "status"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return weekrepo.build(tmp_path_factory.mktemp("week") / "ops")


def run(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(cli, list(args))
    return done.exit_code, done.stdout, done.stderr


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("html", "html"), ("text", "txt")])
def test_team_status_golden(week: Path, fmt: str, suffix: str) -> None:
    code, out, err = run(
        "report",
        "status",
        "--team",
        "payments",
        "--since",
        "7d",
        "--format",
        fmt,
        "--root",
        str(week),
        "--today",
        EXAMPLE_TODAY.isoformat(),
    )
    assert code == 0, err
    check_golden(GOLDEN / f"payments.{suffix}", out)


def test_team_status_speaks_in_words(week: Path) -> None:
    code, out, _ = run(
        "report",
        "status",
        "--team",
        "payments",
        "--root",
        str(week),
        "--today",
        EXAMPLE_TODAY.isoformat(),
        "--format",
        "text",
    )
    assert code == 0
    assert "Read remittance advice from emails and PDFs: 2026-11-27 → 2026-12-04 (+7 days)" in out
    assert "Card payments on the invoice page (Mateo García)" in out
    assert "Cut invoice disputes from 4.2 to 2.0 per 1,000 invoices: 3.4 per 1k invoices (from 3.6" in out
    assert "confidence 0.5 → 0.4" in out
    assert "last check-in: Fix for proration rounding slipped to next sprint." in out
    assert "mateo-garcia" not in out and "kavya-iyer" not in out  # names, not handles
    assert "Let buyers pay small invoices by card" in out  # the demand the shipped item answers


def test_organisation_and_objective_status(week: Path) -> None:
    today = EXAMPLE_TODAY.isoformat()
    code, out, _ = run("report", "status", "--root", str(week), "--today", today)
    assert code == 0 and out.startswith("# Status of the organisation, 2026-11-25 to 2026-12-02")
    check_golden(GOLDEN / "organisation.md", out)
    code, out, _ = run(
        "report", "status", "--objective", "2026-q4-payments-usage-billing", "--root", str(week), "--today", today
    )
    assert code == 0
    check_golden(GOLDEN / "objective.md", out)


def test_unknown_team_is_a_clear_error(week: Path) -> None:
    code, _, err = run("report", "status", "--team", "paymnts", "--root", str(week), "--today", "2026-12-02")
    assert code == 1
    assert "no team 'paymnts' (did you mean 'payments'?)" in err
    assert "Traceback" not in err


def test_outside_git_the_update_still_has_key_results(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    code, out, err = run("report", "status", "--team", "payments", "--root", str(root), "--today", "2026-12-02")
    assert code == 0
    assert "the update lists no changes" in err
    assert "## Key results" in out


def test_report_answered_golden(week: Path, tmp_path: Path) -> None:
    code, out, err = run(
        "report", "answered", "--since", "30d", "--root", str(week), "--today", EXAMPLE_TODAY.isoformat()
    )
    assert code == 0, err
    check_golden(GOLDEN / "answered.md", out)
    assert "## Account A-1017\n" in out  # Vantage Telecom, by its id in the accounts export
    assert "Vantage Telecom" not in out and "Accounts without an id" not in out  # each account once, by id
    assert "Let buyers pay small invoices by card" in out and "answered by Card payments on the invoice page" in out


def test_report_answered_lists_account_ids_and_no_people(tmp_path: Path) -> None:
    root = weekrepo.build(tmp_path / "ops")
    insight = root / "roadmap" / "insights" / "pay-invoices-by-card.yaml"
    text = insight.read_text(encoding="utf-8")
    insight.write_text(text.replace("    account_ids:\n", "    account_ids:\n      - ACC-1042\n", 1))
    code, out, err = run(
        "report", "answered", "--root", str(root), "--today", EXAMPLE_TODAY.isoformat(), "--format", "text"
    )
    assert code == 0, err
    assert (
        "Account ACC-1042\n----------------\n- Let buyers pay small invoices by card: answered by Card payments" in out
    )
    assert "@" not in out and "(name)" not in out  # no addresses, no quotes


@pytest.mark.parametrize("fmt", ["markdown", "html", "text"])
def test_report_answered_keeps_hostile_account_ids_inert(tmp_path: Path, fmt: str) -> None:
    root = weekrepo.build(tmp_path / "ops")
    insight = root / "roadmap" / "insights" / "pay-invoices-by-card.yaml"
    text = insight.read_text(encoding="utf-8")
    hostile = (
        "    account_ids:\n      - '<img/src=x/onerror=alert(1)>'\n      - '[x](javascript:alert(1))'\n"
        '      - "bell\\x07\\x1b[31mred"\n'
    )
    insight.write_text(text.replace("    account_ids:\n", hostile, 1))
    code, out, err = run(
        "report", "answered", "--root", str(root), "--today", EXAMPLE_TODAY.isoformat(), "--format", fmt
    )
    assert code == 0, err
    expected = {
        "markdown": ["## Account \\<img/src=x/onerror=alert(1)\\>\n", "## Account \\[x\\](javascript:alert(1))\n"],
        "html": ["<h2>Account &lt;img/src=x/onerror=alert(1)&gt;</h2>", "<h2>Account [x](javascript:alert(1))</h2>"],
        "text": ["Account <img/src=x/onerror=alert(1)>\n", "Account [x](javascript:alert(1))\n"],
    }[fmt]
    for heading in expected:
        assert heading in out, out
    assert "\x07" not in out and "\x1b" not in out and "bell" not in out  # a control character is no id
    if fmt == "markdown":  # nothing unescaped: no tag, no link
        assert re.search(r"(?<!\\)(<img|\[x)", out) is None
    if fmt == "html":
        assert "<img" not in out and "javascript" not in out.replace("[x](javascript:alert(1))", "")


def test_release_notes_link_the_insights_they_answer(week: Path) -> None:
    code, out, err = run("report", "release-notes", "--root", str(week), "--today", EXAMPLE_TODAY.isoformat())
    assert code == 0, err
    assert "Answers: [Let buyers pay small invoices by card](<insight/pay-invoices-by-card.html>)" in out
    code, out, err = run("report", "release-notes", "--format", "html", "--root", str(week))
    assert code == 0, err
    assert '<a href="insight/pay-invoices-by-card.html">Let buyers pay small invoices by card</a>' in out

"""`prodops report compliance`: campaigns of scheduled rules, their open entities and a weekly burn-down from Git."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import copy_example
from weekrepo import git

from prodops.catalog import Catalog
from prodops.cli import cli
from prodops.compliance import Campaign, Open, Point, week_ends
from prodops.render.renderer import Site, SiteOptions

REOPENED = {"roadmap/card-payments-page.yaml": "end: 2026-08-14", "roadmap/ach-direct-debit.yaml": None}


def _reopen(root: Path, rel: str) -> str:
    """Make a shipped item in progress again (overdue: its end date passed); the original text back."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: shipped", "status: in-progress", 1), encoding="utf-8")
    return text


def build(tmp_path: Path, start: bool = True) -> Path:
    """Three commits: two shipped items reopened (11-10), one shipped again (11-19), the snapshot (11-26).

    PO416 (work under way past its due date) is scheduled from 2026-11-09, an error from 2026-12-15.
    By hand, at the end of each week: 11-15: the 2 reopened items (the snapshot's 3 overdue items are
    due 11-27, not yet late); 11-22: 1; 11-29: the snapshot's 3; 12-02 (today): 3.
    """
    root = copy_example(tmp_path / "repo")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as out:
        out.write('\n[tool.prodops.rules.PO416]\nseverity = "warning"\nerror-from = 2026-12-15\n')
        out.write("start = 2026-11-09\n" if start else "")
    originals = {rel: _reopen(root, rel) for rel in REOPENED}
    git(root, "init", "-q", "-b", "main", day="2026-11-10")
    git(root, "add", "-A", day="2026-11-10")
    git(root, "commit", "-q", "-m", "Two items reopened", day="2026-11-10")
    first = "roadmap/card-payments-page.yaml"
    (root / first).write_text(originals[first], encoding="utf-8")
    git(root, "commit", "-q", "-am", "One shipped again", day="2026-11-19")
    for rel, text in originals.items():
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "The other too", day="2026-11-26")
    return root


def _report(root: Path, fmt: str) -> str:
    result = CliRunner().invoke(
        cli, ["report", "compliance", "--root", str(root), "--today", "2026-12-02", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_burndown_matches_a_hand_count(tmp_path: Path) -> None:
    found = json.loads(_report(build(tmp_path), "json"))
    [campaign] = found["campaigns"]
    assert campaign["code"] == "PO416" and campaign["deadline"] == "2026-12-15" and campaign["days_left"] == 13
    assert campaign["severity"] == "warning" and campaign["start"] == "2026-11-09"
    assert [(p["day"], p["count"]) for p in campaign["burndown"]] == [
        ("2026-11-15", 2),
        ("2026-11-22", 1),
        ("2026-11-29", 3),
        ("2026-12-02", 3),
    ]
    assert [(o["entity"], o["teams"]) for o in campaign["open"]] == [
        ("guided-bank-connection", ["growth"]),
        ("customer-portal-refresh", ["payments"]),
        ("sync-retry-and-alerting", ["platform"]),
    ]
    assert campaign["teams"] == ["growth", "payments", "platform"]


def test_the_text_and_markdown_reports(tmp_path: Path) -> None:
    root = build(tmp_path)
    text = _report(root, "text")
    assert text.startswith(
        "PO416 item-overdue: 3 not compliant, warning today\n  deadline: 2026-12-15 (13 days left)\n"
    )
    assert "burn-down since 2026-11-09: 2026-11-15: 2, 2026-11-22: 1, 2026-11-29: 3, 2026-12-02: 3" in text
    markdown = _report(root, "markdown")
    assert "## PO416 item-overdue" in markdown
    assert "| 2026-11-22 | 1 |" in markdown
    assert "| customer-portal-refresh | payments | roadmap/customer-portal-refresh.yaml |" in markdown


def test_week_ends_are_sundays_then_today_and_capped() -> None:
    assert week_ends(date(2026, 11, 9), date(2026, 12, 2)) == [
        date(2026, 11, 15),
        date(2026, 11, 22),
        date(2026, 11, 29),
        date(2026, 12, 2),
    ]
    many = week_ends(date(2020, 1, 1), date(2026, 12, 2))
    assert len(many) == 26 and many[-1] == date(2026, 12, 2)


def test_no_campaign_says_so(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    assert _report(root, "text").startswith("No rule is rolled out on a schedule")


def test_the_compliance_page_has_the_same_values(tmp_path: Path) -> None:
    from prodops import pipeline
    from prodops.render.changes import add_history

    root = build(tmp_path)
    result = pipeline.build(root, today=date(2026, 12, 2))
    site = Site()
    add_history(site, root, SiteOptions(today=result.today, config=result.config), result.catalog)
    page = site.pages["compliance.md"]
    assert "## PO416 item-overdue" in page and "<strong>2026-12-15</strong> (13 days left)" in page
    assert "Teams not compliant yet: growth, payments, platform" in page
    assert '<a href="roadmap-item/customer-portal-refresh.html">customer-portal-refresh</a>' in page
    rows = [line for line in page.splitlines() if line.startswith("<tr><td>2026-")]
    assert rows == [
        "<tr><td>2026-11-15</td><td>2</td></tr>",
        "<tr><td>2026-11-22</td><td>1</td></tr>",
        "<tr><td>2026-11-29</td><td>3</td></tr>",
        "<tr><td>2026-12-02</td><td>3</td></tr>",
    ]
    assert (
        'aria-label="Entities not compliant with PO416 by week: 2026-11-15: 2, 2026-11-22: 1, 2026-11-29: 3, 2026-12-02: 3"'
    ) in page


def test_without_start_the_burndown_begins_when_the_schedule_was_committed(tmp_path: Path) -> None:
    root = build(tmp_path, start=False)
    [campaign] = json.loads(_report(root, "json"))["campaigns"]
    assert campaign["start"] == "2026-11-10"  # the commit that added [tool.prodops.rules.PO416]
    assert [p["count"] for p in campaign["burndown"]] == [2, 1, 3, 3]


HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:y) | *b*\x1b[2J"


def _hostile_campaign() -> Campaign:
    return Campaign(
        code="PO416",
        name="item-overdue",
        rationale="why",
        fix="how",
        severity="warning",
        deadline=date(2026, 12, 15),
        created_after=None,
        start=date(2026, 11, 9),
        open=(Open("item", "roadmap/item.yaml", (HOSTILE,), f"due soon: '{HOSTILE}'"),),
        burndown=(Point(date(2026, 11, 15), 2), Point(date(2026, 11, 22), None)),
    )


def test_hostile_text_stays_text_in_markdown_and_on_the_page() -> None:
    from prodops import compliancetext
    from prodops.render import compliance as page

    text = compliancetext.markdown([_hostile_campaign()], date(2026, 12, 2))
    assert (
        not re.search(r"(?<!\\)<", text)
        and "\\<img src=x onerror=alert(1)\\> \\[x\\](javascript:y) \\| \\*b\\*" in text
    )
    assert "| 2026-11-22 | not known |" in text
    site = Site()
    page.add_page(site, [_hostile_campaign()], SiteOptions(today=date(2026, 12, 2)), Catalog())
    shown = site.pages["compliance.md"]
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "<tr><td>2026-11-22</td><td>not known</td></tr>" in shown

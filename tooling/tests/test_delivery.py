"""`prodops delivery import`: Jira, GitHub and Linear exports into item progress; accounting, idempotence, bad input.

The exports are in fixtures/delivery/ (their README cites the vendor documentation of each format).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, FIXTURES, TODAY, assemble, copy_example

from prodops.cli import cli

EXPORTS = FIXTURES / "delivery"
REFS = {
    "erp-sync-v2": ["ERP-100"],  # a Jira epic: its children count
    "remittance-parsing": ["REM-7", "REM-8"],  # Jira issues, both done
    "churn-risk-alerts": ["ledgerline/app/milestone/7"],  # a GitHub milestone
    "ml-payment-matching": ["linear:project/ml-payment-matching", "ENG-50"],  # a Linear project and an issue
}


def example(tmp_path: Path) -> Path:
    repo = copy_example(tmp_path / "repo")
    for item, refs in REFS.items():
        path = repo / "roadmap" / f"{item}.yaml"
        path.write_text(path.read_text() + "delivery:\n" + "".join(f"  - {r}\n" for r in refs))
    return repo


def run(repo: Path, export: Path, source: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        ["delivery", "import", str(export), "--source", source, "--root", str(repo), "--today", "2026-12-02", *args],
    )
    shown = str(export.parent) + "/"
    return result.exit_code, result.stdout.replace(shown, ""), result.stderr.replace(shown, "")


def snapshot(repo: Path) -> dict[str, bytes]:
    files = (p for p in sorted(repo.rglob("*")) if p.is_file() and ".prodops-cache" not in p.parts)
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in files}


def validate(repo: Path) -> str:
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()])
    return result.output


def test_jira_import_writes_progress_and_tickets_with_accounting(tmp_path: Path) -> None:
    repo = example(tmp_path)
    code, out, err = run(repo, EXPORTS / "jira.csv", "jira")
    assert code == 0, out + err
    assert err == (
        "jira.csv: line 9: skipped: Issue key '../../etc/passwd' is not a Jira key (PAY-123)\n"
        "jira.csv: line 10: skipped: ERP-104: 'yesterday' is not a date (03/Nov/26 12:17 PM or 2026-11-03)\n"
        "jira.csv: line 11: skipped: ERP-105: 99999999999999999999 is not a plausible estimate (0 to 10,000)\n"
    )
    assert out.startswith(
        "10 rows read: 6 matched to 2 items, 1 unmatched, 3 skipped\n"
        "wrote 4 files\n"
        "  roadmap/erp-sync-v2.yaml\n"
        "  roadmap/delivery/erp-sync-v2.csv\n"
        "  roadmap/remittance-parsing.yaml\n"
        "  roadmap/delivery/remittance-parsing.csv\n"
    )
    assert (
        (repo / "roadmap/erp-sync-v2.yaml")
        .read_text()
        .endswith(
            "delivery:\n  - ERP-100\nprogress:\n  source: jira\n  tickets_done: 1\n  tickets_total: 3\n"
            "  points_done: 5\n  points_total: 10\n  last_activity: 2026-11-25\n"
        )
    )
    # The epic itself is a container; its children (by Parent id and by Epic Link) count. A title is kept as text.
    assert (repo / "roadmap/delivery/erp-sync-v2.csv").read_text() == (
        "key,title,status,done,points,updated,resolved\n"
        "ERP-101,Map NetSuite custom fields,Done,yes,5,2026-11-12,2026-11-12\n"
        "ERP-102,Retry failed journal posts,In Review,no,3,2026-11-25,\n"
        "ERP-103,<script>alert('x')</script> sync dashboard,To Do,no,2,2026-11-03,\n"
    )
    assert not any("passwd" in rel or ".." in rel for rel in snapshot(repo))


def test_second_import_writes_nothing(tmp_path: Path) -> None:
    repo = example(tmp_path)
    assert run(repo, EXPORTS / "jira.csv", "jira")[0] == 0
    before = snapshot(repo)
    code, out, _ = run(repo, EXPORTS / "jira.csv", "jira")
    assert code == 0
    assert out.endswith("nothing changed: the items already show what this export says\n")
    assert snapshot(repo) == before


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo = example(tmp_path)
    before = snapshot(repo)
    code, out, _ = run(repo, EXPORTS / "jira.csv", "jira", "--dry-run")
    assert code == 0
    assert "would write 4 files\n  roadmap/erp-sync-v2.yaml\n" in out
    assert snapshot(repo) == before


def test_comments_bom_and_crlf_are_kept(tmp_path: Path) -> None:
    repo = example(tmp_path)
    path = repo / "roadmap/remittance-parsing.yaml"
    original = "\ufeff" + path.read_text().replace("horizon:", "# why now: month-end close\nhorizon:")
    path.write_bytes(original.replace("\n", "\r\n").encode("utf-8"))
    assert run(repo, EXPORTS / "jira.csv", "jira")[0] == 0
    data = path.read_bytes()
    assert data.startswith(original.replace("\n", "\r\n").encode("utf-8"))
    assert data.endswith(
        b"progress:\r\n  source: jira\r\n  tickets_done: 2\r\n  tickets_total: 2\r\n"
        b"  points_done: 13\r\n  points_total: 13\r\n  last_activity: 2026-10-30\r\n"
    )


def test_github_issue_json_from_gh_and_the_rest_api(tmp_path: Path) -> None:
    repo = example(tmp_path)
    code, out, err = run(repo, EXPORTS / "github.json", "github")
    assert code == 0, out + err
    assert err == (
        "github.json: record 4: skipped: a pull request, not an issue\n"
        "github.json: record 5: skipped: no issue url of the form https://github.com/OWNER/REPO/issues/N\n"
    )
    assert out.startswith("5 rows read: 2 matched to 1 item, 1 unmatched, 2 skipped\nwrote 2 files\n")
    assert (
        (repo / "roadmap/churn-risk-alerts.yaml")
        .read_text()
        .endswith("progress:\n  source: github\n  tickets_done: 1\n  tickets_total: 2\n  last_activity: 2026-11-26\n")
    )
    assert (repo / "roadmap/delivery/churn-risk-alerts.csv").read_text() == (
        "key,title,status,done,points,updated,resolved\n"
        "ledgerline/app#412,Churn model: weekly scoring job,closed,yes,,2026-11-18,2026-11-18\n"
        "ledgerline/app#413,Alert email <img src=x onerror=alert(1)>,open,no,,2026-11-26,\n"
    )


def test_linear_csv_with_project_and_issue_references(tmp_path: Path) -> None:
    repo = example(tmp_path)
    code, out, err = run(repo, EXPORTS / "linear.csv", "linear")
    assert code == 0, out + err
    assert err == ""
    assert out.startswith("4 rows read: 4 matched to 1 item, 0 unmatched, 0 skipped\n")
    # Canceled counts as done (Linear's canceled state type); ENG-50 is named by its own id.
    assert (
        (repo / "roadmap/ml-payment-matching.yaml")
        .read_text()
        .endswith(
            "progress:\n  source: linear\n  tickets_done: 2\n  tickets_total: 4\n"
            "  points_done: 7\n  points_total: 11\n  last_activity: 2026-11-27\n"
        )
    )


def test_rules_fire_on_imported_progress(tmp_path: Path) -> None:
    repo = example(tmp_path)
    assert run(repo, EXPORTS / "jira.csv", "jira")[0] == 0
    output = validate(repo)
    assert (
        "roadmap/remittance-parsing.yaml:" in output
        and "warning PO450 all 2 tickets of its delivery work are done in jira, but the item is still 'in-progress'"
        in output
    ), output


@pytest.mark.parametrize(
    ("name", "text", "source", "message"),
    [
        (
            "issues.json",
            '[{"number": 1}]',
            "jira",
            "issues.json:1:1: error PO150 this is JSON, not a CSV export; is --source right?",
        ),
        (
            "no-category.csv",
            "Issue key,Status,Updated\nPAY-1,Done,01/Nov/26 9:00 AM\n",
            "jira",
            "no-category.csv:1:1: error PO150 the header has no 'Status Category' column; "
            "export the Jira issues (Export > CSV) with all fields, or check --source",
        ),
        (
            "object.json",
            '{"items": []}',
            "github",
            "object.json:1:1: error PO150 expected a JSON array of issues (gh issue list --json, "
            "or GET /repos/OWNER/REPO/issues)",
        ),
        (
            "broken.json",
            "[{",
            "github",
            "broken.json:1:3: error PO150 not JSON (Expecting property name enclosed in double quotes); "
            "give `gh issue list --json ...` output",
        ),
        ("empty.csv", "", "linear", "empty.csv: error PO150 the export is empty (no header line, no rows)"),
        ("deep.json", "[" * 100_000, "github", "deep.json: error PO150 the JSON nests too deeply to be an issue list"),
        (
            "quote.csv",
            'ID,Status,Updated\nENG-1,"Done,2026-11-01\n',
            "linear",
            "quote.csv:2:1: error PO150",
        ),
    ],
)
def test_malformed_exports_are_refused(tmp_path: Path, name: str, text: str, source: str, message: str) -> None:
    repo = example(tmp_path)
    export = tmp_path / name
    export.write_text(text)
    before = snapshot(repo)
    code, out, err = run(repo, export, source)
    assert code == 1
    shown = err.replace(str(tmp_path) + "/", "")
    assert shown.startswith(message) and shown.endswith(f"\nprodops: {name} was not imported; nothing was written\n")
    assert shown.count("\n") == 2
    assert "Traceback" not in out + err
    assert snapshot(repo) == before


def test_hostile_rows_never_reach_the_files(tmp_path: Path) -> None:
    repo = example(tmp_path)
    export = tmp_path / "hostile.csv"
    huge = "9" * 5000
    export.write_text(
        "Issue key,Summary,Status,Status Category,Updated,Custom field (Story Points)\n"
        f'REM-7,"=HYPERLINK(""http://x"")\x07 {"A" * 5000}",Done,Done,01/Nov/26 9:00 AM,1\n'
        f"REM-8,ok,Done,Done,01/Nov/26 9:00 AM,{huge}\n"
        "../REM-9,x,Done,Done,01/Nov/26 9:00 AM,1\n"
    )
    code, out, err = run(repo, export, "jira")
    assert code == 0, out + err
    assert "line 3: skipped: REM-8:" in err and "line 4: skipped: Issue key '../REM-9' is not a Jira key" in err
    lines = (repo / "roadmap/delivery/remittance-parsing.csv").read_text().splitlines()
    assert len(lines) == 2 and lines[1].startswith('REM-7,"\'=HYPERLINK(""http://x"") AAAA')
    assert len(lines[1]) < 400 and "\x07" not in lines[1]


def test_list_gains_a_progress_column_and_show_prints_it(tmp_path: Path) -> None:
    repo = example(tmp_path)
    listed = CliRunner().invoke(cli, ["list", "roadmap-item", "--root", str(repo), "--format", "csv"])
    assert "progress" not in listed.output.splitlines()[0]
    assert run(repo, EXPORTS / "jira.csv", "jira")[0] == 0
    listed = CliRunner().invoke(cli, ["list", "roadmap-item", "--root", str(repo), "--format", "csv"])
    assert listed.output.splitlines()[0] == "id,title,team,owner,status,progress,horizon,due,rice"
    row = next(line for line in listed.output.splitlines() if line.startswith("erp-sync-v2,"))
    assert ',in-progress,"1/3 tickets, 5/10 points",now,' in row
    shown = CliRunner().invoke(cli, ["show", "erp-sync-v2", "--root", str(repo), "--today", "2026-12-02"])
    assert "\ndelivery progress: 1/3 tickets, 5/10 points done in jira, last activity 2026-11-25\n" in shown.output


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        ("2", "warning PO452 no activity on its delivery tickets for 21 days (last 2026-11-01); the limit is 2 weeks"),
        ("0", "'delivery-stale-weeks' must be a whole number of weeks, at least 1 (got 0)"),
    ],
)
def test_delivery_stale_weeks_setting(tmp_path: Path, weeks: str, expected: str) -> None:
    repo = assemble(FIXTURES / "valid" / "PO452-in-progress-with-activity-three-weeks-ago", tmp_path / "repo")
    (repo / "pyproject.toml").write_text(f"[tool.prodops]\ndelivery-stale-weeks = {weeks}\n")
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat()])
    assert expected in result.output, result.output


def test_item_page_and_board_card_show_progress(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo", site=True)
    path = repo / "roadmap/erp-sync-v2.yaml"
    path.write_text(path.read_text() + "delivery:\n  - ERP-100\n")
    out = tmp_path / "out"
    rendered = CliRunner().invoke(cli, ["render", "--out", str(out), "--root", str(repo), "--today", "2026-12-02"])
    assert rendered.exit_code == 0, rendered.output
    page = next((out / "docs").rglob("erp-sync-v2.md")).read_text(encoding="utf-8")
    assert '<span class="po-muted">not imported yet</span><br><span class="po-muted"><code>ERP-100</code>' in page
    assert run(repo, EXPORTS / "jira.csv", "jira")[0] == 0
    rendered = CliRunner().invoke(cli, ["render", "--out", str(out), "--root", str(repo), "--today", "2026-12-02"])
    assert rendered.exit_code == 0, rendered.output
    page = next((out / "docs").rglob("erp-sync-v2.md")).read_text(encoding="utf-8")
    assert 'aria-label="Delivery tickets done: 33%"' in page
    assert "1/3 tickets, 5/10 points done in jira · last activity 2026-11-25" in page
    board = (out / "docs" / "roadmap" / "index.md").read_text(encoding="utf-8")
    card = board[board.index('href="../roadmap-item/erp-sync-v2') :].split("</li>", 1)[0]
    assert '<span class="po-card__delivery">' in card and "1/3 tickets, 5/10 points" in card
    # Ticket titles stay in roadmap/delivery/; no page shows them.
    assert "<script>" not in "".join(p.read_text(encoding="utf-8") for p in (out / "docs").rglob("*.md"))

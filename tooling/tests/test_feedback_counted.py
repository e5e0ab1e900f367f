"""`prodops feedback import` counts each record once, however exports overlap, and removes only on request.

The attack these tests come from: one support-desk record for a month took the demand of every
other insight for that month away, and weekly exports of one month left only the last week's count.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import TODAY, assemble

from prodops.cli import cli

HEADER = [
    "Id",
    "Subject",
    "Description",
    "Status",
    "Tags",
    "Requester",
    "Requester email",
    "Assignee",
    "Organization",
    "Created at",
    "Category",
    "Priority",
]
INSIGHTS = {
    "payment-plans": "payment plan",
    "bank-feeds": "bank feed",
}
INSIGHT = """\
# yaml-language-server: $schema=../../schemas/insight.schema.json
id: {id}
title: Insight {id}
problem: |
  Something customers ask for.
owner: ana-pm
status: triaged
match:
  keywords:
    - {keyword}
"""


def repo_with_two_insights(tmp_path: Path) -> Path:
    repo = assemble(None, tmp_path / "repo")
    folder = repo / "roadmap" / "insights"
    folder.mkdir()
    for insight, keyword in INSIGHTS.items():
        (folder / f"{insight}.yaml").write_text(INSIGHT.format(id=insight, keyword=keyword))
    return repo


def ticket(number: int, insight: str, day: str) -> list[str]:
    about = INSIGHTS[insight]
    return [
        f"ZD-{number}",
        f"Need a {about}",
        f"Ticket {number}: please add a {about}.",
        "open",
        "",
        f"Person {number}",
        f"person{number}@org{number % 5}.example",
        "Agent Smith",
        f"Org {number % 5}",
        f"{day}T09:00:00Z",
        "",
        "",
    ]


def export(tmp_path: Path, name: str, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue())
    return path


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["feedback", "import", *args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def demand(repo: Path, insight: str) -> dict[tuple[str, str], int]:
    data = yaml.safe_load((repo / "roadmap" / "insights" / f"{insight}.yaml").read_text())
    return {(e["source"], e["period"]): e["count"] for e in data.get("demand") or []}


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted((repo / "roadmap").rglob("*")) if p.is_file()
    }


# September 2026: 10 payment-plan tickets and 6 bank-feed tickets, four weeks.
SEPTEMBER = [
    ticket(n, "payment-plans" if n % 8 < 5 else "bank-feeds", f"2026-09-{1 + (n - 1) * 29 // 16:02d}")
    for n in range(1, 17)
]


def weeks() -> list[list[list[str]]]:
    out: list[list[list[str]]] = [[], [], [], []]
    for row in SEPTEMBER:
        out[min((int(row[9][8:10]) - 1) // 7, 3)].append(row)
    return out


def expected() -> dict[str, int]:
    return {i: sum(1 for r in SEPTEMBER if INSIGHTS[i] in r[1]) for i in INSIGHTS}


def test_weekly_exports_of_one_month_add_up_to_the_month(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    for n, rows in enumerate(weeks()):
        assert rows
        code, output = run(repo, str(export(tmp_path, f"week{n}.csv", rows)), "--source", "support-desk")
        assert code == 0, output
    for insight, count in expected().items():
        assert demand(repo, insight) == {("support-desk", "2026-09"): count}
    # The whole entry (distinct accounts, first and last seen) is what one monthly export gives.
    whole = repo_with_two_insights(tmp_path / "whole")
    assert run(whole, str(export(tmp_path, "month.csv", SEPTEMBER)), "--source", "support-desk")[0] == 0
    for insight in INSIGHTS:
        weekly, monthly = (entries(r, insight)[0] for r in (repo, whole))
        assert {k: v for k, v in weekly.items() if k != "quotes"} == {k: v for k, v in monthly.items() if k != "quotes"}


def entries(repo: Path, insight: str) -> list[dict[str, object]]:
    data = yaml.safe_load((repo / "roadmap" / "insights" / f"{insight}.yaml").read_text())
    return list(data["demand"])


def test_overlapping_and_re_exported_files_count_each_record_once(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    first, second = SEPTEMBER[:11], SEPTEMBER[5:]  # overlap: records 6 to 11
    for name, rows in (("month.csv", SEPTEMBER), ("again.csv", SEPTEMBER[::-1]), ("a.csv", first), ("b.csv", second)):
        code, output = run(repo, str(export(tmp_path, name, rows)), "--source", "support-desk")
        assert code == 0, output
    for insight, count in expected().items():
        assert demand(repo, insight) == {("support-desk", "2026-09"): count}


def test_a_filtered_export_leaves_the_other_insights_alone(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    assert run(repo, str(export(tmp_path, "month.csv", SEPTEMBER)), "--source", "support-desk")[0] == 0
    before = (repo / "roadmap" / "insights" / "bank-feeds.yaml").read_bytes()
    one = [ticket(99, "payment-plans", "2026-09-30")]
    code, output = run(repo, str(export(tmp_path, "one.csv", one)), "--source", "support-desk")
    assert code == 0, output
    assert (repo / "roadmap" / "insights" / "bank-feeds.yaml").read_bytes() == before
    assert demand(repo, "payment-plans") == {("support-desk", "2026-09"): expected()["payment-plans"] + 1}
    assert "roadmap/insights/payment-plans.yaml: support-desk 2026-09: 1 added, 0 already counted" in output


def test_replace_removes_a_month_and_the_summary_says_so(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    assert run(repo, str(export(tmp_path, "month.csv", SEPTEMBER)), "--source", "support-desk")[0] == 0
    one = [ticket(99, "payment-plans", "2026-09-30")]
    code, output = run(
        repo, str(export(tmp_path, "one.csv", one)), "--source", "support-desk", "--replace", "support-desk:2026-09"
    )
    assert code == 0, output
    assert demand(repo, "payment-plans") == {("support-desk", "2026-09"): 1}
    assert demand(repo, "bank-feeds") == {}
    removed = expected()
    assert (
        f"roadmap/insights/payment-plans.yaml: support-desk 2026-09: 1 added, 0 already counted, "
        f"{removed['payment-plans']} removed" in output
    )
    assert (
        f"roadmap/insights/bank-feeds.yaml: support-desk 2026-09: 0 added, 0 already counted, {removed['bank-feeds']} removed"
        in output
    )


def test_replace_must_name_a_source_and_a_month(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    path = export(tmp_path, "month.csv", SEPTEMBER)
    code, output = run(repo, str(path), "--source", "support-desk", "--replace", "support-desk:2026-9")
    assert code == 2 and "SOURCE:YYYY-MM" in output and "Traceback" not in output


def test_re_importing_changes_no_byte_and_says_what_was_already_counted(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    path = export(tmp_path, "month.csv", SEPTEMBER)
    assert run(repo, str(path), "--source", "support-desk")[0] == 0
    after = snapshot(repo)
    assert any(rel.endswith(".tsv") for rel in after)  # the counted ids are kept in the repository
    code, output = run(repo, str(path), "--source", "support-desk")
    assert code == 0
    assert snapshot(repo) == after
    assert f"support-desk 2026-09: 0 added, {expected()['payment-plans']} already counted, 0 removed" in output


def test_the_counted_ids_hold_no_personal_data(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    assert run(repo, str(export(tmp_path, "month.csv", SEPTEMBER)), "--source", "support-desk")[0] == 0
    kept = "".join(p.read_text() for p in sorted((repo / "roadmap").rglob("*.tsv")))
    assert "ZD-1\t" in kept or "\tZD-1\t" in kept
    assert "@" not in kept and "Person" not in kept and "Org " not in kept


def test_a_source_without_ids_is_counted_by_content(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    rows = [f"Need a payment plan for order {n},2026-09-{n:02d},Acme {n % 3},smb,support" for n in range(1, 9)]
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    first.write_text("text,date,account,segment,source\n" + "\n".join(rows[:6]) + "\n")
    second.write_text("text,date,account,segment,source\n" + "\n".join(rows[3:]) + "\n")
    for path in (first, second, first):
        code, output = run(repo, str(path), "--source", "generic")
        assert code == 0, output
    assert demand(repo, "payment-plans") == {("support", "2026-09"): 8}
    assert re.search(r"\d", "".join(p.read_text() for p in (repo / "roadmap").rglob("*.tsv")))


def test_a_damaged_file_of_counted_ids_is_named_with_its_line(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    path = export(tmp_path, "month.csv", SEPTEMBER)
    assert run(repo, str(path), "--source", "support-desk")[0] == 0
    kept = repo / "roadmap" / "insights" / "counted" / "support-desk.tsv"
    lines = kept.read_text().splitlines(keepends=True)
    kept.write_text("".join([*lines[:3], "2026-09\tZD-1\n", *lines[3:]]))
    code, output = run(repo, str(path), "--source", "support-desk")
    assert code == 1 and "Traceback" not in output
    assert "roadmap/insights/counted/support-desk.tsv:4:1: expected 4 tab-separated fields" in output
    assert "git checkout -- roadmap/insights/counted/support-desk.tsv" in output


def test_a_record_without_its_id_is_rejected_with_the_reason(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    rows = [ticket(1, "payment-plans", "2026-09-01"), ["", *ticket(2, "payment-plans", "2026-09-02")[1:]]]
    code, output = run(repo, str(export(tmp_path, "month.csv", rows)), "--source", "support-desk")
    assert code == 0, output
    assert "line 3: rejected: no record id in 'Id'" in output
    assert "2 records read: 1 matched, 0 unmatched, 1 rejected" in output


def test_demand_imported_before_ids_were_kept_is_not_added_to_until_replaced(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    path = repo / "roadmap" / "insights" / "payment-plans.yaml"
    legacy = (
        "demand:\n  - source: support-desk\n    period: 2026-09\n    count: 10\n    accounts: 5\n"
        "    first_seen: 2026-09-01\n    last_seen: 2026-09-30\n"
    )
    path.write_text(path.read_text() + legacy)
    before = snapshot(repo)
    month = export(tmp_path, "month.csv", SEPTEMBER)
    code, output = run(repo, str(month), "--source", "support-desk")
    assert code == 1 and "Traceback" not in output
    assert (
        "roadmap/insights/payment-plans.yaml: demand of support-desk 2026-09 counts 10 records, "
        "but roadmap/insights/counted/support-desk.tsv lists 0 of them" in output
    )
    assert "hint: import each month's whole export once with --replace support-desk:2026-09" in output
    assert snapshot(repo) == before  # nothing written: a record is never counted twice
    code, output = run(repo, str(month), "--source", "support-desk", "--replace", "support-desk:2026-09")
    assert code == 0, output
    assert demand(repo, "payment-plans") == {("support-desk", "2026-09"): expected()["payment-plans"]}


def test_counted_ids_checked_out_with_crlf_stay_as_they_are(tmp_path: Path) -> None:
    repo = repo_with_two_insights(tmp_path)
    path = export(tmp_path, "month.csv", SEPTEMBER[:8])
    assert run(repo, str(path), "--source", "support-desk")[0] == 0
    kept = repo / "roadmap" / "insights" / "counted" / "support-desk.tsv"
    kept.write_bytes(kept.read_bytes().replace(b"\n", b"\r\n"))
    after = snapshot(repo)
    assert run(repo, str(path), "--source", "support-desk")[0] == 0
    assert snapshot(repo) == after
    assert run(repo, str(export(tmp_path, "rest.csv", SEPTEMBER[8:])), "--source", "support-desk")[0] == 0
    data = kept.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == 2 + len(SEPTEMBER)

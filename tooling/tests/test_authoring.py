"""The writing and reading commands, driven through the CLI on a copy of the example repository."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example

from prodops.cli import cli


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ops")


def run(repo: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()], input=input)
    return result.exit_code, result.output


def content_files(repo: Path) -> list[Path]:
    return sorted(p for folder in ("roadmap", "okrs", "launches", "processes") for p in (repo / folder).rglob("*.yaml"))


def test_set_with_an_unchanged_value_leaves_every_file_byte_for_byte(repo: Path) -> None:
    before = {p: p.read_bytes() for p in content_files(repo)}
    for path in before:
        entity_id = path.stem
        field = "name" if "/teams/" in str(path) else "title"
        value = next(line.split(": ", 1)[1] for line in path.read_text().splitlines() if line.startswith(f"{field}: "))
        value = value.strip("'\"")
        code, output = run(repo, "set", entity_id, field, value, "--string")
        assert code == 0, output
        assert "already so, nothing written" in output
    assert {p: p.read_bytes() for p in content_files(repo)} == before


def test_set_changes_only_the_value(repo: Path) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    before = path.read_text()
    code, output = run(repo, "set", "usage-based-billing", "target.end", "2027-01-29")
    assert (code, output) == (0, "roadmap/usage-based-billing.yaml: target.end set to 2027-01-29\n")
    assert path.read_text() == before.replace("  end: 2027-01-15\n", "  end: 2027-01-29\n")
    code, output = run(repo, "set", "usage-based-billing", "rice.reach", "480")
    assert code == 0 and "  reach: 480\n" in path.read_text()
    assert "# RICE reviewed at roadmap intake; reach is accounts per quarter.\n" in path.read_text()


def test_set_adds_a_missing_field_after_its_siblings(repo: Path) -> None:
    path = repo / "roadmap" / "xero-connector.yaml"
    code, output = run(repo, "set", "xero-connector", "description", "Two-way sync of contacts and invoices.")
    assert code == 0, output
    assert path.read_text().endswith("  - integrations\ndescription: Two-way sync of contacts and invoices.\n")


def test_set_refuses_an_edit_that_would_make_the_file_invalid(repo: Path) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    before = path.read_bytes()
    code, output = run(repo, "set", "usage-based-billing", "status", "someday")
    assert code == 1
    assert "error PO204 status: 'someday' is not one of" in output
    assert "roadmap/usage-based-billing.yaml was not changed" in output
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "no-such-item", "status", "idea"), "no entity 'no-such-item'"),
        (("set", "usage-based-billing", "key_results.9", "x"), "has no item '9'"),
        (("set", "usage-based-billing", "rice", "5"), "rice is a mapping; set one of its fields instead"),
        (("move", "launch-readiness", "--horizon", "now"), "'launch-readiness' is not a roadmap item"),
        (
            ("checkin", "2026-q4-payments-usage-billing.kr9", "--value", "1", "--confidence", "0.5"),
            "has no key result 'kr9'",
        ),
    ],
)
def test_clear_errors(repo: Path, args: tuple[str, ...], message: str) -> None:
    code, output = run(repo, *args)
    assert code != 0
    assert message in output
    assert "Traceback" not in output


def test_move_refuses_now_without_a_key_result(repo: Path) -> None:
    code, output = run(repo, "move", "payment-plans", "--horizon", "now")
    assert code == 1 and "PO401" in output
    code, output = run(repo, "move", "payment-plans", "--horizon", "later")
    assert code == 0 and "horizon: later\n" in (repo / "roadmap" / "payment-plans.yaml").read_text()


def test_checkin_appends_and_updates(repo: Path) -> None:
    path = repo / "okrs" / "2026-Q4" / "2026-q4-payments-usage-billing.yaml"
    code, output = run(
        repo,
        "checkin",
        "2026-q4-payments-usage-billing.kr1",
        "--value",
        "19",
        "--confidence",
        "0.7",
        "--note",
        "Two more design partners live",
        "--author",
        "mateo-garcia",
        "--date",
        "2026-11-21",
    )
    assert code == 0, output
    text = path.read_text()
    assert "    current: 19\n    confidence: 0.7\n" in text
    assert (
        "        author: mateo-garcia\n      - date: 2026-11-21\n        value: 19\n        confidence: 0.7\n        note: Two more design partners live\n        author: mateo-garcia\n  - id: kr2\n"
        in text
    )


def test_new_writes_a_valid_file_and_never_overwrites(repo: Path) -> None:
    args = (
        "new",
        "roadmap-item",
        "--no-input",
        "--title",
        "Dunning for SMB accounts",
        "--set",
        "team=payments",
        "--set",
        "problem=Small customers chase late payers by hand and give up.",
    )
    code, output = run(repo, *args)
    assert (code, output) == (0, "wrote roadmap/dunning-for-smb-accounts.yaml\n")
    text = (repo / "roadmap" / "dunning-for-smb-accounts.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schemas/roadmap-item.schema.json\n")
    assert "id: dunning-for-smb-accounts\ntitle: Dunning for SMB accounts\n" in text
    assert run(repo, "validate", "--no-cache") == (0, "72 files checked: no problems\n")
    code, output = run(repo, *args)
    assert code == 1 and "already exists" in output


def test_new_asks_for_required_fields(repo: Path) -> None:
    answers = (
        "\n".join(
            [
                "Faster refunds",
                "",
                "Refunds take a week because finance approves each one by hand.",
                "idea",
                "later",
                "payments",
            ]
        )
        + "\n"
    )
    code, output = run(repo, "new", "roadmap-item", input=answers)
    assert code == 0, output
    assert (repo / "roadmap" / "faster-refunds.yaml").is_file()


def test_new_refuses_an_unknown_kind(repo: Path) -> None:
    code, output = run(repo, "new", "epic", "--no-input", "--title", "X")
    assert code == 2 and "'epic' is not a kind" in output


def test_show(repo: Path) -> None:
    code, output = run(repo, "show", "usage-based-billing")
    assert code == 0
    assert output.startswith(
        "Usage-based billing plans\nroadmap-item usage-based-billing · roadmap/usage-based-billing.yaml\n"
    )
    assert "  → depends_on: usage-meter-imports" in output
    assert "  ← usage-based-billing-ga (items)" in output
    assert "  ← usage-billing-revenue-recognition (depends_on)" in output


def test_list_filters_and_formats(repo: Path) -> None:
    code, output = run(repo, "list", "roadmap-item", "--team", "payments", "--horizon", "now", "--format", "json")
    rows = json.loads(output)
    assert code == 0 and rows and all(r["team"] == "payments" and r["horizon"] == "now" for r in rows)
    assert [r["rice"] for r in rows] == sorted((r["rice"] for r in rows), reverse=True)
    code, output = run(repo, "list", "launch", "--format", "csv")
    assert output.splitlines()[0] == "id,title,tier,status,ga,owner,team,readiness"
    code, output = run(repo, "list", "objective", "--period", "2026-Q3")
    assert code == 0 and output.splitlines()[0].split() == [
        "id",
        "title",
        "period",
        "level",
        "team",
        "owner",
        "progress",
    ]
    assert len(output.splitlines()) == 2 + 6


def test_graph_and_trace(repo: Path) -> None:
    code, output = run(repo, "graph", "usage-based-billing", "--depth", "1", "--format", "dot")
    assert code == 0 and output.startswith("digraph prodops {")
    assert '"usage-based-billing" -> "usage-meter-imports" [label="depends_on"];' in output
    code, output = run(repo, "graph", "usage-based-billing")
    assert output.startswith("flowchart LR\n")
    code, output = run(repo, "trace", "2026-q4-payments-usage-billing.kr1")
    assert code == 0
    assert (
        "• usage-based-billing — Usage-based billing plans [in-progress, now, due 2027-01-15] owner @mateo-garcia"
        in output
    )
    assert "    depends on usage-meter-imports" in output
    assert "    shipped by usage-based-billing-ga — tier 1, GA 2027-01-20 [beta]" in output


def test_reports(repo: Path) -> None:
    code, output = run(repo, "report", "okrs", "--period", "2026-Q4")
    assert code == 0 and output.startswith("# OKR review 2026-Q4\n")
    assert "**6 objectives · 16 key results · 2 at risk**" in output
    assert "████" in output
    code, output = run(repo, "report", "launches", "--within", "30d")
    assert code == 0 and "## Guided onboarding — GA 2026-12-09" in output
    assert (
        "- @hana-kim: Release notes drafted (in-progress); Help centre: getting started rewritten (in-progress)"
        in output
    )
    code, output = run(repo, "report", "okrs", "--format", "html")
    assert output.startswith("<!doctype html>") and "http" not in output.split("<body>")[0]


def test_exports(repo: Path, tmp_path: Path) -> None:
    assert run(repo, "export", "--format", "json", "--out", str(tmp_path / "ops.json"))[0] == 0
    data = json.loads((tmp_path / "ops.json").read_text())
    assert data["version"] == 1 and len(data["entities"]["roadmap-item"]) == 42
    item = next(i for i in data["entities"]["roadmap-item"] if i["id"] == "usage-based-billing")
    assert item["computed"]["rice_score"] == 112.0
    assert {"field": "items", "kind": "launch", "id": "usage-based-billing-ga"} in item["relations"]["in"]
    assert run(repo, "export", "--format", "csv", "--out", str(tmp_path / "csv"))[0] == 0
    with (tmp_path / "csv" / "launch.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 6
    assert run(repo, "export", "--format", "sqlite", "--out", str(tmp_path / "ops.db"))[0] == 0
    connection = sqlite3.connect(tmp_path / "ops.db")
    (count,) = connection.execute("select count(*) from roadmap_item where horizon = 'now'").fetchone()
    (moves,) = connection.execute("select count(*) from relations where field = 'key_results'").fetchone()
    assert count == 22 and moves > 30
    assert run(repo, "export", "--format", "ics", "--out", str(tmp_path / "launches.ics"))[0] == 0
    ics = (tmp_path / "launches.ics").read_text()
    assert ics.startswith("BEGIN:VCALENDAR\nVERSION:2.0\n") or ics.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20270120" in ics and ics.count("BEGIN:VEVENT") == 12


def test_completion_of_ids_and_kinds(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    from click.shell_completion import ShellComplete

    complete = ShellComplete(cli, {}, "prodops", "_PRODOPS_COMPLETE")
    assert [c.value for c in complete.get_completions(["show"], "usage-based")] == [
        "usage-based-billing",
        "usage-based-billing-ga",
    ]
    assert [c.value for c in complete.get_completions(["new"], "ro")] == ["roadmap-item"]
    assert "validate" in [c.value for c in complete.get_completions([], "va")]


def test_set_replaces_a_block_scalar(repo: Path) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    code, output = run(repo, "set", "usage-based-billing", "description", "Rate usage against price plans.")
    assert code == 0, output
    text = path.read_text()
    assert "description: Rate usage against price plans.\nstatus: in-progress\n" in text


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("key_results.x.title=T", "'x' must be a list position"),
        ("level=company --set level.x=1", "'level' already has a plain value"),
        ("team", "is not FIELD=VALUE"),
    ],
)
def test_new_explains_a_bad_set(repo: Path, assignment: str, message: str) -> None:
    args = [
        "new",
        "objective",
        "--no-input",
        "--title",
        "Win the SMB segment",
        "--set",
        "key_results.0.id=kr1",
    ]
    for one in assignment.split(" --set "):
        args += ["--set", one]
    code, output = run(repo, *args)
    assert code in (1, 2) and message in output and "Traceback" not in output


def test_export_creates_the_folder_it_writes_into(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "not" / "yet" / "there.json"
    code, output = run(repo, "export", "--format", "json", "--out", str(out))
    assert code == 0, output
    assert out.is_file()

"""The writing and reading commands, driven through the CLI on a copy of the example repository."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, TODAY, check_golden, copy_example

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
        field = "name" if "/teams/" in str(path) or "/kpis/" in str(path) else "title"
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
    # Written, and the warning it causes in another file is said at once (not only in CI).
    assert (code, output) == (
        0,
        "roadmap/usage-based-billing.yaml: target.end set to 2027-01-29\n"
        "launches/usage-based-billing-ga.yaml:9:5: warning PO419 GA (2027-01-20) is 9 days before "
        "'usage-based-billing' is due (2027-01-29)\n"
        "prodops: the change adds 1 warning (above); it was written\n",
    )
    assert path.read_text() == before.replace("  end: 2027-01-15\n", "  end: 2027-01-29\n")
    code, output = run(repo, "set", "usage-based-billing", "rice.reach", "480")
    assert code == 0 and "  reach: 480\n" in path.read_text()
    assert "# RICE reviewed at roadmap intake; reach is accounts per quarter.\n" in path.read_text()


def test_set_adds_a_missing_field_after_its_siblings(repo: Path) -> None:
    path = repo / "roadmap" / "xero-connector.yaml"
    code, output = run(repo, "set", "xero-connector", "description", "Two-way sync of contacts and invoices.")
    assert code == 0, output
    assert path.read_text().endswith("  - integrations\ndescription: Two-way sync of contacts and invoices.\n")


def test_set_creates_a_missing_object_and_then_adds_to_it(repo: Path) -> None:
    path = repo / "roadmap" / "xero-connector.yaml"
    before = path.read_text()
    code, output = run(repo, "set", "xero-connector", "target.end", "2027-03-31")
    assert (code, output) == (0, "roadmap/xero-connector.yaml: target.end set to 2027-03-31\n")
    assert path.read_text() == before + "target:\n  end: 2027-03-31\n"
    code, output = run(repo, "set", "xero-connector", "target.quarter", "2027-Q1")
    assert code == 0, output
    assert path.read_text() == before + "target:\n  end: 2027-03-31\n  quarter: 2027-Q1\n"
    code, output = run(repo, "set", "xero-connector", "target.ned", "2027-03-31")
    assert code == 1 and "target: unknown field 'ned'" in output
    assert path.read_text() == before + "target:\n  end: 2027-03-31\n  quarter: 2027-Q1\n"


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
    assert code == 1  # the command was right; the repository has no such thing
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
    assert run(repo, "validate", "--no-cache") == (0, "108 files checked: no problems\n")
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
                "kavya-iyer",  # the owner: asked for every item (rule PO401 needs one in now)
                "",  # key results and RICE: useful, so asked, but may be left empty
                "",
                "",  # the insights it answers, likewise
            ]
        )
        + "\n"
    )
    code, output = run(repo, "new", "roadmap-item", input=answers)
    assert code == 0, output
    text = (repo / "roadmap" / "faster-refunds.yaml").read_text()
    assert "owner: kavya-iyer\n" in text and "\ntarget:" not in text  # an idea in later needs no date yet


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
    ics = (tmp_path / "launches.ics").read_bytes()  # bytes: read_text() would turn CRLF into LF
    assert ics.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert ics.count(b"\n") == ics.count(b"\r\n")  # RFC 5545: every line ends in CRLF
    assert b"DTSTART;VALUE=DATE:20270120" in ics and ics.count(b"BEGIN:VEVENT") == 12


def test_completion_of_ids_and_kinds(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    from click.shell_completion import ShellComplete

    complete = ShellComplete(cli, {}, "prodops", "_PRODOPS_COMPLETE")
    assert [c.value for c in complete.get_completions(["show"], "usage-based")] == [
        "usage-based-billing",
        "usage-based-billing-ga",
        "usage-based-invoicing",
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
    # A --set that is not FIELD=VALUE is a usage error (2); a path that does not fit the data, a problem (1).
    expected = 2 if message == "is not FIELD=VALUE" else 1
    assert code == expected and message in output and "Traceback" not in output


def test_export_creates_the_folder_it_writes_into(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "not" / "yet" / "there.json"
    code, output = run(repo, "export", "--format", "json", "--out", str(out))
    assert code == 0, output
    assert out.is_file()


# --- Edits are checked against the whole repository ---------------------------------------------

GOLDEN = FIXTURES / "authoring"
KR_OBJECTIVE = "2026-q4-payments-usage-billing"


def snapshot(repo: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in content_files(repo)}


def test_set_refuses_renaming_a_key_result_that_other_files_name(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "set", KR_OBJECTIVE, "key_results.0.id", "kr9")
    assert code == 1
    check_golden(GOLDEN / "rename-key-result-refused.txt", output)
    assert snapshot(repo) == before


def test_set_update_references_renames_a_key_result_in_every_file(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "set", KR_OBJECTIVE, "key_results.0.id", "kr9", "--update-references")
    assert (code, output) == (
        0,
        "okrs/2026-Q4/2026-q4-payments-usage-billing.yaml: key_results.0.id set to kr9\n"
        "launches/usage-based-billing-ga.yaml: references updated\n"
        "roadmap/usage-based-billing.yaml: references updated\n"
        "roadmap/usage-meter-imports.yaml: references updated\n",
    )
    after = snapshot(repo)
    old, new = f"{KR_OBJECTIVE}.kr1".encode(), f"{KR_OBJECTIVE}.kr9".encode()
    objective = repo / "okrs" / "2026-Q4" / f"{KR_OBJECTIVE}.yaml"
    for path, data in before.items():
        if path == objective:
            assert after[path] == data.replace(b"  - id: kr1\n", b"  - id: kr9\n", 1)
        else:
            assert after[path] == data.replace(old, new), path
    assert run(repo, "validate", "--no-cache") == (0, "107 files checked: no problems\n")


def test_set_refuses_renaming_a_member_that_other_files_name(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "set", "payments", "members.1.handle", "mateo-g")
    assert code == 1
    check_golden(GOLDEN / "rename-member-refused.txt", output)
    assert snapshot(repo) == before


def test_set_update_references_renames_a_member_everywhere(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "set", "payments", "members.0.handle", "kavya-i", "--update-references")
    assert code == 0, output
    assert output.startswith("processes/teams/payments.yaml: members.0.handle set to kavya-i\n")
    after = snapshot(repo)
    changed = {p.relative_to(repo).as_posix() for p in before if before[p] != after[p]}
    assert "processes/teams/payments.yaml" in changed and len(changed) > 2
    for path, data in before.items():
        # Only whole values change: `lead: kavya-iyer` in the team file itself, `owner: kavya-iyer` elsewhere.
        assert after[path] == data.replace(b": kavya-iyer\n", b": kavya-i\n").replace(b"- kavya-iyer\n", b"- kavya-i\n")
    assert run(repo, "validate", "--no-cache") == (0, "107 files checked: no problems\n")


def test_new_refuses_an_id_that_another_file_uses(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(
        repo,
        "new",
        "team",
        "--no-input",
        "--title",
        "Usage billing",
        "--id",
        "usage-based-billing",
        *("--set", "mission=Bill by usage", "--set", "lead=kavya-iyer", "--set", "handle=@ledgerline/usage"),
        *("--set", "channel=#usage", "--set", "members.0.handle=kavya-iyer"),
        *("--set", "members.0.name=Kavya Iyer", "--set", "members.0.role=Lead"),
    )
    assert code == 1
    check_golden(GOLDEN / "new-duplicate-id-refused.txt", output)
    assert not (repo / "processes" / "teams" / "usage-based-billing.yaml").exists()
    assert snapshot(repo) == before


def test_set_refuses_the_second_edit_that_closes_a_cycle(repo: Path) -> None:
    code, output = run(repo, "set", "customer-health-score", "depends_on.0", "in-app-guides-localisation")
    assert code == 0, output
    before = snapshot(repo)
    code, output = run(repo, "set", "in-app-guides-localisation", "depends_on.0", "customer-health-score")
    assert (code, output) == (
        1,
        "roadmap/customer-health-score.yaml:11:5: error PO305 depends_on: cycle customer-health-score → "
        "in-app-guides-localisation → customer-health-score\n"
        "    hint: break the cycle: remove one of these depends_on entries\n"
        "prodops: roadmap/in-app-guides-localisation.yaml was not changed: depends_on.0 set to customer-health-score"
        " would add the problems above (1 error in 1 file)\n",
    )
    assert snapshot(repo) == before


def test_a_change_to_several_files_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodops import edit

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_bytes(b"a: 1\n")
    second.write_bytes(b"b: 1\n")
    real_replace = Path.replace
    calls: list[Path] = []

    def failing_replace(self: Path, target: Path) -> Path:
        calls.append(Path(target))
        if Path(target) == second and len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"), edit.locked_all([first, second]) as originals:
        edit.replace_all({first: (b"a: 2\n", originals[first]), second: (b"b: 2\n", originals[second])}, root=tmp_path)
    assert (first.read_bytes(), second.read_bytes()) == (b"a: 1\n", b"b: 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]


# --- Encodings and line endings -------------------------------------------------------------------


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


CHECKIN = ("checkin", f"{KR_OBJECTIVE}.kr1", "--value", "19", "--confidence", "0.7", "--note", "More partners")


EDITS = {
    "replace": ("roadmap/usage-based-billing.yaml", ("set", "usage-based-billing", "target.end", "2027-01-29")),
    "block-scalar": ("roadmap/usage-based-billing.yaml", ("set", "usage-based-billing", "description", "Rate usage.")),
    "add-key": ("roadmap/xero-connector.yaml", ("set", "xero-connector", "description", "Two-way sync.")),
    "checkin": (f"okrs/2026-Q4/{KR_OBJECTIVE}.yaml", CHECKIN),
}


@pytest.mark.parametrize(
    ("form", "edit"),
    # Replacing a one-line value never wrote a line break, so it kept CRLF files as they were.
    [(form, edit) for form in ("crlf", "bom", "bom-crlf") for edit in EDITS if (form, edit) != ("crlf", "replace")],
)
def test_edits_keep_the_byte_order_mark_and_line_endings(tmp_path: Path, form: str, edit: str) -> None:
    rel, args = EDITS[edit]
    plain, encoded = copy_example(tmp_path / "lf"), copy_example(tmp_path / form)
    path = encoded / rel
    data = path.read_bytes()
    if "crlf" in form:
        data = crlf(data)
    if "bom" in form:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    assert run(plain, *args)[0] == 0
    code, output = run(encoded, *args)
    assert code == 0, output
    expected = (plain / rel).read_bytes()
    if "crlf" in form:
        expected = crlf(expected)
    if "bom" in form:
        expected = b"\xef\xbb\xbf" + expected
    assert path.read_bytes() == expected


def test_set_on_a_file_with_a_byte_order_mark_and_the_value_on_the_next_line(repo: Path) -> None:
    path = repo / "roadmap" / "payment-plans.yaml"
    text = path.read_bytes().replace(
        b"title: Instalment plans for large invoices\n", b"title:\n  Instalment plans for large invoices\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text)
    code, output = run(repo, "set", "payment-plans", "title", "Payment plans")
    assert (code, output) == (0, "roadmap/payment-plans.yaml: title set to Payment plans\n")
    assert path.read_bytes() == b"\xef\xbb\xbf" + text.replace(
        b"  Instalment plans for large invoices\n", b"  Payment plans\n"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            lambda text: text.replace(b"Usage-based", "Usage-basé".encode("latin-1")),
            "prodops: roadmap/usage-based-billing.yaml:3:17: byte 0xE9 is not valid UTF-8; prodops edits only UTF-8 "
            "files, so it was not changed\n"
            "    hint: save the file as UTF-8 (it may have been saved as Latin-1 or Windows-1252)\n",
        ),
        (
            lambda text: text.decode("utf-8").encode("utf-16"),
            "prodops: roadmap/usage-based-billing.yaml:1:1: file is encoded as UTF-16; prodops edits only UTF-8 files,"
            " so it was not changed\n"
            "    hint: save the file as UTF-8 (without a byte-order mark)\n",
        ),
        (
            lambda text: text.replace(b"\n", b"\r\n", 3),
            "prodops: roadmap/usage-based-billing.yaml: the file mixes line breaks (3 CRLF, {lf} LF); prodops keeps a "
            "file's line breaks as they are and cannot tell which to use, so it was not changed\n"
            "    hint: convert the file to one kind of line break (LF, as the repository's other files), then run the "
            "command again\n",
        ),
    ],
    ids=["latin-1", "utf-16", "mixed-line-breaks"],
)
def test_set_refuses_a_file_it_cannot_write_back_exactly(repo: Path, data, message: str) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    path.write_bytes(data(path.read_bytes()))
    before = path.read_bytes()
    lf = before.count(b"\n") - before.count(b"\r\n")  # counted, so the test does not pin the example's length
    assert run(repo, "set", "usage-based-billing", "status", "planned") == (1, message.format(lf=lf))
    assert path.read_bytes() == before


# --- Interrupted writes and limits ----------------------------------------------------------------

KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
from prodops import edit

def die(self, target):  # the temporary file is written; the process dies before the rename
    os.kill(os.getpid(), signal.SIGKILL)

Path.replace = die
edit.write_atomic(Path(sys.argv[1]), b"x" * 786_432)
"""


def test_the_next_write_removes_what_a_killed_write_left(repo: Path) -> None:
    import subprocess
    import sys

    path = repo / "roadmap" / "usage-based-billing.yaml"
    before = path.read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(path)], check=False)
    assert killed.returncode == -9
    leftovers = [p for p in path.parent.iterdir() if p.name.startswith(".")]
    assert [p.stat().st_size for p in leftovers] == [786_432]
    assert leftovers[0].name.startswith(".usage-based-billing.yaml.") and leftovers[0].name.endswith(".prodops.tmp")
    assert path.read_bytes() == before
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", f"roadmap/{leftovers[0].name}"], cwd=REPO_ROOT, check=False
    )
    assert ignored.returncode == 0, "temporary files are not ignored by Git"
    code, output = run(repo, "set", "usage-based-billing", "target.end", "2027-01-29")
    assert code == 0, output
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_set_refuses_an_edit_that_would_pass_the_size_limit(repo: Path) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    before = path.read_bytes()
    code, output = run(repo, "set", "usage-based-billing", "title", "x" * (1024 * 1024 - len(before) + 30))
    assert (code, output) == (
        1,
        f"prodops: roadmap/usage-based-billing.yaml: the edit would make the file {1024 * 1024 + 5:,} bytes, over the "
        "limit of 1024 KiB (PO107); it was not changed\n"
        "    hint: split the file; one entity per file, and long text belongs in a linked document\n",
    )
    assert path.read_bytes() == before


def test_set_refuses_renaming_an_entity_that_other_files_name(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "set", "usage-based-billing", "id", "usage-billing")
    assert code == 1
    check_golden(GOLDEN / "rename-entity-refused.txt", output)
    assert snapshot(repo) == before


def test_set_update_references_renames_an_entity_and_its_file(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "set", "usage-based-billing", "id", "usage-billing", "--update-references")
    assert (code, output) == (
        0,
        "roadmap/usage-based-billing.yaml: id set to usage-billing\n"
        "roadmap/usage-based-billing.yaml: renamed to roadmap/usage-billing.yaml\n"
        "launches/usage-based-billing-ga.yaml: references updated\n"
        "roadmap/insights/usage-based-invoicing.yaml: references updated\n"
        "roadmap/usage-billing-revenue-recognition.yaml: references updated\n",
    )
    old, new = repo / "roadmap" / "usage-based-billing.yaml", repo / "roadmap" / "usage-billing.yaml"
    assert not old.exists()
    assert new.read_bytes() == before[old].replace(b"id: usage-based-billing\n", b"id: usage-billing\n")
    after = snapshot(repo)
    for path, data in before.items():
        if path != old:
            assert after[path] == data.replace(b"- usage-based-billing\n", b"- usage-billing\n"), path
    assert run(repo, "validate", "--no-cache") == (0, "107 files checked: no problems\n")


def test_a_rename_that_fails_half_way_puts_every_file_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prodops import edit

    replaced, created, removed = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    replaced.write_bytes(b"a: 1\n")
    removed.write_bytes(b"c: 1\n")
    real_unlink = Path.unlink

    def failing_unlink(self: Path, missing_ok: bool = False) -> None:
        if self == removed:
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", failing_unlink)
    with pytest.raises(PermissionError), edit.locked_all([replaced, removed]) as originals:
        edit.replace_all(
            {
                replaced: (b"a: 2\n", originals[replaced]),
                created: (b"b: 2\n", None),
                removed: (None, originals[removed]),
            },
            root=tmp_path,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "c.yaml"]
    assert (replaced.read_bytes(), removed.read_bytes()) == (b"a: 1\n", b"c: 1\n")


def test_update_references_refuses_when_a_file_that_named_the_id_changed_meanwhile(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodops import impact

    real_check = impact.check
    other = repo / "roadmap" / "usage-meter-imports.yaml"

    def check_then_someone_edits(*args, **kwargs):
        found = real_check(*args, **kwargs)
        if other.read_bytes().count(f"{KR_OBJECTIVE}.kr1".encode()):  # once, between finding the uses and writing
            other.write_bytes(
                other.read_bytes().replace(f"{KR_OBJECTIVE}.kr1".encode(), f"{KR_OBJECTIVE}.kr3".encode())
            )
        return found

    monkeypatch.setattr(impact, "check", check_then_someone_edits)
    before = snapshot(repo)
    code, output = run(repo, "set", KR_OBJECTIVE, "key_results.0.id", "kr9", "--update-references")
    assert (code, output) == (
        1,
        "prodops: roadmap/usage-meter-imports.yaml changed while it was being edited; nothing was written, "
        "run the command again\n",
    )
    after = snapshot(repo)
    assert {p for p in before if before[p] != after[p]} == {other}


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("Mateo García", "mateo@ledgerline.example", "mateo-garcia"),  # by name
        ("M. G.", "1234+mateo-garcia@users.noreply.github.com", "mateo-garcia"),  # by handle in the address
        ("Someone Else", "someone@example.com", None),  # nobody matches: no author is written
    ],
)
def test_checkin_takes_its_author_from_the_git_user(repo: Path, name: str, email: str, expected: str | None) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", name], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", email], check=True)
    code, output = run(repo, "checkin", "2026-q4-payments-usage-billing.kr1", "--value", "20", "--confidence", "0.7")
    assert code == 0, output
    text = (repo / "okrs" / "2026-Q4" / "2026-q4-payments-usage-billing.yaml").read_text(encoding="utf-8")
    entry = text[text.index(f"date: {TODAY.isoformat()}") :].split("\n      - ", 1)[0]
    assert (f"author: {expected}" in entry) if expected else ("author:" not in entry)


def test_new_with_a_tier_that_is_not_a_number_is_a_clear_error(repo: Path) -> None:
    sets = [
        "tier=x",
        "items.0=payment-plans",
        "playbook=launch-readiness",
        "owners.product=kavya-iyer",
        "owners.engineering=daniel-mensah",
        "dates.ga=2027-05-04",
    ]
    args = ["new", "launch", "--no-input", "--title", "X launch", *(a for one in sets for a in ("--set", one))]
    code, output = run(repo, *args)
    assert "internal error" not in output and "Traceback" not in output
    # No checklist can be derived for tier 'x'; the message names the field in --set's own syntax.
    assert code == 2, output
    assert output.splitlines()[-1] == "Error: readiness.0.id is required: pass --set readiness.0.id=VALUE"

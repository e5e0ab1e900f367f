"""`prodops checkin --team/--owner/--mine/--from`: a whole team's check-in, written as one change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example

from prodops.cli import cli

PRODOPS = str(Path(sys.executable).parent / "prodops")
TOOLING = str(Path(__file__).resolve().parents[1])
USAGE = "okrs/2026-Q4/2026-q4-payments-usage-billing.yaml"
COLLECTIONS = "okrs/2026-Q4/2026-q4-payments-faster-collections.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ops")


def run(repo: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()], input=input)
    return result.exit_code, result.output


def snapshot(repo: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((repo / "okrs").rglob("*.yaml"))}


def _valid(repo: Path) -> None:
    code, output = run(repo, "validate")
    assert code == 0, output


def test_a_team_check_in_in_a_terminal_asks_each_key_result_and_writes_them_all(repo: Path) -> None:
    before = snapshot(repo)
    child = pexpect.spawn(
        PRODOPS,
        ["checkin", "--team", "payments", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()],
        encoding="utf-8",
        timeout=60,
        env={"NO_COLOR": "1", "TERM": "dumb", "PATH": "/usr/bin:/bin", "HOME": str(repo.parent), "PYTHONPATH": TOOLING},
        dimensions=(50, 250),
    )
    child.expect_exact("[1/5] 2026-q4-payments-faster-collections.kr1: Cut customers' median days sales outstanding")
    child.expect_exact("last 44 days on 2026-11-18; target 40 days; progress 43% at pace 68%; confidence 0.6")
    child.expect_exact("value [Enter keeps 44]:")
    child.sendline("forty")  # not a number: asked again
    child.expect_exact("Error: 'forty' is not a number")
    child.expect_exact("value [Enter keeps 44]:")
    child.sendline("43")
    child.expect_exact("confidence [Enter keeps 0.6]:")
    child.sendline("1.5")  # out of range: asked again
    child.expect_exact("Error: '1.5' is not a confidence from 0 to 1")
    child.sendline("0.65")
    child.expect_exact("note [Enter to skip]:")
    child.sendline("<script>alert(1)</script> two big customers paid early")
    for _ in range(3):  # kr2: Enter at every question skips it
        child.expect_exact("[Enter")
        child.sendline("")
    child.expect_exact("[3/5] 2026-q4-payments-usage-billing.kr1")
    child.expect_exact("value [Enter keeps 16]:")
    child.sendline("19")
    child.expect_exact("confidence [Enter keeps 0.6]:")
    child.sendline("")  # Enter keeps the confidence
    child.expect_exact("note [Enter to skip]:")
    child.sendline("")
    for _ in range(6):  # kr2 and kr3 of usage billing: skipped
        child.expect_exact("[Enter")
        child.sendline("")
    child.expect_exact(f"{COLLECTIONS}: checked in 2026-q4-payments-faster-collections.kr1: 43 at confidence 0.65")
    child.expect_exact(f"{USAGE}: checked in 2026-q4-payments-usage-billing.kr1: 19 at confidence 0.6")
    child.expect_exact("2 check-ins written to 2 files")
    # The new value of a key result that tracks a KPI disagrees with the KPI: said, one line.
    child.expect_exact(f"{COLLECTIONS}:22:14: warning PO442 key result 'kr1' tracks KPI 'median-dso'")
    child.expect_exact("prodops: the change adds 1 warning (above); it was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    after = snapshot(repo)
    assert {p.relative_to(repo).as_posix() for p in before if before[p] != after[p]} == {USAGE, COLLECTIONS}
    text = (repo / USAGE).read_text(encoding="utf-8")
    assert "    current: 19\n    confidence: 0.6\n" in text
    assert "      - date: 2026-12-02\n        value: 19\n        confidence: 0.6\n  - id: kr2\n" in text
    collections = (repo / COLLECTIONS).read_text(encoding="utf-8")
    assert "        note: <script>alert(1)</script> two big customers paid early\n" in collections
    _valid(repo)


CSV = (
    "kr,value,confidence,note\n"
    '2026-q4-payments-usage-billing.kr1,19,0.7,"Two more partners, both live"\n'
    "2026-q4-payments-usage-billing.kr2,,,\n"
    "2026-q4-payments-faster-collections.kr2,84,,\n"
)


def test_answers_from_a_csv_file_are_written_as_one_change(repo: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(CSV, encoding="utf-8")
    code, output = run(repo, "checkin", "--team", "payments", "--from", str(answers))
    assert (code, output) == (
        0,
        f"{USAGE}: checked in 2026-q4-payments-usage-billing.kr1: 19 at confidence 0.7\n"
        f"{COLLECTIONS}: checked in 2026-q4-payments-faster-collections.kr2: 84 at confidence 0.8\n"
        "2 check-ins written to 2 files\n"
        f"{COLLECTIONS}:49:14: warning PO442 key result 'kr2' tracks KPI 'auto-reconciliation-rate', whose latest "
        "value in 2026-Q4 is 82 (2026-11-18), but its current value is 84\n"
        "prodops: the change adds 1 warning (above); it was written\n",
    )
    text = (repo / USAGE).read_text(encoding="utf-8")
    assert "        note: Two more partners, both live\n" in text
    _valid(repo)


def test_answers_from_a_yaml_file_without_a_team_take_any_current_key_result(repo: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("- kr: 2026-q4-payments-usage-billing.kr3\n  value: 90000\n  confidence: 0.35\n")
    code, output = run(repo, "checkin", "--from", str(answers))
    assert code == 0, output
    assert output.startswith(f"{USAGE}: checked in 2026-q4-payments-usage-billing.kr3: 90000 at confidence 0.35\n")
    assert "    current: 90000\n    confidence: 0.35\n" in (repo / USAGE).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "answers.csv",
            "kr,value,confidence,note\n"
            "2026-q4-payments-usage-billing.kr1,19,0.7,\n"
            "2026-q4-payments-usage-biling.kr2,3,0.4,\n"
            "2026-q4-payments-usage-billing.kr3,lots,,\n"
            "2026-q4-payments-usage-billing.kr1,1e400,,\n"
            "../../etc/passwd,1,1,\n"
            "2026-q4-payments-faster-collections.kr1,40,2,\n",
            "prodops: answers.csv:3:1: kr: '2026-q4-payments-usage-biling.kr2' is not a key result to check in "
            "(did you mean '2026-q4-payments-usage-billing.kr2'?)\n"
            "answers.csv:4:36: value: 'lots' is not a number\n"
            "answers.csv:5:1: kr: '2026-q4-payments-usage-billing.kr1' is answered already on line 2; "
            "keep one line per key result\n"
            "answers.csv:6:1: kr: '../../etc/passwd' is not a key result to check in\n"
            "answers.csv:7:44: confidence: '2' is not a confidence from 0 to 1\n"
            "nothing was written; fix the lines above\n",
        ),
        (
            "answers.csv",
            "kr,value,mood\n",
            "prodops: answers.csv:1:1: the header has unknown column 'mood'; the columns are kr, value, confidence, "
            "note (kr required)\n",
        ),
        (
            "answers.yaml",
            "- kr: 2026-q4-payments-usage-billing.kr1\n  value: 19\n- kr: 2026-q4-payments-usage-billing.kr2\n"
            '  note: "bell \\a in it"\n',
            "prodops: answers.yaml:4:9: note: the note has a control character; write plain text\n"
            "nothing was written; fix the lines above\n",
        ),
        (
            "answers.yaml",
            "kr: 2026-q4-payments-usage-billing.kr1\n",
            "prodops: answers.yaml:1:1: the answers are a list, one item per key result (- kr: ..., value: ...)\n",
        ),
    ],
)
def test_a_wrong_answers_file_names_each_line_and_writes_nothing(
    repo: Path, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    before = snapshot(repo)
    answers = tmp_path / name
    answers.write_text(text, encoding="utf-8")
    code, output = run(repo, "checkin", "--team", "payments", "--from", str(answers))
    assert (code, output) == (1, expected)
    assert snapshot(repo) == before


def test_a_failure_while_writing_leaves_every_file_as_it_was(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(CSV, encoding="utf-8")
    before = snapshot(repo)
    real = Path.replace
    calls: list[Path] = []

    def failing(self: Path, target: str | Path) -> Path:
        # The second file's rename fails (a full disk, a crash): the first, already renamed, is put back.
        calls.append(Path(target))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    result = CliRunner().invoke(
        cli, ["checkin", "--team", "payments", "--from", str(answers), "--root", str(repo), "--today", "2026-12-02"]
    )
    monkeypatch.setattr(Path, "replace", real)
    assert result.exit_code != 0
    assert len(calls) >= 3  # two renames tried, then the first file put back
    assert snapshot(repo) == before
    assert not [p for p in (repo / "okrs").rglob("*") if p.name.endswith(".prodops.tmp")]


def _git_user(repo: Path, name: str, email: str) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", name], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.email", email], check=True)


def test_mine_is_the_key_results_the_git_user_reports_on(repo: Path, tmp_path: Path) -> None:
    _git_user(repo, "K. I.", "kavya-iyer@ledgerline.example")
    answers = tmp_path / "answers.csv"
    answers.write_text("kr,value\n2026-q4-payments-usage-billing.kr1,19\n", encoding="utf-8")
    code, output = run(repo, "checkin", "--mine", "--from", str(answers))
    # kr1 is Mateo's (the objective's owner); Kavya reports on kr3 only.
    assert (code, output) == (
        1,
        "prodops: answers.csv:2:1: kr: '2026-q4-payments-usage-billing.kr1' is not a key result to check in "
        "(did you mean '2026-q4-payments-usage-billing.kr3'?)\n"
        "nothing was written; fix the lines above\n",
    )
    answers.write_text("kr,value\n2026-q4-payments-usage-billing.kr3,90000\n", encoding="utf-8")
    code, output = run(repo, "checkin", "--mine", "--from", str(answers))
    assert code == 0, output
    assert "        author: kavya-iyer\n" in (repo / USAGE).read_text(encoding="utf-8").split("  - id: kr3")[1]


def test_mine_without_a_matching_member_is_a_clear_error(repo: Path) -> None:
    _git_user(repo, "Some One", "someone@example.com")
    code, output = run(repo, "checkin", "--mine")
    assert (code, output) == (
        1,
        "prodops: --mine: the Git user Some One <someone@example.com> is no team member\n"
        "    hint: add yourself to a team's members (processes/teams/) with your handle or name, "
        "or pass --owner HANDLE\n",
    )


def test_an_unknown_team_or_owner_is_named_with_the_closest(repo: Path) -> None:
    assert run(repo, "checkin", "--team", "payment") == (1, "prodops: no team 'payment' (did you mean 'payments'?)\n")
    assert run(repo, "checkin", "--owner", "mateo-garcai") == (
        1,
        "prodops: 'mateo-garcai' is no team member (did you mean 'mateo-garcia'?)\n",
    )
    code, output = run(repo, "checkin", "--team", "payments", "--value", "3")
    assert code == 2 and "give either OBJECTIVE.KR with --value, or --team/--owner/--mine/--from" in output


def test_one_key_result_still_needs_its_value_and_confidence(repo: Path) -> None:
    code, output = run(repo, "checkin")
    assert code == 2 and "name a key result (OBJECTIVE.KR), or check in a team with --team TEAM" in output
    code, output = run(repo, "checkin", "2026-q4-payments-usage-billing.kr1", "--value", "19")
    assert code == 2 and "checking in 2026-q4-payments-usage-billing.kr1 needs --value and --confidence" in output


def test_an_interrupted_session_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    code, output = run(repo, "checkin", "--team", "payments", input="43\n0.65\nA note\n19\n")  # input ends at kr2
    assert code == 1 and "Aborted!" in output
    assert snapshot(repo) == before


def test_a_day_in_no_period_has_nothing_to_check_in(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["checkin", "--team", "payments", "--root", str(repo), "--today", "2031-02-03"])
    assert (result.exit_code, result.output) == (
        0,
        "no key results of team payments in a period that contains 2031-02-03; nothing to check in\n",
    )


def test_a_change_of_several_files_that_adds_an_error_writes_none(repo: Path) -> None:
    from prodops import authoring

    before = snapshot(repo)

    def good(text: str) -> str:
        return text.replace("    current: 16\n", "    current: 17\n", 1)

    def bad(text: str) -> str:
        return text.replace("    current: 44\n", "    current: lots\n", 1)

    outcome = authoring.apply_many(repo, {USAGE: good, COLLECTIONS: bad}, EXAMPLE_TODAY)
    assert not outcome.changed
    assert [(d.file, d.code) for d in outcome.problems] == [(COLLECTIONS, "PO203")]  # not a number
    assert snapshot(repo) == before
    outcome = authoring.apply_many(repo, {USAGE: good, COLLECTIONS: lambda text: text}, EXAMPLE_TODAY)
    assert outcome.changed and outcome.rel == USAGE and outcome.updated == []
    assert "    current: 17\n" in (repo / USAGE).read_text()

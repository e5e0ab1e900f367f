"""`prodops new`, answered in a real pseudo-terminal as a PM would: one typo each, and a valid file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example

from prodops.cli import cli

PRODOPS = str(Path(sys.executable).parent / "prodops")
# The package of this checkout (the installed script may point at another one).
TOOLING = str(Path(__file__).resolve().parents[1])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ops")


def _session(repo: Path, kind: str) -> pexpect.spawn:
    child = pexpect.spawn(
        PRODOPS,
        ["new", kind, "--root", str(repo), "--today", TODAY.isoformat()],
        encoding="utf-8",
        timeout=60,
        env={"NO_COLOR": "1", "TERM": "dumb", "PATH": "/usr/bin:/bin", "HOME": str(repo.parent), "PYTHONPATH": TOOLING},
        dimensions=(50, 250),
    )
    return child


def _answer(child: pexpect.spawn, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def _valid(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def test_new_roadmap_item_asks_what_the_rules_need_and_corrects_a_typo(repo: Path) -> None:
    child = _session(repo, "roadmap-item")
    _answer(child, "Title:", "Dunning for small businesses")
    _answer(child, "problem (", "Small customers forget to chase overdue invoices and lose cash.")
    _answer(child, "status (", "in-progres")  # the typo
    child.expect_exact(
        "Error: 'in-progres' is not one of idea, discovery, planned, in-progress, shipped, cancelled (did you mean 'in-progress'?)"
    )
    _answer(child, "status (", "in-progress")
    _answer(child, "horizon (", "now")
    _answer(child, "team (", "payments")
    _answer(child, "owner (", "mateo-garcia")
    _answer(child, "target.quarter (", "")  # the proposed current quarter
    _answer(child, "target.end (", "2026-12-18")
    # In progress, so rule PO401 wants a key result: asked for, with the known ones listed.
    _answer(child, "key_results (", "2026-q4-payments-usage-billing.kr2")
    _answer(child, "rice.reach (", "")  # RICE is useful, not required: Enter leaves it out
    _answer(child, "addresses (", "")  # the insights it answers: Enter leaves them out
    child.expect_exact("wrote roadmap/dunning-for-small-businesses.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (repo / "roadmap" / "dunning-for-small-businesses.yaml").read_text(encoding="utf-8")
    assert "owner: mateo-garcia\n" in text and "target:\n  quarter: 2026-Q4\n  end: 2026-12-18\n" in text
    assert "key_results:\n  - 2026-q4-payments-usage-billing.kr2\n" in text
    _valid(repo)


def test_new_launch_builds_owners_dates_and_the_checklist(repo: Path) -> None:
    child = _session(repo, "launch")
    _answer(child, "Title:", "Dunning for small businesses")
    _answer(child, "tier (", "3")
    _answer(child, "status (", "")  # planned
    _answer(child, "items (", "dunning-for-smb")  # the typo: no such item
    child.expect_exact("Error: 'dunning-for-smb' is not one of")
    _answer(child, "items (", "payment-plans")
    _answer(child, "playbook (", "launch-readiness")
    _answer(child, "owners.product (", "kavya-iyer")
    _answer(child, "owners.engineering (", "daniel-mensah")
    _answer(child, "dates.ga (", "2027-05-04")
    child.expect_exact("readiness: 1 checklist items from playbook 'launch-readiness' for tier 3")
    child.expect_exact("wrote launches/dunning-for-small-businesses.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (repo / "launches" / "dunning-for-small-businesses.yaml").read_text(encoding="utf-8")
    assert "owners:\n  product: kavya-iyer\n  engineering: daniel-mensah\n" in text
    assert "dates:\n  ga: 2027-05-04\n" in text and "readiness:\n  - id: release-notes\n" in text
    _valid(repo)


def test_new_roadmap_item_forgives_case_and_asks_again_until_each_answer_is_valid(repo: Path) -> None:
    child = _session(repo, "roadmap-item")
    _answer(child, "Title:", "Dunning for small businesses")
    _answer(child, "problem (", "Small customers forget to chase overdue invoices and lose cash.")
    _answer(child, "status (", "Planned")  # one value only, in another case
    _answer(child, "horizon (", "next")
    _answer(child, "team (", "payments")
    _answer(child, "owner (", "mateo-garcia")
    _answer(child, "target.quarter (", "2027-q1")  # the calendar writes 2027-Q1
    _answer(child, "target.end (", "2027-03-19")
    _answer(child, "key_results (", "2026-q4-payments-usage-billing.kr2, 2026-q4-payments-usage-biling.kr1")
    child.expect_exact("(did you mean '2026-q4-payments-usage-billing.kr1'?)")
    _answer(child, "key_results (", "2026-q4-payments-usage-billing.kr2, 2026-q4-payments-usage-billing.kr1")
    _answer(child, "rice.reach (", "-4")
    child.expect_exact("Error: '-4' is less than the minimum of 0")
    _answer(child, "rice.reach (", "300")
    _answer(child, "rice.impact (", "4")
    child.expect_exact("Error: '4' is not one of 0.25, 0.5, 1, 2, 3")
    _answer(child, "rice.impact (", "2")
    _answer(child, "rice.confidence (", "1")  # the schema writes 1.0
    _answer(child, "rice.effort (", "3")
    # The insights it answers: each insight holds the relation (addressed_by), so those files get the item.
    child.expect_exact("addresses: one or more of approval-for-credit-notes,")
    _answer(
        child, "addresses (the insights this roadmap-item answers) [Enter to skip]:", "Proration-Disputes, cash-forcast"
    )
    child.expect_exact("Error: 'cash-forcast' is not one of 24 known values (did you mean 'cash-forecast'?)")
    _answer(child, "addresses (", "proration-disputes, cash-forecast")
    child.expect_exact("wrote roadmap/dunning-for-small-businesses.yaml")
    child.expect_exact("roadmap/insights/proration-disputes.yaml: addressed_by: added dunning-for-small-businesses")
    child.expect_exact("roadmap/insights/cash-forecast.yaml: addressed_by: added dunning-for-small-businesses")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (repo / "roadmap" / "dunning-for-small-businesses.yaml").read_text(encoding="utf-8")
    assert "status: planned\n" in text and "quarter: 2027-Q1\n" in text
    assert "key_results:\n  - 2026-q4-payments-usage-billing.kr2\n  - 2026-q4-payments-usage-billing.kr1\n" in text
    assert "rice:\n  reach: 300\n  impact: 2\n  confidence: 1.0\n  effort: 3\n" in text
    insight = (repo / "roadmap" / "insights" / "proration-disputes.yaml").read_text(encoding="utf-8")
    assert "addressed_by:\n  - proration-rounding-fix\n  - dunning-for-small-businesses\nsegments:\n" in insight
    assert "  - dunning-for-small-businesses\n" in (repo / "roadmap" / "insights" / "cash-forecast.yaml").read_text()
    _valid(repo)


def test_an_interrupted_new_keeps_its_answers_and_the_next_one_resumes_them(repo: Path) -> None:
    child = _session(repo, "roadmap-item")
    _answer(child, "Title:", "Dunning for small businesses")
    _answer(child, "problem (", "Small customers forget to chase overdue invoices and lose cash.")
    _answer(child, "status (", "in-progress")
    child.expect_exact("horizon (")
    child.sendintr()  # Ctrl-C
    child.expect_exact("your answers are kept in .prodops-cache/drafts/roadmap-item.json")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not (repo / "roadmap" / "dunning-for-small-businesses.yaml").exists()

    child = _session(repo, "roadmap-item")
    _answer(child, "resume it? [Y/n]:", "")
    # Title, problem and status are not asked again.
    _answer(child, "horizon (", "now")
    _answer(child, "team (", "payments")
    _answer(child, "owner (", "mateo-garcia")
    _answer(child, "target.quarter (", "")
    _answer(child, "target.end (", "2026-12-18")
    _answer(child, "key_results (", "2026-q4-payments-usage-billing.kr2")
    _answer(child, "rice.reach (", "")
    _answer(child, "addresses (", "")
    child.expect_exact("wrote roadmap/dunning-for-small-businesses.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (repo / "roadmap" / "dunning-for-small-businesses.yaml").read_text(encoding="utf-8")
    assert "problem: Small customers forget to chase overdue invoices and lose cash.\n" in text
    assert "status: in-progress\n" in text
    assert not (repo / ".prodops-cache" / "drafts" / "roadmap-item.json").exists()
    _valid(repo)


def test_new_discard_draft_starts_afresh(repo: Path) -> None:
    from prodops import drafts

    drafts.save(repo, "roadmap-item", drafts.Draft("Old idea", "old-idea", {"id": "old-idea", "title": "Old idea"}))
    args = ["new", "roadmap-item", "--root", str(repo), "--discard-draft", "--no-input", "--title", "Fresh"]
    result = CliRunner().invoke(
        cli, [*args, "--set", "team=payments", "--set", "problem=Customers cannot pay by card."]
    )
    assert result.exit_code == 0, result.output
    assert drafts.load(repo, "roadmap-item") is None


def test_new_tier1_launch_asks_for_go_no_go_and_the_plans_the_rules_require(repo: Path) -> None:
    child = _session(repo, "launch")
    _answer(child, "Title:", "Dunning for small businesses")
    _answer(child, "tier (", "1")
    _answer(child, "status (", "")  # planned
    _answer(child, "items (", "payment-plans")
    _answer(child, "playbook (", "launch-readiness")
    _answer(child, "owners.product (", "kavya-iyer")
    _answer(child, "owners.engineering (", "daniel-mensah")
    _answer(child, "dates.ga (", "2027-05-04")
    # Rule PO405: a tier-1 launch has go/no-go approvers, a rollback plan and a communications plan.
    _answer(child, "go_no_go.decision (", "")  # pending
    _answer(child, "go_no_go.approvers (", "amara-okafor, jonas-webr")
    child.expect_exact("(did you mean 'jonas-weber'?)")
    _answer(child, "go_no_go.approvers (", "amara-okafor, jonas-weber")
    _answer(child, "go_no_go.date (", "2027-04-20")
    _answer(child, "rollback_plan (", "Turn off the dunning feature flag; the finance lead decides.")
    _answer(child, "communications.internal (", "Announce in #launches the day before GA.")
    _answer(child, "communications.external (", "Email to admins and a changelog entry.")
    child.expect_exact("wrote launches/dunning-for-small-businesses.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (repo / "launches" / "dunning-for-small-businesses.yaml").read_text(encoding="utf-8")
    assert (
        "go_no_go:\n  decision: pending\n  approvers:\n    - amara-okafor\n    - jonas-weber\n  date: 2027-04-20\n"
        in text
    )
    _valid(repo)


def test_new_team_in_a_repository_with_no_teams_makes_the_lead_its_first_member(repo: Path) -> None:
    # As the README tells an adopter: the example's people and everything naming them are deleted.
    for folder in ("roadmap", "okrs", "launches", "processes"):
        shutil.rmtree(repo / folder)
    child = _session(repo, "team")
    _answer(child, "Name:", "Payments")
    child.expect_exact("lead: nobody is in a team yet; the lead becomes this team's first member")
    _answer(child, "lead (", "@ana-silva")
    child.expect_exact("Error: '@ana-silva' does not match")
    _answer(child, "lead (", "ana-silva")
    _answer(child, "lead's name (", "Ana Silva")
    _answer(child, "handle (", "@acme/payments")
    child.expect_exact("wrote processes/teams/payments.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (repo / "processes" / "teams" / "payments.yaml").read_text(encoding="utf-8")
    assert "lead: ana-silva\n" in text and "members:\n  - handle: ana-silva\n    name: Ana Silva\n" in text
    _valid(repo)


def test_a_refused_answer_is_asked_again_and_the_rest_kept_in_a_draft_on_interrupt(repo: Path) -> None:
    answers = [
        "Dunning for small businesses",
        *("1", "", "payment-plans", "launch-readiness", "kavya-iyer", "daniel-mensah", "2027-05-04"),
        *("", "amara-okafor", "2027-05-10"),  # go/no-go after GA: refused by rule PO417
        *("Turn off the flag.", "In #launches.", "Email to admins."),
    ]
    args = ["new", "launch", "--root", str(repo), "--today", TODAY.isoformat()]
    # The refused go/no-go is asked again; the input ends there (as an interrupt would).
    result = CliRunner().invoke(cli, args, input="\n".join(answers) + "\n")
    assert result.exit_code == 1 and "PO417" in result.output, result.output
    assert "asking again for go_no_go" in result.output
    assert "your answers are kept in .prodops-cache/drafts/launch.json" in result.output
    # Resumed, only the refused go/no-go is asked again.
    result = CliRunner().invoke(cli, args, input="\n".join(["y", "", "amara-okafor", "2027-04-20"]) + "\n")
    assert result.exit_code == 0, result.output
    assert "dates.ga" not in result.output and "rollback_plan" not in result.output
    _valid(repo)


def test_a_refused_answer_is_asked_again_in_the_same_session(repo: Path) -> None:
    answers = [
        "Dunning for small businesses",
        *("1", "", "payment-plans", "launch-readiness", "kavya-iyer", "daniel-mensah", "2027-05-04"),
        *("", "amara-okafor", "2027-05-10"),
        *("Turn off the flag.", "In #launches.", "Email to admins."),
        *("", "amara-okafor", "2027-04-20"),  # asked again
    ]
    args = ["new", "launch", "--root", str(repo), "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, args, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "asking again for go_no_go" in result.output and "wrote launches/" in result.output
    _valid(repo)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("../../etc/passwd", "Error: '../../etc/passwd' is not one of 24 known values"),
        ("<script>alert(1)</script>", "Error: '<script>alert(1)</script>' is not one of 24 known values"),
        ("proration-disputs", "(did you mean 'proration-disputes'?)"),
    ],
)
def test_new_without_input_takes_the_insights_from_set_and_refuses_unknown_ones(
    repo: Path, value: str, expected: str
) -> None:
    args = ["new", "roadmap-item", "--root", str(repo), "--today", TODAY.isoformat(), "--no-input"]
    args += ["--title", "Dunning for SMB", "--set", "team=payments", "--set", "problem=Overdue invoices pile up."]
    result = CliRunner().invoke(cli, [*args, "--set", f"addresses={value}"])
    assert result.exit_code == 2 and expected in result.output, result.output
    assert not (repo / "roadmap" / "dunning-for-smb.yaml").exists()
    result = CliRunner().invoke(cli, [*args, "--set", "addresses=proration-disputes,cash-forecast"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "wrote roadmap/dunning-for-smb.yaml\n"
        "roadmap/insights/proration-disputes.yaml: addressed_by: added dunning-for-smb\n"
        "roadmap/insights/cash-forecast.yaml: addressed_by: added dunning-for-smb\n"
    )
    _valid(repo)

"""Required approvals (PO504/PO505/PO506): a pull request's reviews against the approvers a lifecycle names."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example

from prodops.approvals import decide, slug
from prodops.cli import cli
from prodops.pipeline import build
from prodops.render import SiteOptions, render_site

HEAD = "a" * 40
OLD = "b" * 40


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example, whose base revision requires approvals: discovery → planned by the owning team's lead,
    and any stage change of a tier-1 launch by both the platform lead and a security engineer."""
    root = copy_example(tmp_path / "ops")
    _edit(
        root / "processes" / "roadmap-intake.yaml",
        "    - to: planned\n      from: [idea, discovery]\n      requires: [owner, target-date]\n",
        "    - to: planned\n      from: [idea, discovery]\n      requires: [owner, target-date]\n"
        "      approved-by: [owning-team-lead, role:chief-product-officer]\n",
    )
    _edit(
        root / "processes" / "launch-readiness.yaml",
        "  transitions:\n",
        "  approvals:\n    - applies_when: {tier: [1]}\n      all-of: [lead:platform, role:security-engineer]\n"
        "  transitions:\n",
    )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Example organisation with required approvals")
    return root


def _review(
    login: str, state: str = "APPROVED", commit: str = HEAD, at: str = "2026-12-01T10:00:00Z"
) -> dict[str, Any]:
    return {"user": {"login": login}, "state": state, "commit_id": commit, "submitted_at": at}


def _validate(repo: Path, reviews: list[dict[str, Any]] | None, tmp_path: Path) -> tuple[int, str]:
    args = ["validate", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--base", "HEAD", "--no-cache"]
    if reviews is not None:
        path = tmp_path / "reviews.json"
        path.write_text(json.dumps(reviews))
        args += ["--approvals", str(path), "--head-sha", HEAD]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout


def _plan_cash_forecast(repo: Path) -> None:
    _edit(repo / "roadmap" / "cash-forecast-dashboard.yaml", "status: discovery", "status: planned")


PLANNED = (
    "roadmap/cash-forecast-dashboard.yaml:6:9: error PO504 discovery → planned requires approval by the lead of "
    "the owning team 'payments' or a member with the role 'chief-product-officer' (playbook 'roadmap-intake')"
)


def test_a_transition_without_the_required_approval_fails_naming_who_may_give_it(repo: Path, tmp_path: Path) -> None:
    _plan_cash_forecast(repo)
    code, output = _validate(repo, [], tmp_path)
    assert code == 1
    assert PLANNED in output
    assert "Kavya Iyer (@kavya-iyer)" in output


def test_an_approval_from_the_right_person_on_the_head_commit_passes(repo: Path, tmp_path: Path) -> None:
    _plan_cash_forecast(repo)
    code, output = _validate(repo, [_review("Kavya-Iyer")], tmp_path)
    assert code == 0  # logins compare without case
    assert "PO504" not in output and "PO505" not in output


@pytest.mark.parametrize(
    "reviews",
    [
        pytest.param([_review("mallory")], id="not-a-member"),
        pytest.param([_review("mateo-garcia")], id="a-member-without-the-role"),
        pytest.param([_review("kavya-iyer", "DISMISSED")], id="dismissed"),
        pytest.param([_review("kavya-iyer", "COMMENTED")], id="a-comment"),
        pytest.param(
            [_review("kavya-iyer"), _review("kavya-iyer", "CHANGES_REQUESTED", at="2026-12-01T11:00:00Z")],
            id="later-changes-requested",
        ),
        pytest.param([_review("kavya-iyer", commit=OLD)], id="before-the-last-push"),
    ],
)
def test_approvals_that_do_not_count(repo: Path, tmp_path: Path, reviews: list[dict[str, Any]]) -> None:
    _plan_cash_forecast(repo)
    code, output = _validate(repo, reviews, tmp_path)
    assert code == 1
    assert PLANNED in output


def test_without_reviews_an_approval_is_reported_as_pending(repo: Path, tmp_path: Path) -> None:
    _plan_cash_forecast(repo)
    _, output = _validate(repo, None, tmp_path)
    assert (
        "roadmap/cash-forecast-dashboard.yaml:6:9: warning PO505 discovery → planned will need approval by the lead "
        "of the owning team 'payments'"
    ) in output
    assert "PO504" not in output


def _cancel_usage_billing(repo: Path) -> None:
    _edit(repo / "launches" / "usage-based-billing-ga.yaml", "status: beta", "status: cancelled")


@pytest.mark.parametrize(
    ("approvers", "missing"),
    [
        ([], ["lead of team 'platform'", "role 'security-engineer'"]),
        (["ben-carter"], ["role 'security-engineer'"]),
        (["ravi-menon"], ["lead of team 'platform'"]),
        (["ben-carter", "ravi-menon"], []),
    ],
)
def test_all_of_needs_every_approver_for_any_stage_change_of_the_tier(
    repo: Path, tmp_path: Path, approvers: list[str], missing: list[str]
) -> None:
    _cancel_usage_billing(repo)
    _, output = _validate(repo, [_review(login) for login in approvers], tmp_path)
    found = [line for line in output.splitlines() if "PO504" in line]
    assert len(found) == len(missing)
    for line in found:
        assert line.startswith("launches/usage-based-billing-ga.yaml:7:9: error PO504 beta → cancelled requires")
    for what in missing:
        assert any(what in line for line in found), what


def test_a_tier_approval_does_not_apply_to_other_tiers(repo: Path, tmp_path: Path) -> None:
    _edit(repo / "launches" / "guided-onboarding.yaml", "status: beta", "status: cancelled")  # tier 2
    _, output = _validate(repo, [], tmp_path)
    assert "PO504" not in output


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[{", "reviews.json:1:3: error PO506 the reviews are not JSON"),
        ('{"state": "APPROVED"}', "reviews.json:1:1: error PO506 the reviews must be a JSON list"),
        ('[{"state": "LGTM", "user": {"login": "x"}}]', "error PO506 review [0] needs user.login"),
    ],
)
def test_a_malformed_reviews_file_is_a_diagnostic(repo: Path, tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(text)
    args = ["validate", "--root", str(repo), "--base", "HEAD", "--no-cache", "--approvals", str(path)]
    result = CliRunner().invoke(cli, [*args, "--today", EXAMPLE_TODAY.isoformat(), "--head-sha", HEAD])
    assert result.exit_code == 1
    assert where in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_short_head_sha_is_resolved_to_the_commit(repo: Path, tmp_path: Path) -> None:
    _plan_cash_forecast(repo)
    head = _git(repo, "rev-parse", "HEAD").strip()
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([_review("kavya-iyer", commit=head)]))
    args = ["validate", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--base", "HEAD", "--no-cache"]
    result = CliRunner().invoke(cli, [*args, "--approvals", str(path), "--head-sha", head[:10]])
    assert "PO504" not in result.stdout
    assert result.exit_code == 0


def test_approvals_need_a_base(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    path.write_text("[]")
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--approvals", str(path)])
    assert result.exit_code == 2
    assert "pass --base too" in result.output


def test_the_latest_verdict_wins_and_a_comment_leaves_an_approval_standing() -> None:
    reviews = [
        _review("a", "CHANGES_REQUESTED", at="2026-12-01T09:00:00Z"),
        _review("a", at="2026-12-01T10:00:00Z"),
        _review("a", "COMMENTED", at="2026-12-01T11:00:00Z"),
        _review("b", at="2026-12-01T12:00:00Z"),
        _review("b", "DISMISSED", at="2026-12-01T12:00:00Z"),  # same time: the later in the list wins
    ]
    assert decide(reviews, HEAD).approved == frozenset({"a"})


def test_a_review_by_a_deleted_account_counts_for_nobody(repo: Path, tmp_path: Path) -> None:
    ghost = {"user": None, "state": "APPROVED", "commit_id": HEAD, "submitted_at": "2026-12-01T10:00:00Z"}
    _plan_cash_forecast(repo)
    code, output = _validate(repo, [ghost], tmp_path)
    assert code == 1
    assert PLANNED in output and "PO506" not in output


def test_a_role_is_named_by_its_slug() -> None:
    assert slug("Product Manager, Billing") == "product-manager-billing"


def test_the_playbook_page_explains_the_lifecycle_and_its_approvals(repo: Path) -> None:
    pages = render_site(build(repo, today=EXAMPLE_TODAY), SiteOptions(today=EXAMPLE_TODAY)).pages
    intake = pages["playbook/roadmap-intake.md"]
    assert "## Lifecycle" in intake
    assert (
        "<tr><td>planned</td><td>idea, discovery</td><td>owner, target-date</td>"
        "<td>the owning team&#39;s lead or a member with the role &#39;chief-product-officer&#39;</td></tr>"
    ) in intake
    launches = pages["playbook/launch-readiness.md"]
    assert (
        "Every status change of a tier 1 launch needs approval by the lead of team &#39;platform&#39;, "
        "and by a member with the role &#39;security-engineer&#39;."
    ) in launches


def test_a_change_that_drops_the_approval_is_still_judged_by_the_base_rules(repo: Path, tmp_path: Path) -> None:
    _edit(
        repo / "processes" / "roadmap-intake.yaml",
        "      approved-by: [owning-team-lead, role:chief-product-officer]\n",
        "",
    )
    _plan_cash_forecast(repo)
    code, output = _validate(repo, [], tmp_path)
    assert code == 1
    assert PLANNED in output
    assert "warning PO503 this change alters what playbook 'roadmap-intake' enforces" in output


def test_the_approvers_are_the_base_registrys(repo: Path, tmp_path: Path) -> None:
    """Joining a team in the same pull request does not make one an approver for it."""
    _edit(
        repo / "processes" / "teams" / "payments.yaml",
        "members:\n",
        "members:\n  - handle: mallory\n    name: Mallory\n    role: Chief Product Officer\n",
    )
    _plan_cash_forecast(repo)
    code, output = _validate(repo, [_review("mallory")], tmp_path)
    assert code == 1
    assert PLANNED in output

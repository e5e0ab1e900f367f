"""The pull-request loop, end to end in a temporary Git repository built by the tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, copy_example

from prodops import gitrev
from prodops.cli import cli
from prodops.diagnostics import ProdopsError


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "ops")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Example organisation")
    return root


def _edit(path: Path, old: str, new: str) -> int:
    """Replace text in a file; returns the 1-based line where the new text starts."""
    text = path.read_text()
    assert old in text, old
    index = text.index(old)
    path.write_text(text.replace(old, new, 1))
    return text.count("\n", 0, index) + 1


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _risky_branch(repo: Path) -> dict[str, int]:
    _git(repo, "checkout", "-q", "-b", "risky")
    lines = {
        "slip": _edit(repo / "roadmap" / "usage-meter-imports.yaml", "  end: 2026-12-11", "  end: 2027-02-05"),
        "now": _edit(repo / "roadmap" / "payment-plans.yaml", "horizon: next", "horizon: now"),
        "ready": _edit(repo / "launches" / "guided-onboarding.yaml", "status: beta", "status: ready"),
    }
    _edit(repo / "launches" / "guided-onboarding.yaml", "  decision: pending", "  decision: go")
    _git(repo, "commit", "-q", "-am", "Plan changes")
    return lines


def test_a_risky_branch_gets_annotations_on_the_right_lines(repo: Path) -> None:
    lines = _risky_branch(repo)
    code, output = _invoke(
        "validate",
        "--root",
        str(repo),
        "--today",
        TODAY.isoformat(),
        "--base",
        "main",
        "--format",
        "github",
        "--no-cache",
    )
    assert code == 1
    annotations = [line for line in output.splitlines() if line.startswith("::")]
    assert any(
        a.startswith(
            f"::error file=roadmap/payment-plans.yaml,line={lines['now']},col=10,title=PO401::item is in 'now' but moves no key result"
        )
        for a in annotations
    ), annotations
    assert any(
        a.startswith(
            f"::error file=launches/guided-onboarding.yaml,line={lines['ready']},col=9,title=PO502::beta → ready requires every required checklist item done, with evidence where required (playbook 'launch-readiness')"
        )
        for a in annotations
    ), annotations
    assert any(
        a.startswith("::error file=roadmap/usage-based-billing.yaml")
        and "title=PO409" in a
        and "usage-meter-imports" in a
        for a in annotations
    ), annotations


def test_the_summary_says_what_the_change_means(repo: Path) -> None:
    _risky_branch(repo)
    code, output = _invoke("diff", "main", "--root", str(repo), "--today", TODAY.isoformat())
    assert code == 0, output
    assert output.startswith("<!-- prodops-diff -->\n## Product ops changes: `main` → `working tree`\n")
    assert "**3 changed** · 5 changes to look at" in output
    assert "- Roadmap item `payment-plans` — Instalment plans for large invoices: horizon **next → now**" in output
    assert (
        "- Roadmap item `usage-meter-imports` — Usage meter imports from Stripe, Snowflake and CSV: due date slipped 56 days (2026-12-11 → 2027-02-05)"
        in output
    )
    assert "`usage-based-billing` depends on it but is due 2027-01-15, before it (2027-02-05)" in output
    assert "- Launch `guided-onboarding` — Guided onboarding: status **beta → ready**" in output
    assert "go/no-go **pending → go**" in output
    assert "| `target.end` | `2026-12-11` | `2027-02-05` |" in output
    code, as_json = _invoke("diff", "main", "risky", "--root", str(repo), "--format", "json")
    data = json.loads(as_json)
    assert data["version"] == 1 and data["head"] == "risky"
    assert {(c["id"], c["status"]) for c in data["changes"]} == {
        ("payment-plans", "changed"),
        ("usage-meter-imports", "changed"),
        ("guided-onboarding", "changed"),
    }


def test_added_removed_and_renamed_entities(repo: Path) -> None:
    old = repo / "roadmap" / "xero-connector.yaml"
    text = old.read_text().replace("id: xero-connector", "id: xero-integration")
    old.unlink()
    (repo / "roadmap" / "xero-integration.yaml").write_text(text)
    (repo / "roadmap" / "mobile-approvals.yaml").unlink()
    _code, output = _invoke("diff", "main", "--root", str(repo), "--format", "json")
    changes = {c["id"]: c for c in json.loads(output)["changes"]}
    assert (
        changes["xero-integration"]["status"] == "renamed" and changes["xero-integration"]["old_id"] == "xero-connector"
    )
    assert changes["mobile-approvals"]["status"] == "removed"


@pytest.mark.parametrize("revision", ["--output=/tmp/x", "-h", "main\nx", ""])
def test_a_revision_that_looks_like_an_option_is_refused(repo: Path, revision: str) -> None:
    with pytest.raises(ProdopsError, match="is not a revision"):
        gitrev.resolve(repo, revision)
    code, output = _invoke("diff", "--root", str(repo), "--", revision)
    assert code == 1
    assert output.startswith(f"prodops: {revision!r} is not a revision"[: len("prodops: ") + 1])
    assert "is not a revision" in output


def test_unknown_revision_is_a_clear_error(repo: Path) -> None:
    code, output = _invoke("diff", "no-such-branch", "--root", str(repo))
    assert code == 1
    assert "'no-such-branch' is not a commit" in output


def _ship_xero_connector_from_idea(repo: Path) -> None:
    _edit(
        repo / "roadmap" / "xero-connector.yaml",
        "status: idea",
        "status: shipped\nlaunch_exempt_reason: Partner built it for us.",
    )


def _validate_since_head(repo: Path) -> tuple[int, str]:
    return _invoke("validate", "--root", str(repo), "--today", TODAY.isoformat(), "--base", "HEAD", "--no-cache")


def test_lifecycle_transition_not_allowed_names_the_playbook(repo: Path) -> None:
    _ship_xero_connector_from_idea(repo)
    code, output = _validate_since_head(repo)
    assert code == 1
    assert (
        "roadmap/xero-connector.yaml:6:9: error PO501 status idea → shipped is not allowed by playbook 'roadmap-intake'"
        in output
    )


def test_changing_the_playbook_changes_what_is_enforced(repo: Path) -> None:
    _ship_xero_connector_from_idea(repo)
    _edit(
        repo / "processes" / "roadmap-intake.yaml",
        "    - to: shipped\n      from: [in-progress]",
        "    - to: shipped\n      from: [idea, in-progress]",
    )
    _code, output = _validate_since_head(repo)
    assert "PO501" not in output


def test_codeowners_routes_each_file_to_its_team(repo: Path) -> None:
    code, output = _invoke("codeowners", "--root", str(repo))
    assert code == 0, output
    owners = (repo / ".github" / "CODEOWNERS").read_text()
    assert owners.splitlines()[5] == "* @ledgerline/product-leadership"
    routed = dict(line.split() for line in owners.splitlines() if line.startswith("/"))
    assert routed["/roadmap/payment-plans.yaml"] == "@ledgerline/payments"
    assert routed["/launches/guided-onboarding.yaml"] == "@ledgerline/growth"
    assert routed["/okrs/2026-Q4/2026-q4-grow-net-revenue-retention.yaml"] == "@ledgerline/product-leadership"
    assert routed["/processes/launch-readiness.yaml"] == "@ledgerline/go-to-market"
    assert _invoke("codeowners", "--root", str(repo), "--check")[0] == 0
    _edit(repo / "roadmap" / "payment-plans.yaml", "team: payments", "team: growth")
    code, output = _invoke("codeowners", "--root", str(repo), "--check")
    assert code == 1 and "out of date" in output


FALLBACKS_REFUSED = [
    ("not a team", "'not'"),
    ("* @x", "'*'"),
    ("@org/team\n* @evil", "'*'"),
    ("x@y", "'x@y'"),
    ("@", "'@'"),
]


def test_codeowners_takes_users_teams_and_e_mail_but_refuses_anything_else(repo: Path) -> None:
    for fallback, shown in FALLBACKS_REFUSED:
        code, output = _invoke("codeowners", "--root", str(repo), "--fallback", fallback)
        assert code == 2, output
        assert (
            f"Invalid value for --fallback: {shown} is not an owner: write @org/team, @user or an e-mail address"
            in output
        )
        assert not (repo / ".github" / "CODEOWNERS").exists()
    for fallback in ("@ana-pm", "@ledgerline/product-leadership", "ops@ledgerline.example", "@a @b/c"):
        code, output = _invoke("codeowners", "--root", str(repo), "--fallback", fallback)
        assert code == 0, output
        assert f"\n* {fallback}\n" in (repo / ".github" / "CODEOWNERS").read_text()


def test_repository_codeowners_is_current() -> None:
    code, output = _invoke("codeowners", "--root", str(REPO_ROOT), "--check")
    assert code == 0, output


def test_sarif_output(repo: Path) -> None:
    _edit(repo / "roadmap" / "payment-plans.yaml", "horizon: next", "horizon: nextt")
    code, output = _invoke("validate", "--root", str(repo), "--format", "sarif", "--no-cache")
    assert code == 1
    log = json.loads(output)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"PO101", "PO204", "PO401", "PO502"}
    (result,) = run["results"]
    assert result["ruleId"] == "PO204" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "roadmap/payment-plans.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 10},
    }


def test_freshness_reports_one_file_per_person(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "fresh"
    code, output = _invoke("freshness", "--root", str(repo), "--today", "2027-01-20", "--out", str(out))
    assert code == 0, output
    kavya = (out / "kavya-iyer.md").read_text()
    assert kavya.startswith("@kavya-iyer, the product operations data you own needs an update:")
    assert "- [ ] `launches/smart-reconciliation.yaml:" in kavya and "GA date 2026-12-15 passed 36 days ago" in kavya
    assert (out / "li-wei.md").read_text() == ""


def test_freshness_to_an_unwritable_out_names_it(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    out = tmp_path / "a-file" / "fresh"
    code, output = _invoke("freshness", "--root", str(repo), "--today", "2027-01-20", "--out", str(out))
    assert code == 1, output
    assert output.startswith(f"prodops: cannot write {out}: ")
    assert "choose a folder you can write to" in output and "Traceback" not in output


def test_pre_commit_rejects_a_bad_file_and_accepts_a_good_one(repo: Path) -> None:
    shutil.copy(REPO_ROOT / ".pre-commit-config.yaml", repo / ".pre-commit-config.yaml")
    (repo / ".github").mkdir(exist_ok=True)
    _invoke("codeowners", "--root", str(repo))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hooks")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
    }
    item = repo / "roadmap" / "payment-plans.yaml"

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(Path(sys.executable).parent / "pre-commit"), "run", "--files", str(item.relative_to(repo))],
            cwd=repo,
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=600,
        )

    good = run()
    assert good.returncode == 0, good.stdout + good.stderr
    _edit(item, "status: discovery", "status: discovry")
    bad = run()
    assert bad.returncode == 1
    assert "roadmap/payment-plans.yaml:6:9: error PO204 status: 'discovry' is not one of" in bad.stdout, bad.stdout

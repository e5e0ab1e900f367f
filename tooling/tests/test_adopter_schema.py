"""An adopting organisation changes the schemas: a new horizon, a new status and an optional field.

The schemas are the one source of truth, so every command works with the new values and the
board gets a column for the new horizon, with no Python change.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from prodops.cli import cli


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "T"}
    subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, env={**env, "GIT_COMMITTER_EMAIL": "t@e"}
    )


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_example(tmp_path_factory.mktemp("adopter") / "repo", site=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "before the schema change")
    path = repo / "schemas" / "roadmap-item.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["horizon"]["enum"].append("someday")
    schema["properties"]["status"]["enum"].insert(4, "paused")
    schema["properties"]["status"]["x-prodops-states"]["paused"] = "committed"  # a new status says what it means
    schema["properties"]["design_review"] = {
        "type": "string",
        "format": "date",
        "description": "When the design review was held.",
        "examples": ["2026-10-01"],
    }
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    item = repo / "roadmap" / "xero-connector.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("horizon: later", "horizon: someday"), encoding="utf-8")
    paused = repo / "roadmap" / "payment-plans.yaml"
    text = paused.read_text(encoding="utf-8").replace("status: discovery", "status: paused")
    paused.write_text(text + "design_review: '2026-10-01'\n", encoding="utf-8")
    return repo


def _run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def test_validate_and_list_know_the_new_values(adopted: Path) -> None:
    assert _run(adopted, "validate")[0] == 0
    code, output = _run(adopted, "list", "roadmap-item", "--horizon", "someday", "--format", "json")
    assert code == 0 and [r["id"] for r in json.loads(output)] == ["xero-connector"]
    code, output = _run(adopted, "list", "roadmap-item", "--status", "paused", "--format", "json")
    assert code == 0 and [r["id"] for r in json.loads(output)] == ["payment-plans"]
    code, output = _run(adopted, "show", "payment-plans")
    assert code == 0 and "design_review: 2026-10-01" in output and "status: paused" in output


def test_export_and_diff_carry_the_new_values(adopted: Path, tmp_path: Path) -> None:
    code, output = _run(adopted, "export", "--format", "json", "--out", str(tmp_path / "all.json"))
    assert code == 0, output
    items = {e["id"]: e for e in json.loads((tmp_path / "all.json").read_text())["entities"]["roadmap-item"]}
    assert items["xero-connector"]["horizon"] == "someday" and items["payment-plans"]["design_review"] == "2026-10-01"
    for fmt, out in (("csv", tmp_path / "csv"), ("sqlite", tmp_path / "all.db"), ("ics", tmp_path / "all.ics")):
        code, output = _run(adopted, "export", "--format", fmt, "--out", str(out))
        assert code == 0, output
    code, output = _run(adopted, "diff", "main")
    assert code == 0, output
    assert "horizon **later → someday**" in output and "status **discovery → paused**" in output


def test_the_site_and_render_show_a_column_for_the_new_horizon(adopted: Path, tmp_path: Path) -> None:
    config = load_config(config_file=str(adopted / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    config.plugins["prodops"].config.today = TODAY.isoformat()
    mkdocs_build(config)
    board = (tmp_path / "site" / "roadmap" / "index.html").read_text(encoding="utf-8")
    assert [h for h in ("now", "next", "later", "someday") if f'aria-label="{h}"' in board] == [
        "now",
        "next",
        "later",
        "someday",
    ]
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "someday" in home and "paused" in home  # the counts table has a row and a column for them
    code, output = _run(adopted, "render", "--out", str(tmp_path / "render"))
    assert code == 0, output
    assert "someday" in (tmp_path / "render" / "docs" / "roadmap" / "index.md").read_text(encoding="utf-8")

"""A field an adopter adds to a built-in kind is shown and filtered: ``list`` columns, ``--status``, ``--where``, ``show``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, assemble

from prodops.cli import cli

STATUSES = ["proposed", "accepted", "not-accepted"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The small repository whose objectives have a ``status`` (proposed / accepted / not-accepted) and list it."""
    root = assemble(None, tmp_path / "repo")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", root / "site")
    path = root / "schemas" / "objective.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["status"] = {"type": "string", "enum": STATUSES, "description": "Whether it was accepted."}
    schema["x-prodops-list-columns"] = ["id", "title", "status", "progress"]
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    for name, status in (("2026-q4-company", "accepted"), ("2026-q4-core", "proposed")):
        file = root / "okrs" / f"{name}.yaml"
        file.write_text(file.read_text(encoding="utf-8") + f"status: {status}\n", encoding="utf-8")
    return root


def _run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_the_repository_with_the_added_field_is_valid(repo: Path) -> None:
    assert _run(repo, "validate") == (0, "8 files checked: no problems\n")


@pytest.mark.parametrize("option", [["--status", "accepted"], ["--where", "status=accepted"]])
def test_list_filters_on_the_added_field(repo: Path, option: list[str]) -> None:
    code, output = _run(repo, "list", "objective", *option, "--format", "json")
    assert code == 0, output
    assert [row["id"] for row in json.loads(output)] == ["2026-q4-company"]


def test_list_shows_the_columns_the_schema_names(repo: Path) -> None:
    code, output = _run(repo, "list", "objective")
    assert code == 0, output
    header, *rows = output.splitlines()
    assert header.split() == ["id", "title", "status", "progress"]
    assert any("2026-q4-core" in row and "proposed" in row for row in rows)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ["--status", "acepted"],
            "'acepted' is not a status (proposed, accepted, not-accepted) (did you mean 'accepted'?)",
        ),
        (["--where", "status=bogus"], "'bogus' is not a status (proposed, accepted, not-accepted)"),
        (["--where", "stauts=accepted"], "objective has no field 'stauts' (did you mean 'status'?)"),
        (["--where", "status"], "'status' is not FIELD=VALUE (e.g. status=accepted)"),
    ],
)
def test_a_bad_filter_is_a_usage_error(repo: Path, option: list[str], message: str) -> None:
    code, output = _run(repo, "list", "objective", *option)
    assert code == 2
    assert message in " ".join(output.split())


def test_where_filters_any_enum_field_of_a_built_in_kind(repo: Path) -> None:
    code, output = _run(repo, "list", "objective", "--where", "level=team", "--format", "json")
    assert code == 0, output
    assert [row["id"] for row in json.loads(output)] == ["2026-q4-core"]


def test_show_prints_the_added_field(repo: Path) -> None:
    code, output = _run(repo, "show", "2026-q4-core")
    assert code == 0, output
    assert "status: proposed" in output


def test_the_objective_page_shows_the_added_field(repo: Path, tmp_path: Path) -> None:
    code, output = _run(repo, "render", "--out", str(tmp_path / "out"))
    assert code == 0, output
    page = next((tmp_path / "out" / "docs").rglob("2026-q4-core.md")).read_text(encoding="utf-8")
    assert "proposed" in page


def test_a_field_marked_off_the_page_stays_off(repo: Path, tmp_path: Path) -> None:
    path = repo / "schemas" / "objective.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["status"]["x-prodops-page"] = False
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    code, output = _run(repo, "render", "--out", str(tmp_path / "out"))
    assert code == 0, output
    page = next((tmp_path / "out" / "docs").rglob("2026-q4-core.md")).read_text(encoding="utf-8")
    assert "proposed" not in page


def test_export_carries_the_added_field(repo: Path, tmp_path: Path) -> None:
    code, output = _run(repo, "export", "--format", "json", "--out", str(tmp_path / "ops.json"))
    assert code == 0, output
    assert '"status": "proposed"' in (tmp_path / "ops.json").read_text(encoding="utf-8")


def test_diff_says_the_added_field_changed(repo: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "proposed"], cwd=repo, check=True)
    file = repo / "okrs" / "2026-q4-core.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("status: proposed", "status: accepted"), encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", "accepted"], cwd=repo, check=True)
    code, output = _run(repo, "diff", "HEAD~1", "HEAD")
    assert code == 0, output
    assert "proposed" in output and "accepted" in output, output

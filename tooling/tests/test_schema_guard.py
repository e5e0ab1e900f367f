"""A schema cannot make prodops read outside the repository: kind folders and ``$ref`` values.

Each case writes a hostile ``schemas/decision.schema.json`` into the decision fixture and puts a
canary file beside the repository (and in the folder revisions are written to); its value must
never appear in any output, and the schema's problem is a diagnostic at the offending line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble

from prodops import schemaguard
from prodops.cli import cli

CASE = FIXTURES / "kinds" / "decision"
SCHEMA = "schemas/decision.schema.json"
CANARY = "hunter2-canary"
BAD_FOLDERS = ["..", "../..", "/etc", "a/../..", "./x", "a//b", "processes\\decisions", "processes/decisions/", ""]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def _plant_canaries(*folders: Path) -> None:
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "canary.yaml").write_text(f"id: canary\ndb_password: {CANARY}\n")
        (folder / "x").mkdir(exist_ok=True)
        (folder / "x" / "canary.yaml").write_text(f"id: canary\ndb_password: {CANARY}\n")


def _set(repo: Path, **keys: object) -> int:
    """Set top-level keys of the decision schema; the line the last one is written on."""
    path = repo / SCHEMA
    schema = json.loads(path.read_text())
    schema.update(keys)
    text = json.dumps(schema, indent=1)
    path.write_text(text)
    last = json.dumps(list(keys)[-1])
    return text[: text.index(last + ":")].count("\n") + 1


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = assemble(CASE, tmp_path / "repo")
    _plant_canaries(tmp_path, tmp_path.parent)
    return repo


@pytest.mark.parametrize("folder", BAD_FOLDERS)
def test_a_kind_folder_outside_the_repository_is_a_schema_error_at_its_line(repo: Path, folder: str) -> None:
    line = _set(repo, **{"x-prodops-folder": folder})
    for command in ("validate", "list"):
        code, output = _run(command, *(["decision"] if command == "list" else []), "--root", str(repo))
        assert code == 1, output
        assert f"schemas/decision.schema.json:{line}:2: error PO131 x-prodops-folder" in output
        assert "hint:" in output
        assert CANARY not in output and "Traceback" not in output


@pytest.mark.parametrize("folder", BAD_FOLDERS)
def test_a_revisions_kind_folder_outside_the_repository_is_refused(
    repo: Path, folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "system-tmp"
    _plant_canaries(temporary)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    good = (repo / SCHEMA).read_text()
    _set(repo, **{"x-prodops-folder": folder})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "hostile folder")
    (repo / SCHEMA).write_text(good)
    for args in (("validate", "--base", "HEAD"), ("diff", "HEAD")):
        code, output = _run(*args, "--root", str(repo))
        assert code == 1, output
        assert "revision 'HEAD': schemas/decision.schema.json:" in output and " PO131 " in output
        assert CANARY not in output and "Traceback" not in output


def test_a_site_as_of_a_revision_with_a_folder_outside_is_not_built(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import REPO_ROOT

    temporary = tmp_path / "system-tmp"
    _plant_canaries(temporary)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    good = (repo / SCHEMA).read_text()
    _set(repo, **{"x-prodops-folder": ".."})
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-20T10:00:00")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x", "--date", "2026-11-20")
    (repo / SCHEMA).write_text(good)
    result = CliRunner().invoke(cli, ["build", "--root", str(repo), "--as-of", "2026-12-01"])
    assert result.exit_code != 0 and " PO131 " in result.output, result.output
    assert CANARY not in result.output and "Traceback" not in result.output
    assert not any(CANARY in p.read_text(errors="replace") for p in repo.rglob("*.html"))


def test_a_content_folder_that_is_a_link_out_of_the_repository_is_not_read(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    _plant_canaries(outside)
    _set(repo, **{"x-prodops-folder": "decisions"})
    (repo / "decisions").symlink_to(outside, target_is_directory=True)
    code, output = _run("validate", "--root", str(repo))
    assert code == 1 and "decisions: error PO109 content folder is a symbolic link" in output, output
    assert CANARY not in output


@pytest.mark.parametrize("kind", ["../../evil", "a/b", "", "Décision", 5])
def test_a_kind_name_that_could_not_name_its_pages_is_a_schema_error(repo: Path, kind: object) -> None:
    line = _set(repo, **{"x-prodops-kind": kind})
    code, output = _run("validate", "--root", str(repo))
    assert code == 1, output
    assert f"schemas/decision.schema.json:{line}:2: error PO131 x-prodops-kind" in output
    assert "hint: name the kind in lowercase letters" in output


def test_a_kind_without_a_folder_is_a_schema_error_at_its_kind(repo: Path) -> None:
    schema = json.loads((repo / SCHEMA).read_text())
    del schema["x-prodops-folder"]
    text = json.dumps(schema, indent=1)
    (repo / SCHEMA).write_text(text)
    line = text[: text.index('"x-prodops-kind"')].count("\n") + 1
    code, output = _run("validate", "--root", str(repo))
    assert code == 1, output
    assert f"schemas/decision.schema.json:{line}:2: error PO131 the kind declares no x-prodops-folder" in output
    assert 'hint: write "x-prodops-folder"' in output


def test_only_plain_relative_folders_are_kind_folders() -> None:
    assert all(schemaguard.folder_problem(f) for f in BAD_FOLDERS)
    assert not schemaguard.folder_problem("processes/decisions")
    assert not schemaguard.folder_problem("okrs")


REFS = [
    "file:///etc/passwd",
    "file:///etc/passwd#/x",
    "/etc/passwd",
    "http://127.0.0.1:9/schema.json",
    "https://example.com/schema.json#/$defs/id",
    "../outside.schema.json",
    "missing.schema.json#/$defs/id",
    "C:\\schemas\\x.schema.json",
    "common.schema.json#/$defs/nope",
    "#/$defs/nope",
    "#nope",
    "common.schema.json#/$defs/id/pattern/x",
]


@pytest.mark.parametrize("ref", REFS)
def test_a_ref_outside_the_schema_set_is_a_diagnostic_at_its_line(repo: Path, ref: str) -> None:
    schema = json.loads((repo / SCHEMA).read_text())
    schema["properties"]["consequences"] = {"$ref": ref}
    text = json.dumps(schema, indent=1)
    (repo / SCHEMA).write_text(text)
    line = text[: text.index('"$ref": ' + json.dumps(ref))].count("\n") + 1
    for args in (("validate",), ("render", "--out", str(repo.parent / "out")), ("migrate", "--dry-run")):
        code, output = _run(*args, "--root", str(repo))
        assert code == 1, output
        assert f"schemas/decision.schema.json:{line}:" in output and "error PO132 $ref" in output, output
        assert "Traceback" not in output and "root:x:0:0" not in output


def test_a_base_uri_of_its_own_is_refused(repo: Path) -> None:
    _set(repo, **{"$id": "https://example.com/schemas/"})
    code, output = _run("validate", "--root", str(repo))
    assert code == 1 and "error PO132 $id" in output, output


def test_refs_within_the_schema_set_still_resolve(repo: Path) -> None:
    code, output = _run("validate", "--root", str(repo))
    assert code == 0, output


def test_discovery_never_walks_a_folder_that_resolves_outside_the_root(repo: Path) -> None:
    from prodops import loader
    from prodops.schemas import KindSchema, SchemaSet

    # A schema set built in code, past the schema checks: discovery still stays inside.
    outside = KindSchema("decision", "..", "title", "decision.schema.json", {}, ())
    found, problems = loader.discover(repo, SchemaSet({"decision": outside}, {}))
    assert not any("canary" in rel for rel in found)
    assert [(d.code, d.file, d.message) for d in problems] == [
        ("PO109", "..", "content folder leads outside the repository and is not read")
    ]

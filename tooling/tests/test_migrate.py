"""prodops migrate: a real upgrade of a repository at schema version 1 (fixtures/migrate/v1/) to the shipped version."""

from __future__ import annotations

import difflib
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, TODAY, check_golden

from prodops import migrations, package_data
from prodops.cli import cli

V1 = FIXTURES / "migrate" / "v1"
GOLDEN = FIXTURES / "migrate"


def _copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(V1, repo)
    return repo


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _content(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def _diff(before: dict[str, bytes], after: dict[str, bytes]) -> str:
    out: list[str] = []
    for rel in sorted(before):
        old, new = before[rel].decode().splitlines(True), after[rel].decode().splitlines(True)
        out.extend(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}", n=1))
    return "".join(line.replace("\r\n", "\\r\\n\n") for line in out)


def test_the_shipped_version_is_the_version_of_every_schema_in_the_repository() -> None:
    assert migrations.schema_version() == 2
    for path in sorted((REPO_ROOT / "schemas").glob("*.schema.json")):
        assert json.loads(path.read_text())["x-prodops-schema-version"] == 2, path.name
    assert package_data.shipped_schemas() == {
        p.name: p.read_bytes() for p in (REPO_ROOT / "schemas").glob("*.schema.json")
    }


def test_the_fixture_is_at_version_1_and_validate_says_to_migrate() -> None:
    code, out, _ = _run("validate", "--root", str(V1), "--today", TODAY.isoformat(), "--no-cache")
    assert code == 0
    assert out.count(" warning PO116 the schema is at version 1, older than the version 2 this prodops ships") == 6
    assert "schemas/roadmap-item.schema.json:3:3: warning PO116" in out
    assert "hint: run prodops migrate --dry-run" in out


def test_dry_run_lists_every_change_and_writes_nothing(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    before = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    code, out, err = _run("migrate", "--root", str(repo), "--dry-run")
    assert (code, err) == (0, "")
    check_golden(GOLDEN / "dry-run.txt", out)
    assert {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()} == before


def _changed() -> int:
    """What an upgrade of the fixture writes: its three content files and every schema prodops ships."""
    return 3 + len(list((REPO_ROOT / "schemas").glob("*.schema.json")))


def test_dry_run_with_diff_shows_each_content_change_and_writes_nothing(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    before = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    code, out, _ = _run("migrate", "--root", str(repo), "--dry-run", "--diff")
    assert code == 0
    assert "--- a/roadmap/dunning-sequences.yaml\n+++ b/roadmap/dunning-sequences.yaml\n" in out
    assert "-supporting_teams:\n+contributing_teams:\n" in out
    assert "-    status: n/a  # see the note\n+    status: not-applicable  # see the note\n" in out
    assert "a/schemas/" not in out
    assert out.endswith(f"{_changed()} file(s) would change (dry run: nothing was written)\n")
    assert {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()} == before


def test_migrate_makes_exactly_the_declared_changes_and_keeps_comments(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    before = _content(repo)
    code, out, err = _run("migrate", "--root", str(repo), "--today", TODAY.isoformat())
    assert (code, err) == (0, "")
    assert out.endswith(f"{_changed()} file(s) changed; the schemas are at version 2\n7 files checked: no problems\n")
    after = _content(repo)
    check_golden(GOLDEN / "v1-to-v2.diff", _diff(before, after))
    for rel, raw in before.items():
        comments = re.findall(r"#[^\r\n]*", raw.decode())
        assert comments, rel  # every fixture file has at least its schema line
        for comment in comments:
            assert comment in after[rel].decode(), (rel, comment)
    # CRLF stays CRLF, LF stays LF.
    assert after["roadmap/payment-links.yaml"].count(b"\r\n") == after["roadmap/payment-links.yaml"].count(b"\n")
    assert b"\r" not in after["roadmap/dunning-sequences.yaml"]
    assert {p.name: p.read_bytes() for p in (repo / "schemas").iterdir()} == package_data.shipped_schemas()
    code, out, _ = _run("validate", "--root", str(repo), "--today", TODAY.isoformat(), "--strict")
    assert (code, out) == (0, "7 files checked: no problems\n")
    code, out, _ = _run("migrate", "--root", str(repo))
    assert (code, out) == (0, "the schemas are at version 2, the version this prodops ships: nothing to migrate\n")


def test_a_schema_of_the_repositorys_own_gets_its_version_raised(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    own = repo / "schemas" / "decision.schema.json"
    text = (FIXTURES / "invalid" / "PO116-schema-older-than-prodops" / "schemas" / "decision.schema.json").read_text()
    own.write_text(text)
    code, out, _ = _run("migrate", "--root", str(repo), "--today", TODAY.isoformat())
    assert code == 0
    assert "schemas/decision.schema.json:3:3: version 1 → 2\n" in out
    assert own.read_text() == text.replace('"x-prodops-schema-version": 1,', '"x-prodops-schema-version": 2,')


def test_a_conflict_is_refused_with_its_place_and_nothing_is_written(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    item = repo / "roadmap" / "dunning-sequences.yaml"
    item.write_text(item.read_text().replace("owner: amara-okafor\n", "owner: amara-okafor\ncontributing_teams: []\n"))
    before = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}
    code, _, err = _run("migrate", "--root", str(repo))
    assert code == 1
    assert err == (
        "roadmap/dunning-sequences.yaml:13:1: error both 'supporting_teams' and 'contributing_teams' are set; "
        "keep one of them (as 'contributing_teams') and run prodops migrate again\n"
        "prodops: 1 file(s) cannot be migrated; nothing was written\n"
    )
    assert {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()} == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [\n", "the file has a YAML error at line"),
        ("id: x\ntarget_quarter:\n  year: 2026\n", "target_quarter holds a dict; move it to target.quarter by hand"),
    ],
)
def test_a_file_that_cannot_be_migrated_is_named(tmp_path: Path, text: str, message: str) -> None:
    repo = _copy(tmp_path)
    (repo / "roadmap" / "broken.yaml").write_text(text)
    code, _, err = _run("migrate", "--root", str(repo))
    assert code == 1
    assert err.startswith("roadmap/broken.yaml") and message in err, err
    assert (repo / "roadmap" / "payment-links.yaml").read_bytes() == (
        V1 / "roadmap" / "payment-links.yaml"
    ).read_bytes()


def test_schemas_without_any_version_are_a_clear_error(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    for path in (repo / "schemas").iterdir():
        path.write_text(path.read_text().replace('  "x-prodops-schema-version": 1,\n', ""))
    code, _, err = _run("migrate", "--root", str(repo))
    assert code == 1
    assert "no schema declares x-prodops-schema-version, so the version to migrate from is unknown" in err
    assert "Traceback" not in err


def test_a_repository_at_the_current_version_keeps_its_own_schema_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "schemas", repo / "schemas")
    shutil.copytree(FIXTURES / "base", repo, dirs_exist_ok=True)
    schema = repo / "schemas" / "roadmap-item.schema.json"
    schema.write_text(
        schema.read_text().replace('"enum": ["now", "next", "later"]', '"enum": ["now", "next", "later", "someday"]')
    )
    before = schema.read_bytes()
    code, out, _ = _run("migrate", "--root", str(repo))
    assert (code, out) == (0, "the schemas are at version 2, the version this prodops ships: nothing to migrate\n")
    assert schema.read_bytes() == before


def test_an_upgrade_adds_a_shipped_schema_the_repository_lacks(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    (repo / "schemas" / "team.schema.json").unlink()
    code, out, _ = _run("migrate", "--root", str(repo), "--dry-run")
    assert code == 0
    assert "schemas/team.schema.json: added (part of the version 2 schemas)\n" in out
    code, out, _ = _run("migrate", "--root", str(repo), "--today", TODAY.isoformat())
    assert code == 0 and out.endswith("7 files checked: no problems\n"), out
    assert (repo / "schemas" / "team.schema.json").read_bytes() == package_data.shipped_schemas()["team.schema.json"]


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_schemas_folder_that_links_outside_is_never_written_through(tmp_path: Path, dry_run: bool) -> None:
    repo = _copy(tmp_path)
    outside = tmp_path / "elsewhere" / "schemas"
    shutil.move(repo / "schemas", outside)
    (repo / "schemas").symlink_to(outside, target_is_directory=True)
    before = _snapshot(outside)
    code, out, err = _run("migrate", "--root", str(repo), *(["--dry-run"] if dry_run else []))
    assert code == 1, (out, err)
    assert "schemas/" in err and "leads outside the repository" in err and "Traceback" not in err
    assert _snapshot(outside) == before


def test_a_schema_file_that_links_outside_is_never_written_through(tmp_path: Path) -> None:
    repo = _copy(tmp_path)
    name = sorted((repo / "schemas").glob("*.schema.json"))[0].name
    outside = tmp_path / "elsewhere" / name
    outside.parent.mkdir()
    shutil.move(repo / "schemas" / name, outside)
    (repo / "schemas" / name).symlink_to(outside)
    before = outside.read_bytes()
    code, out, err = _run("migrate", "--root", str(repo))
    assert code == 1 and f"schemas/{name}" in err and "leads outside the repository" in err, (out, err)
    assert outside.read_bytes() == before

"""The cache of unchanged files: same verdicts as a run without it, safe against stale, damaged or busy caches."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble, copy_example

from prodops import cache, pipeline, trust, yamlparse
from prodops.cli import cli

CACHE = Path(cache.CACHE_DIR) / cache.CACHE_FILE


def test_cache_gives_the_same_diagnostics(tmp_path: Path) -> None:
    repo = assemble(FIXTURES / "invalid" / "PO203-wrong-types", tmp_path / "repo")
    first = pipeline.build(repo, today=TODAY, use_cache=True).diagnostics
    assert first
    assert (repo / CACHE).is_file()
    assert (repo / cache.CACHE_DIR / ".gitignore").read_text().endswith("*\n")
    second = pipeline.build(repo, today=TODAY, use_cache=True).diagnostics
    assert first == second == pipeline.build(repo, today=TODAY).diagnostics


def test_cache_notices_a_changed_file(tmp_path: Path) -> None:
    repo = assemble(None, tmp_path / "repo")
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []
    item = repo / "roadmap" / "quick-setup.yaml"
    item.write_text(item.read_text().replace("horizon: now", "horizon: nowx"))  # same second, new size
    codes = [d.code for d in pipeline.build(repo, today=TODAY, use_cache=True).diagnostics]
    assert codes == ["PO204"]
    item.write_text(
        item.read_text().replace("horizon: nowx", "horizon: next")
    )  # same size, same second: the hash decides
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []


def test_cache_notices_a_deleted_file_that_others_name(tmp_path: Path) -> None:
    repo = assemble(None, tmp_path / "repo")
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []
    uncached = pipeline.build(repo, today=TODAY)
    named = next(r.target for r in uncached.catalog.references if r.kind == "roadmap-item")
    (repo / "roadmap" / f"{named}.yaml").unlink()
    cached = pipeline.build(repo, today=TODAY, use_cache=True).diagnostics
    assert any(d.code == "PO303" and named in d.message for d in cached)
    assert cached == pipeline.build(repo, today=TODAY).diagnostics


def test_checking_one_file_reads_the_data_of_its_neighbourhood_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_example(tmp_path / "repo")
    files = pipeline.build(repo, today=TODAY, use_cache=True).files
    asked: list[str] = []
    real = cache.Cache.load_data

    def counting(self: cache.Cache, rels: object) -> dict[str, object]:
        wanted = list(rels)  # type: ignore[call-overload]
        asked.extend(wanted)
        return real(self, wanted)

    monkeypatch.setattr(cache.Cache, "load_data", counting)
    rel = "roadmap/payment-plans.yaml"
    assert pipeline.build(repo, today=TODAY, only=[rel], use_cache=True).diagnostics == []
    assert rel in asked
    assert 0 < len(asked) < len(files) / 3, (len(asked), len(files))
    asked.clear()
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []
    assert sorted(asked) == sorted(files)  # a full run reads everything, in one pass


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"not a database at all" * 100), id="not-sqlite"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:2048]), id="truncated"),
        pytest.param(
            lambda path: sqlite3.connect(path, isolation_level=None).execute("DROP TABLE files"), id="no-table"
        ),
        pytest.param(
            lambda path: sqlite3.connect(path, isolation_level=None).execute("UPDATE meta SET value = 'other'"),
            id="other-key",
        ),
        pytest.param(
            lambda path: sqlite3.connect(path, isolation_level=None).execute("UPDATE files SET data = '{not json'"),
            id="bad-data",
        ),
    ],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: object) -> None:
    repo = assemble(FIXTURES / "invalid" / "PO203-wrong-types", tmp_path / "repo")
    expected = pipeline.build(repo, today=TODAY).diagnostics
    pipeline.build(repo, today=TODAY, use_cache=True)
    damage(repo / CACHE)  # type: ignore[operator]
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == expected
    assert pipeline.build(repo, today=TODAY, use_cache=True, only=["roadmap/quick-setup.yaml"]).diagnostics == [
        d for d in expected if d.file == "roadmap/quick-setup.yaml"
    ]
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == expected
    rows = sqlite3.connect(repo / CACHE).execute("SELECT count(*) FROM files WHERE data IS NOT NULL").fetchone()
    assert rows[0] > 0  # usable again


def test_a_cache_another_run_is_writing_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = assemble(None, tmp_path / "repo")
    pipeline.build(repo, today=TODAY, use_cache=True)
    monkeypatch.setattr(cache, "LOCK_TIMEOUT_S", 0.05)
    other = sqlite3.connect(repo / CACHE, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []


@pytest.mark.parametrize("linked", ["folder", "file", "journal"])
def test_a_cache_that_is_a_link_is_neither_read_nor_written(tmp_path: Path, linked: str) -> None:
    repo = assemble(None, tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if linked == "folder":
        (repo / cache.CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    elif linked == "file":
        (repo / cache.CACHE_DIR).mkdir()
        (repo / CACHE).symlink_to(elsewhere / "files.sqlite")
    else:
        pipeline.build(repo, today=TODAY, use_cache=True)
        (repo / cache.CACHE_DIR / f"{cache.CACHE_FILE}-journal").symlink_to(elsewhere / "journal")
        (repo / "roadmap" / "quick-setup.yaml").write_text(
            (repo / "roadmap" / "quick-setup.yaml").read_text() + "# changed\n"
        )
    for _ in range(2):
        assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []
    assert list(elsewhere.iterdir()) == []


def test_a_change_of_schema_is_a_new_cache(tmp_path: Path) -> None:
    repo = assemble(None, tmp_path / "repo")
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == []
    schema = repo / "schemas" / "roadmap-item.schema.json"
    schema.write_text(schema.read_text().replace('"enum": ["now", "next", "later"]', '"enum": ["next", "later"]'))
    cached = pipeline.build(repo, today=TODAY, use_cache=True).diagnostics
    assert {d.code for d in cached} == {"PO204"}
    assert cached == pipeline.build(repo, today=TODAY).diagnostics


ITEM = "roadmap/quick-setup.yaml"
ALTERED = (
    "ignoring .prodops-cache/: it was not written by prodops for this user on this machine, "
    "or it was changed since; it is rebuilt"
)


def _codes(repo: Path) -> list[str]:
    return [d.code for d in pipeline.build(repo, today=TODAY, use_cache=True).diagnostics]


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(tmp_path: Path) -> None:
    repo = assemble(None, tmp_path / "repo")
    item = repo / ITEM
    hour_ago = time.time() - 3600
    os.utime(item, (hour_ago, hour_ago))  # long before the cache is written: no "racy" doubt about it
    assert _codes(repo) == []
    before = item.stat()
    item.write_text(item.read_text().replace("horizon: now", "horizon: nox"))
    os.utime(item, ns=(before.st_atime_ns, before.st_mtime_ns))  # what `touch -r` does
    assert item.stat().st_size == before.st_size
    assert item.stat().st_mtime_ns == before.st_mtime_ns
    assert _codes(repo) == ["PO204"]


def _forge(repo: Path, rel: str, **columns: object) -> None:
    """Change a row the way someone without the key would: values only, the signature as it was."""
    db = sqlite3.connect(repo / CACHE, isolation_level=None)
    names = ", ".join(f"{name} = ?" for name in columns)
    db.execute(f"UPDATE files SET {names} WHERE rel = ?", (*columns.values(), rel))
    db.close()


def _forged_title(repo: Path, rel: str, title: str) -> None:
    db = sqlite3.connect(repo / CACHE)
    (text,) = db.execute("SELECT data FROM files WHERE rel = ?", (rel,)).fetchone()
    db.close()
    _forge(repo, rel, data=json.dumps({**json.loads(text), "title": title}))


def test_a_row_that_calls_a_changed_file_unchanged_is_not_believed(tmp_path: Path) -> None:
    repo = assemble(None, tmp_path / "repo")
    assert _codes(repo) == []
    item = repo / ITEM
    item.write_text(item.read_text().replace("horizon: now", "horizon: nowhere"))
    raw = item.read_bytes()
    _forge(repo, ITEM, size=len(raw), digest=cache.digest(raw))  # "this content has no problems"
    result = pipeline.build(repo, today=TODAY, use_cache=True)
    assert [d.code for d in result.diagnostics] == ["PO204"]
    assert result.notices == [ALTERED]
    again = pipeline.build(repo, today=TODAY, use_cache=True)  # rebuilt: quiet, and still right
    assert ([d.code for d in again.diagnostics], again.notices) == (["PO204"], [])


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["show", "quick-setup"], id="show"),
        pytest.param(["list", "roadmap-item"], id="list"),
        pytest.param(["export", "--format", "json", "--out", "{out}"], id="export"),
    ],
)
def test_forged_data_never_reaches_the_reading_commands(tmp_path: Path, command: list[str]) -> None:
    repo = assemble(None, tmp_path / "repo")
    out = tmp_path / "out.json"
    args = [arg.replace("{out}", str(out)) for arg in command]
    assert CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()]).exit_code == 0
    _forged_title(repo, ITEM, "Forged title")
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    shown = out.read_text() if out.exists() else result.stdout
    assert "Forged title" not in shown
    assert "Quick setup wizard" in shown
    assert result.stderr == f"prodops: warning: {ALTERED}\n"


def test_a_cache_signed_with_another_key_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = assemble(None, tmp_path / "repo")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-machine"))
    assert _codes(repo) == []
    _forged_title(repo, ITEM, "Forged title")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "this-machine"))
    result = pipeline.build(repo, today=TODAY, use_cache=True)
    assert result.notices == [ALTERED]
    assert result.catalog.items["quick-setup"].title == "Quick setup wizard"
    assert pipeline.build(repo, today=TODAY, use_cache=True).notices == []


def test_the_key_is_made_once_and_readable_by_its_user_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    key, why = trust.machine_key()
    path = tmp_path / "xdg" / "prodops" / "key"
    assert (key is not None, why) == (True, "")
    assert path.read_bytes() == key and len(key) == trust.KEY_BYTES
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    assert trust.machine_key() == (key, "")
    assert [p.name for p in path.parent.iterdir()] == ["key"]


def test_a_key_others_can_read_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    repo = assemble(None, tmp_path / "repo")
    assert _codes(repo) == []
    key = tmp_path / "xdg" / "prodops" / "key"
    key.chmod(0o644)
    result = pipeline.build(repo, today=TODAY, use_cache=True)
    assert result.diagnostics == []
    assert result.notices == [
        f"not using .prodops-cache/: its signing key cannot be kept ({key} can be read by other users; "
        "remove it and prodops will make a new key)"
    ]


def test_warnings_of_unchanged_files_are_placed_without_parsing_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = date(2027, 2, 20)  # launch dates passed, playbooks due for review: many findings
    repo = copy_example(tmp_path / "repo")
    reference = pipeline.build(repo, today=later).diagnostics
    assert sum(d.severity == "warning" for d in reference) >= 10
    assert pipeline.build(repo, today=later, use_cache=True).diagnostics == reference  # warms the cache
    parsed: list[str] = []
    strict = yamlparse.parse

    def counted(text: str, **options: Any) -> yamlparse.Parsed:
        parsed.append(text)
        return strict(text, **options)

    monkeypatch.setattr(yamlparse, "parse", counted)
    assert pipeline.build(repo, today=later, use_cache=True).diagnostics == reference
    assert parsed == []
    # One file changed: only it is parsed again, and its findings are placed where they now are.
    item = next(repo.glob("launches/*.yaml"))
    item.write_text(item.read_text(encoding="utf-8").replace("\n", "\n# moved down\n", 1), encoding="utf-8")
    monkeypatch.setattr(yamlparse, "parse", strict)
    reference = pipeline.build(repo, today=later).diagnostics
    monkeypatch.setattr(yamlparse, "parse", counted)
    assert pipeline.build(repo, today=later, use_cache=True).diagnostics == reference
    assert len(parsed) <= 2  # its load (if the fast parser declines it) and its positions, nothing else
    parsed.clear()
    assert pipeline.build(repo, today=later, use_cache=True).diagnostics == reference
    assert parsed == []


def test_forged_positions_are_not_believed(tmp_path: Path) -> None:
    later = date(2027, 2, 20)
    repo = copy_example(tmp_path / "repo")
    reference = pipeline.build(repo, today=later).diagnostics
    pipeline.build(repo, today=later, use_cache=True)
    db = sqlite3.connect(repo / CACHE)
    rows = db.execute("SELECT rel, spots FROM spots").fetchall()
    assert rows
    for rel, text in rows:
        forged = json.dumps([[[p, 999, 999] for p, _, _ in spots] for spots in json.loads(text)])
        db.execute("UPDATE spots SET spots = ? WHERE rel = ?", (forged, rel))
    db.commit()
    db.close()
    assert pipeline.build(repo, today=later, use_cache=True).diagnostics == reference


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_diff_checks_only_the_files_the_base_holds_differently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = copy_example(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "example")
    item = repo / "roadmap" / "payment-plans.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("horizon: next", "horizon: now"), encoding="utf-8")
    args = ["diff", "HEAD", "--root", str(repo), "--today", TODAY.isoformat(), "--format", "json"]
    cold = CliRunner().invoke(cli, args)
    assert cold.exit_code == 0 and "payment-plans" in cold.stdout
    checked: list[str] = []
    real = pipeline.check_file

    def counted(schemas: Any, rel: str, raw: bytes, location: str | None) -> Any:
        checked.append(rel)
        return real(schemas, rel, raw, location)

    monkeypatch.setattr(pipeline, "check_file", counted)
    warm = CliRunner().invoke(cli, args)
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout)
    assert checked == ["roadmap/payment-plans.yaml"]  # the base's version: the working tree's is cached


def test_a_revisions_files_known_to_the_cache_are_placed_from_git(tmp_path: Path) -> None:
    """Findings in a base file that was not written out (the cache knew it) are placed from its text in Git."""
    from prodops import sources

    later = date(2027, 2, 20)
    repo = copy_example(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "example")
    pipeline.build(repo, today=TODAY, use_cache=True)  # outlines and data kept; few positions
    for path in repo.glob("roadmap/*.yaml"):  # the working tree moves on; HEAD's blobs stay known
        path.write_text("# yaml-language-server: $schema=../schemas/roadmap-item.schema.json\n", encoding="utf-8")

    def at_head(cache: bool) -> list[object]:
        with sources.revision(repo, "HEAD", cache=cache) as revision:
            if cache:
                assert len(revision.source.known) > 50  # type: ignore[attr-defined]
            return [*revision.problems, *pipeline.run(revision.source, today=later).diagnostics]

    reference = at_head(False)
    assert sum(d.severity == "warning" for d in reference) >= 10  # type: ignore[attr-defined]
    assert at_head(True) == reference


def test_a_forged_blob_id_does_not_stand_in_for_the_base(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "example")
    item = repo / "roadmap" / "payment-plans.yaml"
    head_blob = cache.git_blob(item.read_bytes())
    item.write_text(item.read_text(encoding="utf-8").replace("horizon: next", "horizon: now"), encoding="utf-8")
    args = ["diff", "HEAD", "--root", str(repo), "--today", TODAY.isoformat(), "--format", "json"]
    expected = CliRunner().invoke(cli, args).stdout
    assert '"now"' in expected
    _forge(repo, "roadmap/payment-plans.yaml", blob=head_blob)  # "HEAD's version is the one I hold"
    assert CliRunner().invoke(cli, args).stdout == expected


def test_in_a_git_work_tree_files_git_vouches_for_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = copy_example(tmp_path / "repo")
    # Git vouches only for files last changed before the second its index was written (it compares change
    # times to the second): let that second pass, as it has for files nobody touched since their commit.
    time.sleep(1.1)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "example")
    reference = pipeline.build(repo, today=TODAY).diagnostics
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == reference
    read: list[str] = []
    real = cache.Cache.lookup

    def counted(self: cache.Cache, rel: str, location: str) -> Any:
        read.append(rel)
        return real(self, rel, location)

    monkeypatch.setattr(cache.Cache, "lookup", counted)
    assert pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == reference
    assert read == []
    item = repo / "roadmap" / "payment-plans.yaml"
    stamp = item.stat()
    item.write_text(item.read_text(encoding="utf-8").replace("horizon: next", "horizon: nexx"), encoding="utf-8")
    os.utime(item, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # `touch -r`: Git still sees it changed
    _git(repo, "update-index", "--assume-unchanged", "roadmap/audit-log-export.yaml")  # told not to look: read
    assert (
        pipeline.build(repo, today=TODAY, use_cache=True).diagnostics == pipeline.build(repo, today=TODAY).diagnostics
    )
    assert sorted(read) == ["roadmap/audit-log-export.yaml", "roadmap/payment-plans.yaml"]

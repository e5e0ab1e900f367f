"""The cache of unchanged files: same verdicts as a run without it, safe against stale, damaged or busy caches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES, TODAY, assemble, copy_example

from prodops import cache, pipeline

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

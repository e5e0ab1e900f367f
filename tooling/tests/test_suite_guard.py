"""The guard that keeps unmarked tests off the repository's own content (conftest's audit hook)."""

from __future__ import annotations

import subprocess
import sys

import conftest
import pytest
from conftest import REPO_ROOT


def _probe(action: object) -> list[str]:
    """What the guard records while ``action`` runs as a test not marked ``example``."""
    saved = list(conftest._guarded)
    conftest._guarded[:] = ["probe"]
    conftest._reads.clear()
    try:
        action()  # type: ignore[operator]
    finally:
        reads = list(conftest._reads)
        conftest._reads.clear()
        conftest._guarded[:] = saved
    return reads


def test_opening_a_content_file_is_seen() -> None:
    def action() -> None:
        with pytest.raises(FileNotFoundError):
            (REPO_ROOT / "roadmap" / "no-such-item.yaml").open()

    assert _probe(action) == [f"open {REPO_ROOT.resolve() / 'roadmap' / 'no-such-item.yaml'}"]


def test_listing_a_content_folder_is_seen() -> None:
    reads = _probe(lambda: list((REPO_ROOT / "okrs").iterdir()))
    assert reads == [f"os.listdir {REPO_ROOT.resolve() / 'okrs'}"]


def test_a_command_run_on_the_repository_is_seen() -> None:
    command = [sys.executable, "-c", "pass", str(REPO_ROOT / "launches")]
    reads = _probe(lambda: subprocess.run(command, check=True))
    assert reads == [f"runs {' '.join(command)}"]


def test_schemas_copies_and_relative_names_are_not_content() -> None:
    def action() -> None:
        (REPO_ROOT / "schemas").is_dir()
        list((REPO_ROOT / "schemas").iterdir())
        subprocess.run(["git", "--version", "roadmap"], capture_output=True, check=False)

    assert _probe(action) == []


@pytest.mark.example
def test_a_test_marked_example_is_not_watched() -> None:
    assert conftest._guarded == []
    assert list((REPO_ROOT / "roadmap").iterdir())
    assert conftest._reads == []


def test_a_walk_relative_to_a_folder_descriptor_is_not_content(tmp_path) -> None:
    (tmp_path / "roadmap" / "insights").mkdir(parents=True)
    reads = _probe(lambda: __import__("shutil").rmtree(tmp_path / "roadmap"))
    assert reads == []
    assert not (tmp_path / "roadmap").exists()

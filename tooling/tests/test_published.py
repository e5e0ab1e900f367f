"""Nothing outside the repository reaches a site: links and special files under every folder a build publishes from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example
from test_history import commit, git

from prodops import pipeline, published
from prodops.cli import cli

CANARY = "CANARY-do-not-publish"
KINDS = ("file-in-repo", "folder-in-repo", "file-outside", "folder-outside", "fifo")
# Each folder a build publishes from, and the builds that publish it: "theme" is a theme
# folder configured outside site/ (custom_dir: theme).
PLACES = {
    "site": ("internal", "as-of", "render"),
    "site/overrides": ("internal", "as-of", "render"),
    "theme": ("internal", "as-of", "render"),
    "site-public": ("public",),
}
BUILDS = {
    "internal": ["build"],
    "public": ["build", "--audience", "public"],
    "as-of": ["build", "--as-of", "2026-11-20"],
    "render": ["render", "--out"],  # the folder follows: see _args
}


def _repo(tmp_path: Path, place: str) -> Path:
    """The example with its sites, committed on 2026-11-14 (the as-of site needs a history)."""
    repo = copy_example(tmp_path / "repo", site=True)
    if place == "theme":
        config = repo / "mkdocs.yml"
        config.write_text(config.read_text().replace("custom_dir: site/overrides", "custom_dir: theme"))
        (repo / "site" / "overrides").rename(repo / "theme")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "2026-11-14", "Ana Admin", {})
    return repo


def _plant(repo: Path, place: str, kind: str, outside: Path) -> str:
    """A link or a FIFO named ``leak`` in ``place``; its repository-relative path."""
    folder = repo / place
    folder.mkdir(parents=True, exist_ok=True)
    leak = folder / "leak"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text(CANARY)
    if kind == "file-in-repo":
        leak.symlink_to(os.path.relpath(repo / "roadmap" / "ach-direct-debit.yaml", folder))
    elif kind == "folder-in-repo":  # site-public/insights -> ../roadmap, one line of Git
        leak.symlink_to(os.path.relpath(repo / "roadmap", folder), target_is_directory=True)
    elif kind == "file-outside":
        leak.symlink_to(outside / "secret.txt")
    elif kind == "folder-outside":
        leak.symlink_to(outside, target_is_directory=True)
    else:
        os.mkfifo(leak)
    return f"{place}/leak"


def _args(audience: str, repo: Path) -> list[str]:
    """The command line of a build (``render`` writes into ``build/render`` of the repository)."""
    out = [str(repo / "build" / "render")] if audience == "render" else []
    return [*BUILDS[audience], *out, "--root", str(repo)]


def _published_files(repo: Path) -> list[Path]:
    return [p for p in (repo / "build").rglob("*") if not p.is_dir()] if (repo / "build").exists() else []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("place", PLACES)
def test_a_link_or_fifo_is_refused_at_validate_and_by_every_build_that_publishes_it(
    tmp_path: Path, place: str, kind: str
) -> None:
    repo = _repo(tmp_path, place)
    rel = _plant(repo, place, kind, tmp_path / "outside")
    found = [d for d in pipeline.build(repo, today=TODAY).diagnostics if d.code == "PO109"]
    assert [(d.file, d.severity) for d in found] == [(rel, "error")], found
    for audience in PLACES[place]:
        result = CliRunner().invoke(cli, _args(audience, repo))
        assert result.exit_code == 1, (audience, result.output)
        assert f"{rel}: error PO109 " in result.output, (audience, result.output)
        assert "Traceback" not in result.output
        assert _published_files(repo) == [], audience


def test_a_docs_dir_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "site")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.md").write_text(CANARY)
    config = repo / "mkdocs.yml"
    text = config.read_text()
    assert "\ndocs_dir: site\n" in text
    config.write_text(text.replace("\ndocs_dir: site\n", "\ndocs_dir: ../elsewhere\n"))
    line = config.read_text().splitlines().index("docs_dir: ../elsewhere") + 1
    messages = [
        f"{d.file}:{d.line}:{d.column} {d.code} {d.message}"
        for d in pipeline.build(repo, today=TODAY).diagnostics
        if d.code == "PO109"
    ]
    expected = (
        f"mkdocs.yml:{line}:11 PO109 docs_dir '../elsewhere' is outside the repository; "
        "a build would publish files from outside it"
    )
    assert messages == [expected]
    for audience in ("internal", "as-of", "render"):
        result = CliRunner().invoke(cli, _args(audience, repo))
        assert result.exit_code == 1, result.output
        assert "docs_dir '../elsewhere' is outside the repository" in result.output
        assert _published_files(repo) == []


def test_the_site_folder_itself_a_link_and_assets_outside_are_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "site")
    (repo / "site-public").rename(repo / "public-style")
    (repo / "site-public").symlink_to("roadmap", target_is_directory=True)
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - stylesheets/prodops.css", "  - ../../../etc/passwd"))
    found = [(d.file, d.message) for d in pipeline.build(repo, today=TODAY).diagnostics if d.code == "PO109"]
    assert found == [
        (
            "mkdocs.yml",
            "extra_css[0] '../../../etc/passwd' is outside the repository; a build would publish files from outside it",
        ),
        ("site-public", "the site folder is a symbolic link; only files in the repository are published"),
    ]
    result = CliRunner().invoke(cli, ["build", "--audience", "public", "--root", str(repo)])
    assert result.exit_code == 1 and "site-public: error PO109 the site folder is a symbolic link" in result.output
    assert _published_files(repo) == []


def test_a_repository_without_mkdocs_yml_still_has_its_site_folder_checked(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "site").mkdir(parents=True)
    (repo / "site" / "leak").symlink_to("/etc/passwd")
    assert [d.file for d in published.repository(repo)] == ["site/leak"]


@pytest.mark.parametrize("kind", ["file-outside", "folder-outside", "fifo"])
def test_a_link_made_after_the_check_is_refused_before_it_is_copied(tmp_path: Path, kind: str) -> None:
    """Between the check at the start of a build and MkDocs gathering the files, a link can appear."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import get_files

    repo = copy_example(tmp_path / "repo", site=True)
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    plugin = config.plugins["prodops"]
    plugin.config.today = TODAY.isoformat()
    config = config.plugins.on_config(config)
    rel = _plant(repo, "site/guide", kind, tmp_path / "outside")
    files = get_files(config)
    files.add_files_from_theme(config.theme.get_env(), config)
    with pytest.raises(PluginError, match=f"{rel}(/secret.txt)?: error PO109 not a regular file in the repository"):
        config.plugins.on_files(files, config=config)

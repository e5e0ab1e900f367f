"""`prodops render --out`: never into the repository's own files, never through a symbolic link."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, copy_example

from prodops.cli import cli


@pytest.fixture(scope="module")
def site_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example content with its site configuration and hand-written pages."""
    repo = copy_example(tmp_path_factory.mktemp("render") / "ops")
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    return repo


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}


def render(repo: Path, out: str, cwd: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["render", "--root", str(repo), "--today", TODAY.isoformat(), "--out", str(cwd / out)]
    )
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "it is the repository, whose mkdocs.yml it would replace"),
        ("site", "it is the repository's site, whose files it would overwrite"),
        ("site/generated", "it is inside the repository's site, whose files it would overwrite"),
        ("roadmap", "it is the repository's roadmap, whose files it would overwrite"),
        ("schemas/x", "it is inside the repository's schemas, whose files it would overwrite"),
    ],
)
def test_render_refuses_an_out_that_would_overwrite_the_repository(site_repo: Path, out: str, message: str) -> None:
    before = _snapshot(site_repo)
    code, output = render(site_repo, out, site_repo)
    assert code == 1, output
    assert output.startswith("prodops: refusing to write to ") and message in output, output
    assert "choose a folder outside the repository's content, such as build/render" in output
    assert _snapshot(site_repo) == before


def test_render_refuses_an_out_whose_parent_folder_would_lose_the_repository(tmp_path: Path) -> None:
    """`--out ..` from a repository in a folder named docs: out/docs is the repository."""
    repo = copy_example(tmp_path / "docs")
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    code, output = render(repo, "..", repo)
    assert code == 1, output
    assert "would replace the repository" in output
    assert (repo / "mkdocs.yml").read_bytes() == (REPO_ROOT / "mkdocs.yml").read_bytes()


def test_render_refuses_a_docs_folder_that_is_a_symbolic_link(site_repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "keep.md").write_text("mine\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "docs").symlink_to(elsewhere)
    code, output = render(site_repo, "out", tmp_path)
    assert code == 1, output
    assert output.startswith(f"prodops: refusing to write to {out}: {out / 'docs'} is a symbolic link")
    assert (elsewhere / "keep.md").read_text() == "mine\n"


def test_render_to_an_unwritable_out_names_it(site_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    code, output = render(site_repo, "a-file/out", tmp_path)
    assert code == 1, output
    assert output.startswith(f"prodops: cannot write {tmp_path / 'a-file' / 'out'}")
    assert "choose an --out folder you can write to" in output and "Traceback" not in output


def test_render_into_a_build_folder_of_the_repository_still_works(site_repo: Path) -> None:
    code, output = render(site_repo, "build/render", site_repo)
    assert code == 0, output
    assert (site_repo / "build" / "render" / "mkdocs.yml").is_file()
    assert (site_repo / "mkdocs.yml").read_bytes() == (REPO_ROOT / "mkdocs.yml").read_bytes()
    shutil.rmtree(site_repo / "build")

"""`prodops validate --codeowners FILE...`: the commit hook's one run, which reports what a run over FILE alone
reports and keeps .github/CODEOWNERS in step, whatever state the files are in against Git."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example

from prodops.cli import cli

ITEM = "roadmap/payment-plans.yaml"
OWNERS = Path(".github") / "CODEOWNERS"


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _validate(repo: Path, *args: str) -> tuple[int, str]:
    base = ["validate", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--format", "json"]
    result = CliRunner().invoke(cli, [*base, *args])
    return result.exit_code, result.stdout


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _same_size_same_time(repo: Path) -> list[str]:
    path = repo / ITEM
    stamp = path.stat()
    _replace(path, "status: discovery", "status: discoverx")  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # `touch -r`: the same modification time
    return [ITEM]


def _changed_after_staging(repo: Path) -> list[str]:
    _replace(repo / ITEM, "horizon: next", "horizon: now")
    if (repo / ".git").exists():
        _git(repo, "add", ITEM)
    _replace(repo / ITEM, "horizon: now", "horizon: <script>x</script>")
    return [ITEM]


def _untracked(repo: Path) -> list[str]:
    text = (repo / ITEM).read_text(encoding="utf-8").replace("id: payment-plans", "id: payment-plans-2")
    (repo / "roadmap" / "payment-plans-2.yaml").write_text(text, encoding="utf-8")
    return ["roadmap/payment-plans-2.yaml"]


def _deleted(repo: Path) -> list[str]:
    (repo / ITEM).unlink()
    return [ITEM]


def _owner_moved(repo: Path) -> list[str]:
    team = next(p for p in (repo / "processes" / "teams").glob("*.yaml"))
    _replace(team, "handle: '@", "handle: '@moved-")
    return [team.relative_to(repo).as_posix()]


CHANGES: dict[str, Callable[[Path], list[str]]] = {
    "same size and modification time": _same_size_same_time,
    "changed after staging": _changed_after_staging,
    "untracked": _untracked,
    "deleted": _deleted,
    "an owner's handle": _owner_moved,
}


@pytest.mark.parametrize("git", [True, False], ids=["git work tree", "plain folder"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_hook_reports_what_a_run_without_cache_reports(tmp_path: Path, change: str, git: bool) -> None:
    repo = copy_example(tmp_path / "repo")
    if git:
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "example")
    assert _validate(repo, "--codeowners")[0] == 0  # warms the cache and writes the owners
    before = (repo / OWNERS).read_text(encoding="utf-8")
    assert _validate(repo, "--codeowners")[0] == 0
    rels = CHANGES[change](repo)
    paths = [str(repo / rel) for rel in rels]
    hook = _validate(repo, "--codeowners", *paths)
    assert hook == _validate(repo, "--no-cache", *paths)
    assert hook == _validate(repo, *paths)  # the cached run over FILE alone
    expected = CliRunner().invoke(cli, ["codeowners", "--root", str(repo), "--check"])
    if hook[0] == 0:  # valid data: the owners file follows it
        assert expected.exit_code == 0, expected.output
    else:  # invalid data: the owners file is left as it was
        assert (repo / OWNERS).read_text(encoding="utf-8") == before


def test_the_hook_rewrites_owners_when_only_the_configuration_changed(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    assert _validate(repo, "--codeowners")[0] == 0
    config = repo / "pyproject.toml"
    text = config.read_text(encoding="utf-8")
    assert 'codeowners-fallback = "' in text
    config.write_text(text.replace('codeowners-fallback = "@', 'codeowners-fallback = "@x-', 1), encoding="utf-8")
    assert _validate(repo, "--codeowners", str(config)) == (0, _validate(repo, str(config))[1])
    assert (repo / OWNERS).read_text(encoding="utf-8").count("@x-") == 1  # the fallback line
    result = CliRunner().invoke(cli, ["codeowners", "--root", str(repo), "--check"])
    assert result.exit_code == 0, result.output


def test_the_hook_leaves_owners_alone_for_files_that_cannot_change_one(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    (repo / "notes.yaml").write_text("<script>alert(1)</script>: x\n", encoding="utf-8")
    assert _validate(repo, "--codeowners", str(repo / "notes.yaml"))[0] == 0
    assert not (repo / OWNERS).exists()

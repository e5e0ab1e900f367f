"""The adopter check's copy: the repository with another organisation's content and nothing of Ledgerline's."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CONTENT_FOLDERS, CONTENT_TODAY, REPO_ROOT, live_content

from prodops.cli import cli


def _adopter_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("adopter_check", REPO_ROOT / "tooling" / "ci" / "adopter_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_copy_has_the_generated_content_in_place_of_the_example_and_everything_else(tmp_path: Path) -> None:
    check = _adopter_check()
    assert (
        check.CONTENT_FOLDERS == CONTENT_FOLDERS and check.TODAY == CONTENT_TODAY
    )  # the day the live-content tests read it on
    dest = tmp_path / "repo"
    assert check.prepare(dest, 60, 13) is None
    # The content is exactly what the generator writes, whatever the repository held before.
    gen = check._generator()
    gen.generate(tmp_path / "expected", 60, 13, gen.QUAYSIDE, CONTENT_TODAY)
    expected = {p.relative_to(tmp_path / "expected"): p.read_bytes() for p in live_content(tmp_path / "expected")}
    every = {p.relative_to(dest): p for f in CONTENT_FOLDERS for p in (dest / f).rglob("*") if p.is_file()}
    assert len(expected) == 60
    assert {rel: path.read_bytes() for rel, path in every.items()} == expected  # nothing of the old content left
    for rel in ("mkdocs.yml", "pyproject.toml", "schemas/roadmap-item.schema.json", "tooling/prodops/cli.py"):
        assert (dest / rel).read_bytes() == (REPO_ROOT / rel).read_bytes(), rel
    codeowners = (dest / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "@quayside/customs" in codeowners and "@ledgerline/payments" not in codeowners
    result = CliRunner().invoke(cli, ["codeowners", "--root", str(dest), "--check"])
    assert result.exit_code == 0, result.output
    status = subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # committed: tests that read Git history see the new content


def test_the_copy_is_refused_when_the_generated_content_does_not_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = _adopter_check()
    generator = check._generator()
    real = generator.Generator.run

    def broken(self: Any) -> Any:
        files = real(self)
        rel = next(r for r in files if r.startswith("roadmap/"))
        files[rel][1]["status"] = "someday"
        return files

    monkeypatch.setattr(check, "_generator", lambda: generator)
    monkeypatch.setattr(generator.Generator, "run", broken)
    problem = check.prepare(tmp_path / "repo", 40, 13)
    assert problem is not None
    assert "validate" in problem and "error PO204 status: 'someday' is not one of" in problem

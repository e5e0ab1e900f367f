"""The benchmark generator writes a complete repository that validates clean, deterministically."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from conftest import TODAY, bench_generator

from prodops.pipeline import build


def _generator() -> ModuleType:
    return bench_generator()


def test_generated_repository_validates_clean_but_for_lateness(tmp_path: Path) -> None:
    """Like a real public roadmap, the generated one has committed work left open in past quarters."""
    written = _generator().generate(tmp_path / "repo", 300, seed=7)
    result = build(tmp_path / "repo", today=TODAY)
    assert written == 300 and len(result.files) == 300
    assert {(d.code, d.severity) for d in result.diagnostics} == {("PO416", "warning")}
    catalog = result.catalog
    assert catalog.items and catalog.objectives and catalog.launches and catalog.playbooks and catalog.teams
    assert any(item.depends_on for item in catalog.items.values())


def test_generation_is_deterministic(tmp_path: Path) -> None:
    gen = _generator()
    gen.generate(tmp_path / "a", 80, seed=3)
    gen.generate(tmp_path / "b", 80, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.yaml"))
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)

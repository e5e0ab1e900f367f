"""The fast paths (yaml-rs, jsonschema-rs) and the reference paths agree on every input we have."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO_ROOT, TODAY, assemble

from prodops import pipeline, schemas, yamlparse
from prodops.schemas import load_schemas

SUITE = REPO_ROOT.parent / "shared" / "testdata" / "yaml-test-suite"


def _texts() -> list[tuple[str, str]]:
    out = []
    sources = [
        *sorted(FIXTURES.rglob("*.yaml")),
        *sorted(p for f in ("roadmap", "okrs", "launches", "processes") for p in (REPO_ROOT / f).rglob("*.yaml")),
    ]
    sources += sorted(SUITE.glob("*/*.yaml"))
    for path in sources:
        try:
            out.append((str(path.relative_to(REPO_ROOT.parent)), path.read_bytes().decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


TEXTS = _texts()
TRAPS = [
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: 1_000\n",
    "a: [>]\n",
    "a: [|]\n",
    "a: [b, >]\n",
    "a: [@x, `y]\n",
    "a: [b,, c]\n",
    "a: 0b101\n",
    "1: one\n",
    "true: yes\n",
    "~: nothing\n",
    "a: 2026-1-3\n",
    "a: x\x01y\n",
    "a: x\u2028y\n",
    "- " * 30000 + "x\n",
    "[" * 40 + "]" * 40 + "\n",
    "a:\n\t- 1\n",
    "a: 1\n---\nb: 2\n",
    "a: |+\n  x\n   \n",
    "{a: 1, b: [x, y]}\n",
    ">\n",  # an empty folded scalar: found by the loader fuzz test
    "a: |\nb: 1\n",
]


def test_fast_parser_is_used_for_ordinary_files() -> None:
    example = [t for name, t in TEXTS if "/fixtures/" not in name and "yaml-test-suite" not in name]
    assert sum(yamlparse.parse_fast(t) is not None for t in example) >= len(example) - 2


@pytest.mark.parametrize(
    "text", [t for _, t in TEXTS] + TRAPS, ids=[n for n, _ in TEXTS] + [f"trap-{i}" for i in range(len(TRAPS))]
)
def test_fast_parser_agrees_with_the_strict_parser(text: str) -> None:
    fast = yamlparse.parse_fast(text)
    if fast is None:
        return  # the strict parser decides alone
    strict = yamlparse.parse(text)
    assert strict.error is None, strict.error
    assert fast.data == strict.data


def test_fast_schema_validator_agrees_with_python_jsonschema() -> None:
    registry = load_schemas(REPO_ROOT / "schemas")
    checked = 0
    for path in sorted(FIXTURES.rglob("*.yaml")) + sorted((REPO_ROOT / "roadmap").glob("*.yaml")):
        rel = "/".join(path.parts[-2:]) if path.parent.name != "teams" else "/".join(path.parts[-3:])
        kind = registry.kind_for(rel)
        if kind is None or kind.fast is None:
            continue
        try:
            parsed = yamlparse.parse(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if parsed.error is not None or not isinstance(parsed.data, dict):
            continue
        reference_valid = not list(kind.validator.iter_errors(parsed.data))
        assert kind.fast.is_valid(parsed.data) == reference_valid, path
        checked += 1
    assert checked > 100


CASES = sorted(p for kind in ("valid", "invalid") for p in (FIXTURES / kind).iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_pipeline_gives_the_same_diagnostics_without_fast_paths(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = assemble(case, tmp_path / "repo")
    with_fast = pipeline.build(repo, today=TODAY).diagnostics
    monkeypatch.setattr(yamlparse, "_yaml_rs", None)
    real_load = schemas.load_schemas

    def without_fast(schema_dir: Path) -> schemas.SchemaSet:
        loaded = real_load(schema_dir)
        kinds = {k: dataclasses.replace(v, fast=None) for k, v in loaded.kinds.items()}
        return schemas.SchemaSet(kinds, loaded.documents)

    monkeypatch.setattr(pipeline, "load_schemas", without_fast)
    reference = pipeline.build(repo, today=TODAY).diagnostics
    assert with_fast == reference


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_one_file_alone_gets_the_same_diagnostics_as_in_a_full_run(case: Path, tmp_path: Path) -> None:
    """`validate FILE` builds models only around FILE; its verdict must equal the full run's."""
    repo = assemble(case, tmp_path / "repo")
    full = pipeline.build(repo, today=TODAY)
    pipeline.build(repo, today=TODAY, use_cache=True)  # from here on, other files' outlines come from the cache
    overlay = sorted(p.relative_to(case).as_posix() for p in case.rglob("*.yaml"))
    for rel in [*overlay, "roadmap/quick-setup.yaml", "okrs/2026-q4-company.yaml"]:
        expected = [d for d in full.diagnostics if d.file == rel]
        assert pipeline.build(repo, today=TODAY, only=[rel]).diagnostics == expected, rel
        assert pipeline.build(repo, today=TODAY, only=[rel], use_cache=True).diagnostics == expected, rel


def test_every_example_file_alone_agrees_with_the_full_run() -> None:
    later = date(2027, 2, 20)  # launch dates passed, playbooks due for review: some findings to agree on
    full = pipeline.build(REPO_ROOT, today=later)
    assert full.diagnostics
    for rel in full.files[::4] + sorted({d.file for d in full.diagnostics}):
        assert pipeline.build(REPO_ROOT, today=later, only=[rel]).diagnostics == [
            d for d in full.diagnostics if d.file == rel
        ], rel

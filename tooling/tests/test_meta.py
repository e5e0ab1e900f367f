"""Meta-tests that keep the registries honest: schemas, rules, checks and their fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FIXTURES, REPO_ROOT, live_content

from prodops.catalog import KEY_RESULT, PERSON
from prodops.codes import CHECKS
from prodops.rules import REGISTRY
from prodops.schemas import load_schemas

SCHEMA_FILES = sorted((REPO_ROOT / "schemas").glob("*.schema.json"))
INVALID = [p.name for p in (FIXTURES / "invalid").iterdir()]
VALID = [p.name for p in (FIXTURES / "valid").iterdir()]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_schema_passes_the_metaschema(path: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


def _properties(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield f"{where}.{name}", sub
        for key, sub in node.items():
            if key not in ("if", "properties"):  # conditions restate fields described elsewhere
                yield from _properties(sub, f"{where}/{key}")
        for name, sub in (node.get("properties") or {}).items():
            yield from _properties(sub, f"{where}.{name}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}[{i}]")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_every_property_has_a_description_and_an_example(path: Path) -> None:
    schema = json.loads(path.read_text())
    for where, prop in _properties(schema, path.name):
        if set(prop) == {"$ref"}:
            continue  # described where it is defined
        assert isinstance(prop.get("description"), str) and prop["description"], f"{where} has no description"
        assert prop.get("examples"), f"{where} has no examples"


def test_every_reference_targets_a_known_kind() -> None:
    schemas = load_schemas(REPO_ROOT / "schemas")
    targets = {ref.target for kind in schemas.kinds.values() for ref in kind.refs}
    assert targets <= {*schemas.kinds, PERSON, KEY_RESULT}
    assert {"team", "objective", "roadmap-item", "playbook", PERSON, KEY_RESULT} <= targets


def test_kinds_and_folders() -> None:
    schemas = load_schemas(REPO_ROOT / "schemas")
    assert {k: s.folder for k, s in schemas.kinds.items()} == {
        "insight": "roadmap/insights",
        "kpi": "okrs/kpis",
        "launch": "launches",
        "objective": "okrs",
        "playbook": "processes",
        "roadmap-item": "roadmap",
        "team": "processes/teams",
    }


@pytest.mark.parametrize("code", list(REGISTRY))
def test_every_rule_is_documented_and_has_fixtures(code: str) -> None:
    rule = REGISTRY[code]
    assert rule.code == code and rule.name and rule.rationale.endswith(".") and rule.fix.endswith(".")
    assert rule.check.__module__.startswith("prodops.rules.")
    failing = [c for c in INVALID if c.startswith(code)]
    passing = [c for c in VALID if c.startswith(code)]
    assert failing, f"{code} has no failing fixture in fixtures/invalid/"
    assert passing, f"{code} has no passing fixture in fixtures/valid/"
    for case in failing:
        assert f" {code} " in (FIXTURES / "invalid" / case / "expected.txt").read_text(), case


# Structural checks exercised elsewhere, not by a fixture in fixtures/invalid/: PO107/PO108 in test_loader.py,
# PO129/PO130 (imports only) in test_metrics_import.py, PO150 in test_delivery.py, PO160 to PO162 (pulls only)
# in test_metrics_pull.py, PO501 to PO503 in test_pull_request.py, PO504 to PO506 in test_approvals.py (they
# need Git history).
EXERCISED_ELSEWHERE = {
    "PO107",
    "PO108",
    "PO129",
    "PO130",
    "PO150",
    "PO160",
    "PO161",
    "PO162",
    "PO501",
    "PO502",
    "PO503",
    "PO504",
    "PO505",
    "PO506",
}


@pytest.mark.parametrize("code", [c for c in CHECKS if c not in EXERCISED_ELSEWHERE])
def test_every_structural_check_has_a_failing_fixture(code: str) -> None:
    cases = [c for c in INVALID if c.startswith(code)]
    assert cases, f"{code} has no fixture in fixtures/invalid/"
    for case in cases:
        assert f" {code} " in (FIXTURES / "invalid" / case / "expected.txt").read_text(), case


def test_codes_do_not_collide() -> None:
    assert not set(CHECKS) & set(REGISTRY)
    assert all(code.startswith("PO4") for code in REGISTRY)


@pytest.mark.example
def test_every_content_file_starts_with_its_schema_line() -> None:
    """On the repository's own content on purpose: every YAML file of any kind, in any sub-folder."""
    files = live_content()
    assert files
    for path in files:
        assert path.read_text().startswith("# yaml-language-server: $schema="), path

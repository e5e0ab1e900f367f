"""The official YAML test suite as hostile input: every case ends in data or a clear diagnostic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from prodops import loader, yamlparse

SUITE = FIXTURES / "yaml-test-suite"  # a copy of the suite's cases, with its licence and source

# Inputs the YAML spec rejects but libyaml accepts. They still end in plain data
# (never in objects or code), and are listed so that any change is noticed.
LIBYAML_LENIENT = {"9C9N", "9JBA", "CVW2", "DK95-01", "G5U8", "MUS6-00", "QB6E", "S98Z", "X4QW", "Y79Y-003", "YJV2"}
# Valid inputs where libyaml's reading differs from the suite's expected data.
LIBYAML_DIFFERS = {"652Z", "HM87-01", "JEF9-02", "L24T-01"}


def _manifest() -> list[dict[str, Any]]:
    path = SUITE / "manifest.json"
    return list(json.loads(path.read_text()))


CASES = _manifest()


def _expected(case_id: str) -> Any:
    text = (SUITE / "valid" / f"{case_id}.json").read_text()
    decoder = json.JSONDecoder()
    values, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            break
        value, index = decoder.raw_decode(text, index)
        values.append(value)
    return values


def test_every_case_file_is_in_the_manifest_and_run() -> None:
    """No case is dropped: the manifest and the files name the same cases, and there are all of them."""
    files = {f"{p.parent.name}/{p.stem}" for p in SUITE.glob("*/*.yaml")}
    assert files == {f"{c['kind']}/{c['id']}" for c in CASES}
    assert len(CASES) == 402
    assert {p.stem for p in SUITE.glob("valid/*.json")} == {
        c["id"] for c in CASES if c["kind"] == "valid" and c["has_json"]
    }


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_ends_in_data_or_diagnostic(case: dict[str, Any], tmp_path: Path) -> None:
    source = SUITE / case["kind"] / f"{case['id']}.yaml"
    rel = "roadmap/case.yaml"
    (tmp_path / "roadmap").mkdir()
    (tmp_path / rel).write_bytes(source.read_bytes())
    text, problem = loader.read_text(tmp_path / rel, rel)
    if problem is not None:
        assert problem.code in {"PO106", "PO107"} and problem.message
        return
    assert text is not None
    parsed = yamlparse.parse(text, positions=True)
    if parsed.error is not None:
        err = parsed.error
        assert err.code.startswith("PO1") and err.message and err.hint
        assert 1 <= err.line <= text.count("\n") + 2 and err.column >= 1
        return
    if case["kind"] == "error":
        assert case["id"] in LIBYAML_LENIENT, "an invalid stream was accepted"
        return
    if case["has_json"] and case["id"] not in LIBYAML_DIFFERS:
        expected = _expected(case["id"])
        assert [parsed.data] == expected or (parsed.data is None and expected == [])


def test_known_deviation_lists_are_current() -> None:
    """Each listed deviation still happens; a libyaml fix should shrink the lists."""
    for case_id in LIBYAML_LENIENT:
        text = (SUITE / "error" / f"{case_id}.yaml").read_text()
        assert yamlparse.parse(text).error is None, case_id
    for case_id in LIBYAML_DIFFERS:
        text = (SUITE / "valid" / f"{case_id}.yaml").read_text()
        parsed = yamlparse.parse(text)
        assert parsed.error is None and [parsed.data] != _expected(case_id), case_id

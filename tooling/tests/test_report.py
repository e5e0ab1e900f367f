"""The reporters: one problem per line whatever a file is called, and SARIF that the SARIF 2.1.0 schema accepts.

``fixtures/sarif/sarif-schema-2.1.0.json`` is the official OASIS schema (see the README there).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY

from prodops import report
from prodops.cli import cli
from prodops.diagnostics import Diagnostic

SARIF_SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())
EVIL = "roadmap/evil\nna\x1bme\u202e.yaml"
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\u2028", "\u2029", "\u202e", "\u2066"]


def _evil_diagnostics() -> list[Diagnostic]:
    return [
        Diagnostic("error", "PO204", "status: 'a\x1b[2Jb' is not one of: idea", EVIL, 3, 9, hint="fix\rit"),
        Diagnostic("warning", "PO111", "missing the schema line", EVIL, excerpt=("   1 | id: x\x07",)),
    ]


def _sarif_errors(log: object) -> list[str]:
    # Every format the schema names is checked (Draft 4's own checker knows no "uri-reference").
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_text_keeps_one_problem_per_line_whatever_the_file_is_called() -> None:
    output = report.render_text(_evil_diagnostics(), 1, True)
    assert output.splitlines() == [
        "roadmap/evil\\nna\\x1bme\\u202e.yaml:3:9: error PO204 status: 'a\\x1b[2Jb' is not one of: idea",
        "    hint: fix\\rit",
        "roadmap/evil\\nna\\x1bme\\u202e.yaml: warning PO111 missing the schema line",
        "       1 | id: x\\x07",
        "1 file checked: 1 error, 1 warning",
    ]
    assert not [c for c in output if c in CONTROLS and c != "\n"]


def test_github_annotations_carry_no_control_character() -> None:
    output = report.render_github(_evil_diagnostics(), 1, True)
    lines = output.splitlines()
    assert len(lines) == 3 and all(line.startswith("::") for line in lines[:2])
    assert lines[0] == (
        "::error file=roadmap/evil%0Ana\\x1bme\\u202e.yaml,line=3,col=9,title=PO204::"
        "status: 'a\\x1b[2Jb' is not one of: idea%0Afix%0Dit"
    )
    assert not [c for c in output if c in CONTROLS and c != "\n"]


def test_a_file_name_with_a_line_break_stays_on_its_line_through_the_cli(base_repo: Path) -> None:
    (base_repo / "roadmap" / "two\nlines.yaml").write_text("id: two\n")
    result = CliRunner().invoke(cli, ["validate", "--root", str(base_repo), "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if not line.startswith(("    ", "9 files checked"))]
    assert problems and all(line.startswith("roadmap/two\\nlines.yaml:") for line in problems), result.output


def test_sarif_matches_the_sarif_2_1_0_schema(base_repo: Path) -> None:
    item = base_repo / "roadmap" / "quick-setup.yaml"
    item.write_text(item.read_text().replace("horizon: now", "horizon: noww"))
    (base_repo / "roadmap" / "odd name 100%#1?.yaml").write_text("id: odd\n")
    result = CliRunner().invoke(
        cli, ["validate", "--root", str(base_repo), "--today", TODAY.isoformat(), "--format", "sarif"]
    )
    assert result.exit_code == 1
    log = json.loads(result.output)
    assert _sarif_errors(log) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"roadmap/quick-setup.yaml", "roadmap/odd%20name%20100%25%231%3F.yaml"}
    # The check is not a formality: a location that is not a URI reference, or an unknown level, fails it.
    result_0 = log["runs"][0]["results"][0]
    result_0["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b\n.yaml"
    result_0["level"] = "fatal"
    assert len(_sarif_errors(log)) == 2


@pytest.mark.parametrize("name", [EVIL, "roadmap/ü ber.yaml", "okrs/a%2Fb.yaml", ""])
def test_sarif_locations_are_uri_references(name: str) -> None:
    diagnostics = [Diagnostic("error", "PO101", "broken", name, 1, 0), *_evil_diagnostics()]
    assert _sarif_errors(json.loads(report.render_sarif(diagnostics, 1, True))) == []

"""`prodops export`: what each format writes, safe to open, for any repository (empty kinds too)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example

from prodops import export, kinds, pipeline, tabular
from prodops.cli import cli

FORMULAS = ["=1+41", "+SUM(A1:A2)", "-2+3-4", "@SUM(A1)", "\tTABS", "\rCR LF"]


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def _set_title(repo: Path, rel: str, title: str) -> None:
    path = repo / rel
    old = next(line for line in path.read_text().splitlines() if line.startswith("title: "))
    path.write_text(path.read_text().replace(old, f"title: {json.dumps(title)}", 1))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("title", FORMULAS)
def test_csv_export_neutralises_a_title_a_spreadsheet_would_run(base_repo: Path, tmp_path: Path, title: str) -> None:
    _set_title(base_repo, "roadmap/quick-setup.yaml", title)
    code, output = run(base_repo, "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert code == 0, output
    rows = {r["id"]: r for r in _read_csv(tmp_path / "csv" / "roadmap-item.csv")}
    assert rows["quick-setup"]["title"] == "'" + title
    assert rows["setup-api"]["title"] == "Setup API"  # ordinary text is unchanged


def test_raw_csv_writes_cells_as_they_are(base_repo: Path, tmp_path: Path) -> None:
    _set_title(base_repo, "roadmap/quick-setup.yaml", "=1+41")
    code, output = run(base_repo, "export", "--format", "csv", "--raw-csv", "--out", str(tmp_path / "csv"))
    assert code == 0, output
    rows = {r["id"]: r for r in _read_csv(tmp_path / "csv" / "roadmap-item.csv")}
    assert rows["quick-setup"]["title"] == "=1+41"


def test_numbers_stay_numbers() -> None:
    assert [tabular.cell(v) for v in (-3, -0.5, "-3.5", "+2", "-1e3", None, "")] == [
        -3,
        -0.5,
        "-3.5",
        "+2",
        "-1e3",
        None,
        "",
    ]
    assert [tabular.cell(v) for v in ("-", "-3 apples", "=A1", "@x")] == ["'-", "'-3 apples", "'=A1", "'@x"]
    assert tabular.write(["a", "b"], [{"a": -2, "b": "=1+1"}]) == "a,b\r\n-2,'=1+1\r\n"
    assert tabular.write(["a", "b"], [{"a": -2, "b": "=1+1"}], escape=False) == "a,b\r\n-2,=1+1\r\n"
    assert tabular.write(["a"], [{"a": "x\ry"}], escape=False) == 'a\r\n"x\ry"\r\n'  # quoted, read back whole


def _without_launches(repo: Path) -> None:
    (repo / "launches" / "activation-emails-launch.yaml").unlink()
    item = repo / "roadmap" / "activation-emails.yaml"
    item.write_text(
        item.read_text().replace(
            "status: shipped", "status: shipped\nlaunch_exempt_reason: An internal change only.", 1
        )
    )


def test_a_kind_without_entities_exports_as_an_empty_table_with_headers(base_repo: Path, tmp_path: Path) -> None:
    _without_launches(base_repo)
    schema = json.loads((base_repo / "schemas" / "launch.schema.json").read_text())
    expected = sorted({"file", "computed_readiness", *schema["properties"]}, key=lambda c: (c != "id", c))

    code, output = run(base_repo, "export", "--format", "sqlite", "--out", str(tmp_path / "ops.db"))
    assert code == 0, output
    connection = sqlite3.connect(tmp_path / "ops.db")
    assert [row[1] for row in connection.execute('PRAGMA table_info("launch")')] == expected
    assert connection.execute('SELECT count(*) FROM "launch"').fetchone() == (0,)
    assert connection.execute('SELECT count(*) FROM "roadmap_item"').fetchone() == (3,)
    connection.close()

    code, output = run(base_repo, "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert code == 0, output
    assert (tmp_path / "csv" / "launch.csv").read_bytes() == (",".join(expected) + "\r\n").encode()

    code, output = run(base_repo, "export", "--format", "json", "--out", str(tmp_path / "ops.json"))
    assert code == 0, output
    assert json.loads((tmp_path / "ops.json").read_text())["entities"]["launch"] == []


def test_columns_come_from_the_schema_and_keep_every_field(base_repo: Path, tmp_path: Path) -> None:
    """The computed key-result progress no longer overwrites the key results as written."""
    code, output = run(base_repo, "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert code == 0, output
    with (tmp_path / "csv" / "objective.csv").open(newline="") as handle:
        header = next(csv.reader(handle))
    schema = json.loads((base_repo / "schemas" / "objective.schema.json").read_text())
    assert header == sorted(
        {"file", "progress", "own_progress", "computed_key_results", *schema["properties"]},
        key=lambda c: (c != "id", c),
    )
    row = next(r for r in _read_csv(tmp_path / "csv" / "objective.csv") if r["id"] == "2026-q4-core")
    assert json.loads(row["key_results"])[0]["title"] == "Cut setup time from 90 to 30 minutes"
    assert json.loads(row["computed_key_results"])["kr1"] == {"progress": 0.5}
    assert row["description"] == ""  # a field no objective here uses is still a column


class _CountingList(list):  # type: ignore[type-arg]
    """A list that counts how often it is walked."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_export_walks_the_references_a_fixed_number_of_times_not_once_per_entity(tmp_path: Path) -> None:
    result = pipeline.build(copy_example(tmp_path / "repo"), today=TODAY)
    expected = export.document(result.catalog, result.schemas)
    _CountingList.walks = 0
    result.catalog.references = _CountingList(result.catalog.references)
    assert export.document(result.catalog, result.schemas) == expected
    assert len(result.catalog.documents) > 30
    assert _CountingList.walks <= 2
    item = next(i for i in expected["entities"]["roadmap-item"] if i["id"] == "usage-based-billing")
    by_hand = [
        {"field": r.field, "kind": result.catalog.documents[r.source].kind.kind, "id": r.source}
        for r in list.__iter__(result.catalog.references)
        if r.target == "usage-based-billing" or r.target.startswith("usage-based-billing.")
    ]
    assert item["relations"]["in"] == by_hand


@pytest.mark.parametrize("fmt", ["json", "csv", "sqlite", "ics"])
def test_an_unwritable_out_is_a_message_naming_it(base_repo: Path, tmp_path: Path, fmt: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "export"
    code, output = run(base_repo, "export", "--format", fmt, "--out", str(out))
    assert code == 1, output
    assert output.startswith(f"prodops: cannot write {out}: ")
    assert "choose a path you can write to" in output and "Traceback" not in output


def _unfold(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_ics_folds_long_lines_at_75_octets_and_drops_control_characters(base_repo: Path, tmp_path: Path) -> None:
    title = "Activation\x0bemails\x1b[31m for everyone, in every timezone; " + "é" * 60 + "\x07\x7f\x85 done"
    _set_title(base_repo, "launches/activation-emails-launch.yaml", title)
    out = tmp_path / "launches.ics"
    code, output = run(base_repo, "export", "--format", "ics", "--out", str(out))
    assert code == 0, output
    data = out.read_bytes()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the summary was folded
    text = data.decode("utf-8")
    assert not [c for c in text if (ord(c) < 0x20 and c not in "\r\n") or 0x7F <= ord(c) < 0xA0]
    summary = next(line for line in _unfold(data) if line.startswith("SUMMARY:"))
    assert summary == (
        "SUMMARY:Activationemails[31m for everyone\\, in every timezone\\; " + "é" * 60 + " done — GA (tier 3)"
    )


def test_ics_text_keeps_line_breaks_and_turns_tabs_into_spaces() -> None:
    assert export.ics_text("a\tb\r\nc\rd\ne\x00\x1f\u2028f") == "a b\nc\nd\ne\nf"


def test_json_export_is_the_document_with_one_entity_per_line(base_repo: Path, tmp_path: Path) -> None:
    code, output = run(base_repo, "export", "--format", "json", "--out", str(tmp_path / "ops.json"))
    assert code == 0, output
    text = (tmp_path / "ops.json").read_text()
    result = pipeline.build(base_repo, today=TODAY)
    assert json.loads(text) == export.document(result.catalog, result.schemas)
    records = [json.loads(line.strip().rstrip(",")) for line in text.splitlines() if line.startswith("      {")]
    assert sorted(r["id"] for r in records) == sorted(result.catalog.documents)
    # Kinds in name order: the base repository has no insights and no KPIs, an empty kind is an empty list.
    assert text.startswith(
        '{\n  "format": "prodops-export",\n  "version": 1,\n  "entities": {\n    "insight": [],\n    "kpi": [],\n    "launch": [\n'
    )


def test_every_computed_field_is_declared_for_its_columns(tmp_path: Path) -> None:
    """An empty kind's columns come from the registry's computed names: they must be what it computes."""
    result = pipeline.build(copy_example(tmp_path / "repo"), today=TODAY)
    for spec in kinds.registry(result.schemas):
        ids = [i for i, d in sorted(result.catalog.documents.items()) if d.kind.kind == spec.kind]
        if not spec.computed and not ids:
            continue  # nothing computed: nothing to compare
        assert ids, (
            f"the snapshot (tooling/tests/fixtures/ledgerline/) needs a {spec.kind} to check its computed fields"
        )
        entity = result.catalog.entity(ids[0])
        assert tuple(spec.compute(entity)) == spec.computed, spec.kind

"""Optional means optional: a field the adopter's schema does not require may be missing everywhere.

A property-style sweep: for each built-in kind, each field a ``required`` list of its schema names
(other than ids) is dropped from the list in a copy of the schemas and deleted from every file of
a small repository; then every read command, report, export, list/show, render and diff runs on
it. None may end in an unexpected error (exit 3) or a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, TODAY, assemble, copy_example

from prodops.cli import cli
from prodops.yamlparse import parse

SCHEMAS = FIXTURES.parent.parent.parent / "schemas"
# The kinds of the small repository (tests/fixtures/base) and the folder their files are in.
FOLDERS = {
    "team": "processes/teams",
    "objective": "okrs",
    "roadmap-item": "roadmap",
    "launch": "launches",
    "playbook": "processes",
    "insight": "roadmap/insights",
    "kpi": "okrs/kpis",
}
Step = str | None  # a key of an object, or None for every element of an array


def _required(
    node: dict[str, Any], defs: dict[str, Any], at: tuple[Step, ...]
) -> Iterator[tuple[tuple[Step, ...], str]]:
    """(where in a file, field) for every field a ``required`` list names, following properties, items and $defs."""
    if "$ref" in node and node["$ref"].startswith("#/$defs/"):
        node = defs[node["$ref"].removeprefix("#/$defs/")]
    for name in node.get("required", ()):
        if name != "id":
            yield at, name
    for name, sub in (node.get("properties") or {}).items():
        if isinstance(sub, dict):
            yield from _required(sub, defs, (*at, name))
    items = node.get("items")
    if isinstance(items, dict):
        yield from _required(items, defs, (*at, None))


def _cases() -> list[tuple[str, tuple[Step, ...], str]]:
    cases = []
    for kind, _folder in FOLDERS.items():
        name = "roadmap-item" if kind == "roadmap-item" else kind
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
        for at, field in _required(schema, schema.get("$defs", {}), ()):
            cases.append((kind, at, field))
    return cases


CASES = _cases()


def _schema_node(schema: dict[str, Any], at: tuple[Step, ...]) -> dict[str, Any]:
    node = schema
    for step in at:
        if "$ref" in node and node["$ref"].startswith("#/$defs/"):
            node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
        node = node["items"] if step is None else node["properties"][step]
    if "$ref" in node and node["$ref"].startswith("#/$defs/"):
        node = schema["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node


def _delete(data: Any, at: tuple[Step, ...], field: str) -> None:
    if not at:
        if isinstance(data, dict):
            data.pop(field, None)
        return
    step, rest = at[0], at[1:]
    if step is None:
        for element in data if isinstance(data, list) else ():
            _delete(element, rest, field)
    elif isinstance(data, dict) and step in data:
        _delete(data[step], rest, field)


def _strip(repo: Path, kind: str, at: tuple[Step, ...], field: str) -> None:
    path = repo / "schemas" / f"{kind}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    node = _schema_node(schema, at)
    node["required"] = [name for name in node["required"] if name != field]
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    folder = repo / FOLDERS[kind]
    # Files of other kinds live in sub-folders (okrs/kpis/, processes/teams/); objectives may be in period folders.
    files = folder.rglob("*.yaml") if kind == "objective" else folder.glob("*.yaml")
    for file in sorted(f for f in files if "kpis" not in f.parts):
        data = parse(file.read_text(encoding="utf-8")).data
        _delete(data, at, field)
        # JSON is YAML: the content stays what the loader reads, without the field.
        file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _small_repo(dest: Path) -> Path:
    """The small fixture repository with what its site is built from."""
    repo = assemble(None, dest)
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    shutil.copytree(REPO_ROOT / "site-public", repo / "site-public")
    # One insight and one KPI (with its series) from the example, tied to this repository's team and items.
    ledgerline = FIXTURES / "ledgerline"
    insight = parse((ledgerline / "roadmap/insights/approval-for-credit-notes.yaml").read_text(encoding="utf-8")).data
    insight.update(owner="ana-pm", addressed_by=["setup-api"])
    kpi = parse((ledgerline / "okrs/kpis/days-to-first-payment.yaml").read_text(encoding="utf-8")).data
    kpi.update(team="core", owner="ana-pm", objectives=["2026-q4-company"])
    for rel, data in (
        ("roadmap/insights/approval-for-credit-notes.yaml", insight),
        ("okrs/kpis/days-to-first-payment.yaml", kpi),
    ):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    shutil.copy(ledgerline / "okrs/kpis/days-to-first-payment.csv", repo / "okrs/kpis/days-to-first-payment.csv")
    return repo


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _commands(repo: Path, out: Path, kind: str) -> list[list[str]]:
    first = sorted((repo / FOLDERS[kind]).glob("*.yaml"))[0].stem
    return [
        ["validate"],
        ["render", "--out", str(out / "site")],
        ["report", "okrs"],
        ["report", "okrs", "--format", "html"],
        ["report", "launches"],
        ["report", "quarter"],
        ["report", "calibration"],
        ["report", "release-notes"],
        ["export", "--format", "json", "--out", str(out / "ops.json")],
        ["export", "--format", "csv", "--out", str(out / "csv")],
        ["export", "--format", "sqlite", "--out", str(out / "ops.db")],
        ["export", "--format", "ics", "--out", str(out / "ops.ics")],
        ["export", "--format", "json", "--audience", "public", "--out", str(out / "public.json")],
        ["list", kind],
        ["list", kind, "--format", "json"],
        ["report", "feedback"],
        ["show", first],
        ["graph"],
        ["digest"],
        ["diff", "HEAD~1", "HEAD"],
    ]


# Fields whose absence the product cannot yet take, as strict xfails (a case that starts passing must
# leave). None is left: an adopter may make any field a schema requires optional.
NOT_YET: set[tuple[str, tuple[Step, ...], str]] = set()


def _param(kind: str, at: tuple[Step, ...], field: str) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason="not optional yet")] if (kind, at, field) in NOT_YET else []
    return pytest.param(kind, at, field, marks=marks, id=f"{kind}:{'.'.join(s or '*' for s in at) or '-'}:{field}")


@pytest.mark.parametrize(("kind", "at", "field"), [_param(*case) for case in CASES])
def test_a_field_made_optional_may_be_missing_everywhere(
    kind: str, at: tuple[Step, ...], field: str, tmp_path: Path
) -> None:
    repo = _small_repo(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "before")
    clean = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat()])
    assert clean.exit_code == 0, clean.output
    _strip(repo, kind, at, field)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "without the field")
    failures = []
    assert (repo / "mkdocs.yml").exists()
    for args in _commands(repo, tmp_path, kind):
        result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
        if result.exit_code not in (0, 1) or "Traceback" in result.output:
            failures.append(f"{' '.join(args[:2])}: exit {result.exit_code}: {result.output.strip()[-200:]}")
    log = repo / ".prodops-cache" / "prodops.log"
    where = log.read_text(encoding="utf-8").strip().splitlines()[-4:] if failures and log.exists() else []
    assert not failures, "\n".join([*failures[:3], *where])


def _without_confidence(repo: Path) -> None:
    """The key results' and check-ins' confidence made optional and deleted, as an adopter that records none."""
    _strip(repo, "objective", ("key_results", None), "confidence")
    _strip(repo, "objective", ("key_results", None, "checkins", None), "confidence")


def test_calibration_names_the_key_results_without_confidence(tmp_path: Path) -> None:
    repo = _small_repo(tmp_path / "repo")
    _without_confidence(repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "objectives without confidence")
    result = CliRunner().invoke(cli, ["report", "calibration", "--root", str(repo), "--today", "2027-02-01"])
    assert result.exit_code == 0, result.output
    assert "## Key results without a confidence" in result.output
    assert "- 2026-Q4 2026-q4-company.kr1" in result.output
    assert "0.5" not in result.output.split("## Key results without a confidence")[1]


def test_a_key_result_without_confidence_is_shown_as_such(tmp_path: Path) -> None:
    repo = _small_repo(tmp_path / "repo")
    _without_confidence(repo)
    args = ["--root", str(repo), "--today", TODAY.isoformat()]
    show = CliRunner().invoke(cli, ["show", "2026-q4-company", *args])
    assert show.exit_code == 0, show.output
    assert "confidence no confidence" in show.output
    okrs = CliRunner().invoke(cli, ["report", "okrs", *args])
    assert okrs.exit_code == 0, okrs.output
    assert "| no confidence |" in okrs.output
    rendered = CliRunner().invoke(cli, ["render", "--out", str(tmp_path / "out"), *args])
    assert rendered.exit_code == 0, rendered.output
    page = next((tmp_path / "out" / "docs").rglob("2026-q4-company.md")).read_text(encoding="utf-8")
    assert "no confidence" in page


def test_the_site_builds_with_mkdocs_when_key_results_carry_no_confidence(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo", site=True)
    _without_confidence(repo)
    result = CliRunner().invoke(cli, ["build", "--root", str(repo)])
    assert result.exit_code == 0, result.output
    pages = list((repo / "build" / "site").rglob("*.html"))
    assert any("no confidence" in p.read_text(encoding="utf-8") for p in pages if "okrs" in p.as_posix())


def test_a_key_result_without_current_is_at_its_latest_check_in_or_baseline() -> None:
    from prodops.model import build_objective

    base = {"id": "kr1", "title": "Cut days", "baseline": 10, "target": 5}
    data = {
        "id": "o",
        "period": "2026-Q4",
        "key_results": [
            {**base, "checkins": [{"date": "2026-11-10", "value": 8}, {"date": "2026-10-10", "value": 9}]},
            {**base, "id": "kr2"},
        ],
    }
    with_checkins, without = build_objective(data, "okrs/o.yaml").key_results
    assert (with_checkins.current, with_checkins.direction, with_checkins.confidence) == (8, "decrease", None)
    assert (without.current, without.progress) == (10, 0.0)

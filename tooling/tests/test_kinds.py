"""The kind registry, and a kind the code has never seen, end to end, with no Python change.

The fixture ``fixtures/kinds/decision/`` is the base repository plus ``schemas/decision.schema.json``
(``x-prodops-kind: decision`` under ``processes/decisions/``, an enum status, references to
roadmap items, a team and people) and two decision records. Everything here runs on it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble, check_golden

from prodops import codeowners, diff, diffreport, export, gitrev, kinds, pipeline, query
from prodops.cli import cli
from prodops.render import SiteOptions, render_site
from prodops.render import providers as page_providers

CASE = FIXTURES / "kinds" / "decision"
GOLDEN = CASE.parent / "golden"
DECISION = "processes/decisions/guided-setup-first.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return assemble(CASE, tmp_path / "repo")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the registry ------------------------------------------------------------------------------


def test_the_registry_reads_every_kind_from_the_schemas(repo: Path) -> None:
    registry = kinds.registry(pipeline.build(repo, today=TODAY).schemas)
    assert registry.names == ("roadmap-item", "objective", "launch", "playbook", "team", "kpi", "decision", "insight")
    assert registry.folders == ("launches", "okrs", "processes", "roadmap")
    spec = registry["decision"]
    assert (spec.folder, spec.schema_file, spec.title_field) == ("processes/decisions", "decision.schema.json", "title")
    assert (spec.label, spec.plural, spec.nav_title) == ("decision record", "decision records", "Decision records")
    assert spec.list_columns == ("id", "title", "status", "decided_on", "decided_by", "team")
    assert spec.sort == ("-decided_on", "id")
    assert (spec.owner_field, spec.team_field) == ("decided_by", "team")
    assert spec.id_pattern.startswith("^[a-z0-9]")
    assert {(r.name, r.target) for r in spec.refs} == {
        ("decided_by", "person"),
        ("team", "team"),
        ("items", "roadmap-item"),
    }
    assert spec.markdown_fields == {"context", "consequences"}
    assert (spec.page_dir, spec.template, spec.index_page, spec.export_table) == (
        "decision",
        "record.md.j2",
        "decision/index.md",
        "decision",
    )
    assert registry["roadmap-item"].export_table == "roadmap_item"


def test_the_deepest_folder_decides_the_kind(repo: Path) -> None:
    registry = kinds.registry(pipeline.build(repo, today=TODAY).schemas)

    def kind_of(rel: str) -> str | None:
        found = registry.kind_for(rel)
        return found.kind if found is not None else None

    assert kind_of("processes/launch-readiness.yaml") == "playbook"
    assert kind_of("processes/teams/core.yaml") == "team"
    assert kind_of(DECISION) == "decision"
    assert kind_of("processes/decisions-old/x.yaml") == "playbook"  # a prefix of a name is not a folder
    assert kind_of("schemas/decision.schema.json") is None


def test_a_kind_without_annotations_gets_defaults(tmp_path: Path) -> None:
    repo = assemble(CASE, tmp_path / "repo")
    schema = json.loads((repo / "schemas/decision.schema.json").read_text())
    for key in ("x-prodops-list-columns", "x-prodops-sort", "x-prodops-owner-field", "x-prodops-plural"):
        del schema[key]
    (repo / "schemas/decision.schema.json").write_text(json.dumps(schema))
    spec = kinds.registry(pipeline.build(repo, today=TODAY).schemas)["decision"]
    assert spec.list_columns == ("id", "title", "status", "team")
    assert (spec.sort, spec.owner_field, spec.plural) == (("id",), "", "decision records")


def test_an_unknown_kind_is_a_clear_error(repo: Path) -> None:
    code, output = _run("list", "decisions", "--root", str(repo))
    assert code == 2
    assert "'decisions' is not a kind; kinds: roadmap-item, objective, launch, playbook, team, kpi, decision" in output


# -- validate and link ---------------------------------------------------------------------------


def test_the_new_kind_validates_clean_and_becomes_records(repo: Path) -> None:
    result = pipeline.build(repo, today=TODAY)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    records = result.catalog.of("decision")
    assert sorted(records) == ["guided-setup-first", "public-setup-api"]
    record = result.catalog.entity("guided-setup-first")
    assert record is not None and record.title.startswith("Guide trial users")
    assert result.catalog.kind_of("guided-setup-first") == "decision"
    # The built-in tables are what they were.
    assert sorted(result.catalog.items) == ["activation-emails", "quick-setup", "setup-api"]
    assert result.catalog.of("roadmap-item") is result.catalog.items


def test_a_schema_error_in_the_new_kind_is_pinned_to_its_line(repo: Path) -> None:
    _edit(repo / DECISION, "status: accepted", "status: decided")
    code, output = _run("validate", "--root", str(repo), str(repo / DECISION))
    assert code == 1
    assert output.startswith(
        f"{DECISION}:4:9: error PO204 status: 'decided' is not one of: proposed, accepted, superseded, rejected"
    )


def test_a_dangling_reference_of_the_new_kind_is_reported_like_any_other(repo: Path) -> None:
    _edit(repo / DECISION, "  - quick-setup\n", "  - quick-setpu\n")
    code, output = _run("validate", "--root", str(repo))
    assert code == 1
    assert (
        f"{DECISION}:14:5: error PO303 items: 'quick-setpu' is not a roadmap item (did you mean 'quick-setup'?)"
        in output
    )


# -- list, show, export, diff, CODEOWNERS -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_list_shows_the_new_kind_in_its_declared_order(repo: Path, fmt: str) -> None:
    code, output = _run("list", "decision", "--root", str(repo), "--format", fmt)
    assert code == 0, output
    check_golden(GOLDEN / f"list.{fmt}", output)


def test_list_filters_the_new_kind_on_owner_team_and_status(repo: Path) -> None:
    schemas = pipeline.build(repo, today=TODAY)
    catalog = schemas.catalog

    def ids(team: str | None = None, status: str | None = None, owner: str | None = None) -> list[str]:
        rows = query.rows(catalog, schemas.schemas, "decision", team=team, status=status, owner=owner)
        return [r["id"] for r in rows]

    assert ids(owner="bo-eng") == ["public-setup-api"]
    assert ids(team="core") == ["guided-setup-first"]
    assert ids(status="accepted") == ["guided-setup-first"]
    code, output = _run("list", "decision", "--root", str(repo), "--status", "acepted")
    assert code == 2
    assert (
        "--status: 'acepted' is not a status (proposed, accepted, superseded, rejected) (did you mean 'accepted'?)"
        in (" ".join(output.split()))
    )


def test_show_prints_the_record_and_its_relations_both_ways(repo: Path) -> None:
    code, output = _run("show", "guided-setup-first", "--root", str(repo))
    assert code == 0, output
    check_golden(GOLDEN / "show.txt", output)
    code, output = _run("show", "quick-setup", "--root", str(repo))
    assert code == 0, output
    assert "  ← guided-setup-first (items)\n" in output


def test_export_carries_the_new_kind_in_every_table_format(repo: Path, tmp_path: Path) -> None:
    result = pipeline.build(repo, today=TODAY)
    data = export.document(result.catalog, result.schemas)
    [first, second] = data["entities"]["decision"]
    assert (first["id"], second["id"]) == ("guided-setup-first", "public-setup-api")
    assert first["computed"] == {}
    assert first["relations"]["out"] == [
        {"field": "decided_by", "kind": "person", "id": "ana-pm"},
        {"field": "team", "kind": "team", "id": "core"},
        {"field": "items", "kind": "roadmap-item", "id": "quick-setup"},
        {"field": "items", "kind": "roadmap-item", "id": "activation-emails"},
    ]
    item = next(r for r in data["entities"]["roadmap-item"] if r["id"] == "quick-setup")
    assert {"field": "items", "kind": "decision", "id": "guided-setup-first"} in item["relations"]["in"]

    for fmt in ("csv", "sqlite", "json"):
        out = tmp_path / f"out-{fmt}"
        code, output = _run("export", "--root", str(repo), "--format", fmt, "--out", str(out))
        assert code == 0, output
    with (tmp_path / "out-csv" / "decision.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["guided-setup-first", "public-setup-api"]
    assert rows[0]["items"] == '["quick-setup", "activation-emails"]'
    assert rows[1]["consequences"] == ""
    connection = sqlite3.connect(tmp_path / "out-sqlite")
    try:
        found = connection.execute('SELECT id, status, decided_by FROM "decision" ORDER BY id').fetchall()
    finally:
        connection.close()
    assert found == [("guided-setup-first", "accepted", "ana-pm"), ("public-setup-api", "proposed", "bo-eng")]
    written = json.loads((tmp_path / "out-json").read_text())
    assert [r["id"] for r in written["entities"]["decision"]] == ["guided-setup-first", "public-setup-api"]


def test_diff_names_changes_to_the_new_kind(repo: Path, tmp_path: Path) -> None:
    after = tmp_path / "after"
    shutil.copytree(repo, after)
    _edit(after / DECISION, "status: accepted", "status: superseded")
    (after / "processes/decisions/public-setup-api.yaml").unlink()
    old, new = pipeline.build(repo, today=TODAY), pipeline.build(after, today=TODAY)
    report = diff.compare(old.catalog, new.catalog, "main", "branch", old.diagnostics, new.diagnostics)
    assert [(c.kind, c.id, c.status, c.team) for c in report.changes] == [
        ("decision", "guided-setup-first", "changed", "core"),
        ("decision", "public-setup-api", "removed", "core"),  # no team field: its decided_by's team
    ]
    check_golden(GOLDEN / "diff.md", diffreport.markdown(report))


def test_codeowners_routes_the_new_kind_by_its_team_or_its_owner(repo: Path) -> None:
    catalog = pipeline.build(repo, today=TODAY).catalog
    assert codeowners.owning_teams(catalog, "guided-setup-first") == ("core",)  # x-prodops-team-field
    assert codeowners.owning_teams(catalog, "public-setup-api") == ("core",)  # its decided_by's team
    text = codeowners.render(catalog, "@example/product-ops")
    assert "/processes/decisions/guided-setup-first.yaml @example/core" in " ".join(text.split("  "))


# -- the site ------------------------------------------------------------------------------------


def _site(repo: Path) -> dict[str, str]:
    result = pipeline.build(repo, today=TODAY)
    return render_site(result, SiteOptions(today=TODAY, edit_base="https://example.com/edit/main/")).pages


def test_each_record_gets_a_page_that_links_what_it_names(repo: Path) -> None:
    pages = _site(repo)
    check_golden(GOLDEN / "decision-page.md", pages["decision/guided-setup-first.md"])
    check_golden(GOLDEN / "decision-index.md", pages["decision/index.md"])
    assert "reference/schemas/decision.md" in pages


def test_a_named_entity_page_says_which_records_name_it(repo: Path) -> None:
    pages = _site(repo)
    item = pages["roadmap-item/quick-setup.md"]
    section = item[item.index("## Named by decision records") : item.index('<p class="po-source">')]
    assert 'href="../decision/guided-setup-first.html"' in section
    assert "Guide trial users through setup before sending activation emails" in section
    assert "(guided-setup-first, items)" in section
    team = pages["team/core.md"]
    assert "## Named by decision records" in team and "guided-setup-first, team" in team
    assert 'href="../decision/public-setup-api.html"' in pages["roadmap-item/setup-api.md"]
    # An entity no record names has no such section.
    assert "Named by" not in pages["launch/activation-emails-launch.md"]


def test_page_providers_add_pages_for_a_kind_and_cannot_replace_one(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def timeline(renderer: object, spec: kinds.KindSpec) -> dict[str, str]:
        records = sorted(renderer.catalog.of(spec.kind))  # type: ignore[attr-defined]
        return {f"{spec.page_dir}/timeline.md": "# Decisions over time\n\n" + "\n".join(records) + "\n"}

    monkeypatch.setitem(page_providers.PROVIDERS, "decision", (timeline,))
    monkeypatch.setitem(page_providers.PROVIDERS, "no-such-kind", (timeline,))
    pages = _site(repo)
    assert pages["decision/timeline.md"] == "# Decisions over time\n\nguided-setup-first\npublic-setup-api\n"
    assert "no-such-kind/timeline.md" not in pages

    def replacing(renderer: object, spec: kinds.KindSpec) -> dict[str, str]:
        return {spec.index_page: "replaced"}

    monkeypatch.setitem(page_providers.PROVIDERS, "decision", (replacing,))
    with pytest.raises(ValueError, match=re.escape("would replace decision/index.md")):
        _site(repo)


def test_sections_are_spliced_above_the_source_line_named_by_first(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert page_providers.splice('a\n<p class="po-source">x</p>\n', "\nS") == 'a\nS\n<p class="po-source">x</p>\n'
    assert page_providers.splice("no source line\n", "S") == "no source line\nS\n"
    assert page_providers.splice("unchanged", "") == "unchanged"

    def note(renderer: object, here: str, entity_id: str) -> str:
        return f'<p class="po-note">{entity_id}</p>\n'

    monkeypatch.setitem(page_providers.SECTIONS, "roadmap-item", (note,))
    page = _site(repo)["roadmap-item/quick-setup.md"]
    named, added, source = (page.index(s) for s in ("Named by decision records", "po-note", 'class="po-source"'))
    assert named < added < source  # the "Named by" section is a section like any other, and comes first


def _with_site_config(repo: Path) -> Path:
    """The example's MkDocs configuration and hand-written pages, for a full build of the fixture."""
    from conftest import REPO_ROOT

    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    return repo


def _build(repo: Path, out: Path) -> Path:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out))
    config.plugins["prodops"].config.today = TODAY.isoformat()
    mkdocs_build(config)
    return out


def test_the_built_site_has_the_kind_in_its_navigation(repo: Path, tmp_path: Path) -> None:
    site = _build(_with_site_config(repo), tmp_path / "site")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="decision/index.html"' in home and "Decision records" in home
    page = (site / "decision" / "guided-setup-first.html").read_text(encoding="utf-8")
    assert 'href="../roadmap-item/quick-setup.html"' in page
    assert "<strong>activation emails</strong>" in page


def test_hostile_text_in_the_new_kind_cannot_run_script_on_the_site(repo: Path, tmp_path: Path) -> None:
    from payloads import PAYLOADS, scan

    short = [p for p in PAYLOADS if 5 <= len(p) <= 120 and "\n" not in p]
    record = {
        "id": "hostile",
        "title": short[0],
        "status": "accepted",
        "decided_on": "2026-11-01",
        "decided_by": "ana-pm",
        "team": "core",
        "context": "\n\n".join(PAYLOADS),
        "consequences": "\n\n".join(reversed(PAYLOADS)),
        "items": ["quick-setup"],
        "options": [{"name": p, "chosen": False} for p in short],
    }
    header = "# yaml-language-server: $schema=../../schemas/decision.schema.json\n"
    (repo / "processes/decisions/hostile.yaml").write_text(header + json.dumps(record, indent=1) + "\n")
    result = pipeline.build(repo, today=TODAY)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    site = _build(_with_site_config(repo), tmp_path / "site")
    clean_site = _build(_with_site_config(assemble(CASE, tmp_path / "clean")), tmp_path / "clean-site")
    pages = [
        "decision/hostile.html",
        "decision/index.html",
        "roadmap-item/quick-setup.html",
        "team/core.html",
    ]
    # The scripts the theme puts on a page, from the same pages of the site without the payloads.
    theme = {s for rel in pages[1:] for s in scan((clean_site / rel).read_text(encoding="utf-8"))[1]}
    problems: list[str] = []
    for rel in pages:
        findings, scripts = scan((site / rel).read_text(encoding="utf-8"))
        problems += [f"{rel}: {f}" for f in findings]
        problems += [f"{rel}: script {s!r}" for s in scripts if s not in theme]
    assert problems == []
    # Not vacuous: the payloads reached the pages, as text.
    text = (site / "decision/hostile.html").read_text(encoding="utf-8")
    assert "alert(129)" in text and "alert(130)" in text
    assert "alert(" in (site / "roadmap-item/quick-setup.html").read_text(encoding="utf-8")


# -- sub-folders, non-YAML files and Git revisions -------------------------------------------------------


def _nested_kind(repo: Path) -> None:
    """A kind whose folder is inside another kind's (roadmap/signals inside roadmap/), with a CSV beside its YAML."""
    schema = json.loads((repo / "schemas/decision.schema.json").read_text())
    schema.update({"x-prodops-kind": "signal", "x-prodops-folder": "roadmap/signals", "title": "Customer signal"})
    (repo / "schemas/signal.schema.json").write_text(json.dumps(schema, indent=1))
    folder = repo / "roadmap/signals"
    folder.mkdir(parents=True)
    text = (repo / DECISION).read_text().replace("decision.schema.json", "signal.schema.json")
    (folder / "guided-setup-first-signal.yaml").write_text(
        text.replace("id: guided-setup-first", "id: guided-setup-first-signal")
    )
    (folder / "weekly-counts.csv").write_text("week,count\n2026-W45,12\n")


def test_a_kind_inside_another_kinds_folder_and_csv_files_beside_it(repo: Path) -> None:
    _nested_kind(repo)
    result = pipeline.build(repo, today=TODAY)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert sorted(result.catalog.of("signal")) == ["guided-setup-first-signal"]
    assert sorted(result.catalog.items) == ["activation-emails", "quick-setup", "setup-api"]
    under_roadmap = sorted(r for r in result.files if r.startswith("roadmap/"))
    assert under_roadmap == [
        "roadmap/activation-emails.yaml",
        "roadmap/quick-setup.yaml",
        "roadmap/setup-api.yaml",
        "roadmap/signals/guided-setup-first-signal.yaml",
    ]
    code, output = _run("list", "roadmap-item", "--root", str(repo), "--format", "json")
    assert code == 0 and "signal" not in output
    code, output = _run("move", "guided-setup-first-signal", "--horizon", "now", "--root", str(repo))
    assert code == 1
    assert (
        "'guided-setup-first-signal' is not a roadmap item (roadmap/signals/guided-setup-first-signal.yaml)" in output
    )


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def test_a_revision_holds_the_folders_its_own_schemas_declare(repo: Path) -> None:
    schema = json.loads((repo / "schemas/decision.schema.json").read_text())
    schema["x-prodops-folder"] = "decisions"  # a top-level folder no built-in kind uses
    (repo / "schemas/decision.schema.json").write_text(json.dumps(schema, indent=1))
    shutil.move(repo / "processes/decisions", repo / "decisions")
    for path in (repo / "decisions").glob("*.yaml"):
        path.write_text(path.read_text().replace("$schema=../../schemas/", "$schema=../schemas/"))
    (repo / "notes").mkdir()
    (repo / "notes/private.yaml").write_text("secret: not content\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Decisions in their own folder")
    with gitrev.checkout(repo, "HEAD") as revision:
        read = sorted(p.relative_to(revision.root).as_posix() for p in revision.root.rglob("*") if p.is_file())
        result = pipeline.build(revision.root, today=TODAY)
    assert "decisions/guided-setup-first.yaml" in read
    assert "notes/private.yaml" not in read
    assert sorted(result.catalog.of("decision")) == ["guided-setup-first", "public-setup-api"]


def test_move_takes_the_horizons_the_schema_allows(repo: Path) -> None:
    path = repo / "schemas/roadmap-item.schema.json"
    path.write_text(
        path.read_text().replace('"enum": ["now", "next", "later"]', '"enum": ["now", "next", "later", "someday"]')
    )
    assert "someday" in path.read_text()
    code, output = _run("move", "setup-api", "--horizon", "somday", "--root", str(repo))
    assert code == 2
    assert "'somday' is not a horizon (now, next, later, someday) (did you mean 'someday'?)" in " ".join(output.split())
    code, output = _run("move", "setup-api", "--horizon", "someday", "--root", str(repo))
    assert code == 0, output
    assert "horizon: someday\n" in (repo / "roadmap/setup-api.yaml").read_text()


def test_shell_completion_offers_every_kind_and_the_new_kinds_ids(repo: Path) -> None:
    import click

    from prodops.cli import complete_ids, complete_kinds

    ctx = click.Context(cli, obj=None)
    ctx.params["root"] = str(repo)
    param = click.Argument(["kind"])
    offered = [c.value for c in complete_kinds(ctx, param, "")]
    declared = {json.loads(f.read_text()).get("x-prodops-kind") for f in (repo / "schemas").glob("*.schema.json")} - {
        None
    }
    assert offered[:5] == ["roadmap-item", "objective", "launch", "playbook", "team"]  # the built-ins first
    assert "decision" in offered and set(offered) == declared  # and every kind the schemas declare
    assert [c.value for c in complete_kinds(ctx, param, "de")] == ["decision"]
    assert "guided-setup-first" in [c.value for c in complete_ids(ctx, param, "guided")]


def test_new_starts_a_record_of_the_new_kind_from_its_schema(repo: Path) -> None:
    code, output = _run(
        "new",
        "decision",
        "--no-input",
        "--title",
        "Keep invoices in one currency per customer",
        "--set",
        "status=proposed",
        "--set",
        "decided_on=2026-11-20",
        "--set",
        "decided_by=ana-pm",
        "--set",
        "context=Mixed currencies confuse dunning.",
        "--set",
        "items.0=setup-api",
        "--root",
        str(repo),
    )
    assert code == 0, output
    written = repo / "processes/decisions/keep-invoices-in-one-currency-per-customer.yaml"
    check_golden(GOLDEN / "new.yaml", written.read_text(encoding="utf-8"))
    assert "keep-invoices-in-one-currency-per-customer" in pipeline.build(repo, today=TODAY).catalog.of("decision")


def test_the_plugin_watches_the_folders_the_schemas_declare(repo: Path) -> None:
    from mkdocs.config import load_config

    from prodops.mkdocs_plugin import ProdopsPlugin

    schema = json.loads((repo / "schemas/decision.schema.json").read_text())
    schema["x-prodops-folder"] = "decisions"  # a top-level folder no built-in kind uses
    (repo / "schemas/decision.schema.json").write_text(json.dumps(schema, indent=1))
    shutil.move(repo / "processes/decisions", repo / "decisions")
    for path in (repo / "decisions").glob("*.yaml"):
        path.write_text(path.read_text().replace("$schema=../../schemas/", "$schema=../schemas/"))
    _with_site_config(repo)
    config = load_config(config_file=str(repo / "mkdocs.yml"))
    plugin = config.plugins["prodops"]
    assert isinstance(plugin, ProdopsPlugin)
    plugin.config.today = TODAY.isoformat()
    plugin.on_config(config)

    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(Path(path).relative_to(repo).as_posix())

        def get_app(self) -> object:  # the plugin wraps the server's application in its Host check
            return lambda environ, start_response: []

        def set_app(self, app: object) -> None:
            self.app = app

    server = Server()
    plugin.on_serve(server, config=config, builder=None)  # type: ignore[arg-type]
    assert server.watched == ["decisions", "launches", "okrs", "processes", "roadmap", "schemas"]
    assert {"Decision records": "decision/index.md"} in (config.nav or [])


def test_the_history_index_does_not_take_a_nested_kinds_files_for_roadmap_items(repo: Path) -> None:
    from prodops import history

    _nested_kind(repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Signals beside the roadmap")
    index = history.load(repo)
    assert index.kinds["setup-api"] == "roadmap-item"
    assert "guided-setup-first-signal" not in index.kinds
    assert not any(path.startswith("roadmap/signals/") for path in index.paths)
    assert index.kinds["2026-q4-core"] == "objective"


def test_every_built_in_kind_has_a_schema_and_rows_with_its_columns(tmp_path: Path) -> None:
    """The registry of built-in behaviour matches the schemas, on the Ledgerline snapshot (an entity of every kind)."""
    from conftest import copy_example

    from prodops.builtin_kinds import BUILTIN

    result = pipeline.build(copy_example(tmp_path / "repo"), today=TODAY)
    registry = kinds.registry(result.schemas)
    assert set(BUILTIN) <= set(registry.names)
    pages = render_site(result, SiteOptions(today=TODAY)).pages
    for spec in registry:
        entities = list(result.catalog.of(spec.kind).values())
        assert entities, spec.kind
        assert tuple(spec.row(result.catalog, entities[0])) == spec.list_columns, spec.kind
        assert spec.ordered(entities) == spec.ordered(list(reversed(entities))), spec.kind
        assert spec.index_page in pages, spec.kind


def _nav_after_config(repo: Path) -> set[str]:
    from mkdocs.config import load_config

    from prodops.mkdocs_plugin import ProdopsPlugin, _nav_pages

    config = load_config(config_file=str(repo / "mkdocs.yml"))
    plugin = config.plugins["prodops"]
    assert isinstance(plugin, ProdopsPlugin)
    plugin.config.today = TODAY.isoformat()
    plugin.on_config(config)
    return _nav_pages(config.nav)


def test_a_kind_whose_provider_pages_are_in_the_navigation_gets_no_second_section(tmp_path: Path) -> None:
    from conftest import copy_example

    repo = copy_example(tmp_path / "repo", site=True)
    pages = _nav_after_config(repo)
    assert "insights/index.md" in pages  # Roadmap -> Customer asks, as mkdocs.yml says
    assert "insight/index.md" not in pages  # not a second "Insights" section beside it
    # A repository whose navigation leaves the provider's pages out still reaches the kind.
    config = repo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines(keepends=True) if "insights/" not in line]
    assert len(kept) < len(text.splitlines())
    config.write_text("".join(kept), encoding="utf-8")
    assert "insight/index.md" in _nav_after_config(repo)


# -- the status of a kind: diff and lifecycles ---------------------------------------------------


def _lifecycle(repo: Path, kind: str) -> None:
    """The base playbook governs ``kind``'s status: into 'accepted' only from 'proposed', with an owner."""
    playbook = repo / "processes" / "launch-readiness.yaml"
    playbook.write_text(
        playbook.read_text()
        + f"lifecycle:\n  kind: {kind}\n  transitions:\n    - to: accepted\n      from: [proposed]\n      requires: [owner]\n"
    )


def test_the_registry_knows_which_field_holds_a_kinds_state(repo: Path) -> None:
    registry = kinds.registry(pipeline.build(repo, today=TODAY).schemas)
    assert {spec.kind: spec.status_field for spec in registry} == {
        "roadmap-item": "status",
        "objective": "",
        "launch": "status",
        "playbook": "",
        "team": "",
        "kpi": "",
        "decision": "status",
        "insight": "status",
    }
    assert registry["decision"].status({"status": "accepted"}) == "accepted"
    assert registry["objective"].status({"status": "x"}) is None


def test_diff_calls_out_a_status_change_of_a_generic_kind(repo: Path, tmp_path: Path) -> None:
    after = tmp_path / "after"
    shutil.copytree(repo, after)
    _edit(after / DECISION, "status: accepted", "status: superseded")
    _edit(after / "roadmap/quick-setup.yaml", "status: in-progress", "status: shipped")
    old, new = pipeline.build(repo, today=TODAY), pipeline.build(after, today=TODAY)
    report = diff.compare(old.catalog, new.catalog, "main", "branch")
    notes = {c.id: [n.text for n in c.notes] for c in report.changes}
    assert notes["guided-setup-first"] == ["status **accepted → superseded**"]
    # A roadmap item's status keeps its own note (a move into work weighs most), said once.
    assert [n for n in notes["quick-setup"] if "status" in n] == ["status **in-progress → shipped**"]


def test_diff_follows_the_status_field_a_schema_names(repo: Path, tmp_path: Path) -> None:
    schema = repo / "schemas" / "decision.schema.json"
    doc = json.loads(schema.read_text())
    doc["properties"]["stage"] = doc["properties"].pop("status")
    doc["required"] = [("stage" if r == "status" else r) for r in doc["required"]]
    doc["x-prodops-list-columns"] = [("stage" if c == "status" else c) for c in doc["x-prodops-list-columns"]]
    doc["x-prodops-status-field"] = "stage"
    schema.write_text(json.dumps(doc))
    for record in (repo / "processes" / "decisions").glob("*.yaml"):
        record.write_text(record.read_text().replace("\nstatus: ", "\nstage: "))
    after = tmp_path / "after"
    shutil.copytree(repo, after)
    _edit(after / DECISION, "stage: accepted", "stage: rejected")
    old, new = pipeline.build(repo, today=TODAY), pipeline.build(after, today=TODAY)
    assert new.count("error") == 0, [d.message for d in new.diagnostics]
    report = diff.compare(old.catalog, new.catalog, "main", "branch")
    assert [n.text for c in report.changes for n in c.notes] == ["status **accepted → rejected**"]


def test_a_lifecycle_cannot_govern_a_generic_kind_and_says_so_at_its_line(repo: Path) -> None:
    _lifecycle(repo, "decision")
    code, output = _run("validate", "--root", str(repo))
    assert code == 1
    assert "processes/launch-readiness.yaml:26:9: error PO204 lifecycle.kind: 'decision' is not one of" in output, (
        output
    )


def test_the_lifecycle_check_itself_holds_for_any_kind_with_a_state(repo: Path, tmp_path: Path) -> None:
    # The playbook schema decides which kinds a lifecycle may govern; widened, the check needs no change.
    schema = repo / "schemas" / "playbook.schema.json"
    doc = json.loads(schema.read_text())
    doc["properties"]["lifecycle"]["properties"]["kind"]["enum"].append("decision")
    schema.write_text(json.dumps(doc))
    _lifecycle(repo, "decision")
    _edit(repo / DECISION, "status: accepted", "status: rejected")
    after = tmp_path / "after"
    shutil.copytree(repo, after)
    _edit(after / DECISION, "status: rejected", "status: accepted")  # not from 'proposed': refused
    _edit(after / "processes/decisions/public-setup-api.yaml", "status: proposed", "status: accepted")  # allowed
    old, new = pipeline.build(repo, today=TODAY), pipeline.build(after, today=TODAY)
    assert new.count("error") == 0, [d.message for d in new.diagnostics]
    from prodops import lifecycle

    found = list(lifecycle.check(old.catalog, new.catalog))
    assert [(d.code, d.file, d.line, d.message, d.hint) for d in found] == [
        (
            "PO501",
            DECISION,
            4,
            "status rejected → accepted is not allowed by playbook 'launch-readiness'",
            "'accepted' can be entered from: proposed",
        )
    ]


# -- kind knowledge lives in the registry ------------------------------------------------------------

# The modules that may list several kinds by name, and why: the rest ask the registry.
KIND_TABLES = {
    "builtin_kinds.py": "the registry of the built-in kinds' behaviour",
    "render/providers.py": "the explicit registry of kind-specific pages and sections",
    "diff.py": "the kinds whose own diff notes say their status (with weights of their own)",
    "prompts.py": "the fields process rules require of roadmap items and launches, asked by prodops new",
}


def test_no_module_keeps_its_own_table_of_kinds() -> None:
    import ast

    from conftest import REPO_ROOT

    from prodops.builtin_kinds import BUILTIN

    package = REPO_ROOT / "tooling" / "prodops"
    names = set(BUILTIN) | {"insight"}
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            elements = (
                node.keys
                if isinstance(node, ast.Dict)
                else node.elts
                if isinstance(node, (ast.Tuple, ast.List, ast.Set))
                else []
            )
            listed = [e.value for e in elements if isinstance(e, ast.Constant) and e.value in names]
            if len(listed) >= 2 and rel not in KIND_TABLES:
                found.append(f"{rel}:{getattr(node, 'lineno', 0)}: {listed}")
    assert found == [], (
        "a table of kinds outside the registry (ask kinds.registry or add a Builtin field):\n" + "\n".join(found)
    )
    from prodops import history
    from prodops.builtin_kinds import BUILTIN

    assert history.TRACKED == ("roadmap-item", "objective", "launch")
    assert {k: b.history_columns[-1] for k, b in BUILTIN.items() if b.history_columns} == dict.fromkeys(
        history.TRACKED, "changed"
    )


def test_the_public_site_drops_a_cancelled_entity_of_any_kind(repo: Path) -> None:
    from prodops import audience
    from prodops.config import PublicConfig

    schema = repo / "schemas" / "decision.schema.json"
    doc = json.loads(schema.read_text())
    doc["properties"]["visibility"] = {"type": "string", "enum": ["internal", "public"]}
    doc["properties"]["title"]["x-visibility"] = "public"
    doc["properties"]["status"]["enum"].append("cancelled")
    schema.write_text(json.dumps(doc))
    for name in ("guided-setup-first", "public-setup-api"):
        _edit(repo / f"processes/decisions/{name}.yaml", "\nstatus: ", "\nvisibility: public\nstatus: ")

    def published() -> list[str]:
        built = pipeline.build(repo, today=TODAY)
        assert built.count("error") == 0, [d.message for d in built.diagnostics]
        view = audience.public_view(built.catalog, built.schemas, PublicConfig(), TODAY, "test")
        return [r["id"] for r in view.entities["decision"]]

    assert published() == ["guided-setup-first", "public-setup-api"]
    _edit(repo / DECISION, "status: accepted", "status: cancelled")
    assert published() == ["public-setup-api"]


def test_a_diff_with_no_change_names_no_kinds_of_its_own(repo: Path) -> None:
    catalog = pipeline.build(repo, today=TODAY).catalog
    text = diffreport.markdown(diff.compare(catalog, catalog, "main", "branch"))
    assert text.endswith("## Product ops changes: `main` → `branch`\n\nNo entity of any kind changed.\n")


def test_prodops_diff_base_calls_out_a_decision_status_change(repo: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Decisions")
    _edit(repo / DECISION, "status: accepted", "status: superseded")
    code, output = _run("diff", "main", "--root", str(repo))
    assert code == 0, output
    assert (
        "- Decision record `guided-setup-first` — Guide trial users through setup before sending activation emails: "
        "status **accepted → superseded**"
    ) in output
    code, output = _run("diff", "main", "--root", str(repo), "--format", "json")
    change = json.loads(output)["changes"][0]
    assert (change["kind"], change["notes"]) == ("decision", ["status **accepted → superseded**"])


# -- every schema the validator accepts builds ---------------------------------------------------

# What makes a schema a kind; every other top-level key is optional and may be left out.
_KIND_KEYS = ("x-prodops-kind", "x-prodops-folder")


def _schema_without(repo: Path, *keys: str, keep_only: bool = False) -> None:
    path = repo / "schemas/decision.schema.json"
    schema = json.loads(path.read_text())
    schema = {k: v for k, v in schema.items() if (k in keys) == keep_only}
    path.write_text(json.dumps(schema, indent=1))


def test_a_minimal_schema_validates_renders_and_builds(repo: Path, tmp_path: Path) -> None:
    _schema_without(repo, "$schema", *_KIND_KEYS, keep_only=True)
    code, output = _run("validate", "--root", str(repo))
    assert code == 0 and " error " not in output, output
    code, output = _run("render", "--root", str(_with_site_config(repo)), "--out", str(tmp_path / "out"))
    assert code == 0, output
    index = (tmp_path / "out/docs/reference/schemas/index.md").read_text(encoding="utf-8")
    assert 'href="decision.html">Decision</a>' in index
    site = _build(repo, tmp_path / "site")
    assert (site / "decision" / "guided-setup-first.html").is_file()


_OPTIONAL = [k for k in json.loads((CASE / "schemas/decision.schema.json").read_text()) if k not in _KIND_KEYS]


@pytest.mark.parametrize("key", _OPTIONAL)
def test_a_schema_without_any_one_optional_key_still_renders(repo: Path, key: str) -> None:
    _schema_without(repo, key)
    result = pipeline.build(repo, today=TODAY)
    if any(d.severity == "error" for d in result.diagnostics):
        # Only the validator may refuse (without "properties", "additionalProperties" refuses every field).
        assert key == "properties", result.diagnostics
        return
    pages = render_site(result, SiteOptions(today=TODAY, edit_base="https://example.com/edit/main/")).pages
    assert "decision/guided-setup-first.md" in pages and "reference/schemas/decision.md" in pages


@pytest.mark.parametrize("written", ["", "id: 5\n", "id: [a]\n"])
def test_a_record_without_a_text_id_is_an_error_when_its_schema_lets_it_pass(repo: Path, written: str) -> None:
    _schema_without(repo, "$schema", *_KIND_KEYS, keep_only=True)
    _edit(repo / DECISION, "id: guided-setup-first\n", written)
    code, output = _run("validate", "--root", str(repo))
    assert code == 1, output
    assert f"{DECISION}:" in output and "error PO302 the file has no id" in output
    assert "hint: add 'id: guided-setup-first'" in output


def test_boolean_subschemas_validate_and_render(repo: Path) -> None:
    path = repo / "schemas/decision.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"].update({"extra": True, "id": True, "tags": {"type": "array", "items": True}})
    path.write_text(json.dumps(schema, indent=1))
    (repo / DECISION).write_text((repo / DECISION).read_text() + "extra: anything at all\n")
    result = pipeline.build(repo, today=TODAY)
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    pages = render_site(result, SiteOptions(today=TODAY, edit_base="https://example.com/edit/main/")).pages
    assert "<code>extra</code>" in pages["reference/schemas/decision.md"]
    assert "anything at all" in pages["decision/guided-setup-first.md"]

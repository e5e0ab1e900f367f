"""States as data: what each status value means is declared in the schemas (``x-prodops-states``).

The registry answers what a value means; no module compares a status with a word. An adopter's
statuses (``paused``, ``beta``, ``ended``, ``released`` in place of ``shipped``) then work
everywhere by meaning: validate, rules, say/do and slips, the public roadmap, the board and diff.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT, TODAY, assemble

from prodops import kinds, pipeline

PACKAGE = REPO_ROOT / "tooling" / "prodops"
# The places status values may be written: the schemas (package data) and the registry.
REGISTRY_MODULES = {"states.py"}
# Status values that are also ordinary words of the tool: not a status there.
OTHER_USES = {
    "new": "the `prodops new` command and the new side of a diff",
}
# A status value written in one module for another field of the same name, and why.
ELSEWHERE = {
    ("model.py", "beta"): "the stages of a launch's dates (alpha, beta, ga), not its status",
}


def _status_values() -> set[str]:
    values: set[str] = set()
    for path in (REPO_ROOT / "schemas").glob("*.schema.json"):
        status = json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get("status", {})
        values.update(str(v) for v in status.get("enum", ()))
    return values - set(OTHER_USES)


def test_no_status_value_is_written_outside_the_schemas_and_the_registry() -> None:
    values = _status_values()
    assert {"shipped", "in-progress", "cancelled", "launched", "planned", "declined"} <= values
    alternatives = "|".join(re.escape(v) for v in sorted(values))
    pattern = re.compile(rf"""["']({alternatives})["']""")
    found = []
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in REGISTRY_MODULES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                if (rel, match.group(1)) not in ELSEWHERE:
                    found.append(f"{rel}:{number}: {match.group(0)}")
    assert found == [], "a status value outside the schemas and the registry (ask kinds.registry):\n" + "\n".join(found)


# -- an adopter's statuses -------------------------------------------------------------------------

# The adopter pauses work (still committed, nobody on it), runs betas (under way), ends work that
# needs no launch and calls shipping "released".
ADOPTER_STATES = {
    "idea": "proposed",
    "discovery": "proposed",
    "planned": "committed",
    "in-progress": "active",
    "paused": "committed",
    "beta": "active",
    "released": "done",
    "ended": "done",
    "cancelled": "dropped",
}
PUBLIC = "visibility: public\npublic_summary: Something customers want.\n"


def _item(entity: str, status: str, horizon: str, end: str, extra: str = "") -> str:
    return (
        "# yaml-language-server: $schema=../schemas/roadmap-item.schema.json\n"
        f"id: {entity}\ntitle: {entity.replace('-', ' ').capitalize()} work\n"
        f"problem: Customers need {entity} to work for them.\nstatus: {status}\nhorizon: {horizon}\nteam: core\nowner: ana-pm\n"
        f"target:\n  end: {end}\n{extra}"
    )


def adopt_states(schema_dir: Path) -> None:
    """The roadmap-item schema with the adopter's statuses and their meanings."""
    path = schema_dir / "roadmap-item.schema.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["properties"]["status"]["enum"] = list(ADOPTER_STATES)
    doc["properties"]["status"]["x-prodops-states"] = ADOPTER_STATES
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def adopter(tmp_path: Path) -> Path:
    repo = assemble(None, tmp_path / "repo")
    adopt_states(repo / "schemas")
    roadmap = repo / "roadmap"
    _edit(roadmap / "activation-emails.yaml", "status: shipped\n", "status: released\n" + PUBLIC)
    _edit(roadmap / "setup-api.yaml", "status: in-progress\n", "status: paused\n" + PUBLIC)
    _edit(roadmap / "setup-api.yaml", "end: 2026-11-27", "end: 2026-11-20")
    files = {
        # done without a launch and no reason given: PO408 by meaning
        "legacy-export": _item("legacy-export", "ended", "now", "2026-10-15", PUBLIC),
        # under way, past its date: PO416; under way without a key result: PO401
        "beta-program": _item("beta-program", "beta", "now", "2026-11-01", PUBLIC),
        "parked": _item("parked", "cancelled", "later", "2026-12-31", PUBLIC + "cancelled_reason: Not needed.\n"),
        # depends on paused work due after it (PO409) and on released work due after it (no finding)
        "sso": _item("sso", "planned", "next", "2026-12-31", "depends_on:\n  - late-dep\n  - done-dep\n"),
        "late-dep": _item("late-dep", "paused", "next", "2027-01-31"),
        "done-dep": _item("done-dep", "released", "next", "2027-02-01", "launch_exempt_reason: Internal only.\n"),
        "someday": _item("someday", "idea", "later", "2026-01-31"),  # an idea carries no commitment
    }
    for name, text in files.items():
        (roadmap / f"{name}.yaml").write_text(text, encoding="utf-8")
    return repo


def _findings(repo: Path) -> set[tuple[str, str, str]]:
    built = pipeline.build(repo, today=TODAY)
    return {(d.code, d.file.rsplit("/", 1)[-1].removesuffix(".yaml"), d.message) for d in built.diagnostics}


def test_the_registry_answers_what_each_status_means(adopter: Path) -> None:
    registry = kinds.registry(pipeline.build(adopter, today=TODAY).schemas)
    item = "roadmap-item"
    assert [registry.meaning(item, v) for v in ("paused", "beta", "released", "ended")] == [
        "committed",
        "active",
        "done",
        "done",
    ]
    assert registry.values_meaning(item, "done") == ("released", "ended")
    assert registry.is_committed(item, "paused") and registry.is_active(item, "beta")
    assert registry.is_done(item, "ended") and registry.is_closed(item, "cancelled")
    assert not registry.is_closed(item, "paused") and registry.meaning(item, "shipped") is None
    # the built-in schemas say the same of the built-in words
    builtin = kinds.registry(pipeline.build(assemble(None, adopter.parent / "plain"), today=TODAY).schemas)
    assert builtin.values_meaning(item, "done") == ("shipped",)
    assert builtin.values_meaning("launch", "dropped") == ("rolled-back", "cancelled")


def test_adopter_statuses_validate_and_rules_go_by_meaning(adopter: Path) -> None:
    found = _findings(adopter)
    codes = {(code, entity) for code, entity, _ in found}
    assert not any(code.startswith(("PO1", "PO2", "PO3")) for code, _ in codes), found
    assert ("PO408", "legacy-export", "item is ended but no launch plan ships it") in found
    assert ("PO408", "activation-emails") not in codes  # released and launched
    assert ("PO408", "done-dep") not in codes  # released, with a reason it needs no launch
    overdue = {entity for code, entity in codes if code == "PO416"}
    assert overdue == {"setup-api", "beta-program"}  # paused and beta are committed; the idea is not
    hint = next(d.hint for d in pipeline.build(adopter, today=TODAY).diagnostics if d.code == "PO416")
    assert "set the status to 'released' or 'ended'" in hint
    late = {message for code, entity, message in found if code == "PO409" and entity == "sso"}
    assert late == {"depends on 'late-dep', due 2027-01-31, 31 days after this item is due (2026-12-31)"}
    assert ("PO401", "beta-program") in codes  # a beta is under way: it needs a key result


def test_a_status_without_a_meaning_is_reported_at_the_annotation(adopter: Path) -> None:
    path = adopter / "schemas" / "roadmap-item.schema.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    del doc["properties"]["status"]["x-prodops-states"]["paused"]
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    problems = [d for d in pipeline.build(adopter, today=TODAY).diagnostics if d.code == "PO120"]
    line = path.read_text(encoding="utf-8").splitlines().index('      "x-prodops-states": {') + 1
    assert [(d.file, d.line, d.message) for d in problems] == [
        ("schemas/roadmap-item.schema.json", line, "status value 'paused' has no meaning in x-prodops-states")
    ]


def test_the_public_roadmap_keeps_done_work_and_drops_dropped_work(adopter: Path) -> None:
    from prodops import audience
    from prodops.config import PublicConfig
    from prodops.render.public import render_public

    built = pipeline.build(adopter, today=TODAY)
    view = audience.public_view(built.catalog, built.schemas, PublicConfig(), TODAY, "test")
    published = [r["id"] for r in view.entities["roadmap-item"]]
    assert published == ["activation-emails", "beta-program", "legacy-export", "setup-api"]  # not 'parked'
    site = render_public(view)
    shipped, roadmap = site.pages["shipped.md"], site.pages["index.md"]
    assert "Activation emails" in shipped and "Legacy export work" in shipped
    assert "Beta program work" not in shipped and "Setup API" not in shipped
    assert "Legacy export work" not in roadmap
    # in the now column, what is under way (beta) comes before what is committed (paused)
    assert roadmap.index("Beta program work") < roadmap.index("Setup API")


def test_the_board_and_the_team_page_go_by_meaning(adopter: Path) -> None:
    from prodops.render import SiteOptions, render_site

    pages = render_site(pipeline.build(adopter, today=TODAY), SiteOptions(today=TODAY)).pages
    team = pages["team/core.md"]
    board, closed = team.split("## Shipped and cancelled")
    for title in ("Beta program work", "Setup API", "Late dep work", "Sso work"):
        assert title in board and title not in closed
    for title in ("Activation emails", "Legacy export work", "Done dep work", "Parked work"):
        assert title in closed


def test_diff_notes_work_starting_by_meaning(adopter: Path, tmp_path: Path) -> None:
    from prodops import diff

    after = tmp_path / "after"
    shutil.copytree(adopter, after)
    _edit(after / "roadmap" / "late-dep.yaml", "status: paused", "status: beta")
    _edit(after / "roadmap" / "sso.yaml", "status: planned", "status: paused")
    old, new = pipeline.build(adopter, today=TODAY), pipeline.build(after, today=TODAY)
    report = diff.compare(old.catalog, new.catalog, "main", "branch", old.diagnostics, new.diagnostics)
    notes = {(c.id, n.text): n.weight for c, n in report.attention}
    assert notes[("late-dep", "status **paused → beta**")] == diff.MOVED_INTO_NOW
    assert notes[("sso", "status **planned → paused**")] == diff.STATE


def test_say_do_and_the_digest_count_the_adopters_done_work(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from test_history import commit, git

    from prodops import history, historyview
    from prodops.calendar import Period
    from prodops.cli import cli

    root = tmp_path / "ops"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    adopt_states(root / "schemas")
    git(root, "init", "-q", "-b", "main")
    start = {
        f"roadmap/{name}.yaml": _item(name, status, "now", "2026-09-15")
        for name, status in (
            ("alpha", "in-progress"),
            ("bravo", "paused"),
            ("charlie", "beta"),
            ("delta", "planned"),
            ("echo", "released"),  # done before the quarter: not committed in it
        )
    }
    commit(root, "2026-06-20", "Ana Admin", start)
    commit(root, "2026-08-01", "Ana Admin", {"roadmap/alpha.yaml": _item("alpha", "released", "now", "2026-09-15")})
    commit(root, "2026-08-02", "Ana Admin", {"roadmap/bravo.yaml": _item("bravo", "ended", "now", "2026-09-15")})
    commit(root, "2026-08-03", "Ana Admin", {"roadmap/delta.yaml": _item("delta", "planned", "now", "2026-10-15")})
    registry = kinds.registry(pipeline.build(root, today=TODAY).schemas)

    quarter = historyview.quarter(history.load(root), Period.parse("2026-Q3"), registry.meaning)
    core = quarter.teams["core"]
    assert [e for e, _ in core.committed] == ["alpha", "bravo", "charlie", "delta"]
    assert list(core.done) == ["alpha", "bravo"] and core.ratio == 0.5
    assert [(m.entity, m.days) for m in core.slips] == [("delta", 30)]

    result = CliRunner().invoke(cli, ["report", "quarter", "--period", "2026-Q3", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert "| core | 4 | 2 | 50% | 1 | 30 |" in result.output
    assert "(alpha): released" in result.output and "(bravo): ended" in result.output
    assert "(charlie): not shipped" in result.output

    events = historyview.digest(history.load(root), date(2026, 7, 1), date(2026, 9, 30), registry.meaning)
    assert [(e.entity, e.what, e.label) for e in events if e.what == "done"] == [
        ("alpha", "done", "released"),
        ("bravo", "done", "ended"),
    ]


def test_a_kind_of_the_adopters_own_declares_its_meanings(tmp_path: Path) -> None:
    from conftest import FIXTURES

    from prodops import audience
    from prodops.config import PublicConfig

    repo = assemble(FIXTURES / "kinds" / "decision", tmp_path / "repo")
    schema = repo / "schemas" / "decision.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    doc["properties"]["visibility"] = {"type": "string", "enum": ["internal", "public"]}
    doc["properties"]["title"]["x-visibility"] = "public"
    meanings = {"proposed": "proposed", "accepted": "done", "superseded": "dropped", "rejected": "dropped"}
    doc["properties"]["status"]["x-prodops-states"] = meanings
    schema.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    decisions = repo / "processes" / "decisions"
    for name in ("guided-setup-first", "public-setup-api"):
        _edit(decisions / f"{name}.yaml", "\nstatus: ", "\nvisibility: public\nstatus: ")
    _edit(decisions / "guided-setup-first.yaml", "status: accepted", "status: rejected")

    built = pipeline.build(repo, today=TODAY)
    assert built.count("error") == 0, [d.message for d in built.diagnostics]
    registry = kinds.registry(built.schemas)
    assert registry.values_meaning("decision", "dropped") == ("superseded", "rejected")
    view = audience.public_view(built.catalog, built.schemas, PublicConfig(), TODAY, "test")
    assert [r["id"] for r in view.entities["decision"]] == ["public-setup-api"]  # the rejected one left

    meanings["withdrawn"] = "dropped"  # not a value of the field
    meanings.pop("proposed")
    schema.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    problems = [(d.code, d.message) for d in pipeline.build(repo, today=TODAY).diagnostics if d.code == "PO120"]
    assert problems == [
        ("PO120", "status value 'proposed' has no meaning in x-prodops-states"),
        ("PO120", "x-prodops-states names 'withdrawn', which is not a value of 'status'"),
    ]


def test_status_badges_carry_the_declared_meaning_their_colour_keys_on(adopter: Path) -> None:
    from prodops import audience
    from prodops.config import PublicConfig
    from prodops.render import SiteOptions, render_site
    from prodops.render.public import render_public
    from prodops.states import MEANINGS

    built = pipeline.build(adopter, today=TODAY)
    pages = render_site(built, SiteOptions(today=TODAY)).pages
    assert (
        '<span class="po-badge po-status--beta" data-meaning="active">beta</span>'
        in pages["roadmap-item/beta-program.md"]
    )
    assert (
        '<span class="po-badge po-status--released" data-meaning="done">released</span>'
        in (pages["roadmap-item/activation-emails.md"])
    )
    assert 'po-status--paused" data-meaning="committed">paused</span>' in pages["team/core.md"]
    assert (
        '<span class="po-tl__bar po-status--in-progress" data-meaning="active" style=' in (pages["roadmap/timeline.md"])
    )
    view = audience.public_view(built.catalog, built.schemas, PublicConfig(), TODAY, "test")
    public = render_public(view).pages["index.md"]
    assert 'class="pp-status pp-status--beta" data-meaning="active">' in public
    assert 'class="pp-status pp-status--paused" data-meaning="committed">' in public
    # Every meaning has its colour (light and dark) on the site; the public roadmap shows no dropped work.
    css = (REPO_ROOT / "site" / "stylesheets" / "prodops.css").read_text(encoding="utf-8")
    public_css = (REPO_ROOT / "site-public" / "stylesheets" / "public.css").read_text(encoding="utf-8")
    for meaning in MEANINGS:
        assert f'\n.po-badge[data-meaning="{meaning}"], .po-tl__bar[data-meaning="{meaning}"] {{ color: #' in css
        dark = '[data-md-color-scheme="slate"]'
        assert (
            f'\n{dark} .po-badge[data-meaning="{meaning}"], {dark} .po-tl__bar[data-meaning="{meaning}"] {{ color: #'
            in css
        )
        assert meaning == "dropped" or f'\n.pp-status[data-meaning="{meaning}"] {{' in public_css


def test_a_status_word_two_kinds_mean_differently_has_no_meaning_on_a_badge_without_its_kind(adopter: Path) -> None:
    from prodops.render.renderer import status_meanings
    from prodops.schemas import load_schemas

    meanings = status_meanings(kinds.registry(load_schemas(adopter / "schemas")))
    assert meanings["paused"] == "committed" and meanings["released"] == "done" and meanings["planned"] == "committed"
    assert "beta" not in meanings  # active work for a roadmap item, committed for a launch

"""`prodops report scope`: a period's plan on its first day against its last day and now, from a history built here."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from test_history import commit, git

from prodops import calendar as cal
from prodops import history, scope
from prodops.cli import cli

HOSTILE = "Alpha <script>alert(1)</script> [x](javascript:y) | *b*"


def item(entity: str, status: str, end: str, team: str = "payments", title: str = "") -> str:
    return (
        f"id: {entity}\ntitle: '{title or entity.title()}'\nproblem: |\n  Something.\n"
        f"status: {status}\nhorizon: now\nteam: {team}\nowner: ana\ntarget:\n  end: {end}\n"
    )


def objective(period: str, krs: dict[str, int]) -> str:
    text = f"id: obj\ntitle: Collect faster\nperiod: {period}\nteam: payments\nkey_results:\n"
    for kr, current in krs.items():
        text += f"  - id: {kr}\n    title: Days\n    baseline: 0\n    target: 10\n    current: {current}\n    confidence: 0.5\n"
    return text


def build(tmp_path: Path, period: str, periods: tuple[str, ...] = ("quarter",)) -> Path:
    """The plan from 2026-07-01 and what became of it.

    On the first day (commit of 06-15): items alpha, beta, gamma, golf due in the period; delta due in
    2027; echo shipped already (not planned work); key results kr1 and kr2. Then: alpha slips to 2027
    and delta moves into the period, foxtrot is new (07-10); gamma is cancelled, kr2 removed and kr3
    added (08-05); beta ships and kr1 reaches its target (08-20); golf's file is removed (09-05);
    delta ships after the quarter (10-05).

    By hand, against the period's end and now alike: items added 2 (delta, foxtrot), cut 2 (gamma,
    golf), slipped 1 (alpha), finished 1 (beta), open 0; key results added 1 (kr3), cut 1 (kr2),
    finished 1 (kr1). Say/do: 1 of 4.
    """
    root = tmp_path / "ops"
    root.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    if periods != ("quarter",):
        common = root / "schemas" / "common.schema.json"
        declared = cal.declare(common.read_text(encoding="utf-8"), cal.Calendar(periods))
        assert declared is not None
        common.write_text(declared, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2026-06-15", "Ana Admin", {
        "roadmap/alpha.yaml": item("alpha", "planned", "2026-08-31", title=HOSTILE),
        "roadmap/beta.yaml": item("beta", "in-progress", "2026-09-15"),
        "roadmap/gamma.yaml": item("gamma", "planned", "2026-09-30", "growth"),
        "roadmap/golf.yaml": item("golf", "planned", "2026-09-10", "growth"),
        "roadmap/delta.yaml": item("delta", "planned", "2027-02-15"),
        "roadmap/echo.yaml": item("echo", "shipped", "2026-07-31"),
        "okrs/obj.yaml": objective(period, {"kr1": 2, "kr2": 1}),
    })  # fmt: skip
    commit(root, "2026-07-10", "Ben Builder", {
        "roadmap/alpha.yaml": item("alpha", "planned", "2027-01-15", title=HOSTILE),
        "roadmap/delta.yaml": item("delta", "planned", "2026-09-20"),
        "roadmap/foxtrot.yaml": item("foxtrot", "planned", "2026-09-01", "growth"),
    })  # fmt: skip
    commit(root, "2026-08-05", "Ana Admin", {
        "roadmap/gamma.yaml": item("gamma", "cancelled", "2026-09-30", "growth"),
        "okrs/obj.yaml": objective(period, {"kr1": 4, "kr3": 0}),
    })  # fmt: skip
    commit(root, "2026-08-20", "Cy Closer", {
        "roadmap/beta.yaml": item("beta", "shipped", "2026-09-15"),
        "okrs/obj.yaml": objective(period, {"kr1": 10, "kr3": 3}),
    })  # fmt: skip
    (root / "roadmap" / "golf.yaml").unlink()
    commit(root, "2026-09-05", "Ana Admin", {})
    commit(root, "2026-10-05", "Ana Admin", {"roadmap/delta.yaml": item("delta", "shipped", "2026-09-20")})
    return root


def _counts(found: scope.Comparison, kind: str) -> dict[str, int]:
    return {what: found.count(what, kind) for what in ("added", *scope.OUTCOMES)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "periods", "against"),
    [("2026-Q3", ("quarter",), ["end", "now"]), ("2026-H2", ("half",), ["now"])],
)
def test_the_scope_matches_a_hand_count(
    tmp_path: Path, label: str, periods: tuple[str, ...], against: list[str]
) -> None:
    root = build(tmp_path, label, periods)
    index = history.load(root)
    period = index.calendar.parse(label)
    assert period is not None and period.start == date(2026, 7, 1)
    found = scope.scope(index, period, date(2026, 12, 2))
    assert found.known_from_start
    assert sorted(e.ref for e in found.planned) == ["alpha", "beta", "gamma", "golf", "obj.kr1", "obj.kr2"]
    assert [c.label for c in found.comparisons] == against
    for c in found.comparisons:
        assert _counts(c, "item") == {"added": 2, "cut": 2, "slipped": 1, "finished": 1, "open": 0}
        assert _counts(c, "key result") == {"added": 1, "cut": 1, "slipped": 0, "finished": 1, "open": 0}
        assert [e.ref for e in c.added] == ["foxtrot", "delta", "obj.kr3"]  # by kind, team, id
        assert [e.ref for e in c.outcomes["cut"]] == ["gamma", "golf", "obj.kr2"]
        assert [e.ref for e in c.outcomes["slipped"]] == ["alpha"]
        assert c.say_do == 0.25
    if periods != ("quarter",):  # the command reads the period in the repository's own calendar
        args = ["report", "scope", "--period", label.lower(), "--root", str(root), "--today", "2026-12-02"]
        shown = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
        assert shown["period"] == label and [len(shown["comparisons"][0][o]) for o in ("added", "cut", "slipped")] == [
            3,
            3,
            1,
        ]


def test_the_report_in_markdown_escapes_titles_and_in_json(tmp_path: Path) -> None:
    root = build(tmp_path, "2026-Q3")
    args = ["report", "scope", "--period", "2026-q3", "--root", str(root), "--today", "2026-12-02"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(
        "# Scope of 2026-Q3\n\nThe plan on 2026-07-01, the quarter's first day: 4 item(s) and 2 key result(s)."
    )
    assert "| Slipped | 1 | 0 |" in text and "Say/do on the first day's plan: 25%" in text
    assert "<script>" not in text and "\\<script\\>" in text and "\\[x\\](javascript:y) \\| \\*b\\*" in text
    found = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    assert [c["against"] for c in found["comparisons"]] == ["end", "now"]
    assert found["comparisons"][0]["slipped"] == [
        {"kind": "item", "ref": "alpha", "title": HOSTILE, "team": "payments"}
    ]


def test_a_period_not_begun_is_a_clear_error(tmp_path: Path) -> None:
    root = build(tmp_path, "2026-Q3")
    result = CliRunner().invoke(
        cli, ["report", "scope", "--period", "2027-Q1", "--root", str(root), "--today", "2026-12-02"]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "2027-Q1 begins on 2027-01-01, after today (2026-12-02): it has no plan yet" in result.output


def test_the_review_page_shows_the_scope_with_titles_escaped(tmp_path: Path) -> None:
    from prodops.catalog import Catalog
    from prodops.render.changes import add_history
    from prodops.render.renderer import Site, SiteOptions

    site = Site()
    add_history(site, build(tmp_path, "2026-Q3"), SiteOptions(today=date(2026, 12, 2)), Catalog())
    review = site.pages["history/2026-Q3.md"]
    section = review.split("## Scope", 1)[1]
    assert "<tr><td>On the first day</td><td>4</td><td>2</td></tr>" in section
    for row in (
        "Added</td><td>2</td><td>1",
        "Cut</td><td>2</td><td>1",
        "Slipped</td><td>1</td><td>0",
        "Finished</td><td>1</td><td>1",
    ):
        assert f"<tr><td>{row}</td></tr>" in section, row
    assert 'aria-label="Say/do on the first day\'s plan of 2026-Q3: 25%"' in section or "25%" in section
    assert "<script>" not in review and "Alpha &lt;script&gt;alert(1)&lt;/script&gt;" in section

"""An objective's progress is one number, under one name, everywhere it is shown.

``progress`` includes the child objectives (the roll-up of ``values``); ``own_progress`` is
the objective's own key results alone. Pages, ``report okrs``, ``export`` (JSON and CSV),
``show`` and ``list`` must agree on both, for the example content and a generated repository.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, bench_generator, copy_example

from prodops import query
from prodops.cli import cli
from prodops.pipeline import build
from prodops.render import SiteOptions, render_site

_PAGE_BAR = re.compile(r'<dt>Progress<span class="po-sr">: </span></dt><dd>.*?po-bar__text">(\d+)%</span>')
_SHOW_BAR = re.compile(r"^progress: \S+ +(\d+)%$", re.MULTILINE)
_REPORT_BAR = re.compile(r"^## .*\n\n.* · `\S+ +(\d+)%`$", re.MULTILINE)


def _pct(share: float) -> int:
    return round(share * 100)


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _agree(repo: Path, tmp_path: Path) -> int:
    """Assert that every surface shows the model's progress of every objective; the number of objectives."""
    today = EXAMPLE_TODAY.isoformat()
    result = build(repo, today=EXAMPLE_TODAY)
    objectives = result.catalog.objectives
    assert objectives
    expected = {oid: _pct(o.progress) for oid, o in objectives.items()}
    where = ("--root", str(repo), "--today", today)

    pages = render_site(result, SiteOptions(today=EXAMPLE_TODAY)).pages
    on_pages = {oid: int(_PAGE_BAR.findall(pages[f"objective/{oid}.md"])[0]) for oid in objectives}
    assert on_pages == expected

    shown = {oid: int(_SHOW_BAR.findall(query.show(result.catalog, oid))[0]) for oid in objectives}
    assert shown == expected

    listed = json.loads(_run("list", "objective", "--format", "json", *where))
    assert {row["id"]: _pct(row["progress"]) for row in listed} == expected

    _run("export", "--format", "json", "--out", str(tmp_path / "export.json"), *where)
    exported = json.loads((tmp_path / "export.json").read_text())["entities"]["objective"]
    assert {e["id"]: _pct(e["computed"]["progress"]) for e in exported} == expected
    own = {oid: _pct(o.own_progress) for oid, o in objectives.items()}
    assert {e["id"]: _pct(e["computed"]["own_progress"]) for e in exported} == own

    _run("export", "--format", "csv", "--out", str(tmp_path / "csv"), *where)
    with (tmp_path / "csv" / "objective.csv").open(encoding="utf-8", newline="") as rows:
        assert {row["id"]: _pct(float(row["progress"])) for row in csv.DictReader(rows)} == expected

    for period in sorted({str(o.period) for o in objectives.values()}):
        report = _run("report", "okrs", "--period", period, *where)
        ordered = sorted(
            (o for o in objectives.values() if str(o.period) == period),
            key=lambda o: (o.level != "company", o.title),
        )
        assert [int(p) for p in _REPORT_BAR.findall(report)] == [expected[o.id] for o in ordered], period
    return len(objectives)


def test_progress_agrees_everywhere_for_the_example_content(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    result = build(repo, today=EXAMPLE_TODAY)
    # The example has a parent whose own key results and children differ: the case that went wrong.
    assert any(_pct(o.progress) != _pct(o.own_progress) for o in result.catalog.objectives.values())
    assert _agree(repo, tmp_path / "out") > 5


@pytest.mark.parametrize("seed", [3])
def test_progress_agrees_everywhere_for_a_generated_repository(seed: int, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    bench_generator().generate(repo, 150, seed=seed, today=EXAMPLE_TODAY)
    assert _agree(repo, tmp_path / "out") > 5

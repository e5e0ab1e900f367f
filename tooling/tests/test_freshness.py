"""The freshness report: every time-aware finding reaches the person who owns it, with the command that fixes it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example

from prodops import pipeline
from prodops.cli import cli


def test_freshness_lists_overdue_work_and_stale_kpis_to_their_owners(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    result = pipeline.build(repo, today=EXAMPLE_TODAY)
    catalog = result.catalog
    overdue = [d for d in result.diagnostics if d.code == "PO416"]
    stale = [d for d in result.diagnostics if d.code == "PO441"]
    assert overdue and stale  # the snapshot on its date has both
    out = tmp_path / "out"
    outcome = CliRunner().invoke(
        cli, ["freshness", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--out", str(out)]
    )
    assert outcome.exit_code == 0, outcome.output
    for item in catalog.items.values():
        if any(d.file == catalog.documents[item.id].rel for d in overdue):
            report = (out / f"{item.owner}.md").read_text()
            assert f"`{catalog.documents[item.id].rel}:" in report
            assert f"prodops set {item.id} status " in report
    for kpi in catalog.metrics.kpis.values():
        if any(d.file == kpi.file for d in stale):
            report = (out / f"{kpi.owner}.md").read_text()
            assert f"`{kpi.file}:" in report
            assert "prodops metrics import" in report
    waiting = {p.stem for p in out.glob("*.md") if p.read_text()}
    assert f"{len(waiting)} of " in outcome.output
    assert len(waiting) > 1

"""Linking: cycles of any length, without recursion; computed values of the model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import TODAY

from prodops import model
from prodops.calendar import Period
from prodops.cli import cli
from prodops.pipeline import build


def _item(item_id: str, depends_on: str) -> str:
    return (
        "# yaml-language-server: $schema=../schemas/roadmap-item.schema.json\n"
        f"id: {item_id}\ntitle: Item {item_id}\nproblem: A problem that needs solving soon.\n"
        f"status: idea\nhorizon: later\nteam: core\ndepends_on:\n  - {depends_on}\n"
    )


def test_a_cycle_of_1000_items_is_reported_once(base_repo: Path) -> None:
    n = 1000
    for i in range(n):
        (base_repo / "roadmap" / f"loop-{i:04d}.yaml").write_text(_item(f"loop-{i:04d}", f"loop-{(i + 1) % n:04d}"))
    result = CliRunner().invoke(cli, ["validate", "--root", str(base_repo), "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "PO305" in line]
    assert len(lines) == 1
    assert lines[0].startswith("roadmap/loop-0000.yaml:9:5: error PO305 depends_on: cycle loop-0000 → loop-0001 → ")
    assert lines[0].endswith("→ loop-0999 → loop-0000")


def test_self_dependency_is_a_cycle(base_repo: Path) -> None:
    (base_repo / "roadmap" / "selfish.yaml").write_text(_item("selfish", "selfish"))
    result = build(base_repo, today=TODAY)
    assert [d.message for d in result.diagnostics] == ["depends_on: cycle selfish → selfish"]


def test_inverse_relations(base_repo: Path) -> None:
    catalog = build(base_repo, today=TODAY).catalog
    assert [i.id for i in catalog.dependents("setup-api")] == ["quick-setup"]
    assert [launch.id for launch in catalog.launches_of("activation-emails")] == ["activation-emails-launch"]
    assert sorted(i.id for i in catalog.items_moving("2026-q4-company.kr1")) == ["quick-setup"]
    assert catalog.people["bo-eng"][1] == "core"


def test_key_result_progress_and_rice_score(base_repo: Path) -> None:
    catalog = build(base_repo, today=TODAY).catalog
    kr = catalog.key_results["2026-q4-company.kr1"]  # 10 -> 5, now 8
    assert round(kr.progress, 3) == 0.4
    objective = catalog.objectives["2026-q4-company"]  # kr2: 30 -> 40, now 33
    assert round(objective.own_progress, 3) == round((0.4 + 0.3) / 2, 3)
    assert objective.progress == objective.rolled_up != objective.own_progress  # a child objective rolls in
    rice = catalog.items["quick-setup"].rice
    assert rice is not None and rice.score == 500 * 2 * 0.8 / 3


def test_progress_is_clamped() -> None:
    kr = model.KeyResult("o", "kr1", 0, "t", "m", "u", "increase", 10, 20, 25, 0.5, "x", ())
    assert kr.progress == 1.0
    assert model.KeyResult("o", "kr1", 0, "t", "m", "u", "increase", 10, 20, 5, 0.5, "x", ()).progress == 0.0


def test_periods() -> None:
    q = Period.parse("2026-Q1")
    assert (q.start, q.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert Period.containing(date(2026, 11, 22)) == Period.parse("2026-Q4")
    assert Period.parse("2026-Q4").end == date(2026, 12, 31)

"""KPI histories in the diff: values added, restated and removed, with closed periods called out."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, copy_example

from prodops.cli import cli

KPIS = Path("okrs") / "kpis"


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "ops")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Example organisation")
    return root


def _diff(repo: Path, fmt: str) -> str:
    args = ["diff", "main", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--format", fmt]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


def _rewrite_history(repo: Path) -> None:
    """A year of one KPI restated, three rows of another dropped, and a value of this week added (the copy ends 2026-11-18)."""
    dso = repo / KPIS / "median-dso.csv"
    lines = dso.read_text().splitlines()
    dso.write_text("\n".join([lines[0], *(f"{d},{int(v) + 1}" for d, v in (x.split(",") for x in lines[1:]))]) + "\n")
    churn = repo / KPIS / "logo-churn.csv"
    lines = churn.read_text().splitlines()
    churn.write_text("\n".join(lines[:4] + lines[7:]) + "\n")  # 2026-03, -04 and -05 gone
    rate = repo / KPIS / "auto-reconciliation-rate.csv"
    rate.write_text(rate.read_text() + "2026-12-01,84\n")


def test_history_rewrites_are_listed_and_closed_periods_flagged_in_markdown(repo: Path) -> None:
    _rewrite_history(repo)
    text = _diff(repo, "markdown")
    assert "No entity of any kind changed" not in text
    look = text[text.index("### Look at these") : text.index("### All changes")]
    assert (
        "KPI `median-dso` — Customers' median days sales outstanding: history: **52 values restated in closed "
        "periods** (the week of 2025-11-24, the week of 2025-12-01, the week of 2025-12-08 and 49 more) "
        "(2025-11-26: 52 → 53)" in look
    )
    assert "history: **3 values removed in closed periods** (March 2026, April 2026, May 2026)" in look
    assert "history: 1 value added (2026-12-01)" in look
    # The restatement leads its team's group: it is a commitment, not a routine import.
    assert look.index("52 values restated") < look.index("1 value added")
    assert "| 2025-11-26 | – | `52` | `53` | **the week of 2025-11-24 (closed)** |" in text
    assert "| 2026-03-31 | – | `1.9` | – | **March 2026 (closed)** |" in text
    assert "| 2026-12-01 | – | – | `84` | the week of 2026-11-30 |" in text
    assert "(changed, <code>okrs/kpis/median-dso.csv</code>): 52 values</summary>" in text
    assert "…and 12 more values (the JSON report has them all)." in text


def test_history_rewrites_are_in_the_json_report(repo: Path) -> None:
    _rewrite_history(repo)
    changes = {c["id"]: c for c in json.loads(_diff(repo, "json"))["changes"]}
    dso = changes["median-dso"]
    assert dso["file"] == "okrs/kpis/median-dso.csv"
    assert len(dso["values"]) == 52
    assert dso["values"][0] == {
        "date": "2025-11-26",
        "segment": "",
        "change": "restated",
        "old": 52.0,
        "new": 53.0,
        "period": "the week of 2025-11-24",
        "closed": True,
    }
    assert dso["weights"][0] == max(w for c in changes.values() for w in c["weights"])
    removed = changes["logo-churn"]["values"]
    assert [(v["date"], v["change"], v["closed"]) for v in removed] == [
        ("2026-03-31", "removed", True),
        ("2026-04-30", "removed", True),
        ("2026-05-31", "removed", True),
    ]
    [added] = changes["auto-reconciliation-rate"]["values"]
    assert (added["change"], added["old"], added["new"], added["closed"]) == ("added", None, 84.0, False)
    assert changes["auto-reconciliation-rate"]["notes"] == ["history: 1 value added (2026-12-01)"]


def test_a_restatement_in_the_open_period_is_listed_but_not_flagged(repo: Path) -> None:
    rate = repo / KPIS / "auto-reconciliation-rate.csv"
    rate.write_text(rate.read_text() + "2026-12-01,84\n")
    _git(repo, "commit", "-qam", "This week's value")
    rate.write_text(rate.read_text().replace("2026-12-01,84", "2026-12-01,85"))
    [change] = json.loads(_diff(repo, "json"))["changes"]
    assert change["notes"] == ["history: 1 value restated in open periods (2026-12-01)"]
    assert change["values"][0]["closed"] is False


def test_one_value_restated_in_a_closed_period(repo: Path) -> None:
    dso = repo / KPIS / "median-dso.csv"
    dso.write_text(dso.read_text().replace("2026-11-18,44\n", "2026-11-18,41\n"))
    [change] = json.loads(_diff(repo, "json"))["changes"]
    assert change["notes"] == [
        "history: **1 value restated in a closed period** (the week of 2026-11-16) (2026-11-18: 44 → 41)"
    ]

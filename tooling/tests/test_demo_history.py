"""The demo history: a year of the example organisation's changes committed into a fresh clone."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import REPO_ROOT, copy_example

from prodops import gitrev, history, historyview, pipeline, scoring
from prodops.calendar import Period

_spec = importlib.util.spec_from_file_location("make_history", REPO_ROOT / "tooling" / "demo" / "make_history.py")
assert _spec is not None and _spec.loader is not None
make_history = importlib.util.module_from_spec(_spec)
sys.modules["make_history"] = make_history  # its dataclasses look their module up there
_spec.loader.exec_module(make_history)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of the frozen Ledgerline snapshot, committed: the demo is a year of Ledgerline's changes."""
    root = copy_example(tmp_path_factory.mktemp("source") / "ledgerline", site=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Ops", "-c", "user.email=ops@example.com", "commit", "-q", "-m", "Ledgerline")
    return root


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    dest = tmp_path_factory.mktemp("demo") / "ledgerline"
    assert make_history.main([str(dest), "--source", str(source)]) == 0
    return dest


def test_the_last_commit_is_the_example_as_it_is(demo: Path, source: Path) -> None:
    assert git(demo, "branch", "--show-current").strip() == "demo-history"
    assert git(demo, "rev-parse", "HEAD^{tree}") == git(source, "rev-parse", "HEAD^{tree}")
    assert git(demo, "status", "--porcelain") == ""
    days = git(demo, "log", "--format=%cs").split()
    assert days[-1] == "2025-12-01" and max(days) <= "2026-12-01" and len(days) > 100


def test_the_history_has_slips_status_moves_and_checkins(demo: Path) -> None:
    index = history.load(demo)
    slipped = [e for e in index.kinds if historyview.due_history(index, e).slips]
    assert len(slipped) >= 5
    ach = [c.state for c in index.changes["ach-direct-debit"] if c.state is not None]
    assert ach[0]["status"] != "shipped" and ach[-1]["status"] == "shipped"
    events = historyview.digest(index, date(2025, 12, 1), date(2026, 12, 1))
    assert {"moved to now", "slipped", "shipped", "launched", "confidence"} <= {e.label for e in events}
    q3 = scoring.score(index, Period.parse("2026-Q3"))
    paths = [len(kr.path) for o in q3.objectives for kr in o.key_results]
    assert len(paths) >= 10 and min(paths) >= 3  # every Q3 key result has its check-ins, each in its own commit
    quarter = historyview.quarter(index, Period.parse("2026-Q3"))
    assert quarter.known_from_start and sum(len(t.committed) for t in quarter.teams.values()) >= 3


def test_every_month_of_the_history_validates_on_its_own_date(demo: Path) -> None:
    index = history.load(demo)
    day = date(2025, 12, 1)
    while day <= date(2026, 12, 1):
        at = historyview.commit_at(index, day)
        assert at is not None
        with gitrev.checkout(demo, index.commits[at].oid) as revision:
            result = pipeline.build(revision.root, today=day)
            errors = [f"{d.file}:{d.line}: {d.code} {d.message}" for d in result.diagnostics if d.severity == "error"]
            assert errors == [], day
        day += timedelta(days=30)


def test_an_existing_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        make_history.main([str(tmp_path)])
    assert "exists; give a new folder" in capsys.readouterr().err

"""History on the site: What changed anchored to the last change, key-result values, each page's History."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from test_history import build, commit, objective

from prodops.render.changes import add_changes
from prodops.render.pages import Site, SiteOptions


def _changes(root: Path, today: date, known: set[str]) -> str:
    site = Site()
    add_changes(site, root, SiteOptions(today=today, site_name="Ops"), known)
    return site.pages["changes.md"]


def test_what_changed_is_anchored_to_the_last_change(tmp_path: Path) -> None:
    # The last commit is 2026-10-03; built two months later the page still shows its weeks.
    page = _changes(build(tmp_path), date(2026, 12, 7), {"alpha", "beta", "obj"})
    assert "Nothing changed in these weeks." not in page
    assert "these are the weeks as of the last change, 2026-10-03." in page
    assert "the last 12 weeks to 2026-10-03" in page
    assert "## Week of 2026-09-28" in page and "## Week of 2026-08-03" in page
    # A commit this week keeps today as the end of the page.
    page = _changes(build(tmp_path / "fresh"), date(2026, 10, 3), set())
    assert "as of the last change" not in page and "the last 12 weeks to 2026-10-03" in page


def test_a_key_result_value_change_without_a_confidence_change_is_news(tmp_path: Path) -> None:
    root = build(tmp_path)
    text = objective(14, 0.7).replace("title: Days", "title: Net <i>revenue</i> retention\n    unit: '%'")
    commit(root, "2026-10-06", "Ana Admin", {"okrs/2026-Q3/obj.yaml": text})
    commit(root, "2026-10-07", "Ana Admin", {"okrs/2026-Q3/obj.yaml": text.replace("current: 14", "current: 16")})
    page = _changes(root, date(2026, 10, 8), {"obj"})
    assert (
        '<span class="po-badge">value</span> <a href="objective/obj.html#kr-kr1">Collect faster</a>: '
        '<span title="obj.kr1">obj.kr1: 14 → 16</span> <small>2026-10-07, Ana Admin</small>'
    ) in page

"""History on the site: What changed anchored to the last change, key-result values, each page's History."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from test_history import build, commit, item, objective

from prodops import history
from prodops.render.changes import add_changes
from prodops.render.history import SHOWN, entries
from prodops.render.pages import Site, SiteOptions, environment


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


def test_an_items_history_in_words_newest_first(tmp_path: Path) -> None:
    index = history.load(build(tmp_path))
    assert [(e.day, e.what, e.text) for e in entries(index, "alpha")] == [
        ("2026-10-03", "status", "status in-progress → shipped"),
        ("2026-08-05", "slipped", "due moved 2026-09-20 → 2026-09-30, 10 days later"),
        ("2026-08-05", "status", "status planned → in-progress"),
        ("2026-07-10", "slipped", "due moved 2026-08-31 → 2026-09-20, 20 days later"),
        ("2026-06-15", "created", "status planned, horizon now"),
    ]
    assert [(e.day, e.what, e.text) for e in entries(index, "obj")] == [
        ("2026-08-05", "key result", "kr1: 10 → 14, confidence 0.5 → 0.7"),
        ("2026-06-15", "created", ""),
    ]
    assert [e.text for e in entries(index, "alpha-launch")] == ["status planned → launched", "status planned"]


def test_ten_slips_are_all_there_behind_show_all(tmp_path: Path) -> None:
    root = build(tmp_path)
    for n in range(10):
        end = (date(2026, 10, 1) + timedelta(days=7 * n)).isoformat()
        title = "Alpha <script>alert(1)</script>"
        commit(
            root,
            f"2026-10-{10 + n:02d}",
            "Ana & 'Admin' Lee",
            {"roadmap/alpha.yaml": item("alpha", "payments", "shipped", "now", end, title)},
        )
    index = history.load(root)
    found = entries(index, "alpha")
    assert [e.text for e in found if e.what == "slipped"][:2] == [
        "due moved 2026-11-26 → 2026-12-03, 7 days later",
        "due moved 2026-11-19 → 2026-11-26, 7 days later",
    ]
    assert sum(e.what == "slipped" for e in found) == 12  # ten here, two before
    section = environment().get_template("_history.j2").render(entries=found, shown=SHOWN, note="", begins="")
    assert section.count("<li>") == len(found) and "Show all 15 (10 more)" in section
    assert "Ana &amp; &#39;Admin&#39; Lee" in section
    # A status is shown as written, escaped, whatever the file holds.
    commit(
        root,
        "2026-10-25",
        "Ana",
        {"roadmap/alpha.yaml": item("alpha", "payments", "<img src=x onerror=alert(1)>", "now", end)},
    )
    found = entries(history.load(root), "alpha")
    section = environment().get_template("_history.j2").render(entries=found, shown=SHOWN, note="", begins="")
    assert "status shipped → &lt;img src=x onerror=alert(1)&gt;" in section and "<img" not in section

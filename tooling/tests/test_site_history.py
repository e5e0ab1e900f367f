"""History on the site: What changed anchored to the last change, key-result values, each page's History."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import weekrepo
from conftest import EXAMPLE_TODAY, copy_example, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser
from test_history import build, commit, item, objective

from prodops import history, pipeline
from prodops.render import render_site
from prodops.render.changes import add_changes
from prodops.render.history import SHOWN, entries
from prodops.render.renderer import Site, SiteOptions, environment

SHOTS = Path("/work/shots/site2")


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


@pytest.fixture(scope="module")
def week_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen snapshot with a week of Git history (a 7-day slip, a shipped item) built by MkDocs."""
    repo = weekrepo.build(tmp_path_factory.mktemp("week") / "repo", site=True)
    out = tmp_path_factory.mktemp("site")
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True))
    return out


@pytest.fixture(scope="module")
def week_url(week_site: Path) -> Iterator[str]:
    with serving(week_site) as url:
        yield url


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_an_item_page_shows_its_slip_with_its_days(browser: Browser, week_url: str, width: int, name: str) -> None:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{week_url}/roadmap-item/remittance-parsing.html")
    section = page.locator(".po-history").first
    assert section.is_visible()
    text = section.inner_text()
    assert "due moved 2026-11-27 → 2026-12-04, 7 days later" in text and "2026-11-30, Kavya Iyer" in text
    # The section sits before the page's source line, and the page does not scroll sideways.
    order = page.evaluate(
        "() => { const h = document.querySelector('.po-history'), s = document.querySelector('.po-source');"
        " return !!(h.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING); }"
    )
    assert order
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.locator("h2#history").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"item-history-{name}.png"))
    page.goto(f"{week_url}/objective/2026-q4-payments-usage-billing.html")
    text = page.locator(".po-history").first.inner_text()
    assert "3.6 → 3.4" in text and "confidence 0.5 → 0.4" in text
    page.locator("h2#history").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"objective-history-{name}.png"))
    page.goto(f"{week_url}/changes.html")
    assert "7 days" in page.locator(".po-changes").first.inner_text()
    page.screenshot(path=str(SHOTS / f"changes-{name}.png"))
    page.context.close()


def test_the_value_effort_matrix_shows_every_rated_item_escaped(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "repo")
    rel = root / "roadmap" / "remittance-parsing.yaml"
    hostile = 'Read <script>alert(1)</script> & "PDFs" </svg><img src=x onerror=alert(2)>'
    text = rel.read_text(encoding="utf-8").replace(
        "title: Read remittance advice from emails and PDFs", f"title: '{hostile}'"
    )
    rel.write_text(text, encoding="utf-8")
    unrated = root / "roadmap" / "audit-log-export.yaml"
    text = unrated.read_text(encoding="utf-8")
    unrated.write_text(re.sub(r"rice:\n(  .*\n)+", "", text), encoding="utf-8")
    result = pipeline.build(root, today=EXAMPLE_TODAY)
    page = render_site(result, SiteOptions(today=EXAMPLE_TODAY)).pages["roadmap/matrix.md"]
    rated = {i.id for i in result.catalog.items.values() if i.rice is not None}
    assert len(rated) > 30 and "audit-log-export" not in rated and "audit-log-export" in result.catalog.items
    shown = set(re.findall(r'<a href="\.\./roadmap-item/([^"]+)\.html" data-po-item', page))
    assert shown == rated
    assert "<script" not in page and "<img" not in page and page.count("</svg>") == 1
    assert "Read &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;PDFs&#34; &lt;/svg&gt;" in page
    # The best RICE score heads the list under the chart.
    best = max((i for i in result.catalog.items.values() if i.rice is not None), key=lambda i: i.rice.score)  # type: ignore[union-attr]
    assert page.split('class="po-matrix-list">\n<li><a href="../roadmap-item/')[1].startswith(f"{best.id}.html")


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_the_matrix_page_in_the_browser(browser: Browser, week_url: str, width: int, name: str) -> None:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{week_url}/roadmap/index.html")
    page.goto(week_url + "/roadmap/" + page.locator("a", has_text="Value and effort").first.get_attribute("href"))  # type: ignore[operator]
    assert page.url.endswith("/roadmap/matrix.html")
    svg = page.locator(".po-matrix svg")
    box = svg.bounding_box()
    assert box is not None and box["width"] <= width and box["height"] > 100
    assert page.locator(".po-matrix circle").count() == 42
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    # A point is a link to its item, named by its tooltip.
    link = page.locator(".po-matrix a").first
    assert "RICE" in (link.locator("title").text_content() or "")
    link.click()
    assert "/roadmap-item/" in page.url
    page.go_back()
    page.screenshot(path=str(SHOTS / f"matrix-{name}.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_the_launch_calendar_is_a_month_grid_on_desktop_and_a_list_on_a_phone(
    browser: Browser, week_url: str, width: int, name: str
) -> None:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{week_url}/launches/index.html")
    grids, lists = page.locator("table.po-month"), page.locator(".po-month-list")
    assert grids.count() > 0 and grids.count() == lists.count()
    # Each launch sits on its GA day, its tier shown.
    cells = page.evaluate(
        """() => [...document.querySelectorAll('table.po-month a.po-month-launch')].map((a) => {
             const td = a.closest('td');
             const month = td.closest('table').getAttribute('aria-label').split(':')[0];
             return [month, td.querySelector('.po-month-day').textContent, a.textContent, a.getAttribute('href')];
           })"""
    )
    rows = page.evaluate(
        """() => [...document.querySelectorAll('.po-month-list tbody tr')].map((tr) =>
             [tr.cells[0].textContent.trim(), tr.cells[1].querySelector('a').getAttribute('href'), tr.cells[2].textContent])"""
    )
    assert len(cells) == len(rows) > 0
    for (month, day, text, href), (ga, link, tier) in zip(cells, rows, strict=True):
        assert href == link and ga.startswith(date.fromisoformat(ga[:10]).strftime("%Y-%m-"))
        assert int(day) == date.fromisoformat(ga[:10]).day and month == date.fromisoformat(ga[:10]).strftime("%B %Y")
        assert text.startswith(f"T{tier} ")
    if width >= 1280:
        assert grids.first.is_visible() and not lists.first.is_visible()
    else:
        assert not grids.first.is_visible() and lists.first.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    grids.first.scroll_into_view_if_needed() if width >= 1280 else lists.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"launches-{name}.png"))
    page.context.close()

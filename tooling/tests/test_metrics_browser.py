"""The KPI pages in Chromium: the overview's tiles by team and one KPI page's chart and table.

The site is built from the example repository; screenshots at desktop and phone width are
written to build/screenshots/ by the test run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, SCREENSHOTS, copy_example, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Page

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("site")
    repo = copy_example(tmp_path_factory.mktemp("snapshot") / "repo", site=True)  # pins Ledgerline's KPIs
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True))
    with serving(out) as url:
        yield url


def _open(browser: Browser, url: str, width: int) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "request", lambda req: None if req.url.startswith(("http://127.0.0.1:", "data:")) else problems.append(req.url)
    )
    page.goto(url)
    return page, problems


@pytest.mark.parametrize("width", list(WIDTHS))
def test_kpi_overview_shows_a_tile_per_kpi_grouped_by_team(browser: Browser, base_url: str, width: str) -> None:
    page, problems = _open(browser, base_url + "kpis/index.html", WIDTHS[width])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"kpis-overview-{width}.png"), full_page=True)
    headings = [h.rstrip("¶") for h in page.locator("article h2").all_inner_texts()]
    assert headings == ["Go-to-market", "Growth", "Payments", "Platform", "Product leadership"]
    tiles = page.locator("li.po-kpi")
    assert tiles.count() == len(list((EXAMPLE / "okrs" / "kpis").glob("*.yaml")))
    nrr = page.locator("li.po-kpi", has_text="Net revenue retention")
    # 106.1 is below the watch threshold (97% of the 110 target): said in words, not only in colour.
    assert "po-kpi--watch" in (nrr.get_attribute("class") or "")
    assert "watch" in nrr.locator(".po-kpi__status").inner_text()
    assert nrr.locator("svg.po-mini").get_attribute("aria-label")
    # Tiles never overflow the page, even at phone width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == []
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_kpi_page_has_its_chart_table_and_key_results(browser: Browser, base_url: str, width: str) -> None:
    page, problems = _open(browser, base_url + "kpi/net-revenue-retention.html", WIDTHS[width])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"kpi-net-revenue-retention-{width}.png"), full_page=True)
    chart = page.locator("svg.po-trend")
    assert chart.count() == 1
    label = chart.get_attribute("aria-label") or ""
    assert label.startswith(
        "Net revenue retention (%), weekly: 52 values from 2025-11-26 (102.1 %) to 2026-11-18 (106.1 %)"
    )
    assert "; target 110; watch 106.7; at risk 104.5" in label
    assert chart.locator(".po-trend__rule--target").count() == 1
    page.locator("details.po-values summary").click()
    rows = page.locator("details.po-values tbody tr")
    assert rows.count() == 52
    # Cell by cell: on a phone the row stacks its cells, each on its own line under its heading.
    assert rows.first.locator("td").all_inner_texts()[:2] == ["2026-11-18", "106.1"]
    krs = page.locator("h2:has-text('Key results that track it') + div table tbody tr")
    assert krs.count() == 1
    assert "Raise net revenue retention from 104% to 110%" in krs.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert problems == []
    page.context.close()


def test_key_result_chart_shows_the_kpi_against_baseline_target_and_pace(browser: Browser, base_url: str) -> None:
    page, problems = _open(browser, base_url + "objective/2026-q4-grow-net-revenue-retention.html", 1280)
    chart = page.locator("svg.po-trend").first
    label = chart.get_attribute("aria-label") or ""
    assert label.startswith(
        "Net revenue retention in 2026-Q4 for Raise net revenue retention from 104% to 110%: 7 values"
    )
    assert "; baseline 104; target 110; expected pace from 104 to 110" in label
    assert chart.locator(".po-trend__pace").count() == 1
    chart.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SCREENSHOTS / "kr-kpi-chart-desktop.png"))
    home, home_problems = _open(browser, base_url + "index.html", 1280)
    assert home.locator("ul.po-kpis--strip li.po-kpi").count() == 12
    home.screenshot(path=str(SCREENSHOTS / "home-kpi-strip-desktop.png"), full_page=True)
    assert problems == home_problems == []
    page.context.close()
    home.context.close()


def test_screenshots_were_written() -> None:
    for name in ("kpis-overview-desktop", "kpis-overview-phone", "kpi-net-revenue-retention-phone"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    assert Path(SCREENSHOTS).is_dir()

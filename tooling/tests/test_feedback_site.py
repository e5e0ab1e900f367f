"""The customer feedback pages: Top customer asks filtered in Chromium, and what the pages hold.

The site is built from the example repository, whose insights' demand is imported from the
fixture exports; the browser test fails, never skips, when Chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SCREENSHOTS, copy_example, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser

from prodops import pipeline
from prodops.feedback.insight import insights


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The frozen Ledgerline snapshot, with what its site is built from: these tests pin its insights."""
    return copy_example(tmp_path_factory.mktemp("snapshot") / "repo", site=True)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory, snapshot: Path) -> Path:
    out = tmp_path_factory.mktemp("site")
    mkdocs_build(load_config(config_file=str(snapshot / "mkdocs.yml"), site_dir=str(out), strict=True))
    return out


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with serving(site_dir) as url:
        yield url


class _Rows(HTMLParser):
    """The data-* attributes of each filterable row of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "data-po-item" in found:
            self.rows.append(found)


def rows(path: Path) -> list[dict[str, str]]:
    parser = _Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.rows


def test_top_customer_asks_filtered_by_segment_in_chromium(browser: Browser, base_url: str, site_dir: Path) -> None:
    every = rows(site_dir / "insights" / "index.html")
    enterprise = [r["data-text"] for r in every if "enterprise" in r["data-segments"].split()]
    assert 0 < len(enterprise) < len(every)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base_url + "insights/index.html")
    page.select_option("select[name=segments]", "enterprise")
    shown = page.locator("tr[data-po-item]:visible")
    assert shown.count() == len(enterprise)
    assert sorted(shown.evaluate_all("rows => rows.map(r => r.dataset.text)")) == sorted(enterprise)
    assert page.locator(".po-filters__count").inner_text() == f"{len(enterprise)} of {len(every)} shown"
    assert "segments=enterprise" in page.url  # the view can be shared as a link
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "top-customer-asks-enterprise.png"), full_page=True)
    page.select_option("select[name=sources]", "idea-board")
    both = [
        r["data-text"]
        for r in every
        if "enterprise" in r["data-segments"].split() and "idea-board" in r["data-sources"].split()
    ]
    assert page.locator("tr[data-po-item]:visible").count() == len(both)
    assert errors == []
    page.close()


def test_top_customer_asks_are_ranked_by_arr_then_accounts(site_dir: Path, snapshot: Path) -> None:
    result = pipeline.build(snapshot)
    asked = [i for i in insights(result.catalog) if not i.demand().empty]
    expected = [
        i.id for i in sorted(asked, key=lambda i: (-i.demand().arr, -i.demand().accounts, -i.demand().count, i.id))
    ]
    assert [r["data-text"] for r in rows(site_dir / "insights" / "index.html")] == expected


def test_demand_with_no_roadmap_item_lists_only_open_insights(site_dir: Path) -> None:
    listed = [r["data-text"] for r in rows(site_dir / "insights" / "no-roadmap-item.html")]
    assert listed == ["bulk-edit-due-dates", "whatsapp-reminders", "buyer-dispute-workflow"]


def test_an_insight_page_has_its_demand_quotes_and_items(site_dir: Path) -> None:
    html = (site_dir / "insight" / "stale-balances-after-erp-sync.html").read_text(encoding="utf-8")
    assert 'href="../roadmap-item/erp-sync-v2.html"' in html
    assert "Busiest month: 13 accounts, $781,100 ARR." in html
    assert '<th scope="row">2026-10</th>' in html
    assert html.count("<blockquote>") == 8
    assert 'class="po-asks-trend"' in html


def test_a_roadmap_item_page_shows_the_demand_it_answers(site_dir: Path) -> None:
    html = (site_dir / "roadmap-item" / "erp-sync-v2.html").read_text(encoding="utf-8")
    assert "Customer demand" in html
    assert 'href="../insight/stale-balances-after-erp-sync.html"' in html
    assert "$781,100" in html
    assert "Customer demand" not in (site_dir / "roadmap-item" / "public-api-v2.html").read_text(encoding="utf-8")

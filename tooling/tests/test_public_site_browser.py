"""The public roadmap in headless Chromium: three columns, public items only, no internal links.

Fails, never skips, when Chromium is missing (like ``test_site_browser.py``, whose browser
fixtures it shares). Screenshots at desktop width and at 390 px go to build/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, SCREENSHOTS, copy_example, serving
from mkdocs.commands.build import build as mkdocs_build
from playwright.sync_api import Browser, Page
from test_site_browser import Watch

from prodops.commands.site import public_mkdocs_config

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def public_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = copy_example(tmp_path_factory.mktemp("ledgerline") / "repo", site=True)
    out = tmp_path_factory.mktemp("public")
    mkdocs_build(public_mkdocs_config(repo, strict=True, site_dir=out))
    with serving(out) as url:
        yield url


def _page(browser: Browser, width: int) -> Page:
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


def _public_titles(status_in: set[str] | None = None, status_out: set[str] | None = None) -> set[str]:
    titles = set()
    for path in (EXAMPLE / "roadmap").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "\nvisibility: public\n" not in text:
            continue
        status = text.split("\nstatus: ", 1)[1].split("\n", 1)[0]
        if (status_in and status not in status_in) or (status_out and status in status_out):
            continue
        titles.add(text.split("\ntitle: ", 1)[1].split("\n", 1)[0].strip("'\""))
    return titles


@pytest.mark.parametrize("view", ["index", "shipped"])
@pytest.mark.parametrize("size", list(WIDTHS))
def test_public_views_load_cleanly_and_are_captured(browser: Browser, public_url: str, view: str, size: str) -> None:
    page = _page(browser, WIDTHS[size])
    watch = Watch(page)
    response = page.goto(public_url + f"{view}.html", wait_until="networkidle")
    assert response is not None and response.status == 200
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"public-{view}-{size}.png"), full_page=True)
    assert watch.errors == []
    assert watch.outside == []
    # Nothing links back into the organisation: no repository, no edit button, no internal section.
    assert page.locator(".md-source").count() == 0
    assert page.locator("a.md-content__button").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    for word in ("roadmap-item/", "objective/", "okrs/", "launch", "playbook", "team", "github.com", "edit/"):
        assert not any(word in h for h in hrefs), (word, hrefs)
    # The body is not wider than the window (a phone scrolls down, not sideways).
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[size]
    page.context.close()


def test_the_board_shows_the_public_open_items_in_three_columns(browser: Browser, public_url: str) -> None:
    page = _page(browser, 1280)
    page.goto(public_url + "index.html")
    columns = page.locator(".pp-column")
    assert columns.count() == 3
    assert [columns.nth(i).locator("h2").inner_text().split()[0] for i in range(3)] == ["Now", "Next", "Later"]
    shown = {t.strip() for t in page.locator(".pp-card__title").all_inner_texts()}
    assert shown == _public_titles(status_out={"shipped", "cancelled"})
    assert "Usage-based billing plans" in columns.nth(0).inner_text()
    assert "Churn-risk alerts" not in page.content()  # an internal item
    request = page.get_by_role("link", name="Request a feature")
    assert request.get_attribute("href") == "https://feedback.ledgerline.example/new"
    page.context.close()


def test_shipped_lists_the_public_shipped_items(browser: Browser, public_url: str) -> None:
    page = _page(browser, 1280)
    page.goto(public_url + "shipped.html")
    shown = {t.strip() for t in page.locator(".pp-card__title").all_inner_texts()}
    assert shown == _public_titles(status_in={"shipped"})
    assert len(shown) >= 2
    page.context.close()


def test_search_finds_public_items_only(browser: Browser, public_url: str, tmp_path: Path) -> None:
    page = _page(browser, 1280)
    page.goto(public_url + "index.html")
    page.locator(".md-search__input").first.click()
    page.keyboard.type("remittance")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    text = page.locator(".md-search-result").inner_text()
    assert "Read remittance advice" in text
    page.context.close()

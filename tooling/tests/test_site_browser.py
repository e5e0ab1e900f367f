"""The built site in a real browser: headless Chromium (Debian's package) driven by Playwright.

The site is built from the frozen Ledgerline snapshot (``conftest.EXAMPLE``) and served on 127.0.0.1. These tests
fail, never skip, when Chromium is missing: CI installs it (`make test` does too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE, SCREENSHOTS, copy_example, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Dialog, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

MAIN_VIEWS = {
    "home": "index.html",
    "roadmap-board": "roadmap/index.html",
    "roadmap-timeline": "roadmap/timeline.html",
    "roadmap-all": "roadmap/all.html",
    "okrs-2026-Q4": "okrs/2026-Q4.html",
    "launches": "launches/index.html",
    "launch-usage-based-billing-ga": "launch/usage-based-billing-ga.html",
    "item-usage-based-billing": "roadmap-item/usage-based-billing.html",
    "playbook-launch-readiness": "playbook/launch-readiness.html",
    "team-payments": "team/payments.html",
}


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_example(tmp_path_factory.mktemp("ledgerline") / "repo", site=True)
    out = tmp_path_factory.mktemp("site")
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True)
    mkdocs_build(config)
    return out


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with serving(site_dir) as url:
        yield url


class Watch:
    """Records console errors, page errors and every request that leaves 127.0.0.1."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "request",
            lambda req: (
                None if req.url.startswith(("http://127.0.0.1:", "data:", "blob:")) else self.outside.append(req.url)
            ),
        )

        def on_dialog(dialog: Dialog) -> None:
            self.errors.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("name", list(MAIN_VIEWS))
def test_main_views_load_cleanly_and_are_captured(page: Page, base_url: str, name: str) -> None:
    watch = Watch(page)
    response = page.goto(base_url + MAIN_VIEWS[name], wait_until="networkidle")
    assert response is not None and response.status == 200
    assert page.locator("h1").first.inner_text().strip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert watch.errors == []
    assert watch.outside == []


def test_board_shows_three_columns_with_cards(page: Page, base_url: str) -> None:
    page.goto(base_url + "roadmap/index.html")
    columns = page.locator(".po-board__col")
    assert columns.count() == 3
    heads = [columns.nth(i).locator("h2.po-board__head").inner_text().split()[0] for i in range(3)]
    assert heads == ["Now", "Next", "Later"]
    now_cards = columns.nth(0).locator(".po-card")
    assert now_cards.count() >= 10
    assert "Usage-based billing plans" in columns.nth(0).inner_text()


@pytest.mark.parametrize("view", ["roadmap/index.html", "roadmap/all.html", "roadmap/timeline.html"])
def test_text_filter_matches_title_id_and_owner_name(page: Page, base_url: str, view: str) -> None:
    """The title comes from the item's link, the id and the owner's name from data-text."""
    owned = {
        p.stem
        for p in (EXAMPLE / "roadmap").glob("*.yaml")
        if "\nowner: mateo-garcia\n" in p.read_text(encoding="utf-8")
    }
    page.goto(base_url + view, wait_until="networkidle")
    page.wait_for_selector(".po-filters__count")
    box = page.locator(".po-filters input[name=q]")

    def shown(query: str) -> set[str]:
        box.fill(query)
        return set(
            page.eval_on_selector_all(
                "[data-po-item]:not([hidden])",
                "nodes => nodes.map(n => n.querySelector('a').getAttribute('href').split('/').pop().replace('.html', ''))",
            )
        )

    assert shown("Correct proration ROUNDING") == {"proration-rounding-fix"}
    assert shown("proration-rounding-fix") == {"proration-rounding-fix"}
    mateo = shown("Mateo García")
    assert mateo and mateo <= owned
    assert shown("RICE 1,200") == set()  # the card's other text is not matched


def _arrows(page: Page) -> set[tuple[str, str]]:
    return {
        (a, b)
        for a, b in page.eval_on_selector_all(
            ".po-tl svg.po-tl__arrows path.po-tl__arrow",
            "paths => paths.map(p => [p.getAttribute('data-from'), p.getAttribute('data-to')])",
        )
    }


def test_timeline_draws_dependency_arrows_between_shown_bars(page: Page, base_url: str) -> None:
    """invoice-import-wizard (growth) depends on erp-sync-v2 (platform): both are in the window around today."""
    watch = Watch(page)
    page.goto(base_url + "roadmap/timeline.html", wait_until="networkidle")
    page.wait_for_selector(".po-filters__count")
    pair = ("erp-sync-v2", "invoice-import-wizard")
    assert pair in _arrows(page)
    assert ("remittance-parsing", "ml-payment-matching") in _arrows(page)
    # The arrow runs from the end of the dependency's bar to the start of the dependent's bar.
    ends = page.evaluate(
        """() => {
            const bar = id => document.querySelector(`.po-tl__row[data-po-id="${id}"] .po-tl__bar`).getBoundingClientRect();
            const path = document.querySelector('path.po-tl__arrow[data-from="erp-sync-v2"][data-to="invoice-import-wizard"]');
            const box = path.getBoundingClientRect(), a = bar("erp-sync-v2"), b = bar("invoice-import-wizard");
            return [box.top <= a.bottom && box.bottom >= b.top, Math.abs(box.right - Math.max(a.right, b.left)) < 70];
        }"""
    )
    assert ends == [True, True]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "roadmap-timeline-arrows.png"), full_page=True)
    page.select_option(".po-filters select[name=team]", "growth")  # erp-sync-v2 (platform) is filtered out
    assert pair not in _arrows(page)
    assert page.locator('.po-tl__row[data-po-id="invoice-import-wizard"]').is_visible()
    page.locator(".po-filters__reset").click()
    assert pair in _arrows(page)
    page.locator(".po-filters input[name=q]").fill("remittance")  # one end hidden by the text filter
    assert ("remittance-parsing", "ml-payment-matching") not in _arrows(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".po-filters__reset").click()
    page.wait_for_function("document.querySelectorAll('path.po-tl__arrow').length > 1")
    page.screenshot(path=str(SCREENSHOTS / "roadmap-timeline-arrows-390.png"), full_page=True)
    assert pair in _arrows(page)
    assert watch.errors == []


def test_okr_page_shows_objectives_progress_and_work(page: Page, base_url: str) -> None:
    page.goto(base_url + "okrs/2026-Q4.html")
    assert page.locator("h2", has_text="Make Ledgerline indispensable").count() == 1
    bars = page.locator(".po-bar")
    assert bars.count() >= 16
    assert page.locator('[aria-label*="%"]').count() >= 16
    assert page.locator("svg.po-spark").count() >= 13
    row = page.locator("tr#kr-kr1").first
    assert "Usage-based billing plans" in page.content()
    assert row.locator(".po-bar__text").inner_text().endswith("%")


def _search(page: Page, base_url: str, query: str, expected: str) -> list[str]:
    """Type a query into the theme's search box and read the result links.

    The index loads in a worker and results re-render as it answers, so the query is
    retyped until results show, and links are read in one step in the page.
    """
    page.goto(base_url + "index.html", wait_until="networkidle")
    box = page.locator("input.md-search__input")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    hrefs: list[str] = []
    for _ in range(20):
        box.fill("")
        box.press_sequentially(query, delay=20)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=1000)
        except PlaywrightTimeout:
            continue
        page.wait_for_timeout(300)
        hrefs = page.eval_on_selector_all(
            ".md-search-result__link", "links => links.map(a => a.getAttribute('href') || '')"
        )
        if any(expected in h for h in hrefs):
            break
    return hrefs


def test_search_finds_an_item_by_id(page: Page, base_url: str) -> None:
    hrefs = _search(page, base_url, "proration-rounding-fix", "roadmap-item/proration-rounding-fix.html")
    assert any("roadmap-item/proration-rounding-fix.html" in h for h in hrefs), hrefs


def test_search_finds_an_item_by_a_word_of_its_title(page: Page, base_url: str) -> None:
    hrefs = _search(page, base_url, "remittance", "roadmap-item/remittance-parsing.html")
    assert any("roadmap-item/remittance-parsing.html" in h for h in hrefs), hrefs


def test_search_finds_pages_by_owner(page: Page, base_url: str) -> None:
    """A first name finds what the person owns: labels and values are separate words in the index."""
    owned = {
        f"roadmap-item/{p.stem}.html"
        for p in (EXAMPLE / "roadmap").glob("*.yaml")
        if "\nowner: kavya-iyer\n" in p.read_text(encoding="utf-8")
    }
    assert len(owned) >= 3
    hrefs = _search(page, base_url, "Kavya", "roadmap-item/")
    found = {h.split("://", 1)[-1].split("/", 1)[-1].split("?")[0] for h in hrefs}
    assert len(found & owned) >= 3, (found, owned)


def test_the_search_index_separates_labels_from_values(site_dir: Path) -> None:
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = {doc["location"].split("#")[0]: doc["text"] for doc in index["docs"] if "#" not in doc["location"]}
    page = texts["roadmap-item/usage-based-billing.html"]
    assert "Owner: Mateo García" in page and "Status: in-progress" in page
    assert "OwnerMateo" not in page


PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)><iframe src="javascript:alert(3)"></iframe>[x](javascript:alert(4)) "\' onmouseover=alert(5) <svg onload=alert(6)>'
SHORT_PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SHORT_FIELDS = {("title",), ("evidence", 1, "account"), ("key_results", 0, "title"), ("members", 0, "name")}
HOSTILE_FIELDS = {
    "roadmap/usage-based-billing.yaml": [
        ("title",),
        ("problem",),
        ("description",),
        ("evidence", 0, "summary"),
        ("evidence", 1, "account"),
    ],
    "launches/usage-based-billing-ga.yaml": [
        ("title",),
        ("summary",),
        ("readiness", 7, "note"),
        ("rollback_plan",),
        ("communications", "external"),
    ],
    "okrs/2026-Q4/2026-q4-payments-usage-billing.yaml": [
        ("title",),
        ("description",),
        ("key_results", 0, "title"),
        ("key_results", 1, "checkins", 3, "note"),
    ],
    "processes/launch-readiness.yaml": [("purpose",), ("steps", 0, "description"), ("roles", 0, "description")],
    "processes/teams/payments.yaml": [("mission",), ("members", 0, "name")],
}


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from prodops import edit

    repo = copy_example(tmp_path_factory.mktemp("hostile") / "repo", site=True)
    for rel, paths in HOSTILE_FIELDS.items():
        path = repo / rel
        text = path.read_text()
        for field in paths:
            text = edit.set_value(text, field, SHORT_PAYLOAD if field in SHORT_FIELDS else PAYLOAD)
        path.write_text(text)
    out = tmp_path_factory.mktemp("hostile-site")
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True))
    with serving(out) as url:
        yield url


@pytest.mark.parametrize(
    "view",
    [
        "index.html",
        "roadmap/index.html",
        "roadmap/all.html",
        "roadmap/timeline.html",
        "roadmap-item/usage-based-billing.html",
        "launch/usage-based-billing-ga.html",
        "launches/index.html",
        "okrs/2026-Q4.html",
        "objective/2026-q4-payments-usage-billing.html",
        "playbook/launch-readiness.html",
        "team/payments.html",
        "teams/index.html",
        "tags.html",
    ],
)
def test_hostile_text_does_not_run_in_the_browser(page: Page, hostile_url: str, view: str) -> None:
    watch = Watch(page)
    executed: list[str] = []
    page.expose_function("alert", lambda *args: executed.append(str(args)))
    page.goto(hostile_url + view, wait_until="networkidle")
    page.mouse.move(300, 300)
    page.locator("body").hover()
    assert "alert(1)" in page.content() or view in (
        "tags.html",
        "roadmap/timeline.html",
        "launches/index.html",
        "teams/index.html",
        "index.html",
        "roadmap/index.html",
        "roadmap/all.html",
    )
    assert page.locator("script:text('alert')").count() == 0
    assert page.locator("iframe").count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror],[onload],[onmouseover]').length") == 0
    assert executed == [] and watch.errors == [] and watch.outside == []


def test_hostile_text_in_search_results_does_not_run(page: Page, hostile_url: str) -> None:
    watch = Watch(page)
    _search(page, hostile_url, "onmouseover", "roadmap-item/usage-based-billing.html")
    page.wait_for_timeout(500)
    assert (
        page.evaluate(
            "document.querySelectorAll('.md-search-result [onerror], .md-search-result [onload], .md-search-result script, .md-search-result iframe').length"
        )
        == 0
    )
    assert watch.errors == [] and watch.outside == []

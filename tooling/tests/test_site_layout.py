"""The site's layout in headless Chromium at a desktop (1280 px) and a phone (390 px) width.

Data pages show every column of their tables without sideways scrolling at 1280 px (or keep the
first column in view where a table still needs more), stack each table row as a box on a phone,
show key results by their titles, filter with the state in the address, and stay readable at
2,000 entities: no page taller than 8,000 px before the reader expands anything.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, bench_generator, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Page, ViewportSize
from test_site_browser import base_url, site_dir  # noqa: F401  (shared fixtures)

from prodops.render.tables import label_cells

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
DATA_PAGES = {
    "home": "index.html",
    "roadmap-all": "roadmap/all.html",
    "okrs-period": "okrs/2026-Q4.html",
    "objective": "objective/2026-q4-payments-usage-billing.html",
    "customer-asks": "insights/index.html",
    "launches": "launches/index.html",
    "kpis": "kpis/index.html",
    "team": "team/payments.html",
    "health": "health.html",
    "reviews": "history/index.html",
}

# Every table in the page's content whose columns do not all fit its box, unless its first column
# stays in view (sticky) while the rest scrolls.
HIDDEN_COLUMNS = """() => {
  const found = [];
  document.querySelectorAll(".md-content table").forEach((table) => {
    const box = table.closest(".po-scroll") || table.parentElement;
    const first = table.querySelector("tbody tr > :first-child");
    const sticky = first && getComputedStyle(first).position === "sticky";
    if (box.scrollWidth > box.clientWidth + 1 && !sticky) {
      found.push([...table.querySelectorAll("thead th")].map((th) => th.textContent.trim()).join(" | "));
    }
  });
  return found;
}"""


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def _widths(page: Page) -> Any:
    return page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,"
        " content: document.querySelector('.md-content').clientWidth})"
    )


@pytest.mark.parametrize("name", list(DATA_PAGES))
def test_data_page_tables_show_every_column_at_1280(desktop: Page, base_url: str, name: str) -> None:  # noqa: F811
    desktop.goto(base_url + DATA_PAGES[name])
    assert desktop.evaluate(HIDDEN_COLUMNS) == []
    widths = _widths(desktop)
    assert widths["page"] <= widths["window"]
    # The page gives its content the window's width, not the reading column of a page with a table of contents.
    assert widths["content"] >= 1000, widths


def test_okr_period_key_result_columns_are_all_in_view_at_1280(desktop: Page, base_url: str) -> None:  # noqa: F811
    desktop.goto(base_url + "okrs/2026-Q4.html")
    table = desktop.locator(".po-scroll").first
    box = table.bounding_box()
    assert box is not None
    for heading in ("Now", "Confidence", "Check-ins", "Work behind it"):
        cell = table.locator("thead th", has_text=heading).first.bounding_box()
        assert cell is not None
        assert cell["x"] + cell["width"] <= box["x"] + box["width"] + 1, heading


@pytest.mark.parametrize("name", list(DATA_PAGES))
def test_data_page_tables_stack_as_labelled_rows_on_a_phone(phone: Page, base_url: str, name: str) -> None:  # noqa: F811
    phone.goto(base_url + DATA_PAGES[name])
    widths = _widths(phone)
    assert widths["page"] <= widths["window"]
    stacked = phone.evaluate(
        """() => [...document.querySelectorAll('.md-content table.po-table--stack tbody tr:not([hidden])')].slice(0, 20).map((tr) => ({
             display: getComputedStyle(tr).display,
             wide: tr.scrollWidth > tr.clientWidth + 1,
             labels: [...tr.children].slice(1).map((td) => getComputedStyle(td, '::before').content),
           }))"""
    )
    if phone.locator(".md-content table.po-table").count():
        assert stacked, "no table of the page is stacked"
    for row in stacked:
        assert row["display"] == "block"
        assert not row["wide"]
        assert all(label not in ("none", "normal", '""') for label in row["labels"]), row


def test_okr_period_rows_on_a_phone_name_each_value(phone: Page, base_url: str) -> None:  # noqa: F811
    phone.goto(base_url + "okrs/2026-Q4.html")
    row = phone.locator(".po-table--stack tbody tr").first
    assert row.locator('td[data-label="Confidence"]').count() == 1
    assert row.locator('td[data-label="Work behind it"]').count() == 1


def test_label_cells_names_each_cell_by_its_column_and_escapes_the_heading() -> None:
    page = (
        '<table class="po-table"><thead><tr><th>Item</th><th>A &lt;b&gt; "q"</th><th>Due</th></tr></thead>'
        '<tbody data-po-collapse="10"><tr><td colspan="2">x</td><td>y</td></tr><tr><th scope="row">z</th><td>1</td><td>2</td></tr></tbody></table>'
    )
    assert label_cells(page) == (
        '<table class="po-table po-table--stack"><thead><tr><th>Item</th><th>A &lt;b&gt; "q"</th><th>Due</th></tr></thead>'
        '<tbody data-po-collapse="10"><tr><td colspan="2">x</td><td data-label="Due">y</td></tr>'
        '<tr><th scope="row">z</th><td data-label="A &lt;b&gt; &quot;q&quot;">1</td>'
        '<td data-label="Due">2</td></tr></tbody></table>'
    )


def test_label_cells_leaves_tables_without_a_heading_row_alone() -> None:
    page = '<table class="po-table"><tbody><tr><td>x</td></tr></tbody></table><table><thead><tr><th>a</th><th>b</th></tr></thead></table>'
    assert label_cells(page) == page


# A key result's id (objective.kr1) shown as text anywhere in a page's content, outside a tooltip.
KR_IDS = r"""() => {
  const walker = document.createTreeWalker(document.querySelector('.md-content'), NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (/[a-z0-9-]+\.kr\d+/.test(node.textContent)) { found.push(node.textContent.trim().slice(0, 80)); }
  }
  return found;
}"""


@pytest.mark.parametrize(
    "view",
    ["roadmap/index.html", "index.html", "roadmap-item/usage-based-billing.html", "launch/usage-based-billing-ga.html"],
)
def test_key_results_show_their_titles_not_their_ids(desktop: Page, base_url: str, view: str) -> None:  # noqa: F811
    desktop.goto(base_url + view)
    assert desktop.evaluate(KR_IDS) == []


def test_a_card_names_the_key_results_it_moves_and_its_owner(desktop: Page, base_url: str) -> None:  # noqa: F811
    desktop.goto(base_url + "roadmap/index.html")
    card = desktop.locator('.po-card:has(a.po-card__title:text-is("Usage-based billing plans"))')
    why = card.locator(".po-card__why")
    assert why.inner_text() == (
        "Moves: Get 25 accounts invoicing with usage-based plans in beta; Book $180k ARR from the usage-billing"
        " add-on; Raise net revenue retention from 104% to 110%"
    )
    assert why.locator("a").last.get_attribute("title") == "2026-q4-grow-net-revenue-retention.kr1"
    assert "Mateo García" in card.locator(".po-card__meta").inner_text()
    assert "@mateo-garcia" not in card.locator(".po-card__meta").inner_text()


def test_the_owner_filter_lists_people_by_name(desktop: Page, base_url: str) -> None:  # noqa: F811
    desktop.goto(base_url + "roadmap/index.html")
    options = desktop.locator('select[name="owner"] option').all_inner_texts()
    assert "Mateo García" in options
    assert not [o for o in options if o.startswith("@") or "-" in o]
    desktop.select_option('select[name="owner"]', label="Mateo García")
    assert "owner=mateo-garcia" in desktop.url


FILTERED = {
    "okrs/2026-Q4.html": ("confidence", "at-risk", ".po-objective"),
    "launches/index.html": ("tier", "1", "tbody tr[data-po-item]"),
    "kpis/index.html": ("status", "watch", ".po-kpi"),
    "insights/index.html": ("segments", "enterprise", "tbody tr[data-po-item]"),
}


@pytest.mark.parametrize("view", list(FILTERED))
def test_list_pages_filter_with_the_state_in_the_address(browser: Browser, base_url: str, view: str) -> None:  # noqa: F811
    facet, value, entries = FILTERED[view]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(base_url + view)
        everything = page.locator(entries).count()
        page.select_option(f'.po-filters select[name="{facet}"]', value)
        assert f"{facet}={value}" in page.url
        shown = page.locator(f"{entries}:visible").count()
        assert 0 < shown < everything
        # The address alone gives the same view.
        again = context.new_page()
        again.goto(page.url)
        assert again.locator(f"{entries}:visible").count() == shown
        assert again.locator(f'.po-filters select[name="{facet}"]').input_value() == value
    finally:
        context.close()


def test_swimlanes_under_a_team_filter_show_only_that_team(desktop: Page, base_url: str) -> None:  # noqa: F811
    desktop.goto(base_url + "roadmap/index.html?group=team&team=payments")
    lanes = desktop.locator(".po-lane:visible")
    assert lanes.count() == 1
    assert lanes.first.get_attribute("data-team") == "payments"


LARGE = 2_000
LARGE_TODAY = "2026-12-07"
LARGE_PAGES = [
    "index.html",
    "roadmap/index.html",
    "roadmap/index.html?group=team",
    "roadmap/teams.html",
    "roadmap/timeline.html",
    "roadmap/all.html",
    "okrs/2026-Q4.html",
    "launches/index.html",
    "team/team-000.html",
    "teams/index.html",
]


@pytest.fixture(scope="module")
def large_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A generated organisation of 2,000 entities, built once for this module and served."""
    repo = tmp_path_factory.mktemp("large") / "repo"
    bench_generator().generate(repo, LARGE, seed=1, today=date.fromisoformat(LARGE_TODAY))
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    out = tmp_path_factory.mktemp("large-site")
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=False)
    config.plugins["prodops"].config.today = LARGE_TODAY
    mkdocs_build(config)
    with serving(out) as url:
        yield url


@pytest.mark.parametrize("view", LARGE_PAGES)
def test_a_large_organisation_keeps_every_page_under_8000_px_and_every_column_in_view(
    desktop: Page, large_url: str, view: str
) -> None:
    desktop.goto(large_url + view)
    height = desktop.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 8000, f"{view} is {height} px tall"
    assert desktop.evaluate(HIDDEN_COLUMNS) == []
    assert desktop.evaluate(KR_IDS) == []


PHONE_PAGES = [
    "roadmap/index.html",
    "roadmap/index.html?group=team",
    "roadmap/teams.html",
    "roadmap/all.html",
    "okrs/2026-Q4.html",
    "launches/index.html",
]


@pytest.mark.parametrize("view", PHONE_PAGES)
def test_a_large_organisation_keeps_the_long_pages_under_8000_px_on_a_phone(
    phone: Page, large_url: str, view: str
) -> None:
    # A phone shows a third of each collapsed list: a card or a stacked row is most of a screen's width.
    phone.goto(large_url + view)
    height = phone.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 8000, f"{view} is {height} px tall at 390 px"


def test_a_collapsed_board_column_shows_all_its_cards_on_request(desktop: Page, large_url: str) -> None:
    desktop.goto(large_url + "roadmap/index.html")
    column = desktop.locator(".po-board__col").first
    total = column.locator(".po-card").count()
    assert column.locator(".po-card:visible").count() == 15 < total
    more = desktop.locator("button.po-more").first
    assert more.inner_text() == f"Show all ({total})"
    more.click()
    assert column.locator(".po-card:visible").count() == total
    # A filter counts and collapses what matches.
    desktop.select_option('.po-filters select[name="team"]', index=1)
    assert column.locator(".po-card:visible").count() <= total


def test_overdue_and_at_risk_cards_say_so_in_words_and_colour(desktop: Page, base_url: str) -> None:  # noqa: F811
    desktop.goto(base_url + "roadmap/index.html")
    late = desktop.locator(".po-card--late")
    assert late.count() >= 1
    for i in range(late.count()):
        card = late.nth(i)
        assert card.locator(".po-flag--late").inner_text() == "overdue"
        assert card.evaluate("c => getComputedStyle(c).borderLeftColor") == "rgb(198, 40, 40)"
    risky = desktop.locator(".po-card--risk, .po-card--late:has(.po-flag--risk)")
    assert risky.count() >= 1
    assert "moves a key result at risk" in risky.first.inner_text()
    calm = desktop.locator(".po-card:not(.po-card--late):not(.po-card--risk)").first
    assert calm.locator(".po-flag").count() == 0


def test_a_card_and_all_items_show_the_demand_of_its_insights(desktop: Page, base_url: str) -> None:  # noqa: F811
    desktop.goto(base_url + "roadmap/index.html")
    card = desktop.locator('.po-card:has(a.po-card__title:text-is("Xero connector"))')
    assert card.locator(".po-card__demand").inner_text() == "Asked by 5 accounts, $158,500 ARR (1 insight)"
    desktop.goto(base_url + "roadmap/all.html")
    row = desktop.locator('tr:has(a:text-is("Xero connector"))')
    assert row.locator('td[data-label="Demand"]').inner_text() == "5 accounts, $158,500 ARR"


def test_a_key_result_change_says_what_moved_in_the_key_result_s_words(tmp_path: Path) -> None:
    from conftest import EXAMPLE_TODAY, copy_example

    from prodops.history import Commit
    from prodops.historyview import Event
    from prodops.pipeline import build
    from prodops.render.changes import kr_words

    catalog = build(copy_example(tmp_path / "repo"), today=EXAMPLE_TODAY).catalog
    commit = Commit("0" * 40, "Ana <script>", "2026-11-20T10:00:00+00:00")
    objective = "2026-q4-grow-net-revenue-retention"
    moved = Event(
        "confidence", objective, "t", "payments", commit, kind="objective", kr="kr1", moved=(104, 106, 0.7, 0.6)
    )
    assert kr_words(moved, catalog) == (
        "Raise net revenue retention from 104% to 110%: 104 → 106 %, confidence 0.7 → 0.6",
        f"{objective}.kr1",
    )
    same = Event("confidence", objective, "t", "", commit, kind="objective", kr="kr1", moved=(106, 106, 0.7, 0.6))
    assert kr_words(same, catalog)[0] == "Raise net revenue retention from 104% to 110%: confidence 0.7 → 0.6"
    gone = Event("confidence", objective, "t", "", commit, kind="objective", kr="kr9", moved=(None, 1, 0.5, 0.4))
    assert kr_words(gone, catalog) == (f"{objective}.kr9: ? → 1, confidence 0.5 → 0.4", f"{objective}.kr9")


def test_a_printed_board_has_every_card_of_a_collapsed_column(desktop: Page, large_url: str) -> None:
    desktop.goto(large_url + "roadmap/index.html")
    column = desktop.locator(".po-board__col").first
    total = column.locator(".po-card").count()
    assert column.locator(".po-card:visible").count() < total
    desktop.emulate_media(media="print")
    assert column.locator(".po-card:visible").count() == total
    assert desktop.locator("button.po-more:visible").count() == 0

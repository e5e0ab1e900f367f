"""The site's layout in headless Chromium at a desktop (1280 px) and a phone (390 px) width.

Data pages show every column of their tables without sideways scrolling at 1280 px (or keep the
first column in view where a table still needs more), stack each table row as a box on a phone,
show key results by their titles, filter with the state in the address, and stay readable at
2,000 entities: no page taller than 8,000 px before the reader expands anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
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
        """() => [...document.querySelectorAll('.md-content table.po-table--stack tbody tr')].slice(0, 20).map((tr) => ({
             display: getComputedStyle(tr).display,
             wide: tr.scrollWidth > tr.clientWidth + 1,
             labels: [...tr.children].slice(1).map((td) => getComputedStyle(td, '::before').content),
           }))"""
    )
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
        '<tbody><tr><td colspan="2">x</td><td>y</td></tr><tr><th scope="row">z</th><td>1</td><td>2</td></tr></tbody></table>'
    )
    assert label_cells(page) == (
        '<table class="po-table po-table--stack"><thead><tr><th>Item</th><th>A &lt;b&gt; "q"</th><th>Due</th></tr></thead>'
        '<tbody><tr><td data-label="Item" colspan="2">x</td><td data-label="Due">y</td></tr>'
        '<tr><th data-label="Item" scope="row">z</th><td data-label="A &lt;b&gt; &quot;q&quot;">1</td>'
        '<td data-label="Due">2</td></tr></tbody></table>'
    )


def test_label_cells_leaves_tables_without_a_heading_row_alone() -> None:
    page = '<table class="po-table"><tbody><tr><td>x</td></tr></tbody></table><table><thead><tr><th>a</th><th>b</th></tr></thead></table>'
    assert label_cells(page) == page

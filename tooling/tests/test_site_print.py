"""Printing the views: Chromium prints the board, the timeline and an OKR page to PDF.

The stylesheet's `@media print` block hides the theme's navigation, keeps each card, timeline
row and table row on one sheet (`break-inside: avoid`) and fits wide tables to the paper. The
layout is checked under print media at the printable width of an A4 sheet, and the PDF's page
count against the height of that layout.
"""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import Browser, Page
from test_site_browser import base_url, site_dir  # noqa: F401  (shared fixtures)

PRINTED = {
    "roadmap-board": "roadmap/index.html",
    "roadmap-timeline": "roadmap/timeline.html",
    "okrs-2026-Q4": "okrs/2026-Q4.html",
}
MARGIN_MM = 12
# An A4 sheet less its margins, in CSS pixels (96 per inch).
PRINT_WIDTH = round((210 - 2 * MARGIN_MM) / 25.4 * 96)
PRINT_HEIGHT = round((297 - 2 * MARGIN_MM) / 25.4 * 96)
KEPT_WHOLE = (".po-card", ".po-tl__row", ".po-table tr")
HIDDEN = (".md-header", ".md-tabs", ".md-sidebar", ".md-footer", ".po-filters")

# Under print media: what would split across sheets, what navigation still shows, what is wider than the paper.
PRINT_PROBLEMS = """([kept, hidden]) => {
  const problems = [];
  for (const selector of kept) {
    for (const el of document.querySelectorAll(selector)) {
      const value = getComputedStyle(el).breakInside;
      if (value !== "avoid") { problems.push(`${selector} has break-inside: ${value}`); break; }
    }
  }
  for (const selector of hidden) {
    for (const el of document.querySelectorAll(selector)) {
      const display = getComputedStyle(el).display;
      if (display !== "none") { problems.push(`${selector} is displayed (${display})`); break; }
    }
  }
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) { problems.push(`the page is ${width}px wide, the paper ${window.innerWidth}px`); }
  return problems;
}"""


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF as Chromium writes it (page objects are not compressed)."""
    pages = len(re.findall(rb"/Type\s*/Page(?!s)\b", pdf))
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)
    assert counts, "the PDF has no page tree"
    assert pages == max(int(a or b) for a, b in counts)
    return pages


def print_layout(browser: Browser, url: str) -> Page:
    """The page loaded at the paper's printable width, under print media."""
    context = browser.new_context(viewport={"width": PRINT_WIDTH, "height": PRINT_HEIGHT})
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    page.emulate_media(media="print")
    return page


@pytest.mark.parametrize("name", list(PRINTED))
def test_view_prints_without_navigation_or_split_cards(browser: Browser, base_url: str, name: str) -> None:  # noqa: F811
    page = print_layout(browser, base_url + PRINTED[name])
    try:
        whole = page.evaluate("s => s.map(x => document.querySelectorAll(x).length)", list(KEPT_WHOLE))
        assert sum(whole) >= 8, f"nothing to keep whole on {PRINTED[name]}: {dict(zip(KEPT_WHOLE, whole, strict=True))}"
        assert page.evaluate(PRINT_PROBLEMS, [list(KEPT_WHOLE), list(HIDDEN)]) == []
        height = page.evaluate("document.documentElement.scrollHeight")
        pdf = page.pdf(
            width="210mm",
            height="297mm",
            margin={
                "top": f"{MARGIN_MM}mm",
                "right": f"{MARGIN_MM}mm",
                "bottom": f"{MARGIN_MM}mm",
                "left": f"{MARGIN_MM}mm",
            },
        )
    finally:
        page.context.close()
    pages = pdf_pages(pdf)
    fewest = math.ceil(height / PRINT_HEIGHT)
    # Keeping blocks whole leaves a gap at the foot of a sheet, never more than one block's height.
    assert fewest <= pages <= fewest + 2 + fewest // 2, (pages, height)


def test_the_print_check_catches_screen_styles_on_paper(browser: Browser, base_url: str) -> None:  # noqa: F811
    """Not blind: with the print rules undone, split cards, visible navigation and a too-wide page are reported."""
    page = print_layout(browser, base_url + PRINTED["roadmap-board"])
    page.add_style_tag(
        content="@media print { .po-card { break-inside: auto !important; } .md-header { display: block !important; }"
        " .md-content { min-width: 1400px; } }"
    )
    problems = page.evaluate(PRINT_PROBLEMS, [list(KEPT_WHOLE), list(HIDDEN)])
    page.context.close()
    assert problems == [
        ".po-card has break-inside: auto",
        ".md-header is displayed (block)",
        f"the page is {problems[-1].split()[3]} wide, the paper {PRINT_WIDTH}px",
    ], problems
    assert int(problems[-1].split()[3].removesuffix("px")) >= 1400


def test_pdf_pages_counts_a_chromium_pdf(browser: Browser, base_url: str) -> None:  # noqa: F811
    page = print_layout(browser, base_url + "guide/glossary.html")
    page.set_content("<p>1</p>")
    one = page.pdf(width="210mm", height="297mm")
    page.set_content("<p style='break-after: page'>1</p><p style='break-after: page'>2</p><p>3</p>")
    three = page.pdf(width="210mm", height="297mm")
    page.context.close()
    assert (pdf_pages(one), pdf_pages(three)) == (1, 3)

"""Accessibility of the built site, checked by axe-core in headless Chromium, light and dark.

axe-core comes from node_modules (`npm ci`; make test runs it) and is injected into the page as
an inline script: the site still makes no request to another host. The theme's own problems are
not the product's to fix, so each main page is compared with a hand-written page of the same
site (plain Material): a serious or critical violation fails the test unless the plain page has
the same rule failing in the same part of the page. The parts are kept apart because
Material's tabs already fail colour contrast; compared by rule id alone, that would hide every
low-contrast colour the product adds to its pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from conftest import CONTENT_TODAY, REPO_ROOT, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser, Page
from test_site_browser import base_url, site_dir  # noqa: F401  (shared fixtures)

from prodops import pipeline
from prodops.kinds import page_path

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PLAIN = "guide/glossary.html"
PAGES = {
    "home": "index.html",
    "roadmap-board": "roadmap/index.html",
    "roadmap-board-swimlanes": "roadmap/index.html?group=team",
    "roadmap-by-team": "roadmap/teams.html",
    "roadmap-timeline": "roadmap/timeline.html",
    "roadmap-all": "roadmap/all.html",
    "okrs-2026-Q4": "okrs/2026-Q4.html",
    "launches": "launches/index.html",
    "item": "roadmap-item/usage-based-billing.html",
    "launch": "launch/usage-based-billing-ga.html",
    "playbook": "playbook/launch-readiness.html",
    "team": "team/payments.html",
    "health": "health.html",
    "customer-asks": "insights/index.html",
    "insight": "insight/stale-balances-after-erp-sync.html",
    "kpis": "kpis/index.html",
    "kpi": "kpi/net-revenue-retention.html",
}
# Material's light and dark schemes; the palette in mkdocs.yml picks one from the reader's system
# setting, which the browser context emulates (so the page loads in it, with no colour transition).
SCHEMES: dict[str, Literal["light", "dark"]] = {"default": "light", "slate": "dark"}
SEVERE = ("serious", "critical")
# Moderate rules the product's pages are held to as well, once fixed: headings one level at a time.
ALSO_CHECKED = ("heading-order",)

# Runs axe and says, for every node of a violation, whether it lies in the page's content
# (what the templates write, and what filters.js adds there) or in the theme's frame around it.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], elementRef: true});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => ({
      area: n.element && n.element.closest(".md-content") ? "content" : "frame",
      target: n.target.join(" "),
      summary: n.failureSummary,
    })),
  }));
}"""


def open_page(browser: Browser, scheme: str) -> Page:
    """A page of a new context in the given scheme (close its context when done)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=SCHEMES[scheme])
    return context.new_page()


def run_axe(page: Page, scheme: str) -> list[dict[str, Any]]:
    """The loaded page's violations of serious or critical impact (and those of ALSO_CHECKED)."""
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(REPO_ROOT)} is missing: run `npm ci` (make test does)")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in violations if v["impact"] in SEVERE or v["id"] in ALSO_CHECKED]


def axe_violations(browser: Browser, url: str, scheme: str) -> list[dict[str, Any]]:
    page = open_page(browser, scheme)
    try:
        page.goto(url, wait_until="networkidle")
        return run_axe(page, scheme)
    finally:
        page.context.close()


def added_by_product(found: list[dict[str, Any]], plain: list[dict[str, Any]]) -> list[str]:
    """One line per node whose rule does not also fail in the same part of the plain page."""
    theme = {(v["id"], n["area"]) for v in plain for n in v["nodes"]}
    return [
        f"{v['id']} ({v['impact']}, {n['area']}) {n['target']}: {v['help']}; {n['summary'].splitlines()[-1].strip()}"
        for v in found
        for n in v["nodes"]
        if (v["id"], n["area"]) not in theme
    ]


@pytest.fixture(scope="module")
def plain_violations(browser: Browser, base_url: str) -> dict[str, list[dict[str, Any]]]:  # noqa: F811
    return {scheme: axe_violations(browser, base_url + PLAIN, scheme) for scheme in SCHEMES}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_adds_no_serious_accessibility_violation(
    browser: Browser,
    base_url: str,  # noqa: F811
    plain_violations: dict[str, list[dict[str, Any]]],
    name: str,
    scheme: str,
) -> None:
    found = axe_violations(browser, base_url + PAGES[name], scheme)
    assert added_by_product(found, plain_violations[scheme]) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_check_catches_a_low_contrast_link_in_the_content(
    browser: Browser,
    base_url: str,  # noqa: F811
    plain_violations: dict[str, list[dict[str, Any]]],
    scheme: str,
) -> None:
    """The comparison is not blind: a pale link added to the plain page's text is reported."""
    page = open_page(browser, scheme)
    page.goto(base_url + PLAIN, wait_until="networkidle")
    pale = {"default": "#c0c0c0", "slate": "#3a3a3a"}[scheme]
    page.add_style_tag(content=f".po-injected a {{ color: {pale} !important; }}")
    page.evaluate(
        """() => {
          const p = document.createElement("p");
          p.className = "po-injected";
          p.innerHTML = 'Read <a href="#x">the pale link</a> in this sentence.';
          document.querySelector(".md-content article").appendChild(p);
        }"""
    )
    added = added_by_product(run_axe(page, scheme), plain_violations[scheme])
    page.context.close()
    assert any(line.startswith('color-contrast (serious, content) a[href="#x"]') for line in added), added


def test_the_plain_page_is_a_theme_page(site_dir: Path) -> None:  # noqa: F811
    """The baseline is a hand-written page: no generated markup that could hide the product's problems."""
    html = (site_dir / PLAIN).read_text(encoding="utf-8")
    assert 'class="md-content"' in html
    assert "po-card" not in html and "po-table" not in html and "po-filterable" not in html


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The site of the repository's own content, served; and its main views plus one page of each kind."""
    out = tmp_path_factory.mktemp("live-site")
    mkdocs_build(load_config(config_file=str(REPO_ROOT / "mkdocs.yml"), site_dir=str(out), strict=True))
    first: dict[str, str] = {}
    for entity_id, document in sorted(pipeline.build(REPO_ROOT, today=CONTENT_TODAY).catalog.documents.items()):
        first.setdefault(document.kind.kind, page_path(document.kind.kind, entity_id).replace(".md", ".html"))
    entity_pages = ("roadmap-item/", "launch/", "playbook/", "team/", "insight/", "kpi/")  # one of each kind: ``first``
    views = [p for p in PAGES.values() if not p.startswith(entity_pages)]
    with serving(out) as url:
        yield url, views + sorted(first.values())


@pytest.mark.example
@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_repository_s_own_pages_add_no_serious_accessibility_violation(
    browser: Browser, live_site: tuple[str, list[str]], scheme: str
) -> None:
    """On the repository's own content on purpose: its main views and a page of every kind it holds."""
    url, pages = live_site
    plain = axe_violations(browser, url + PLAIN, scheme)
    found = {page: added_by_product(axe_violations(browser, url + page, scheme), plain) for page in pages}
    assert {page: lines for page, lines in found.items() if lines} == {}

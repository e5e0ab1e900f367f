"""The team status page: the same facts as the e-mail, and readable on a wide and a narrow screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import weekrepo
from conftest import EXAMPLE_TODAY, SCREENSHOTS, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from playwright.sync_api import Browser

from prodops import history, pipeline
from prodops.notify import email
from prodops.notify.compose import Recipient
from prodops.render.renderer import Site, SiteOptions
from prodops.render.status import add_status_pages, team_message


def _facts_of_markdown(page: str) -> list[str]:
    """The page's list entries as plain text: links and Markdown escapes taken away."""
    out = []
    for line in page.splitlines():
        if line.startswith("- "):
            text = re.sub(r"\[(.*?)\]\(<[^>]*>\)", r"\1", line[2:])
            out.append(re.sub(r"\\(.)", r"\1", text))
    return out


def _facts_of_mail(text: str) -> list[str]:
    return [re.sub(r" <[^>]*>$", "", line[2:]) for line in text.splitlines() if line.startswith("- ")]


def test_the_team_page_and_the_email_carry_the_same_facts(tmp_path: Path) -> None:
    root = weekrepo.build(tmp_path / "ops")
    result = pipeline.build(root, today=EXAMPLE_TODAY)
    index = history.load(root)
    options = SiteOptions(today=EXAMPLE_TODAY, config=result.config)
    site = Site()
    add_status_pages(site, index, options, result.catalog, result.diagnostics)
    page = site.pages["status/payments.md"]
    message = team_message(result.catalog, options, result.diagnostics, index, "payments")
    mail = email.build(message, "ops@example.com", Recipient("Kavya Iyer", "kavya@example.com"))
    text = mail.get_body(("plain",))
    assert text is not None
    facts = _facts_of_markdown(page)
    assert facts == _facts_of_mail(text.get_content())
    assert any("Read remittance advice from emails and PDFs: 2026-11-27 → 2026-12-04 (+7 days)" in f for f in facts)
    assert any(f.startswith("Cut invoice disputes from 4.2 to 2.0 per 1,000 invoices: 3.4") for f in facts)
    assert "](<../roadmap-item/remittance-parsing.md>)" in page  # links relative to status/, to the page sources
    assert "[Payments](payments.md)" in site.pages["status/index.md"]


@pytest.fixture(scope="module")
def status_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = weekrepo.build(tmp_path_factory.mktemp("week") / "ops", site=True)
    config_file = root / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("  - prodops\n", f"  - prodops:\n      today: '{EXAMPLE_TODAY.isoformat()}'\n", 1)
    )
    out = tmp_path_factory.mktemp("site")
    mkdocs_build(load_config(config_file=str(config_file), site_dir=str(out), strict=True))
    with serving(out) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 390])
def test_team_status_page_in_chromium(browser: Browser, status_site: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(status_site + "status/payments.html")
    assert page.locator("h1").first.inner_text().startswith("Status of Payments")
    assert page.locator("a[href='../roadmap-item/remittance-parsing.html']").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing wider than the screen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"team-status-{width}.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".md-sidebar--primary").first.is_hidden()  # prints without the navigation
    assert errors == []
    page.close()

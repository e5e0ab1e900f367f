"""What readers see on the built site: headings with quotes, named table regions, launch release notes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import TODAY, copy_example
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from prodops.render.regions import name_regions

OBJECTIVE = "okrs/2026-Q4/2026-q4-payments-usage-billing.yaml"
LAUNCH = "launches/usage-based-billing-ga.yaml"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot's site, with quotes in an objective's and a launch's title."""
    repo = copy_example(tmp_path_factory.mktemp("readers") / "repo", site=True)
    objective = repo / OBJECTIVE
    text = objective.read_text(encoding="utf-8")
    objective.write_text(
        re.sub(r"(?m)^title: .*$", "title: 'Bill by usage, the \"meter\" customers'' invoices trust'", text, count=1)
    )
    launch = repo / LAUNCH
    text = launch.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", "title: Usage billing's general availability", text, count=1)
    note = "release_note: |\n  **Bill by usage.** Import metered usage and invoice it; <script>alert(1)</script>\n"
    launch.write_text(text.replace("\ntier:", "\n" + note + "tier:", 1))
    out = tmp_path_factory.mktemp("readers-site")
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True)
    config.plugins["prodops"].config.today = TODAY.isoformat()
    mkdocs_build(config)
    return out


def _toc(page: str) -> list[str]:
    """The text of the page's table-of-contents links (Material's secondary navigation)."""
    nav = page[page.find('<nav class="md-nav md-nav--secondary"') :]
    nav = nav[: nav.find("</nav>")]
    links = re.findall(r'class="md-nav__link">(.*?)</a>', nav, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", t).split()) for t in links]


def test_a_quote_in_a_heading_reads_as_typed_in_the_table_of_contents(site: Path) -> None:
    page = (site / "okrs" / "2026-Q4.html").read_text(encoding="utf-8")
    # The period's objectives are filterable sections, each headed by its own <h2> (the page has no
    # table of contents: its width goes to the key-result tables).
    headings = [" ".join(re.sub(r"<[^>]+>", "", h).split()) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]
    assert 'Bill by usage, the "meter" customers\' invoices trust' in headings, headings
    assert not any("&#39;" in t or "&amp;" in t for t in headings), headings
    toc = _toc(page)
    assert toc and not any("&#39;" in t or "&amp;" in t for t in toc), toc
    objective = (site / "objective" / "2026-q4-payments-usage-billing.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>Bill by usage, the \"meter\" customers' invoices trust", objective)
    launch = (site / "launch" / "usage-based-billing-ga.html").read_text(encoding="utf-8")
    assert re.search(r"<h1[^>]*>Usage billing's general availability", launch)
    assert "&amp;#39;" not in launch and "&amp;#39;" not in page


def test_every_table_region_has_its_own_meaningful_name(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    regions = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        labels = re.findall(r'role="region" aria-label="([^"]*)"', text)
        regions += len(labels)
        assert "Scrollable table" not in labels, path
        repeated = [label for label, n in Counter(labels).items() if n > 1]
        assert repeated == [], (path, repeated)
    assert regions > 50
    launch = (site / "launch" / "usage-based-billing-ga.html").read_text(encoding="utf-8")
    assert re.findall(r'role="region" aria-label="([^"]*)"', launch)[:2] == ["Owners", "Readiness checklist"]


def test_region_names_come_from_the_caption_or_the_heading_above() -> None:
    page = (
        '<h2 id="a">Owners<a class="headerlink" href="#a">¶</a></h2>'
        '<div class="po-scroll" role="region" aria-label="Scrollable table" tabindex="0"><table></table></div>'
        '<div class="po-scroll" role="region" aria-label="Scrollable table" tabindex="0"><table></table></div>'
        "<h3>Tom &amp; Jerry&#39;s &lt;b&gt;</h3>"
        '<div class="po-scroll" role="region" aria-label="Scrollable table" tabindex="0">'
        '<table class="po-table"><caption>Check-ins "Q4"</caption></table></div>'
        '<div class="po-scroll" role="region" aria-label="Scrollable table" tabindex="0"><table></table></div>'
    )
    labels = re.findall(r'aria-label="([^"]*)"', name_regions(page))
    assert labels == ["Owners", "Owners (2)", "Check-ins &quot;Q4&quot;", "Tom &amp; Jerry&#x27;s &lt;b&gt;"]


def test_a_launch_page_shows_its_release_note_as_markdown(site: Path) -> None:
    launch = (site / "launch" / "usage-based-billing-ga.html").read_text(encoding="utf-8")
    head = launch.find('id="release-note"')
    assert head > 0
    section = launch[head : launch.find("<h2", head + 1)]
    assert "What customers read in the release notes" in section
    assert "<strong>Bill by usage.</strong> Import metered usage and invoice it;" in section  # Markdown, converted
    assert "<script" not in section and "&lt;script&gt;alert(1)&lt;/script&gt;" in section  # raw HTML shows as text

"""Quarter review, calibration and release-notes pages, and `prodops report release-notes`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import copy_example
from test_calibration import build

from prodops import pipeline
from prodops.catalog import Catalog
from prodops.cli import cli
from prodops.render.changes import add_history
from prodops.render.renderer import Site, SiteOptions
from prodops.text.safe import clean_page


def pages(root: Path, today: date, catalog: Catalog | None = None) -> dict[str, str]:
    site = Site()
    add_history(site, root, SiteOptions(today=today), catalog or Catalog())
    return site.pages


def test_review_page_scores_the_quarter_and_links_back(tmp_path: Path) -> None:
    site = pages(build(tmp_path), date(2026, 12, 1))
    assert {"history/index.md", "history/2026-Q3.md", "history/calibration.md", "release-notes.md"} <= set(site)
    assert "history/2026-Q4.md" not in site  # not over yet
    review = site["history/2026-Q3.md"]
    assert 'aria-label="Final score of pay: 95%"' in review
    assert 'aria-label="Final progress of pay.kr2: 90%"' in review
    # kr2's confidence path, as check-ins dated in the quarter gave it
    path = review.split('aria-label="Final progress of pay.kr2')[1].split("</tr>")[0]
    assert path.count("po-conf--at-risk") == 3 and "07-01" in path and "09-30" in path
    assert '<a href="index.html">All quarter reviews</a>' in review
    index = site["history/index.md"]
    assert '<a href="2026-Q3.html">2026-Q3</a></td><td>2</td><td>2 of 3</td>' in index


def test_calibration_page_shows_the_brier_scores(tmp_path: Path) -> None:
    page = pages(build(tmp_path), date(2026, 12, 1))["history/calibration.md"]
    assert "<tr><td>payments</td><td>6</td><td>2</td><td>53%</td><td>50%</td><td>0.083</td></tr>" in page
    assert (
        "<tr><td><strong>all teams</strong></td><td>8</td><td>3</td><td>50%</td><td>62%</td><td>0.155</td></tr>" in page
    )
    assert 'at risk <span class="po-muted">(below 0.5)</span></td><td>4</td>' in page
    assert "final progress on the period" in page  # the outcome's definition is on the page


def test_without_history_the_pages_say_why(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    site = pages(tmp_path / "plain", date(2026, 12, 1))
    assert "No history to show" in site["history/index.md"]
    assert "nothing to calibrate" in site["history/calibration.md"]


def test_release_notes_list_launched_launches_with_their_note(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    result = pipeline.build(root, today=date(2026, 12, 1))
    page = pages(root, date(2026, 12, 1), result.catalog)["release-notes.md"]
    assert page.index("NetSuite connector, generally available") < page.index("Pay invoices online by card and ACH")
    assert "<strong>NetSuite, both ways.</strong>" in clean_page(page)
    assert "Buyer portal" not in page  # ready, not launched
    out = CliRunner().invoke(cli, ["report", "release-notes", "--since", "2026-09-01", "--root", str(root)])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("# Release notes since 2026-09-01\n\n## NetSuite connector, generally available\n")
    assert "**NetSuite, both ways.**" in out.stdout
    assert "card and ACH" not in out.stdout  # GA 2026-08-18, before --since


def test_release_notes_cannot_carry_script_or_links(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    launch = root / "launches" / "online-card-and-ach-payments.yaml"
    text = launch.read_text(encoding="utf-8")
    evil = "release_note: |\n  <script>alert(1)</script> [pay](javascript:alert(2)) <img src=x onerror=alert(3)> *ok*\n"
    launch.write_text(_only_evil(text, evil), encoding="utf-8")
    md = CliRunner().invoke(cli, ["report", "release-notes", "--root", str(root)])
    assert md.exit_code == 0, md.output
    assert "\\<script\\>alert(1)\\</script\\> \\[pay\\](javascript:alert(2)) \\<img" in md.stdout
    html = CliRunner().invoke(cli, ["report", "release-notes", "--format", "html", "--root", str(root)])
    assert html.exit_code == 0, html.output
    assert "<script" not in html.stdout and "javascript:" not in html.stdout and "<img" not in html.stdout
    assert '<p>&lt;script&gt;alert(1)&lt;/script&gt; <a rel="noopener noreferrer">pay</a> &lt;img' in html.stdout
    assert "<em>ok</em>" in html.stdout
    result = pipeline.build(root, today=date(2026, 12, 1))
    page = clean_page(pages(root, date(2026, 12, 1), result.catalog)["release-notes.md"])
    assert "<script" not in page and "javascript:" not in page and "<img" not in page


def _only_evil(text: str, evil: str) -> str:
    """The launch's file with its release note replaced by ``evil``."""
    head, _, rest = text.partition("release_note: |\n")
    body = rest.split("\n")
    while body and body[0].startswith("  "):
        body.pop(0)
    return head + evil + "\n".join(body)

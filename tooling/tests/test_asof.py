"""`prodops build --as-of DATE`: the site of the repository as Git held it on a date, with a banner on every page."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO_ROOT, SCREENSHOTS, assemble, serving
from playwright.sync_api import Browser
from test_history import commit, git

from prodops import asof
from prodops.cli import cli

ITEM = "roadmap/quick-setup.yaml"


def repo(tmp_path: Path) -> Path:
    """The fixture repository, committed on 2026-11-14; on 2026-11-25 quick-setup's title changes."""
    root = assemble(None, tmp_path / "ops")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", root / "site")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2026-11-14", "Ana Admin", {})
    text = (root / ITEM).read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    commit(root, "2026-11-25", "Ben Builder", {ITEM: text.replace(title, "title: Set up in one sitting")})
    return root


def test_the_site_as_of_a_date_shows_that_revision_with_a_banner(tmp_path: Path) -> None:
    root = repo(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    site = root / "build" / "site-as-of-2026-11-20"
    assert "site as of 2026-11-20 (commit" in result.stdout and "of 2026-11-14) built in" in result.stdout
    page = (site / "roadmap-item" / "quick-setup.html").read_text(encoding="utf-8")
    assert "Set up in one sitting" not in page  # the later title is not there yet
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for html in pages:  # generated and hand-written pages alike
        text = html.read_text(encoding="utf-8")
        assert '<p class="po-asof" role="note"><strong>As of 2026-11-20:</strong>' in text, html
        assert "of 2026-11-14, the last change on or before that date" in text, html
    assert 'class="md-content__button md-icon"' not in page  # no edit button: it would edit today's file
    assert not (root / "build" / "site").exists()  # the ordinary site is left alone
    later = CliRunner().invoke(cli, ["build", "--root", str(root), "--as-of", "2026-11-30"])
    assert later.exit_code == 0, later.output
    page = (root / "build" / "site-as-of-2026-11-30" / "roadmap-item" / "quick-setup.html").read_text()
    assert "Set up in one sitting" in page


def test_a_date_before_the_history_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")  # the history keeps the kinds they declare
    git(root, "init", "-q", "-b", "main")
    commit(root, "2026-11-14", "Ana Admin", {"roadmap/a.yaml": "id: a\n"})
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--as-of", "2026-01-01"])
    assert result.exit_code == 1
    assert "nothing is known as of 2026-01-01: the history here begins on 2026-11-14" in result.output
    assert "Traceback" not in result.output


def test_the_configuration_points_the_plugin_at_the_revision(tmp_path: Path) -> None:
    where = asof.Point(date(2026, 11, 20), "a" * 40, "2026-11-14")
    main = {"site_name": "Ops", "edit_uri": "edit/main/", "site_dir": "elsewhere", "plugins": ["search", "prodops"]}
    config = asof.mkdocs_config(main, tmp_path, tmp_path / "rev", where)
    assert config["edit_uri"] == "" and config["site_dir"] == str(tmp_path / "build" / "site-as-of-2026-11-20")
    assert config["plugins"][1]["prodops"]["root"] == str(tmp_path / "rev")
    assert config["plugins"][1]["prodops"]["history_root"] == str(tmp_path)
    assert config["site_name"] == "Ops (as of 2026-11-20)"
    assert "<code>aaaaaaaaaaaa</code> of 2026-11-14" in asof.banner(where)


def test_the_banner_shows_in_a_browser_at_desktop_and_phone_width(tmp_path: Path, browser: Browser) -> None:
    root = repo(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serving(root / "build" / "site-as-of-2026-11-20") as url:
        for width in (1280, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            for rel in ("index.html", "roadmap-item/quick-setup.html", "404.html"):
                page.goto(url + rel)
                banner = page.locator(".po-asof").first
                assert banner.is_visible(), (rel, width)
                box = banner.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (rel, width)
                assert "As of 2026-11-20:" in banner.inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.goto(url + "index.html")
            page.screenshot(path=str(SCREENSHOTS / f"as-of-home-{width}.png"), full_page=False)
            context.close()

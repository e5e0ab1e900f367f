"""The site build: every internal link resolves, nothing loads from outside, data cannot inject script."""

from __future__ import annotations

import html
import html.parser
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from conftest import CONTENT_TODAY, REPO_ROOT, TODAY, all_commands, copy_example
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from prodops import pipeline, yamlparse
from prodops.cli import cli
from prodops.kinds import page_path
from prodops.text.safe import inline, markdown_field, safe_url


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))


def _build(repo: Path, out: Path) -> Path:
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True)
    mkdocs_build(config)
    return out


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the repository's own content, whatever organisation it describes."""
    return _build(REPO_ROOT, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def snapshot_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the frozen Ledgerline snapshot: for what pins Ledgerline's pages."""
    repo = copy_example(tmp_path_factory.mktemp("snapshot") / "repo", site=True)
    return _build(repo, tmp_path_factory.mktemp("snapshot-site"))


@pytest.mark.example
def test_every_internal_link_resolves_and_nothing_loads_from_outside(example_site: Path) -> None:
    """On the repository's own content on purpose: every page of whatever it holds."""
    broken, outside = [], []
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) > len(pipeline.build(REPO_ROOT, today=CONTENT_TODAY).catalog.documents)
    for page in pages:
        if page.name == "404.html":
            continue  # served for any missing path, so the theme links it from the site root on purpose
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attribute, value in parser.links:
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//"):
                if tag != "a":
                    outside.append(f"{page.relative_to(example_site)}: <{tag} {attribute}={value}>")
                continue
            if not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(example_site)} -> {value}")
    assert broken == []
    assert outside == []


def _html(kind: str, entity_id: str) -> str:
    return page_path(kind, entity_id).removesuffix(".md") + ".html"


@pytest.mark.example
def test_every_entity_of_the_repository_has_a_page_with_its_edit_link_and_relations(example_site: Path) -> None:
    """On the repository's own content on purpose: expectations come from the content, not from Ledgerline."""
    result = pipeline.build(REPO_ROOT, today=CONTENT_TODAY)
    repo_url = yamlparse.parse((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")).data["repo_url"]
    documents = result.catalog.documents
    assert documents
    for entity_id, document in documents.items():
        page = example_site / _html(document.kind.kind, entity_id)
        assert page.is_file(), (entity_id, page)
        assert f"{repo_url}/edit/main/{document.rel}" in page.read_text(encoding="utf-8"), entity_id
    # The most referred-to entity's page links to each entity that refers to it (inverse relations).
    target = max(documents, key=lambda i: (len(result.catalog.referrers(i)), i))
    referrers = {r.source for r in result.catalog.referrers(target)}
    assert referrers
    text = (example_site / _html(documents[target].kind.kind, target)).read_text(encoding="utf-8")
    assert {s for s in referrers if _html(documents[s].kind.kind, s) not in text} == set()


def test_generated_pages_and_schemas_are_published(snapshot_site: Path) -> None:
    for rel in (
        "index.html",
        "roadmap/index.html",
        "roadmap/timeline.html",
        "okrs/2026-Q4.html",
        "okrs/2026-Q3.html",
        "launches/index.html",
        "reference/schemas/roadmap-item.html",
        "reference/rules.html",
        "schemas/roadmap-item.schema.json",
        "team/payments.html",
    ):
        assert (snapshot_site / rel).is_file(), rel
    item = (snapshot_site / "roadmap-item" / "usage-based-billing.html").read_text()
    assert "https://github.com/ledgerline/product-ops/edit/main/roadmap/usage-based-billing.yaml" in item
    assert "Usage-based billing, generally available" in item  # shipped by (inverse relation)
    assert "usage-meter-imports" in item  # depends on


PAYLOADS = {
    "title": "<img src=x onerror=alert(1)> [click](javascript:alert(2))",
    "problem": 'Raw <script>alert(3)</script> and <iframe src="https://evil.example"></iframe> and [x](javascript:alert(4)) '
    'and [y](JaVaScRiPt:alert(5)) and ![i](data:text/html,alert(6)) and <a href="javascript:alert(7)">a</a>\n\n[ref]: javascript:alert(8)\n',
}


def test_hostile_text_cannot_inject_script(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo", site=True)
    item = repo / "roadmap" / "proration-rounding-fix.yaml"
    text = item.read_text()
    text = text.replace("title: Correct proration rounding on mid-cycle plan changes", f"title: '{PAYLOADS['title']}'")
    text = text.replace(
        "problem: |\n  Mid-cycle upgrades produce invoices that are off by a cent per line, which customers notice and dispute.\n",
        "problem: |\n" + "".join(f"  {line}\n" if line else "\n" for line in PAYLOADS["problem"].splitlines()),
    )
    item.write_text(text)
    site = _build(repo, tmp_path / "site")
    page = (site / "roadmap-item" / "proration-rounding-fix.html").read_text()
    assert "<script>alert" not in page and "<iframe" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    parser = _Links()
    for html_page in site.rglob("*.html"):
        parser.feed(html_page.read_text(encoding="utf-8"))
    assert [v for _, _, v in parser.links if not safe_url(v)] == []


@pytest.mark.parametrize("command", ["build", "render"])
def test_a_symlink_in_site_stops_build_and_render_before_anything_is_copied(tmp_path: Path, command: str) -> None:
    repo = copy_example(tmp_path / "repo", site=True)
    (repo / "site" / "passwd.txt").symlink_to("/etc/passwd")
    args = [command, "--root", str(repo)] + (["--out", str(tmp_path / "out")] if command == "render" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "site/passwd.txt: error PO109 symbolic link in the site folder; it would publish what it points to" in (
        result.output
    )
    published = [p for p in (*tmp_path.rglob("passwd.txt"),) if p.parent != repo / "site"]
    assert published == []
    assert not (repo / "build" / "site" / "index.html").exists()


def test_invalid_repository_fails_the_build_with_diagnostics(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo", site=True)
    item = repo / "roadmap" / "xero-connector.yaml"
    item.write_text(item.read_text().replace("status: idea", "status: someday"))
    result = CliRunner().invoke(cli, ["build", "--root", str(repo)])
    assert result.exit_code == 1
    assert "roadmap/xero-connector.yaml:6:9: error PO204 status: 'someday' is not one of" in result.output
    assert not (repo / "build" / "site" / "index.html").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a *b* [c](d) <e> x=1|2", r"a \*b\* \[c\]\(d\) &lt;e&gt; x=1|2"),
        ("# not a heading", r"\# not a heading"),
        ('Won\'t "fix" & <b>', 'Won\'t "fix" &amp; &lt;b&gt;'),  # quotes as typed: a heading's text, never an attribute
    ],
)
def test_inline_escapes_markdown_and_html(text: str, expected: str) -> None:
    assert str(inline(text)) == expected


_LINK = 'rel="noopener noreferrer"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "**bold** and [docs](https://example.com)",
            f'<p><strong>bold</strong> and <a href="https://example.com" {_LINK}>docs</a></p>',
        ),
        ("[x](javascript:alert(1))", f"<p><a {_LINK}>x</a></p>"),
        ("[x]( java\tscript:alert(1))", f"<p><a {_LINK}>x</a></p>"),
        ("[x](relative/page.html)", f'<p><a href="relative/page.html" {_LINK}>x</a></p>'),
        ("<b>hi</b>", "<p>&#60;b&#62;hi&#60;/b&#62;</p>"),
        ("[r]\n\n[r]: vbscript:x", f"<p><a {_LINK}>r</a></p>"),
        ("text {: onclick=alert(1) }", "<p>text &#123;&#58; onclick&#61;alert&#40;1&#41; &#125;</p>"),
        ("![x](https://tracker.example/p.gif) ![y](chart.png)", '<p><img alt="x"> <img alt="y" src="chart.png"></p>'),
        ("`<b>` and a\nnew line", "<p><code>&#60;b&#62;</code> and a&#10;new line</p>"),
    ],
)
def test_markdown_fields_become_one_line_of_inert_sanitised_html(text: str, expected: str) -> None:
    assert str(markdown_field(text)) == f'<div class="po-md">{expected}</div>'


def test_render_writes_a_folder_that_mkdocs_builds_without_the_plugin(tmp_path: Path) -> None:
    out = tmp_path / "render"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            "--root",
            str(copy_example(tmp_path / "repo", site=True)),
            "--out",
            str(out),
            "--today",
            TODAY.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "docs" / "roadmap" / "index.md").is_file() and (out / "docs" / "guide" / "glossary.md").is_file()
    written = yamlparse.parse((out / "mkdocs.yml").read_text()).data
    assert written["plugins"] == ["search", "tags"] and written["docs_dir"] == "docs"
    config = load_config(config_file=str(out / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    mkdocs_build(config)
    assert (tmp_path / "site" / "roadmap-item" / "usage-based-billing.html").is_file()


def test_render_output_builds_with_zensical(tmp_path: Path) -> None:
    out = tmp_path / "render"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            "--root",
            str(copy_example(tmp_path / "repo", site=True)),
            "--out",
            str(out),
            "--today",
            TODAY.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    zensical = Path(sys.executable).parent / "zensical"
    run = subprocess.run(
        [str(zensical), "build", "-f", str(out / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=out,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    built = out / "site"
    assert (built / "index.html").is_file()
    item = built / "roadmap-item" / "usage-based-billing.html"
    assert item.is_file()
    assert "Usage-based billing plans" in item.read_text(encoding="utf-8")


def test_cli_reference_page_is_generated_from_the_help(snapshot_site: Path) -> None:
    page = (snapshot_site / "reference" / "cli.html").read_text()
    for name, command in all_commands():
        assert f"prodops {name}</code>" in page, name
        assert (command.help or "").split("\n")[0].split(".")[0][:40] in html.unescape(page), name

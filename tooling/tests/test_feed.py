"""The Atom feed of the What changed page: valid against RFC 4287 (RELAX NG, with lxml), and its links resolve."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, assemble
from lxml import etree
from test_history import build, commit, git

from prodops.cli import cli
from prodops.render.changes import add_changes
from prodops.render.renderer import Site, SiteOptions

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(FIXTURES / "atom" / "rfc4287.rng")))


def validate(feed: bytes) -> list[str]:
    """RELAX NG errors, then the RFC's rules the grammar cannot state (4.1.1, 4.1.2, 3.3)."""
    document = etree.fromstring(feed)
    problems = [] if SCHEMA.validate(document) else [str(e) for e in SCHEMA.error_log]
    entries = document.findall(f"{ATOM}entry")
    if document.find(f"{ATOM}author") is None and any(e.find(f"{ATOM}author") is None for e in entries):
        problems.append("the feed has no author and an entry has none either (4.1.1)")
    for element in [document, *entries]:
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in element.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if len(alternates) != len(set(alternates)):
            problems.append(f"{element.findtext(f'{ATOM}id')}: two alternate links of one type and language")
    for entry in entries:
        has_alternate = any(link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link"))
        if entry.find(f"{ATOM}content") is None and not has_alternate:
            problems.append(f"{entry.findtext(f'{ATOM}id')}: no content and no alternate link (4.1.2)")
    for stamp in document.iter(f"{ATOM}updated", f"{ATOM}published"):
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", stamp.text or "") is None:
            problems.append(f"{stamp.text!r} is not an RFC 3339 date-time (3.3)")
    return problems


def feed_of(root: Path, today: date) -> bytes:
    site = Site()
    add_changes(site, root, SiteOptions(today=today, site_name='Ledgerline <ops> & "co"'), {"alpha", "beta"})
    return site.files["changes.atom"]


def test_the_feed_is_valid_atom(tmp_path: Path) -> None:
    feed = feed_of(build(tmp_path), date(2026, 10, 5))
    assert validate(feed) == []
    assert etree.fromstring(feed).findall(f"{ATOM}entry")  # weeks with changes, not an empty feed


def test_an_empty_feed_is_valid_too(tmp_path: Path) -> None:
    # A repository at rest still shows its last weeks (as of the last change); only no history is empty.
    feed = feed_of(tmp_path, date(2027, 6, 1))
    assert validate(feed) == [] and not etree.fromstring(feed).findall(f"{ATOM}entry")


@pytest.mark.parametrize(
    ("broken", "found"),
    [
        (lambda f: re.sub(rb"<id>urn:prodops:changes</id>", b"", f), "id"),
        (lambda f: f.replace(b"<updated>", b"<updated>yesterday ", 1), "updated"),
        (lambda f: f.replace(b"<author><name>", b"<author><nom>x</nom><name>", 1), "author"),
        (lambda f: re.sub(rb"<author>.*?</author>", b"", f, flags=re.S), "4.1.1"),
    ],
)
def test_the_check_finds_a_broken_feed(tmp_path: Path, broken, found: str) -> None:
    feed = feed_of(build(tmp_path), date(2026, 10, 5))
    problems = validate(broken(feed))
    assert problems and any(found in p for p in problems), problems


def test_the_feed_links_resolve_on_the_built_site(tmp_path: Path) -> None:
    root = assemble(None, tmp_path / "ops")
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", root / "site")
    git(root, "init", "-q", "-b", "main")
    today = date.today()
    commit(root, (today - timedelta(days=40)).isoformat(), "Ana Admin", {})
    item = root / "roadmap" / "quick-setup.yaml"
    text = item.read_text(encoding="utf-8")
    end = re.search(r"^  end: (\S+)$", text, re.M)
    assert end is not None
    later = (date.fromisoformat(end.group(1)) + timedelta(days=14)).isoformat()
    commit(
        root,
        (today - timedelta(days=9)).isoformat(),
        "Ben Builder",
        {"roadmap/quick-setup.yaml": text.replace(end.group(0), f"  end: {later}")},
    )
    result = CliRunner().invoke(cli, ["build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    site = root / "build" / "site"
    feed = (site / "changes.atom").read_bytes()
    assert validate(feed) == []
    base = "https://ops.example/"  # the feed's own address: its links are relative to it
    links = [link.get("href") for link in etree.fromstring(feed).iter(f"{ATOM}link")]
    assert len(links) >= 3 and any("#week-of-" in h for h in links)
    for href in links:
        url = urlparse(urljoin(base + "changes.atom", href))
        assert url.netloc == "ops.example", href  # nothing points off the site
        target = site / url.path.lstrip("/")
        assert target.is_file(), href
        if url.fragment:
            assert f'id="{url.fragment}"' in target.read_text(encoding="utf-8"), href

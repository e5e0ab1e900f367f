"""What a dirty rebuild under ``prodops serve`` (MkDocs' ``--dirty`` reload) must build again.

After a one-file change the plugin renders every page again (cheap: a few seconds at
thousands of entities) and compares each generated page's text with the text it built last
time: MkDocs then converts and writes only the pages whose text changed. The comparison is
exact, so no dependency list can miss a page that shows the changed entity (its own page,
its neighbours', the board, the dashboards): a page is rebuilt if and only if its Markdown
differs.

Everything a page shows that is *not* in its own text — the navigation (its shape and the
titles of the pages in it), the set of pages, the configuration, the theme's templates, the
edit links, the hand-written pages, the tags of each page — goes into a *shape*; when the
shape changes, every page is built again, as in an ordinary build.

Known difference from a full build: the tags page (``tags.md``) lists page titles, and a
title change without a change of tags leaves the old title there until the next full build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from prodops import __version__


class GeneratedPage(File):
    """A generated page; a dirty rebuild builds it again only when ``modified`` (its text changed)."""

    modified = True

    @classmethod
    def make(
        cls, config: MkDocsConfig, rel: str, text: str, inclusion: InclusionLevel, modified: bool
    ) -> GeneratedPage:
        """The page ``rel`` with its Markdown ``text`` (``File.generated``, of this class)."""
        page = cls.generated(config, rel, content=text, inclusion=inclusion)
        assert isinstance(page, GeneratedPage)
        page.modified = modified
        return page

    def is_modified(self) -> bool:
        return self.modified


def _always() -> bool:
    return True


def force(files: Files) -> None:
    """Every page and file is built again by a dirty build (a full rebuild into the served folder)."""
    for file in files:
        if not isinstance(file, GeneratedPage):
            file.is_modified = _always  # type: ignore[method-assign]


def hand_written_changed(files: Files) -> bool:
    """Whether a page that is not generated changed since it was last built (MkDocs' own test, by time)."""
    return any(
        f.is_documentation_page() and not isinstance(f, GeneratedPage) and not f.inclusion.is_excluded()  # type: ignore[no-untyped-call]
        for f in files
        if f.abs_src_path is not None and f.is_modified()
    )


def _front_matter(text: str) -> str:
    if not text.startswith("---\n"):
        return ""
    end = text.find("\n---", 4)
    return text[: end + 4] if end >= 0 else ""


def _tags(text: str) -> list[str]:
    """The ``tags:`` list of a generated page's front matter (the tags page is built from them)."""
    lines = _front_matter(text).splitlines()
    if "tags:" not in lines:
        return []
    out = []
    for line in lines[lines.index("tags:") + 1 :]:
        if not line.startswith("  - "):
            break
        out.append(line)
    return out


def shape(
    config: MkDocsConfig, pages: Mapping[str, str], files: Iterable[str], edit_urls: Mapping[str, str], in_nav: set[str]
) -> str:
    """A digest of everything every page shows beyond its own text (see the module's docstring)."""
    digest = hashlib.sha256(__version__.encode())
    if config.config_file_path and Path(config.config_file_path).is_file():
        digest.update(Path(config.config_file_path).read_bytes())
    digest.update(json.dumps(config.nav, sort_keys=True, default=str).encode())
    digest.update(json.dumps(sorted(pages)).encode())
    digest.update(json.dumps(sorted(files)).encode())
    digest.update(json.dumps(dict(edit_urls), sort_keys=True).encode())
    # The navigation shows the titles of the pages in it (all of them when mkdocs.yml has no nav).
    for rel in sorted(pages):
        if not config.nav or rel in in_nav:
            digest.update(_front_matter(pages[rel]).encode())
    custom = config.theme.custom_dir
    if custom and Path(custom).is_dir():
        for path in sorted(Path(custom).rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode())
    return digest.hexdigest()


def changed(before: Mapping[str, str], after: Mapping[str, str]) -> set[str] | None:
    """The generated pages whose text changed, or None when a page's tags changed (the tags page needs all)."""
    out = set()
    for rel, text in after.items():
        if before.get(rel) != text:
            if _tags(before.get(rel, "")) != _tags(text):
                return None
            out.add(rel)
    return out


def prune_search(config: MkDocsConfig, urls: set[str] | None) -> None:
    """Drop the rebuilt pages' entries from the search plugin's previous index (None: all of them).

    Material's search keeps the last index under a dirty reload and replaces the entries of
    *one* rebuilt page; with several pages rebuilt the others would be listed twice.
    """
    for plugin in config.plugins.values():
        previous: Any = getattr(plugin, "search_index_prev", None)
        if previous is None or not hasattr(previous, "entries"):
            continue
        if urls is None:
            previous.entries = []
        else:
            previous.entries = [e for e in previous.entries if str(e["location"]).split("#")[0] not in urls]

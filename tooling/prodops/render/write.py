"""Build the Site from a pipeline result, and write it (plus the hand-written pages) to a folder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from prodops.diagnostics import ProdopsError
from prodops.edit import write_atomic
from prodops.pipeline import Result
from prodops.render.pages import Renderer, Site, SiteOptions

PLUGIN_NAME = "prodops"


def render_site(result: Result, options: SiteOptions, extra_pages: dict[str, str] | None = None) -> Site:
    schema_files = {p.name: p.read_bytes() for p in sorted((result.root / "schemas").glob("*.schema.json"))}
    return Renderer(result.catalog, result.schemas, result.diagnostics, options, schema_files, extra_pages).render()


def _inside(base: Path, rel: str) -> Path:
    target = (base / rel).resolve()
    if not target.is_relative_to(base.resolve()):
        raise ProdopsError(f"refusing to write {rel}: it would land outside {base}")
    return target


def _write_atomic(path: Path, data: bytes) -> None:
    """A generated page or config: written whole, without flushing to disk (it can be generated again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, sync=False)


def write_docs(site: Site, out: Path, hand_written: Path | None, mkdocs_config: dict[str, Any] | None) -> int:
    """Write a complete docs project to ``out``: ``out/docs/`` and ``out/mkdocs.yml``.

    The config is the repository's ``mkdocs.yml`` without the prodops plugin, so
    MkDocs or Zensical can build the written Markdown as it is. Returns the page count.
    """
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    if hand_written is not None and hand_written.is_dir():
        for source in sorted(hand_written.rglob("*")):
            relative = source.relative_to(hand_written)
            if source.is_file() and not source.is_symlink() and relative.parts[0] != "overrides":
                _write_atomic(_inside(docs, relative.as_posix()), source.read_bytes())
    for rel, text in site.pages.items():
        _write_atomic(_inside(docs, rel), text.encode("utf-8"))
    for rel, data in site.files.items():
        _write_atomic(_inside(docs, rel), data)
    if mkdocs_config is not None:
        config = dict(mkdocs_config)
        config["docs_dir"] = "docs"
        config["site_dir"] = "site"
        plugins = config.get("plugins") or []
        config["plugins"] = [p for p in plugins if not (p == PLUGIN_NAME or (isinstance(p, dict) and PLUGIN_NAME in p))]
        theme = config.get("theme")
        overrides = hand_written / "overrides" if hand_written is not None else None
        if isinstance(theme, dict) and "custom_dir" in theme and overrides is not None and overrides.is_dir():
            if (out / "overrides").exists():
                shutil.rmtree(out / "overrides")
            shutil.copytree(overrides, out / "overrides", symlinks=False)
            config["theme"] = {**theme, "custom_dir": "overrides"}
        text = "# Written by `prodops render`; build with `mkdocs build` or `zensical build`.\n"
        text += yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
        _write_atomic(out / "mkdocs.yml", text.encode("utf-8"))
    return len(site.pages)

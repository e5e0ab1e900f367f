"""Build the Site from a pipeline result, and write it (plus the hand-written pages) to a folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from prodops.diagnostics import ProdopsError
from prodops.edit import write_atomic
from prodops.pipeline import Result
from prodops.render.matrix import add_matrix
from prodops.render.pages import Pages
from prodops.render.renderer import Site, SiteOptions

PLUGIN_NAME = "prodops"


def render_site(result: Result, options: SiteOptions, extra_pages: dict[str, str] | None = None) -> Site:
    schema_files = {p.name: p.read_bytes() for p in sorted((result.root / "schemas").glob("*.schema.json"))}
    site = Pages(result.catalog, result.schemas, result.diagnostics, options, schema_files, extra_pages).render()
    add_matrix(site, result.catalog)
    return site


def _inside(base: Path, rel: str) -> Path:
    target = (base / rel).resolve()
    if not target.is_relative_to(base.resolve()):
        raise ProdopsError(f"refusing to write {rel}: it would land outside {base}")
    return target


def _write_atomic(path: Path, data: bytes) -> None:
    """A generated page or config: written whole, without flushing to disk (it can be generated again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, sync=False)


# What writing to ``out`` replaces: two folders, removed and written whole, and one file.
REPLACED = ("docs", "overrides", "mkdocs.yml")


def check_out(out: Path, root: Path | None, protected: Iterable[Path]) -> None:
    """Refuse an ``out`` where writing would replace or remove something it must not.

    ``out/docs`` and ``out/overrides`` are removed and written whole, and ``out/mkdocs.yml``
    is replaced, so none of them may be a symbolic link (the removal would follow it) or
    be or hold the repository (``root``) or a ``protected`` path (its ``mkdocs.yml``, its
    hand-written pages, its content); ``out`` may not be the repository itself nor lie
    inside a protected folder.
    """
    for name in REPLACED[:2]:
        if (out / name).is_symlink():
            raise ProdopsError(
                f"refusing to write to {out}: {out / name} is a symbolic link, and it would be removed "
                "and written again; remove the link or choose another --out folder"
            )
    target = out.resolve()
    advice = "choose a folder outside the repository's content, such as build/render"
    if root is not None and target == root.resolve():
        raise ProdopsError(
            f"refusing to write to {out}: it is the repository, whose mkdocs.yml it would replace; {advice}"
        )
    for place in [*([root] if root is not None else []), *protected]:
        kept = place.resolve()
        shown = _shown(place, root)
        if place != root and (target == kept or target.is_relative_to(kept)):
            raise ProdopsError(
                f"refusing to write to {out}: it is {'' if target == kept else 'inside '}{shown}, "
                f"whose files it would overwrite; {advice}"
            )
        for name in REPLACED:
            replaced = (out / name).resolve()
            if replaced == kept or kept.is_relative_to(replaced):
                raise ProdopsError(f"refusing to write to {out}: writing {out / name} would replace {shown}; {advice}")


def _shown(place: Path, root: Path | None) -> str:
    """A protected path as people know it: relative to the repository, which is named as such."""
    if root is None:
        return str(place)
    if place == root:
        return f"the repository {root}"
    try:
        return f"the repository's {place.relative_to(root).as_posix()}"
    except ValueError:
        return str(place)


def write_docs(
    site: Site,
    out: Path,
    hand_written: Path | None,
    mkdocs_config: dict[str, Any] | None,
    root: Path | None = None,
    protected: Iterable[Path] = (),
) -> int:
    """Write a complete docs project to ``out``: ``out/docs/`` and ``out/mkdocs.yml``.

    The config is the repository's ``mkdocs.yml`` without the prodops plugin, so
    MkDocs or Zensical can build the written Markdown as it is. Returns the page count.
    ``out`` is checked first (``check_out``) against the repository ``root``, the ``protected``
    paths and the hand-written pages; a folder that cannot be written is a ``ProdopsError`` naming it.
    """
    check_out(out, root, [*protected, *([hand_written] if hand_written is not None else [])])
    try:
        return _write_docs(site, out, hand_written, mkdocs_config)
    except OSError as exc:
        where = exc.filename or out
        raise ProdopsError(
            f"cannot write {where}: {exc.strerror or exc}; choose an --out folder you can write to"
        ) from None


def _write_docs(site: Site, out: Path, hand_written: Path | None, mkdocs_config: dict[str, Any] | None) -> int:
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

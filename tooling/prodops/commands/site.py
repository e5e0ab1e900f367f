"""Site commands: render (plain Markdown for any generator), build and serve (MkDocs)."""

from __future__ import annotations

import gc
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from prodops import terminal
from prodops.cli import DATE, EXIT_PROBLEMS, as_date, cli, load_valid, resolve_root, root_option, today_option
from prodops.diagnostics import ProdopsError


def cli_reference() -> dict[str, str]:
    """The generated command-line reference page, added to the site by the adapters."""
    from prodops import clidoc

    return {"reference/cli.md": clidoc.markdown(cli)}


def _load_mkdocs_yaml(repo: Path) -> dict[str, Any]:
    path = repo / "mkdocs.yml"
    if not path.is_file():
        raise ProdopsError(f"{path}: no mkdocs.yml; the site's configuration lives there")
    from prodops import yamlparse

    parsed = yamlparse.parse(path.read_text(encoding="utf-8"))
    if parsed.error is not None or not isinstance(parsed.data, dict):
        where = (
            f":{parsed.error.line}:{parsed.error.column}: {parsed.error.message}" if parsed.error else ": not a mapping"
        )
        raise ProdopsError(f"mkdocs.yml{where}")
    return parsed.data


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@root_option
@today_option
def render(out: Path, root: Path | None, today: date | None) -> None:
    """Write the site as plain Markdown: OUT/docs/ and OUT/mkdocs.yml.

    The folder builds with `mkdocs build -f OUT/mkdocs.yml` or `zensical build -f
    OUT/mkdocs.yml`, without the prodops plugin, so the site generator can be swapped.

    Example: prodops render --out build/render
    """
    from prodops.render import SiteOptions, render_site, write_docs
    from prodops.render.changes import add_history
    from prodops.render.write import check_out

    repo = resolve_root(root)
    result = load_valid(repo, today)
    config = _load_mkdocs_yaml(repo)
    docs_dir = repo / str(config.get("docs_dir", "docs"))
    # What --out must not replace: the site's configuration and hand-written pages, the
    # schemas and content folders, and Git's folder (checked before the pages are rendered).
    protected = [
        repo / "mkdocs.yml",
        docs_dir,
        repo / ".git",
        *(repo / folder for folder in ("schemas", *result.schemas.folders)),
    ]
    check_out(out, repo, protected)
    edit_base = ""
    if config.get("repo_url") and config.get("edit_uri"):
        edit_base = str(config["repo_url"]).rstrip("/") + "/" + str(config["edit_uri"]).strip("/") + "/"
    options = SiteOptions(
        today=result.today,
        edit_base=edit_base,
        site_name=str(config.get("site_name", "Product operations")),
        config=result.config,
    )
    site = render_site(result, options, extra_pages=cli_reference())
    add_history(site, repo, options, result.catalog, result.diagnostics)
    pages = write_docs(site, out, docs_dir, config, repo, protected)
    terminal.echo(f"wrote {pages} generated pages and the hand-written pages to {out}/docs, config in {out}/mkdocs.yml")


@click.command()
@root_option
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on MkDocs warnings (broken links).")
@click.option(
    "--audience",
    type=click.Choice(["internal", "public"]),
    default="internal",
    show_default=True,
    help="internal: the whole site, into the folder mkdocs.yml names; public: the customer-facing roadmap "
    "(public items and fields only) into build/public/.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    callback=as_date,
    help="Build the site of the repository as it was at the last commit on or before this date (YYYY-MM-DD), "
    "into build/site-as-of-DATE/, with a banner on every page saying so.",
)
def build(root: Path | None, strict: bool, audience: str, as_of: date | None) -> None:
    """Validate the repository and build the site into the folder mkdocs.yml names (build/site/).

    With --audience public, build the public roadmap instead: its own configuration, generated
    from mkdocs.yml without the repository and edit links or the internal pages. With --as-of,
    build the site of the repository as Git held it on that date.

    Example: prodops build --as-of 2026-07-01
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    gc.enable()  # Markdown makes cyclic garbage for every page; without the collector it piles up
    repo = resolve_root(root)
    if audience == "internal":  # the public roadmap has no history pages
        from prodops import history

        history.require_full(repo)
    _mkdocs_logging()
    if as_of is not None:
        if audience != "internal":
            raise click.UsageError("--as-of builds the internal site; leave out --audience public")
        _build_as_of(repo, strict, as_of)
        return
    try:
        if audience == "public":
            config = public_mkdocs_config(repo, strict)
        else:
            config = load_config(config_file=str(repo / "mkdocs.yml"), strict=strict)
        mkdocs_build(config)
    except MkDocsException as exc:
        terminal.echo(str(exc), err=True)
        sys.exit(EXIT_PROBLEMS)
    terminal.echo(f"site built in {config.site_dir}")


def _build_as_of(repo: Path, strict: bool, day: date) -> None:
    """Build the site of the content at the last commit on or before ``day`` (see ``prodops.asof``)."""
    import io
    import json

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from prodops import asof, gitrev, report

    where = asof.point(repo, day)
    with gitrev.checkout(repo, where.commit) as revision:
        if revision.problems:
            terminal.echo(report.render_lines(revision.problems), err=True, nl=False)
        text = json.dumps(asof.mkdocs_config(_load_mkdocs_yaml(repo), repo, revision.root, where))
        try:
            config = load_config(io.StringIO(text), config_file_path=str(repo / "mkdocs.yml"), strict=strict)
            mkdocs_build(config)
        except MkDocsException as exc:
            terminal.echo(str(exc), err=True)
            sys.exit(EXIT_PROBLEMS)
    terminal.echo(
        f"site as of {day.isoformat()} (commit {where.commit[:12]} of {where.commit_day}) built in {config.site_dir}"
    )


def public_mkdocs_config(repo: Path, strict: bool, site_dir: Path | None = None) -> Any:
    """The public site's MkDocs configuration (JSON is YAML), resolved against the repository."""
    import io
    import json

    from mkdocs.config import load_config

    from prodops.config import load_config as load_prodops_config
    from prodops.public_site import PUBLIC_DOCS_DIR, PUBLIC_SITE_DIR, mkdocs_config

    if not (repo / PUBLIC_DOCS_DIR).is_dir():
        raise ProdopsError(f"{repo / PUBLIC_DOCS_DIR}: no folder for the public site (it holds its style sheet)")
    title = load_prodops_config(repo).public.title
    text = json.dumps(mkdocs_config(_load_mkdocs_yaml(repo), title, str(site_dir or PUBLIC_SITE_DIR)))
    return load_config(io.StringIO(text), config_file_path=str(repo / "mkdocs.yml"), strict=strict)


@click.command()
@root_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(root: Path | None, port: int) -> None:
    """Serve the site on 127.0.0.1 and rebuild when YAML, schemas or site pages change.

    Example: prodops serve --port 8000
    """
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    gc.enable()  # rebuilds for hours: garbage must be collected (`main` turns the collector off for batches)
    repo = resolve_root(root)
    _mkdocs_logging()
    try:
        # Dirty: a rebuild converts only the pages whose text changed (see prodops.mkdocs_dirty).
        mkdocs_serve(
            config_file=str(repo / "mkdocs.yml"), dev_addr=f"127.0.0.1:{port}", livereload=True, build_type="dirty"
        )
    except MkDocsException as exc:
        terminal.echo(str(exc), err=True)
        sys.exit(EXIT_PROBLEMS)


def _mkdocs_logging() -> None:
    """Show MkDocs' messages (including the plugin's diagnostics) the way `mkdocs` itself does."""
    import logging

    logger = logging.getLogger("mkdocs")
    for existing in logger.handlers:
        if getattr(existing, "_prodops", False) and isinstance(existing, logging.StreamHandler):
            existing.setStream(sys.stderr)  # a second command in one process writes where it writes now
            return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler._prodops = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

"""A thin MkDocs adapter: run the pipeline, hand the rendered pages to MkDocs in memory.

Configured in ``mkdocs.yml``::

    plugins:
      - search
      - tags
      - prodops

An invalid repository fails the build with the same diagnostics ``prodops validate``
prints; warnings are reported but do not fail the build. Under ``mkdocs serve`` (and
``prodops serve``) only the first build fails: a rebuild that finds errors logs them and
keeps the last good pages, so the site stays up while a writer fixes a typo.

Under a dirty reload (``prodops serve``, ``mkdocs serve --dirty``) a rebuild validates with the
cache and builds only the pages whose text changed (``mkdocs_dirty``).
"""

from __future__ import annotations

import gc
import logging
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from prodops import history, hostguard, kinds, mkdocs_dirty, pipeline, published, report
from prodops.diagnostics import ProdopsError
from prodops.render import Site, SiteOptions, render_site
from prodops.render.changes import add_history
from prodops.render.regions import name_regions
from prodops.render.tables import label_cells
from prodops.text.safe import clean_page

log = logging.getLogger("mkdocs.plugins.prodops")


class HeldBack(PluginError):
    """A rebuild under a server stopped for errors before it copied anything: the last good site stays."""


class ProdopsPluginConfig(Config):  # type: ignore[no-untyped-call]
    root = config_options.Optional(config_options.Type(str))
    today = config_options.Optional(config_options.Type(str))
    # "public": the customer-facing site, made from the audience filter's data only (see audience.py).
    audience = config_options.Choice(("internal", "public"), default="internal")
    # A site as of a date (``prodops build --as-of``): ``root`` holds that revision's content, the
    # history pages come from ``history_root``, and every page says which commit it shows.
    history_root = config_options.Optional(config_options.Type(str))
    as_of_commit = config_options.Optional(config_options.Type(str))
    as_of_day = config_options.Optional(config_options.Type(str))


class ProdopsPlugin(BasePlugin[ProdopsPluginConfig]):  # type: ignore[no-untyped-call]
    """Generates the roadmap, OKR, launch, playbook, team and reference pages."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.root: Path | None = None
        self.serving = False
        self.folders: tuple[str, ...] = ()  # the content folders, from the kind registry
        # Dirty reloads: the pages' text and the shape as last built, the pages to build this
        # time (None: all), the nav last used, and the titles of built pages (for the navigation).
        self.dirty = False
        self.built: dict[str, str] | None = None
        self.built_shape = ""
        self.shape = ""
        self.changed: set[str] | None = None
        self.titles: dict[str, str] = {}
        self.held = False  # the last build was held back for errors (under a server): nothing was written

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Note whether this is a server; defining this hook keeps the plugin (and its last good site) across rebuilds."""
        self.serving = command == "serve"
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Refuse what the build would publish from outside the repository; validate it; fail the build on errors.

        Both come before MkDocs copies a file. Under a server, a rebuild that finds errors stops
        there too (``HeldBack``): the last good site stays as it was, with nothing new copied into it.
        """
        refused = published.configured(config)
        if refused:
            raise self._stop(len(refused), report.render_lines(refused))
        config_dir = Path(config.config_file_path).resolve().parent
        self.root = (config_dir / self.config.root).resolve() if self.config.root else config_dir
        today = date.fromisoformat(self.config.today) if self.config.today else None
        try:
            result = pipeline.build(self.root, today=today, use_cache=self.serving and self.dirty)
        except ProdopsError as exc:
            raise PluginError(f"prodops: {exc}") from exc
        self.folders = kinds.registry(result.schemas).folders
        errors = result.count("error")
        if errors:
            raise self._stop(errors, report.render_text(result.diagnostics, len(result.files), result.rules_checked))
        warnings = result.count("warning")
        if warnings and self.config.audience == "internal":
            log.info("prodops: %d warning(s); they are listed on the home page and by `prodops validate`", warnings)
        if self.config.audience == "public":
            from prodops.audience import public_view
            from prodops.render.public import render_public

            try:
                view = public_view(
                    result.catalog, result.schemas, result.config.public, result.today, result.config.source
                )
            except ProdopsError as exc:
                raise PluginError(f"prodops: {exc}") from exc
            self.site = render_public(view)
            return config
        edit_base = ""
        if config.repo_url and config.edit_uri:
            edit_base = config.repo_url.rstrip("/") + "/" + config.edit_uri.strip("/") + "/"
        options = SiteOptions(today=result.today, edit_base=edit_base, site_name=config.site_name, config=result.config)
        from prodops.commands.site import cli_reference

        self.site = render_site(result, options, extra_pages=cli_reference())
        if config.nav:
            config.nav = _with_kind_indexes(config.nav, kinds.registry(result.schemas), self.site)
        history_root = Path(self.config.history_root) if self.config.history_root else self.root
        try:
            history.require_full(history_root)  # in CI, a shallow clone would publish nearly empty history pages
        except ProdopsError as exc:
            raise PluginError(f"prodops: {exc}") from exc
        add_history(self.site, history_root, options, result.catalog, result.diagnostics)
        self._plan(config)
        # The catalog and the rendered pages live until the build ends: millions of objects
        # that every full collection during MkDocs' work would scan again (at 5,000 entities a
        # third of the build). Frozen, the collector skips them; on_post_build lets them go.
        gc.freeze()
        return config

    def _stop(self, errors: int, text: str) -> PluginError:
        """The error that stops a build with ``errors``: under a server after a good build, one that keeps that site."""
        if self.serving and self.site is not None:
            return HeldBack(
                f"prodops: the repository has {errors} error(s); showing the last good pages until they are fixed:\n{text}"
            )
        return PluginError(f"prodops: the repository has {errors} error(s); fix them to build the site:\n{text}")

    def _plan(self, config: MkDocsConfig) -> None:
        """Which generated pages a dirty rebuild builds: those whose text changed, or all when the shape did."""
        assert self.site is not None
        in_nav = _nav_pages(config.nav) if config.nav else set()
        self.shape = mkdocs_dirty.shape(config, self.site.pages, self.site.files, self.site.edit_urls, in_nav)
        if not self.dirty or self.built is None or self.shape != self.built_shape:
            self.changed = None
        else:
            self.changed = mkdocs_dirty.changed(self.built, self.site.pages)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Hand what on_config froze back to the garbage collector (a server rebuilds for hours)."""
        gc.unfreeze()
        if self.site is not None:
            self.built = dict(self.site.pages)
            self.built_shape = self.shape

    def on_build_error(self, *, error: Exception) -> None:
        """A build that broke off may have written some pages: the next one builds them all.

        A rebuild held back before it began (``HeldBack``) wrote nothing: the pages built stay known.
        What on_config froze goes back to the collector, as after a build that ends.
        """
        gc.unfreeze()
        self.held = isinstance(error, HeldBack)
        if not self.held:
            self.built = None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Add every generated page and the published schemas, in memory; refuse a file that came through a link."""
        assert self.site is not None
        refused = published.gathered(config, (f.abs_src_path for f in files if f.abs_src_path))
        if refused:
            raise self._stop(len(refused), report.render_lines(refused))
        in_nav = _nav_pages(config.nav) if config.nav else None
        for rel, text in self.site.pages.items():
            existing = files.get_file_from_path(rel)
            if existing is not None:
                raise PluginError(f"prodops: site/{rel} would be replaced by a generated page; rename it")
            # Entity pages are reached from section index pages, not from the navigation tree:
            # that keeps the build linear in the number of entities.
            inclusion = InclusionLevel.UNDEFINED if in_nav is None or rel in in_nav else InclusionLevel.NOT_IN_NAV
            modified = self.changed is None or rel in self.changed
            files.append(mkdocs_dirty.GeneratedPage.make(config, rel, text, inclusion, modified))
        for rel, data in self.site.files.items():
            files.append(File.generated(config, rel, content=data))
        if self.dirty:
            self._dirty_files(files, config)
        return files

    def _dirty_files(self, files: Files, config: MkDocsConfig) -> None:
        """Under a dirty build: build everything when the shape or a hand-written page changed; keep search whole."""
        if self.changed is not None and mkdocs_dirty.hand_written_changed(files):
            self.changed = None
        if self.changed is None:
            mkdocs_dirty.force(files)
            mkdocs_dirty.prune_search(config, None)
            log.info("prodops: building every page")
            return
        rebuilt = {f.url for f in files if isinstance(f, mkdocs_dirty.GeneratedPage) and f.modified}
        mkdocs_dirty.prune_search(config, rebuilt)
        log.info("prodops: %d page(s) changed; building only those", len(rebuilt))

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """A dirty rebuild reads only the changed pages: the navigation keeps the titles of the others."""
        if self.dirty and self.changed is not None:
            for file in files.documentation_pages():
                page = file.page
                if page is not None and page.title is None and file.src_uri in self.titles:
                    page.title = self.titles[file.src_uri]
        return nav

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Point the theme's edit button at the entity's YAML file, not at a generated page."""
        if page.title is not None:
            self.titles[page.file.src_uri] = page.title
        if self.site is not None:
            if page.file.src_uri in self.site.edit_urls:
                page.edit_url = self.site.edit_urls[page.file.src_uri]
            elif page.file.src_uri in self.site.pages:
                page.edit_url = None
        return context

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Every generated page, once converted, passes through the allow-list sanitiser.

        Hand-written pages under ``site/`` are the repository's own reviewed HTML and Markdown
        (they may use ``attr_list`` and any tag) and are left as written.
        """
        if self.site is not None and page.file.src_uri in self.site.pages:
            html = label_cells(name_regions(clean_page(html)))
        return self._as_of_banner() + html

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        """The theme's own pages (404.html) carry the as-of banner too, above their heading."""
        banner = self._as_of_banner()
        at = output_content.find("<h1")
        return output_content[:at] + banner + output_content[at:] if banner and at >= 0 else output_content

    def _as_of_banner(self) -> str:
        """The banner of a site built as of a date (empty for the ordinary site)."""
        if not (self.config.as_of_commit and self.config.today):
            return ""
        from prodops.asof import Point, banner

        return banner(
            Point(date.fromisoformat(self.config.today), self.config.as_of_commit, self.config.as_of_day or "")
        )

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        """Rebuild when content, schemas or configuration change; answer only requests made to this machine.

        A rebuild held back for errors has said why (MkDocs logs the error): it is not a failure
        of the server, which would print a traceback and stop reloading browsers.
        """
        assert self.root is not None

        def rebuild() -> None:
            self.held = False
            try:
                builder()
            except Abort:
                if not self.held:
                    raise

        server.builder = rebuild
        app = server.get_app()
        assert app is not None  # the server sets its own application when it is made
        server.set_app(hostguard.guard(app, hostguard.allowed(config.dev_addr.host)))
        for folder in (*self.folders, "schemas"):
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        for name in ("pyproject.toml", "prodops.toml"):
            if (self.root / name).is_file():
                server.watch(str(self.root / name))
        return server


def _with_kind_indexes(nav: list[Any], registry: kinds.Kinds, site: Site) -> list[Any]:
    """The ``nav`` setting with the index page of each generic kind that it does not name yet.

    A kind declared only by a schema gets its section without an edit to ``mkdocs.yml``; a
    repository that lists the page itself decides where it goes. A kind whose page providers'
    pages the navigation already names (insights: Roadmap -> Customer asks) has its section there.
    """
    named = _nav_pages(nav)
    added = [
        {spec.nav_title: spec.index_page}
        for spec in registry.generic
        if spec.index_page in site.pages
        and spec.index_page not in named
        and named.isdisjoint(site.provided.get(spec.kind, ()))
    ]
    return [*nav, *added] if added else nav


def _nav_pages(nav: object) -> set[str]:
    """Every page path named in the ``nav`` setting."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, list):
        return set().union(*(_nav_pages(entry) for entry in nav)) if nav else set()
    if isinstance(nav, dict):
        return set().union(*(_nav_pages(value) for value in nav.values())) if nav else set()
    return set()

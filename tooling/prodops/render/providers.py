"""Kind-specific pages on top of the generic ones: the one registry of page providers, per kind.

Every kind gets its generic pages (one per entity and an index page, ``render/generic.py``)
without any code. A module that wants more for a kind (a board of insights, a chart of a
KPI's CSV series) is a *page provider*: a function ``(renderer, spec) -> {page path: Markdown}``
that reads ``renderer.catalog.of(spec.kind)`` and renders its templates with
``renderer.render_template(path, template, **context)`` (the site's filters, macros and
``r`` helpers, so values are escaped and Markdown fields go through ``|md``). To add one:

1. write ``render/<kind>_pages.py`` with ``def pages(renderer: Renderer, spec: KindSpec) -> dict[str, str]``
   (and its templates under ``render/templates/``);
2. add one line to ``PROVIDERS`` below: ``"insight": (insight_pages.pages,)``.

A provider only adds pages: a path that is already generated (such as ``insight/index.md``)
fails the build, and a provider for a kind the repository's schemas do not declare is not
called. Its pages pass through ``clean_page`` like every generated page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from prodops.kinds import KindSpec

if TYPE_CHECKING:
    from prodops.render.pages import Renderer

PageProvider = Callable[["Renderer", KindSpec], Mapping[str, str]]

# Kind -> the functions that add its pages, in the order they run.
PROVIDERS: dict[str, tuple[PageProvider, ...]] = {}


def add_pages(renderer: Renderer) -> None:
    """Run every provider of a kind the repository has; a page it returns may not replace another."""
    for kind, provided in PROVIDERS.items():
        spec = renderer.kinds.get(kind)
        if spec is None:
            continue
        for provide in provided:
            for path, text in provide(renderer, spec).items():
                if path in renderer.site.pages:
                    raise ValueError(f"the page provider {provide.__module__} for {kind} would replace {path}")
                renderer.site.pages[path] = text

"""Kind-specific pages on top of the generic ones: the one registry of page providers, per kind.

Every kind gets its generic pages (one per entity and an index page, ``render/generic.py``)
without any code. A module that wants more for a kind (a board of insights, a chart of a
KPI's CSV series) is a *page provider*: a function ``(renderer, spec) -> {page path: Markdown}``
that reads ``renderer.catalog.of(spec.kind)`` and renders its templates with
``renderer.render_template(path, template, **context)`` (the site's filters, macros and
``r`` helpers, so values are escaped and Markdown fields go through ``|md``). To add one:

1. write ``render/<kind>_pages.py`` with ``def pages(renderer: Renderer, spec: KindSpec) -> dict[str, str]``
   (and its templates under ``render/templates/``);
2. add one line to ``PROVIDERS`` below: ``"insight": (feedback.pages,)``.

A module that adds to the pages of a kind (built-in or not) registers a *section* in
``SECTIONS``: ``(renderer, page path, entity id) -> Markdown``, put above the page's source line;
a section every entity page gets (the "Named by ..." lists of ``render/generic.py``, and on a built-in kind's
page the fields the adopter added to its schema) is in ``EVERY_KIND``.

A provider only adds pages: a path that is already generated (such as ``insight/index.md``)
fails the build, and a provider for a kind the repository's schemas do not declare is not
called. Its pages pass through ``clean_page`` like every generated page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from prodops.kinds import KindSpec
from prodops.render import feedback, generic
from prodops.render import metrics as metrics_pages

if TYPE_CHECKING:
    from prodops.render.renderer import Renderer

PageProvider = Callable[["Renderer", KindSpec], Mapping[str, str]]
# (renderer, page path, entity id) -> a section (Markdown) added to that entity's page above its
# source line, or "" for none: how a module adds to a page it does not own.
PageSection = Callable[["Renderer", str, str], str]

# Kind -> the functions that add its pages, in the order they run.
PROVIDERS: dict[str, tuple[PageProvider, ...]] = {
    "insight": (feedback.pages,),
    "kpi": (metrics_pages.pages,),  # KPIs are a built-in kind without hand-made pages of the Renderer's
}
# The sections every entity page gets, whatever its kind, before those of its kind.
EVERY_KIND: tuple[PageSection, ...] = (generic.added_fields_section, generic.named_by_section)
# Kind -> the functions that add sections to each of its entity pages.
SECTIONS: dict[str, tuple[PageSection, ...]] = {
    "insight": (feedback.insight_section,),
    "roadmap-item": (feedback.item_section,),
}


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
                renderer.site.provided.setdefault(kind, set()).add(path)


def with_sections(renderer: Renderer, kind: str, entity_id: str, here: str, text: str) -> str:
    """An entity's page with the sections added to it (``EVERY_KIND``, then ``SECTIONS``), above its source line."""
    for provide in (*EVERY_KIND, *SECTIONS.get(kind, ())):
        text = splice(text, provide(renderer, here, entity_id))
    return text


def splice(text: str, section: str) -> str:
    """``text`` with ``section`` put above its last source line (``<p class="po-source">``), or at its end."""
    if not section:
        return text
    at = text.rfind('<p class="po-source">')
    at = at if at >= 0 else len(text)
    return text[:at] + section.lstrip("\n") + "\n" + text[at:]

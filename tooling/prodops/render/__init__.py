"""Render the catalog as site pages; write them to a folder for any static-site generator."""

from __future__ import annotations

from prodops.render.pages import Pages
from prodops.render.renderer import Renderer, Site, SiteOptions
from prodops.render.write import render_site, write_docs

__all__ = ["Pages", "Renderer", "Site", "SiteOptions", "render_site", "write_docs"]

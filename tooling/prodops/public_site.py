"""The public site's MkDocs configuration, generated from the internal one.

It keeps the look (theme, palette, Markdown extensions) and drops everything that points
inside the organisation: the repository link, edit links, the hand-written pages under
``site/``, the theme overrides, the internal navigation. Its pages come from the prodops
plugin with ``audience: public``; its own folder (``site-public/``) holds only its style sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PUBLIC_DOCS_DIR = "site-public"
PUBLIC_SITE_DIR = "build/public"
# Theme features that do not link into the organisation (no edit or view-source actions).
_FEATURES = ("navigation.top", "search.suggest", "search.highlight")


def mkdocs_config(main: Mapping[str, Any], title: str, site_dir: str = PUBLIC_SITE_DIR) -> dict[str, Any]:
    """The public site's configuration: ``main`` (the parsed ``mkdocs.yml``) without its internal parts."""
    theme = main.get("theme") if isinstance(main.get("theme"), Mapping) else {}
    assert isinstance(theme, Mapping)
    public_theme: dict[str, Any] = {
        "name": theme.get("name", "material"),
        "language": theme.get("language", "en"),
        "font": False,  # no web fonts: the site makes no request to another host
        "features": list(_FEATURES),
    }
    if "palette" in theme:
        public_theme["palette"] = theme["palette"]
    return {
        "site_name": title,
        "docs_dir": PUBLIC_DOCS_DIR,
        "site_dir": site_dir,
        "use_directory_urls": False,
        "theme": public_theme,
        "plugins": ["search", {"prodops": {"audience": "public"}}],
        "markdown_extensions": list(main.get("markdown_extensions", [])),
        "extra_css": ["stylesheets/public.css"],
        "nav": [{"Roadmap": "index.md"}, {"Recently shipped": "shipped.md"}],
        "validation": main.get("validation", {}),
    }

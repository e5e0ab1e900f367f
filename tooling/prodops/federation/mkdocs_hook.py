"""MkDocs hook of the company site: every converted page through the one sanitiser."""

from __future__ import annotations

from typing import Any

from prodops.text.safe import clean_page


def on_page_content(html: str, **kwargs: Any) -> str:
    """The page's HTML, cleaned by the allow-list of the site's pages."""
    return clean_page(html)

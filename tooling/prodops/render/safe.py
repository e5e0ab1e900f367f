"""Make text from YAML safe to put into a page: nothing in the data may run in a reader's browser.

Two contexts exist in the generated Markdown:

* *inline* values (titles, names, ids) become literal text: HTML is escaped and
  Markdown punctuation is backslash-escaped, so ``[x](javascript:…)`` or ``**`` show as typed;
* *Markdown fields* (problem, description, notes) keep their formatting, but raw HTML is
  escaped (it shows as text) and links or images whose address is not http(s), mailto
  or a relative path are turned back into plain text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# The characters Python-Markdown (and CommonMark) accept a backslash escape for.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)>]*)")
_REF_DEFINITION = re.compile(r"^(\s{0,3})\[([^\]]+)\]:\s*<?(\S+)", re.MULTILINE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def inline(text: object) -> Markup:
    """Literal text for a Markdown context (headings, list items, table cells)."""
    escaped = str(escape(str(text)))
    escaped = escaped.replace("\n", " ").replace("\r", " ")
    return Markup(_MD_SPECIAL.sub(r"\\\1", escaped))


_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def plain_title(text: object) -> str:
    """A page title for front matter, where themes print it raw (Material strips tags, then unescapes).

    Angle brackets become look-alike quotation marks and an ampersand that would start an
    entity becomes a full-width one, so no title can close ``<title>`` or smuggle a tag.
    """
    value = str(text).replace("\n", " ").replace("\r", " ")
    return _ENTITY.sub("\uff06", value.replace("<", "\u2039").replace(">", "\u203a"))


def safe_url(url: str) -> bool:
    """Only absolute http(s)/mailto addresses and scheme-less (relative) ones are allowed."""
    candidate = url.strip()
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
    compact = re.sub(r"[\x00-\x20]", "", candidate).lower()
    if _SCHEME.match(compact):
        return compact.startswith(_SAFE_SCHEMES)
    return True


def markdown_field(text: object) -> Markup:
    """A Markdown field with raw HTML escaped and unsafe link targets neutralised."""
    escaped = str(escape(str(text)))

    def link(match: re.Match[str]) -> str:
        target = match.group(1)
        if safe_url(_unescape(target)):
            return match.group(0)
        return "]\\(" + match.group(0)[2:]

    def definition(match: re.Match[str]) -> str:
        if safe_url(_unescape(match.group(3))):
            return match.group(0)
        return match.group(0).replace("[", "\\[", 1)

    escaped = _LINK_TARGET.sub(link, escaped)
    escaped = _REF_DEFINITION.sub(definition, escaped)
    return Markup(escaped)


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    )


def href(url: str) -> str:
    """A link target for an href attribute: the URL if safe, otherwise a harmless fragment."""
    return url if safe_url(url) else "#unsafe-link-removed"

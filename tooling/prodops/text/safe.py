"""Make text from YAML safe to put into a page: nothing in the data may run in a reader's browser.

Three layers, each on its own enough to stop the payloads we know of:

* *inline* values (titles, names, ids) become literal text: HTML is escaped and Markdown
  punctuation is backslash-escaped, so ``[x](javascript:…)``, ``{: onclick=… }`` or ``**``
  show as typed;
* *Markdown fields* (problem, description, notes) are converted to HTML here, with
  Python-Markdown extensions that cannot add attributes or raw HTML (no ``attr_list``, raw HTML
  shows as text), cleaned by the allow-list sanitiser, and written as one line of *inert* HTML
  in which every Markdown-significant character is a numeric character reference. Whatever
  Markdown engine and extensions read the page next (MkDocs with ``attr_list``, Zensical, a
  plain ``mkdocs build`` of ``prodops render`` output), it sees only tags it passes through and
  text it cannot turn into markup;
* the *whole page*, after MkDocs has converted it, goes through the same sanitiser with the
  allow-list of what our templates and the theme's content use (:func:`clean_page`), and so does
  every HTML report (:func:`html_document`).

The sanitiser is nh3 (Python bindings of Ammonia, an allow-list HTML sanitiser built on the
html5ever parser): no event-handler attributes, no ``style`` beyond a few layout properties,
only http(s), mailto and relative URLs, no ``script``/``iframe``/``object``/``embed``/``form``/
``base``/``meta`` and no SVG or MathML beyond the few drawing elements our charts use.
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser

import markdown
import nh3
from markupsafe import Markup

# The characters Python-Markdown (and CommonMark) accept a backslash escape for.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")

# What a Markdown field may produce: text formatting, lists, tables, code, quotes and links.
_FIELD_TAGS = frozenset(
    {
        "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "img", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
        "th", "td", "del", "ins", "sub", "sup", "dl", "dt", "dd",
    }
)  # fmt: skip
_FIELD_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}

# What a whole generated page may hold: the field tags, the templates' layout and charts, and
# what the theme's Markdown extensions write (headings with ids, permalinks, admonitions, tables).
_PAGE_TAGS = _FIELD_TAGS | {
    "div", "span", "section", "article", "nav", "header", "footer", "aside", "figure",
    "figcaption", "caption", "colgroup", "col", "tfoot", "small", "mark", "abbr", "kbd",
    "time", "details", "summary", "b", "i", "u", "s", "q", "cite", "var", "samp",
    "svg", "title", "desc", "g", "line", "polyline", "polygon", "path", "rect", "circle", "text",
}  # fmt: skip
_PAGE_GENERIC = {"class", "id", "title", "role", "lang", "dir", "hidden", "tabindex"}
_PAGE_ATTRIBUTES: dict[str, set[str]] = {
    "*": _PAGE_GENERIC,
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"scope", "colspan", "rowspan", "style"},
    "td": {"colspan", "rowspan", "style"},
    "col": {"span"},
    "ol": {"start", "reversed"},
    "span": {"style"},
    "div": {"style"},
    "time": {"datetime"},
    "details": {"open"},
    # SVG attribute names keep their case (html5ever restores it in foreign content): "viewBox", not "viewbox".
    "svg": {"viewBox", "width", "height", "preserveAspectRatio", "focusable", "xmlns"},
    "g": {"transform", "fill", "stroke"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap"},
    "polyline": {"points", "fill", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap"},
    "polygon": {"points", "fill", "stroke", "stroke-width"},
    "path": {"d", "fill", "stroke", "stroke-width"},
    "rect": {"x", "y", "width", "height", "rx", "ry", "fill", "stroke"},
    "circle": {"cx", "cy", "r", "fill", "stroke", "stroke-width"},
    "text": {"x", "y", "dx", "dy", "text-anchor", "font-size", "fill"},
}
# Layout properties the templates set inline (bar widths, timeline positions, table alignment).
_STYLE_PROPERTIES = frozenset({"width", "left", "text-align"})


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """After the sanitiser's own URL check, two stricter ones of ours.

    An address that only looks harmless because of whitespace inside its scheme
    (``java   script:``) is dropped too, and so is an image from another host: it would be a
    request off the site (a tracking pixel).
    """
    if attribute in ("href", "src") and not safe_url(value):
        return None
    if element == "img" and attribute == "src":
        compact = _CONTROL_OR_SPACE.sub("", value).replace("\\", "/")
        if compact.startswith("//") or _SCHEME.match(compact):
            return None
    return value


_FIELD_CLEANER = nh3.Cleaner(
    tags=set(_FIELD_TAGS),
    attributes={tag: set(names) for tag, names in _FIELD_ATTRIBUTES.items()},
    url_schemes=set(_SAFE_SCHEMES),
    filter_style_properties=set(_STYLE_PROPERTIES),
    attribute_filter=_filter_attribute,
    link_rel="noopener noreferrer",
    strip_comments=True,
)
_PAGE_CLEANER = nh3.Cleaner(
    tags=set(_PAGE_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in _PAGE_ATTRIBUTES.items()},
    generic_attribute_prefixes={"data-", "aria-"},
    url_schemes=set(_SAFE_SCHEMES),
    filter_style_properties=set(_STYLE_PROPERTIES),
    attribute_filter=_filter_attribute,
    link_rel=None,
    strip_comments=True,
)


def inline(text: object) -> Markup:
    """Literal text for a Markdown context (headings, list items, table cells), never an attribute.

    Quotes stay as typed: they mean nothing in Markdown text once brackets and braces are escaped,
    and an entity for them (``&#39;``) would be escaped again by the table of contents, which reads
    a heading's text, so "Buyer's portal" would show as ``Buyer&#39;s portal`` there.
    """
    escaped = html.escape(str(text), quote=False)
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
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
    compact = _CONTROL_OR_SPACE.sub("", html.unescape(url)).lower()
    if _SCHEME.match(compact):
        return compact.split(":", 1)[0] in _SAFE_SCHEMES
    return True


def href(url: str) -> str:
    """A link target for an href attribute: the URL if safe, otherwise a harmless fragment."""
    return url if safe_url(url) else "#unsafe-link-removed"


def _field_converter() -> markdown.Markdown:
    """Python-Markdown for text from YAML: no raw HTML, no attribute lists, no other extensions."""
    converter = markdown.Markdown(extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    # Raw HTML is shown as text: without these two, "<b>" stays a text node and is escaped.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    return converter


_CONVERTER = _field_converter()


def markdown_html(text: object) -> str:
    """A Markdown field as sanitised HTML (several lines; for a context that is already HTML)."""
    converted = _CONVERTER.reset().convert(str(text))
    return _FIELD_CLEANER.clean(converted)


def markdown_field(text: object) -> Markup:
    """A Markdown field for a Markdown page: one line of sanitised, inert HTML in a ``po-md`` block."""
    return _markdown_field(str(text))


@functools.lru_cache(maxsize=32768)
def _markdown_field(text: str) -> Markup:
    # A pure function of the text: a server renders every page again on each change, and the
    # same problem statement shows on an item's page, its team's and its objectives'.
    return Markup('<div class="po-md">' + _inert(markdown_html(text)) + "</div>")


def clean_page(page_html: str) -> str:
    """A whole converted page through the allow-list: the last step before it is written."""
    return _PAGE_CLEANER.clean(page_html)


def clean_fragment(fragment: str) -> str:
    """HTML written from Markdown that came from YAML (reports): the field allow-list."""
    return _FIELD_CLEANER.clean(fragment)


def html_document(body: str, title: str, style: str = "") -> str:
    """A self-contained HTML page around a sanitised body: no script, no outside requests."""
    head = f'<meta charset="utf-8"><title>{html.escape(title)}</title>'
    if style:
        head += f"<style>{style}</style>"
    return f'<!doctype html>\n<html lang="en"><head>{head}</head><body>\n{clean_page(body)}\n</body></html>\n'


# Characters that mean something to some Markdown engine or extension; in text they become
# numeric character references, which every engine passes through as text.
_INERT_TEXT = {ord(c): f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~^=:<>\"'$%@\n\r\t"}
_INERT_TEXT[ord("&")] = "&amp;"
_INERT_ATTR = {ord(c): f"&#{ord(c)};" for c in "&<>\"'`{}\n\r\t"}


class _Inert(HTMLParser):
    """Re-serialises clean HTML as one line whose text holds no Markdown syntax."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> str:
        parts = [tag]
        parts.extend(f'{name}="{(value or "").translate(_INERT_ATTR)}"' for name, value in attrs)
        return "<" + " ".join(parts) + close

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, ">"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, " />"))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data.translate(_INERT_TEXT))


def _inert(clean_html: str) -> str:
    parser = _Inert()
    parser.feed(clean_html)
    parser.close()
    return "".join(parser.out)

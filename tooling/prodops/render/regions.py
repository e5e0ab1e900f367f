"""Give every scrollable table region of a converted page its own accessible name.

The templates wrap wide tables in ``<div class="po-scroll" role="region" tabindex="0">`` so a
keyboard can scroll them; a region needs a name, and a page with several regions all called the
same ("Scrollable table") leaves a screen reader's list of landmarks useless. The name is the
table's caption, or else the text of the nearest heading above the region, made unique on the
page. The templates cannot know it: their headings are Markdown, converted later.
"""

from __future__ import annotations

import html
import re

# What the templates write; the label is the placeholder this module replaces.
PLACEHOLDER = "Scrollable table"
_REGION = re.compile(r'<div class="po-scroll" role="region" aria-label="Scrollable table"')
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
_CAPTION = re.compile(r"\A\s*<table\b[^>]*>\s*<caption\b[^>]*>(.*?)</caption>", re.S)
_PERMALINK = re.compile(r'<a\b[^>]*class="headerlink"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", _PERMALINK.sub("", fragment)))).strip()


def name_regions(page_html: str) -> str:
    """``page_html`` with each placeholder region label replaced by a unique, meaningful one."""
    if PLACEHOLDER not in page_html:
        return page_html
    headings = [(m.start(), _text(m.group(2))) for m in _HEADING.finditer(page_html)]
    used: dict[str, int] = {}
    out: list[str] = []
    last = 0
    at_heading = 0
    heading = ""
    for match in _REGION.finditer(page_html):
        while at_heading < len(headings) and headings[at_heading][0] < match.start():
            heading = headings[at_heading][1]
            at_heading += 1
        rest = page_html[match.end() : match.end() + 2000]
        caption = _CAPTION.search(rest[rest.find(">") + 1 :])
        name = (_text(caption.group(1)) if caption else "") or heading or "Table"
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:
            name = f"{name} ({used[name]})"
        out.append(page_html[last : match.start()])
        out.append(f'<div class="po-scroll" role="region" aria-label="{html.escape(name, quote=True)}"')
        last = match.end()
    out.append(page_html[last:])
    return "".join(out)

"""A corpus of script-injection payloads, and a checker that parses HTML for what they would leave.

Every payload calls ``alert`` when it works, so a browser test can listen for dialogs. The
corpus covers what reaches a page through Markdown as well as through HTML: attribute lists,
reference-style links, autolinks, entities and numeric character references, mixed case and
whitespace in schemes, SVG and MathML, ``data:`` URIs, ``<base>``, nested Markdown, and the
classic filter-evasion shapes (broken quotes, null bytes, unclosed tags, comments).
"""

from __future__ import annotations

import html
import html.parser
import re

PAYLOADS: tuple[str, ...] = (
    # Markdown attribute lists (attr_list) on blocks, inline elements and images.
    "Plain text {: onmouseover=alert(101) }",
    "Para\n{: onclick=alert(102) tabindex=1 }",
    "![chart](chart.png){: onerror=alert(103) }",
    "![chart](chart.png){: onload=alert(104) }",
    "[docs](https://example.com/docs){: onmouseover=alert(105) }",
    "**bold**{: onfocus=alert(106) autofocus }",
    "# Heading {: onmouseover=alert(107) }",
    "[site](https://example.com){: href=javascript:alert(108) }",
    "Item {: #x .y style=background:url(javascript:alert(109)) }",
    # Links and images with script schemes, in every spelling.
    "[click](javascript:alert(110))",
    "[click](JaVaScRiPt:alert(111))",
    "[click]( javascript:alert(112))",
    "[click](java\tscript:alert(113))",
    "[click](java&#x09;script:alert(114))",
    "[click](&#106;avascript:alert(115))",
    "[click](&#x6A;avascript&#x3A;alert(116))",
    "[click](vbscript:alert(117))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMTgpPC9zY3JpcHQ+)",
    "![i](javascript:alert(119))",
    "![i](data:image/svg+xml,<svg onload=alert(120)>)",
    "[click](<javascript:alert(121)>)",
    "[click](javascript:alert(122) 'title')",
    # Reference-style links and definitions.
    "[ref][1]\n\n[1]: javascript:alert(123)",
    "[ref]\n\n[ref]: JAVASCRIPT:alert(124) 'x'",
    "![img][p]\n\n[p]: javascript:alert(125)",
    # Autolinks.
    "<javascript:alert(126)>",
    "<JAVASCRIPT:alert(127)>",
    "see javascript:alert(128) and <https://example.com/ok>",
    # Raw HTML, entities and character references.
    "<script>alert(129)</script>",
    "<img src=x onerror=alert(130)>",
    '<a href="javascript:alert(131)">a</a>',
    "<iframe src=javascript:alert(132)></iframe>",
    "&lt;script&gt;alert(133)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(134)&#62;",
    "<svg onload=alert(135)>",
    "<svg><script>alert(136)</script></svg>",
    '<svg><a xlink:href="javascript:alert(137)"><text x="0" y="10">x</text></a></svg>',
    "<svg><animate onbegin=alert(138) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(139)"/></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(140)">x</maction></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(141)>",
    '<base href="javascript:alert(142)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(143)">',
    "<object data=javascript:alert(144)></object>",
    "<embed src=javascript:alert(145)>",
    '<form action="javascript:alert(146)"><button>go</button></form>',
    '<div style="background:url(javascript:alert(147))">x</div>',
    '<div style="width:expression(alert(148))">x</div>',
    "<details open ontoggle=alert(149)>",
    "<body onload=alert(150)>",
    "<input autofocus onfocus=alert(151)>",
    "<video><source onerror=alert(152)></video>",
    "<marquee onstart=alert(153)>",
    # Filter evasion: broken quotes, NUL, comments, unclosed and nested tags.
    '<img """><script>alert(154)</script>">',
    "<scr<script>ipt>alert(155)</scr</script>ipt>",
    "<img src=x\x00 onerror=alert(156)>",
    "<!--<img src=--><img src=x onerror=alert(157)//-->",
    "<IMG SRC=x OnErRoR=alert(158)>",
    "<a href='jav&#x0A;ascript:alert(159)'>x</a>",
    '<img src="x` `<script>alert(160)</script>"` `>',
    '"><script>alert(161)</script>',
    "'; alert(162); '",
    "</title><script>alert(163)</script>",
    "</textarea><script>alert(164)</script>",
    # Nested Markdown.
    "> quote with [x](javascript:alert(165))\n>\n> - and ![y](x){: onerror=alert(166) }",
    "- item\n  - [deep](javascript:alert(167))\n\n```\n<script>alert(168)</script>\n```",
    "| a | b |\n|---|---|\n| [x](javascript:alert(169)) | <img src=x onerror=alert(170)> |",
    "*[abbr]: <img src=x onerror=alert(171)>",
    "Term\n: [def](javascript:alert(172))",
    '!!! note "<img src=x onerror=alert(173)>"\n    body',
)

# Attributes whose value the browser treats as an address.
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
        "srcset", "ping", "cite", "longdesc", "lowsrc", "dynsrc", "codebase", "manifest", "icon", "to", "from", "values",
    }
)  # fmt: skip
FORBIDDEN_TAGS = frozenset(
    {
        "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "input", "textarea",
        "button", "select", "isindex", "marquee", "animate", "set", "animatetransform", "animatemotion",
        "foreignobject", "use", "handler", "listener", "maction", "math", "video", "audio", "source", "portal",
    }
)  # fmt: skip
HEAD_ONLY = frozenset({"meta", "link", "base", "style"})
_SAFE = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def unsafe_url(value: str) -> bool:
    """A URL a browser would run or that loads a document of the attacker's choosing."""
    compact = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()
    match = _SCHEME.match(compact)
    return match is not None and match.group(1) not in _SAFE


class _Scanner(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.scripts: list[tuple[str, str]] = []  # (src, inline text)
        self._in_head = False
        self._article = 0
        self._script_src: str | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}={value!r}>: event handler")
            if name in URL_ATTRIBUTES and any(unsafe_url(part) for part in re.split(r"[\s,]+", value) or [value]):
                self.findings.append(f"<{tag} {name}={value!r}>: script URL")
            if name == "style" and re.search(r"expression|url\s*\(|javascript|@import|behavior", value, re.I):
                self.findings.append(f"<{tag} style={value!r}>: active style")
            if name == "http-equiv" and value.lower() == "refresh":
                self.findings.append(f"<{tag} http-equiv=refresh>")
        if tag == "article":
            self._article += 1
        # The theme's own search form and toggles sit outside the article; content has none.
        if self._article and tag in FORBIDDEN_TAGS:
            self.findings.append(f"<{tag}>: forbidden tag in the content")
        if tag in HEAD_ONLY and not self._in_head:
            self.findings.append(f"<{tag}> outside <head>")
        if tag == "script":
            self._script_src = dict(attrs).get("src") or ""
            self._script_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "article" and self._article:
            self._article -= 1
        if tag == "script" and self._script_src is not None:
            self.scripts.append((self._script_src, "".join(self._script_text).strip()))
            self._script_src = None

    def handle_data(self, data: str) -> None:
        if self._script_src is not None:
            self._script_text.append(data)


def scan(page: str) -> tuple[list[str], list[tuple[str, str]]]:
    """What in a page could run script (findings), and the page's scripts (src, inline text)."""
    scanner = _Scanner()
    scanner.feed(page)
    scanner.close()
    return scanner.findings, scanner.scripts

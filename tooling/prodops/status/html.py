"""A ``Message`` as HTML, escaped and then passed through the project's one sanitiser (``text.safe``)."""

from __future__ import annotations

from html import escape

from prodops.status.message import Entry, Message
from prodops.text import safe

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}"
    "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.4rem;border-bottom:1px solid #ddd}"
    "li{margin:.25rem 0}.who{color:#555}"
)


def _entry(entry: Entry) -> str:
    title = escape(entry.title)
    if entry.page:
        title = f'<a href="{escape(safe.href(entry.page))}">{title}</a>'
    detail = f": {escape(entry.detail)}" if entry.detail else ""
    who = f' <span class="who">({escape(entry.person)})</span>' if entry.person else ""
    return f"<li>{title}{detail}{who}</li>"


def body(message: Message) -> str:
    """The message's HTML body (a fragment), sanitised."""
    parts = [f"<h1>{escape(message.title)}</h1>", f"<p>{escape(message.summary)}</p>"]
    if not message.sections:
        parts.append(f"<p>{escape(message.nothing)}</p>")
    for section in message.sections:
        items = "".join(_entry(e) for e in section.entries)
        parts.append(f"<h2>{escape(section.heading)}</h2><ul>{items}</ul>")
    return safe.clean_page("\n".join(parts))


def write(message: Message) -> str:
    """A self-contained HTML page: no script, no outside requests."""
    return safe.html_document(body(message), message.title, STYLE)

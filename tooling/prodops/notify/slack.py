"""A ``Message`` as Slack incoming-webhook payloads (Block Kit): header, sections and a context line.

Slack's limits: a section's text at most 3,000 characters, a header's 150, at most 50 blocks
in a message; a longer message is split into several. Text is mrkdwn with ``&``, ``<`` and
``>`` escaped, so nothing from a file can become a link, a mention (``<!channel>``) or markup.
"""

from __future__ import annotations

from typing import Any

from prodops.status.message import Entry, Message
from prodops.text.safe import safe_url

SECTION_TEXT = 3000
HEADER_TEXT = 150
BLOCKS = 50


def escape(text: str) -> str:
    """Text for mrkdwn: the three characters Slack asks to be escaped."""
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _entry(entry: Entry) -> str:
    title = escape(entry.title)
    if "://" in entry.page and safe_url(entry.page):
        url = entry.page.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")
        title = f"<{url}|{title}>"
    detail = f": {escape(entry.detail)}" if entry.detail else ""
    who = f" ({escape(entry.person)})" if entry.person else ""
    return _clip(f"• {title}{detail}{who}", SECTION_TEXT - 100)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def blocks(message: Message) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(" ".join(message.title.split()), HEADER_TEXT)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(escape(message.summary), SECTION_TEXT)}]},
    ]
    if not message.sections:
        out.append(_section(escape(message.nothing)))
    for section in message.sections:
        text = f"*{escape(section.heading)}*"
        for entry in section.entries:
            line = _entry(entry)
            if len(text) + 1 + len(line) > SECTION_TEXT:
                out.append(_section(text))
                text = line
            else:
                text += "\n" + line
        out.append(_section(text))
    return out


def payloads(message: Message) -> list[dict[str, Any]]:
    """One payload per 50 blocks; ``text`` is the notification's fallback (the title)."""
    found = blocks(message)
    fallback = _clip(escape(message.title), SECTION_TEXT)
    parts = [found[i : i + BLOCKS] for i in range(0, len(found), BLOCKS)]
    return [
        {"text": fallback if n == 0 else f"{fallback} ({n + 1}/{len(parts)})", "blocks": part}
        for n, part in enumerate(parts)
    ]

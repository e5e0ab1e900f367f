"""A ``Message`` as Microsoft Teams incoming-webhook payloads: a message carrying one Adaptive Card (1.4).

Teams (incoming webhooks and Workflows) takes messages up to about 28 KB; a longer card is
split into several messages. TextBlocks render a subset of Markdown, so text from files has
every character that could start emphasis, a link or a list escaped with a backslash.
"""

from __future__ import annotations

import json
import re
from typing import Any

from prodops.status.message import Entry, Message
from prodops.text.safe import safe_url

MOST_BYTES = 27_000  # under the documented 28 KB, with room for the envelope
_MARKDOWN = re.compile(r"([\\`*_\[\]()<>#~|!{}+\-.])")


def escape(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _entry(entry: Entry) -> str:
    title = escape(entry.title)
    if "://" in entry.page and safe_url(entry.page):
        url = entry.page.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        title = f"[{title}]({url})"
    detail = f": {escape(entry.detail)}" if entry.detail else ""
    who = f" ({escape(entry.person)})" if entry.person else ""
    return f"- {title}{detail}{who}"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _envelope(body: list[dict[str, Any]]) -> dict[str, Any]:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def payloads(message: Message) -> list[dict[str, Any]]:
    head = [_text(escape(message.title), size="Large", weight="Bolder"), _text(escape(message.summary), isSubtle=True)]
    body: list[dict[str, Any]] = []
    if not message.sections:
        body.append(_text(escape(message.nothing)))
    for section in message.sections:
        body.append(_text(escape(section.heading), weight="Bolder", size="Medium", separator=True))
        body += [_text(_entry(e)) for e in section.entries]
    out: list[dict[str, Any]] = []
    current = list(head)
    for block in body:
        if _size(_envelope([*current, block])) > MOST_BYTES and len(current) > len(head):
            out.append(_envelope(current))
            current = [_text(escape(message.title) + " (continued)", weight="Bolder")]
        current.append(block)
    out.append(_envelope(current))
    return out

"""A ``Message`` as the generic webhook's JSON: the facts, with no presentation (the receiver formats them)."""

from __future__ import annotations

from typing import Any

from prodops.status.message import Message


def payload(message: Message, what: str, about: str, period: str) -> dict[str, Any]:
    return {
        "kind": what,
        "about": about,
        "period": period,
        "title": message.title,
        "summary": message.summary,
        "sections": [
            {
                "heading": s.heading,
                "entries": [
                    {"title": e.title, "url": e.page, "detail": e.detail, "person": e.person} for e in s.entries
                ],
            }
            for s in message.sections
        ],
    }

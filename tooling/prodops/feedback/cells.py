"""One cell of an export as text: lists joined, objects by their name, rich text plain, Jira's comments split."""

from __future__ import annotations

import html
import json
import re
from typing import Any


def text(value: Any) -> str:
    """A cell as text: a list (repeated columns, a JSON list) joined by commas."""
    if isinstance(value, list):
        return ", ".join(named(v) for v in value).strip()
    return str(value).strip()


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,20})?[^<>]{0,2000}>")
_BLOCK = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"})


def plain(text: str) -> str:
    """Rich text (Productboard's notes) as plain text: block tags a space, inline tags dropped, entities read."""
    spaced = _TAG.sub(lambda m: " " if (m.group(2) or "").lower() in _BLOCK else "", text)
    return re.sub(r"\s+", " ", html.unescape(spaced)).strip()


def named(item: Any) -> str:
    """An item of a JSON list: a list of objects (Canny's tags, a user's companies) reads as their names."""
    text = str(item)
    if text.startswith("{") and '"name"' in text:
        try:
            found = json.loads(text)
        except (ValueError, RecursionError):
            return text
        if isinstance(found, dict) and isinstance(found.get("name"), str):
            return str(found["name"])
    return text


def comments(value: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The bodies and authors of Jira's comments, each written "date;author;body" (the body may hold ';')."""
    bodies: list[str] = []
    authors: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        parts = str(item).split(";", 2)
        if len(parts) == 3:
            authors.append(parts[1].strip())
            bodies.append(parts[2].strip())
        elif str(item).strip():
            bodies.append(str(item).strip())  # not in Jira's form: the whole cell is the comment
    return tuple(b for b in bodies if b), tuple(a for a in authors if a)


def custom(value: Any) -> dict[str, str]:
    """Zendesk's JSON custom fields, [{"id": 360…, "value": "…"}], as fields "custom-ID"."""
    found: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        try:
            field = json.loads(item)
        except (TypeError, ValueError, RecursionError):
            continue
        if isinstance(field, dict) and str(field.get("id", "")).isascii() and str(field.get("id", "")).isdigit():
            shown = field.get("value")
            text = ", ".join(str(v) for v in shown) if isinstance(shown, list) else "" if shown is None else str(shown)
            found[f"custom-{str(field['id'])[:20]}"] = text.strip().lower()
    return found

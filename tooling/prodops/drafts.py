"""Drafts of `prodops new`: the answers typed so far, kept when a session is interrupted or refused.

One draft per kind, as JSON in ``.prodops-cache/drafts/KIND.json`` (outside the content, never
committed), so the next ``prodops new KIND`` can offer to resume where the last one stopped.
A draft that cannot be read is treated as absent: it only ever saves typing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodops import edit
from prodops.cache import CACHE_DIR

FOLDER = f"{CACHE_DIR}/drafts"


@dataclass(frozen=True)
class Draft:
    """What was answered: the title, the id and the fields (nested as they will be written)."""

    title: str
    entity_id: str
    data: dict[str, Any]


def path(root: Path, kind: str) -> Path:
    """Where the draft of ``kind`` is kept."""
    return root / FOLDER / f"{kind}.json"


def load(root: Path, kind: str) -> Draft | None:
    """The kept draft of ``kind``, or None when there is none (or it cannot be read)."""
    try:
        raw = json.loads(path(root, kind).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    title, entity_id, data = raw.get("title"), raw.get("id"), raw.get("data")
    if not isinstance(title, str) or not isinstance(entity_id, str) or not isinstance(data, dict):
        return None
    return Draft(title, entity_id, data)


def save(root: Path, kind: str, draft: Draft) -> Path:
    """Keep ``draft`` (replacing the kind's earlier one) and return where it is."""
    target = path(root, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"title": draft.title, "id": draft.entity_id, "data": draft.data}, indent=2, default=str)
    edit.write_atomic(target, (text + "\n").encode("utf-8"))
    return target


def discard(root: Path, kind: str) -> None:
    """Forget the draft of ``kind``, if there is one."""
    path(root, kind).unlink(missing_ok=True)

"""The record of what was sent, so a message goes out once per channel, kind, subject and week.

It lives outside the content: ``.prodops-cache/notify-sent.json`` by default, or the file
``--state`` names (the scheduled workflow keeps it in the Actions cache). Each key is written
as soon as its message went out, so a run that fails half-way does not send the first half again.
"""

from __future__ import annotations

import json
from pathlib import Path

from prodops.cache import CACHE_DIR
from prodops.diagnostics import ProdopsError

FILE = "notify-sent.json"


def default_path(root: Path) -> Path:
    return root / CACHE_DIR / FILE


def load(path: Path) -> dict[str, str]:
    """Key -> when it was sent; an unreadable record is an error (sending again could repeat a week)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProdopsError(f"{path}: cannot read the record of messages sent ({exc}); fix or remove it") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ProdopsError(
            f"{path}: the record of messages sent is not a JSON object of keys to dates; fix or remove it"
        )
    return data


def save(path: Path, record: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.prodops.tmp")
    temporary.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)

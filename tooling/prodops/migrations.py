"""The schema migrations the package ships: one TOML file per version step, under ``data/migrations/``.

A step says how the content of a repository at schema version N becomes content at N+1:
fields renamed (``rename-field``), enum values renamed (``rename-value``) and fields moved
(``move-field``), each for one kind at a dotted path (``*`` for every item of a list).
``SCHEMA_VERSION``, the version of the schemas this prodops ships, is where the last step ends.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from prodops.diagnostics import ProdopsError

Action = Literal["rename-field", "rename-value", "move-field"]
ACTIONS: tuple[str, ...] = get_args(Action)
DATA = "data/migrations"


@dataclass(frozen=True)
class Change:
    """One declared change: ``path`` (dotted, ``*`` for list items) of ``kind`` becomes ``to``."""

    action: Action
    kind: str
    path: tuple[str, ...]
    to: str
    old_value: str = ""  # rename-value: the value that is renamed to ``to``

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Step:
    """The changes from schema version ``source`` to ``target`` (= ``source`` + 1)."""

    source: int
    target: int
    summary: str
    changes: tuple[Change, ...]
    file: str


def _parse_step(name: str, data: dict[str, Any]) -> Step:
    where = f"prodops/{DATA}/{name}"
    source, target = data.get("from"), data.get("to")
    if not isinstance(source, int) or not isinstance(target, int) or target != source + 1:
        raise ProdopsError(f"{where}: 'from' and 'to' must be consecutive schema versions (integers)")
    changes = []
    for index, raw in enumerate(data.get("change", [])):
        action, kind, path, to = raw.get("action"), raw.get("kind"), raw.get("path"), raw.get("to")
        if action not in ACTIONS or not all(isinstance(v, str) and v for v in (kind, path, to)):
            raise ProdopsError(
                f"{where}: change {index + 1} needs action (one of {', '.join(ACTIONS)}), kind, path and to"
            )
        old = raw.get("from", "")
        if action == "rename-value" and not (isinstance(old, str) and old):
            raise ProdopsError(f"{where}: change {index + 1} (rename-value) needs the old value as 'from'")
        changes.append(Change(action, kind, tuple(path.split(".")), to, old))
    return Step(source, target, str(data.get("summary", "")), tuple(changes), name)


@cache
def steps() -> tuple[Step, ...]:
    """Every shipped step, oldest first."""
    folder = resources.files("prodops").joinpath(DATA)
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            found.append(_parse_step(entry.name, tomllib.loads(entry.read_text(encoding="utf-8"))))
    found.sort(key=lambda step: step.source)
    for before, after in itertools.pairwise(found):
        if after.source != before.target:
            raise ProdopsError(f"prodops/{DATA}: no step from version {before.target} to {after.source}")
    return tuple(found)


def schema_version() -> int:
    """The version of the schema set this prodops ships (and writes with ``init`` and ``migrate``)."""
    shipped = steps()
    return shipped[-1].target if shipped else 1


def path_between(source: int, target: int) -> tuple[Step, ...]:
    """The steps that take content from ``source`` to ``target``, in order."""
    return tuple(step for step in steps() if source <= step.source < target)

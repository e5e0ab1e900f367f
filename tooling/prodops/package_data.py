"""Files the installed package carries for other repositories: the shipped schemas and site, the starter.

``data/shared/`` holds the repository's own ``schemas/``, ``site/``, ``site-public/`` and
``mkdocs.yml`` as symbolic links in the source tree, so there is one copy of each; building
the package follows the links, so a wheel (or any non-editable install) carries the files.
``data/starter/`` holds the templates only a new repository needs (see ``scaffold``).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable

SHARED = "data/shared"
STARTER = "data/starter"


def folder(name: str) -> Traversable:
    """A folder (or file) of the package's data, such as ``data/shared/schemas``."""
    return resources.files("prodops").joinpath(name)


def walk(top: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """Every file under ``top`` as (relative POSIX path, entry), sorted; caches and hidden files left out."""
    for entry in sorted(top.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        rel = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from walk(entry, rel + "/")
        else:
            yield rel, entry


def shipped_schemas() -> dict[str, bytes]:
    """The schema files this prodops ships, by file name."""
    return {rel: entry.read_bytes() for rel, entry in walk(folder(f"{SHARED}/schemas")) if "/" not in rel}

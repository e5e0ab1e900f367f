"""What one file defines and names: all that linking needs, without the file's data.

The cache keeps an outline per file, so a run that checks one file links the whole
repository without reading the data of every other file. The ids a file names are kept
per reference field and without their paths, which are only needed for the few files
whose models are built or that have a problem: those come from the full list of
references, read when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from prodops.diagnostics import JsonPath
from prodops.loader import Document
from prodops.schemas import values_at

# (field, kind, path, id): one string in a reference field, such as ("depends_on", "roadmap-item", ("depends_on", 0), "x")
RefUse = tuple[str, str, JsonPath, str]
# Kinds that are not files: people (members of teams) and key results (inside objectives).
PERSON = "person"
KEY_RESULT = "key-result"


class Outline:
    """The id a file defines, its key results, and the ids it names."""

    __slots__ = ("_load", "_refs", "id", "key_results", "targets")

    def __init__(
        self,
        entity_id: str | None,
        key_results: tuple[str, ...],
        targets: Sequence[Sequence[str]],
        refs: tuple[RefUse, ...] | None = None,
        load: Callable[[], tuple[RefUse, ...]] | None = None,
    ) -> None:
        self.id = entity_id
        self.key_results = key_results  # the key-result ids of an objective
        # Per reference field of the kind, in the schema's order: the ids of entities it names (people left out).
        self.targets = targets
        self._refs = refs
        self._load = load

    @property
    def refs(self) -> tuple[RefUse, ...]:
        """Every string in a reference field, people included, with its path."""
        if self._refs is None:
            self._refs = self._load() if self._load is not None else ()
        return self._refs


def outline(doc: Document, invalid: Collection[JsonPath] = ()) -> Outline:
    """The outline of a loaded document; values at ``invalid`` paths (schema errors of their own) are left out."""
    data = doc.data
    raw_id = data.get("id")
    krs: tuple[str, ...] = ()
    if doc.kind.kind == "objective" and isinstance(data.get("key_results"), list):
        krs = tuple(kr["id"] for kr in data["key_results"] if isinstance(kr, dict) and isinstance(kr.get("id"), str))
    refs: list[RefUse] = []
    targets: list[tuple[str, ...]] = []
    for ref_field in doc.kind.refs:
        found = [
            (ref_field.name, ref_field.target, path, value)
            for path, value in values_at(data, ref_field.pattern)
            if isinstance(value, str) and path not in invalid
        ]
        refs.extend(found)
        targets.append(() if ref_field.target == PERSON else tuple(use[3] for use in found))
    return Outline(raw_id if isinstance(raw_id, str) else None, krs, tuple(targets), tuple(refs))

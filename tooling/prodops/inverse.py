"""Inverse relations: the lists other kinds hold that name an entity (an insight's addressed_by names items).

An entity is asked, or edited, through the inverse name (an item's ``addresses``), while the
file written is the one that holds the relation (each insight). ``x-inverse`` in a schema
declares them; this module knows no kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from prodops import authoring, edit, listedit
from prodops.schemas import KindSchema, SchemaSet


def held_by(schemas: SchemaSet, kind: str) -> list[tuple[KindSchema, str, str]]:
    """(kind holding the relation, inverse name, its list field) for every x-inverse that targets ``kind``."""
    return [
        (other, ref.inverse, ref.pattern[0])
        for other in schemas.kinds.values()
        for ref in other.refs
        if ref.inverse and ref.target == kind and len(ref.pattern) == 2 and ref.pattern[1] == "*"
    ]


def asked(schemas: SchemaSet, kind: str) -> dict[str, tuple[str, str]]:
    """The inverse relations a new entity of ``kind`` is asked: inverse name -> (their kind, their field).

    A relation of the kind to itself (``blocks``, the inverse of ``depends_on``) is left out: the
    new entity names those in its own fields.
    """
    return {name: (other.kind, held) for other, name, held in held_by(schemas, kind) if other.kind != kind}


def edits(
    repo: Path, schemas: SchemaSet, kind: str, entity_id: str, answers: Mapping[str, list[str]]
) -> dict[str, tuple[Callable[[str], str], str]]:
    """Per file that holds one of the answers' relations: the edit adding ``entity_id``, and the field it edits."""
    fields = asked(schemas, kind)
    found: dict[str, tuple[Callable[[str], str], str]] = {}
    for name, ids in answers.items():
        _, held = fields[name]
        for other_id in ids:

            def transform(text: str, held: str = held) -> str:
                data = edit.locate(text).parsed.data
                current = data.get(held) if isinstance(data, dict) else None
                if isinstance(current, list) and entity_id in current:
                    return text
                return listedit.add_values(text, (held,), [entity_id])

            found[authoring.find_file(repo, other_id)] = (transform, held)
    return found

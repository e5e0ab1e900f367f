"""Which entities of a change were renamed: the one matching of old ids to new ids, for every reader of a change.

``prodops diff`` reports a rename rather than a removal and an addition, and the lifecycle check
follows an entity across one, so a new id never makes an old entity look new.
"""

from __future__ import annotations

from collections.abc import Mapping

from prodops.loader import Document


def title_of(doc: Document) -> str:
    """What a reader calls the entity: its title field, else ``title``, else its id."""
    value = doc.data.get(doc.kind.title_field) or doc.data.get("title") or doc.data.get("id")
    return str(value)


def renames(old: Mapping[str, Document], new: Mapping[str, Document]) -> dict[str, str]:
    """New id -> old id of each entity that left ``old`` and came into ``new`` under another id.

    An id that went away and one that came in are the same entity when they are of the same
    kind and carry the same title; each old id is matched at most once, in id order.
    """
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    matched: dict[str, str] = {}
    taken: set[str] = set()
    for new_id in added:
        new_doc = new[new_id]
        for old_id in removed:
            old_doc = old[old_id]
            if (
                old_id not in taken
                and old_doc.kind.kind == new_doc.kind.kind
                and title_of(old_doc) == title_of(new_doc)
            ):
                matched[new_id] = old_id
                taken.add(old_id)
                break
    return matched

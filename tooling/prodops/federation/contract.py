"""A unit's contract: its entities as the rest of the company may see them, in one byte-stable JSON file.

The ``company`` audience sees every entity and every field the schemas do not mark
``confidential`` (customer accounts and revenue at stake), less the fields the unit lists in
``[tool.prodops.federation] hide``. Each record carries its id, its kind's fields, the meaning
of its status (``states.py``) and, for roadmap items, the date it is due: what another unit's
references are checked against. A contract read from a file is checked before use; what does
not fit is a problem naming the file, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodops import kinds
from prodops.audience import field_visibilities, public_record
from prodops.catalog import Catalog
from prodops.diagnostics import ProdopsError
from prodops.schemas import SchemaSet
from prodops.suggest import did_you_mean

FORMAT = "prodops-contract"
FORMAT_VERSION = 1
MAX_CONTRACT_BYTES = 64 * 1024 * 1024
ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")  # as common.schema.json's id


@dataclass(frozen=True)
class Contract:
    """What one unit publishes: by id, each entity's kind and company-visible record."""

    unit: str
    entities: Mapping[str, tuple[str, Mapping[str, Any]]]  # id -> (kind, record)

    def ids_of(self, kind: str) -> list[str]:
        return sorted(i for i, (k, _) in self.entities.items() if k == kind)


def company_fields(schemas: SchemaSet, hide: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """Kind -> the dotted paths of the fields the company audience sees."""
    out: dict[str, frozenset[str]] = {}
    every = {
        f"{kind}.{path}": v for kind, ks in schemas.kinds.items() for path, v in field_visibilities(schemas, ks).items()
    }
    for name in hide:
        if name not in every:
            raise ProdopsError(
                f"[tool.prodops.federation] hide: '{name}' is not a field{did_you_mean(name, every)} "
                "(write KIND.FIELD, such as launch.go_no_go.notes)"
            )
    for kind, ks in schemas.kinds.items():
        fields = {p for p, v in field_visibilities(schemas, ks).items() if v != "confidential"}
        hidden = {h.removeprefix(kind + ".") for h in hide if h.startswith(kind + ".")}
        out[kind] = frozenset(f for f in fields if not any(f == h or f.startswith(h + ".") for h in hidden))
    return out


def document(catalog: Catalog, schemas: SchemaSet, unit: str, hide: tuple[str, ...]) -> dict[str, Any]:
    """The contract of ``unit`` as data (see the module's docstring)."""
    registry = kinds.registry(schemas)
    allowed = company_fields(schemas, hide)
    every = {(doc.kind.kind, i) for i, doc in catalog.documents.items()}
    entities: dict[str, list[dict[str, Any]]] = {}
    for kind in sorted(schemas.kinds):
        ks = schemas.kinds[kind]
        spec = registry[kind]
        records = []
        for entity_id in sorted(i for k, i in every if k == kind):
            entity = catalog.entity(entity_id)
            if entity is None:
                continue
            data = catalog.documents[entity_id].data
            # The audience filter of the public export, with the company's fields and every entity visible.
            record: dict[str, Any] = public_record(data, ks, schemas, allowed[kind], every) or {"id": entity_id}
            meaning = spec.meaning(spec.status(data)) if spec.states else None
            if meaning:
                record["meaning"] = meaning
            item = catalog.items.get(entity_id)
            if item is not None and item.due is not None:
                record["due"] = item.due.isoformat()
            records.append(record)
        if records:
            entities[kind] = records
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "unit": unit, "entities": entities}


def to_bytes(data: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, keys sorted, one trailing newline: the same data gives the same bytes."""
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n").encode()


def parse(raw: bytes, unit: str) -> Contract | str:
    """The contract in ``raw`` bytes, or what is wrong with them (to be named with the file)."""
    if len(raw) > MAX_CONTRACT_BYTES:
        return f"is larger than {MAX_CONTRACT_BYTES // (1024 * 1024)} MB"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"is not UTF-8 JSON ({exc})"
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return f"is not a prodops contract (its 'format' must be \"{FORMAT}\"); write one with `prodops contract`"
    if data.get("format_version") != FORMAT_VERSION:
        return f"has format_version {data.get('format_version')!r}; this prodops reads version {FORMAT_VERSION}"
    if data.get("unit") != unit:
        return f"is the contract of unit {str(data.get('unit'))[:80]!r}, not of '{unit}'"
    entities: dict[str, tuple[str, Mapping[str, Any]]] = {}
    by_kind = data.get("entities")
    if not isinstance(by_kind, dict):
        return "has no 'entities' table"
    for kind, records in by_kind.items():
        if not isinstance(records, list):
            return f"lists {str(kind)[:80]!r} entities as something other than a list"
        for record in records:
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                return f"has a {str(kind)[:80]!r} entity without a text id"
            if not ID.fullmatch(record["id"]) or not ID.fullmatch(str(kind)):
                # Ids end up in messages and suggestions: only what an id may be is taken from another repository.
                return (
                    f"has an entity whose kind or id is not lower-case words joined by hyphens ({record['id'][:80]!r})"
                )
            entities[record["id"]] = (str(kind), record)
    return Contract(unit, entities)


def read_file(path: Path, unit: str) -> Contract | str:
    """The contract in a file, or what is wrong with it (a file that is not there, a link, not a contract)."""
    try:
        if path.is_symlink() or not path.is_file():
            return "is not a regular file; write it with `prodops contract --out`"
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONTRACT_BYTES + 1)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return parse(raw, unit)

"""Cross-unit references (``UNIT:ID``) checked against the units' pinned contracts.

PO210 names a unit that is not declared, PO211 an id that is not in the unit's contract,
PO212 an entity of another kind than the field takes, PO213 a dependency on another unit's
item that is due after the depending item (or dropped), and PO214 a unit whose contract
cannot be read at its pin. Every problem names the file, line and column of the reference
and the unit; a unit's contract is read once, and only when something here names the unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path

from prodops.catalog import UNIT_SEPARATOR, Catalog
from prodops.diagnostics import Diagnostic, JsonPath, ProdopsError
from prodops.federation.contract import ID, Contract, document, parse, read_file, to_bytes
from prodops.federation.units import FederationConfig, Unit
from prodops.loader import Document
from prodops.outline import KEY_RESULT, PERSON, Outline
from prodops.suggest import did_you_mean

Loader = Callable[[Unit], "Contract | str"]


def unit_root(root: Path, unit: Unit) -> Path:
    return (root / unit.path).resolve()


def contract_at(root: Path, unit: Unit, rev: str, today: date | None = None) -> bytes:
    """The contract bytes of a path unit at ``rev``: its repository read at that revision, never its working tree."""
    from prodops import pipeline, sources
    from prodops.config import load_config

    repo = unit_root(root, unit)
    if not (repo / ".git").exists():
        raise ProdopsError(f"'{unit.path}' is not a Git repository")
    with sources.revision(repo, rev) as revision:
        own = load_config(revision.source.root)
        # The unit's own units are not read: a contract holds the unit's entities only.
        config = replace(own, federation=replace(own.federation, units=()))
        result = pipeline.run(revision.source, today=today, config=config)
    # What the unit's data is (load, schema, links) decides; its process rules judge it on a day, not its contract.
    errors = [d for d in result.diagnostics if d.severity == "error" and not d.code.startswith("PO4")]
    if errors:
        first = errors[0]
        raise ProdopsError(
            f"has {len(errors)} error(s) at {rev[:12]}, first {first.file}:{first.line}: {first.code} {first.message}"
        )
    return to_bytes(document(result.catalog, result.schemas, unit.name, own.federation.hide))


def loader(root: Path, today: date | None = None) -> Loader:
    """Reads a unit's contract at its pin: the contract file, or the repository at ``rev``."""

    def load(unit: Unit) -> Contract | str:
        if unit.contract:
            return read_file(root / unit.contract, unit.name)
        try:
            return parse(contract_at(root, unit, unit.rev, today), unit.name)
        except ProdopsError as exc:
            return str(exc)

    return load


def cross_refs(
    documents: Iterable[Document], outlines: Mapping[str, Outline]
) -> list[tuple[Document, str, str, JsonPath, str]]:
    """Every ``UNIT:ID`` reference: (document, field, kind it takes, path, value)."""
    out = []
    for doc in documents:
        shape = outlines.get(doc.rel)
        if shape is None or not any(UNIT_SEPARATOR in t for targets in shape.targets for t in targets):
            continue
        for field_name, kind, path, value in shape.refs:
            if kind != PERSON and UNIT_SEPARATOR in value:
                out.append((doc, field_name, kind, path, value))
    return out


def check(
    config: FederationConfig,
    documents: Iterable[Document],
    outlines: Mapping[str, Outline],
    catalog: Catalog,
    load: Loader,
) -> list[Diagnostic]:
    """Problems with the cross-unit references of ``documents`` (see the module's docstring)."""
    problems: list[Diagnostic] = []
    contracts: dict[str, Contract | str] = {}
    names = [u.name for u in config.units]
    for doc, field_name, kind, path, value in cross_refs(documents, outlines):
        unit_name, _, target = value.partition(UNIT_SEPARATOR)
        line, column = doc.locate(path)

        def problem(
            code: str, message: str, hint: str, at: tuple[Document, int, int, JsonPath] = (doc, line, column, path)
        ) -> None:
            problems.append(Diagnostic("error", code, message, at[0].rel, at[1], at[2], at[3], hint=hint))

        unit = config.unit(unit_name)
        if unit is None:
            known = ", ".join(names) or "none"
            problem(
                "PO210",
                f"{field_name}: '{value}' names unit '{unit_name}', which is not declared{did_you_mean(unit_name, names)}",
                f"declare it under [[tool.prodops.federation.units]] in {config.file} (units declared: {known})",
            )
            continue
        if unit_name not in contracts:
            contracts[unit_name] = load(unit)
            found = contracts[unit_name]
            if isinstance(found, str):
                pin = (
                    f"contract {unit.contract}"
                    if unit.contract
                    else f"contract, read from {unit.path} at {unit.rev[:12]},"
                )
                problems.append(
                    Diagnostic(
                        "error",
                        "PO214",
                        f"unit '{unit_name}': its {pin} {found}",
                        config.file,
                        unit.line,
                        1,
                        hint="fix the unit's declaration, or its repository at the pinned revision",
                    )
                )
        contract = contracts[unit_name]
        if isinstance(contract, str):
            continue
        if kind == KEY_RESULT:
            found_kr = _key_result(contract, field_name, target, unit_name)
            if found_kr:
                problem("PO211", *found_kr)
            continue
        entry = contract.entities.get(target)
        label = _a(kind.replace("-", " "))
        if entry is None:
            problem(
                "PO211",
                f"{field_name}: '{target}' is not {label} in the contract of unit '{unit_name}'"
                f"{did_you_mean(target, contract.ids_of(kind))}",
                f"use the id of {label} that unit '{unit_name}' publishes (`prodops federate` shows its pin)",
            )
            continue
        target_kind, record = entry
        if target_kind != kind:
            problem(
                "PO212",
                f"{field_name}: '{value}' is of kind '{target_kind}' in unit '{unit_name}', not {label}",
                f"this field takes the id of {label}",
            )
            continue
        if field_name == "depends_on":
            late = _late(catalog, doc, value, unit_name, record)
            if late:
                problem("PO213", *late)
    return problems


def _late(
    catalog: Catalog, doc: Document, value: str, unit: str, record: Mapping[str, object]
) -> tuple[str, str] | None:
    """Rule PO409 across the boundary: the dependency is dropped, or due after the item needing it."""
    item = catalog.items.get(str(doc.data.get("id")))
    if item is None or item.due is None or not item.active:
        return None
    meaning = record.get("meaning")
    if meaning == "dropped":
        return (
            f"depends_on: depends on '{value}', which unit '{unit}' dropped",
            "remove the dependency or agree another way with that unit",
        )
    due = record.get("due")
    if meaning == "done" or not isinstance(due, str):
        return None
    try:
        dep_due = date.fromisoformat(due)
    except ValueError:
        return None
    if dep_due <= item.due:
        return None
    return (
        f"depends_on: depends on '{value}' of unit '{unit}', due {dep_due.isoformat()}, "
        f"{(dep_due - item.due).days} days after this item is due ({item.due.isoformat()})",
        "move this item's target later, or ask that unit to bring the dependency forward",
    )


def _a(label: str) -> str:
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def _key_result(contract: Contract, field_name: str, target: str, unit: str) -> tuple[str, str] | None:
    """What is wrong with OBJECTIVE.KR in another unit's contract, if anything."""
    objective, _, kr = target.partition(".")
    entry = contract.entities.get(objective)
    if entry is None or entry[0] != "objective":
        return (
            f"{field_name}: '{target}' names no objective '{objective}' in the contract of unit '{unit}'"
            f"{did_you_mean(objective, contract.ids_of('objective'))}",
            "write another unit's key results as UNIT:OBJECTIVE-ID.KR-ID",
        )
    listed = entry[1].get("key_results")
    krs = (
        [k["id"] for k in listed if isinstance(k, dict) and ID.fullmatch(str(k.get("id")))]
        if isinstance(listed, list)
        else []
    )
    if kr in krs:
        return None
    return (
        f"{field_name}: objective '{objective}' of unit '{unit}' has no key result '{kr}'{did_you_mean(kr, krs)}",
        f"its key results are: {', '.join(krs) or 'none'}",
    )

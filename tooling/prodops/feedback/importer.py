"""One import, start to end, as a value: read, normalise, match, tally, plan the file changes.

Nothing here prints; the command shows the outcome (``prodops feedback import``).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import pipeline
from prodops.diagnostics import ProdopsError
from prodops.feedback import aggregate, counted, mapping, match, write
from prodops.feedback.accountmap import resolve_accounts
from prodops.feedback.accounts import Accounts, read_accounts
from prodops.feedback.read import Progress, RawRecord, Unreadable, open_export
from prodops.feedback.source import SourceMapping
from prodops.schemas import enum_values

KIND = "insight"


@dataclass
class Outcome:
    source: SourceMapping
    tally: aggregate.Tally
    changes: list[write.Change]  # insight files
    summary: dict[aggregate.Key, aggregate.Summary]  # per insight, source and month: added, already counted, removed
    counted: list[write.Change]  # the files of counted record ids
    files: dict[str, str]  # insight id -> file
    accounts: Accounts | None
    encoding: str
    delimiter: str | None
    warnings: list[str] = field(default_factory=list)


def insight_documents(result: pipeline.Result) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every insight: id -> (file, data)."""
    return {oid: (doc.rel, doc.data) for oid, doc in sorted(result.catalog.documents.items()) if doc.kind.kind == KIND}


def segments(result: pipeline.Result) -> tuple[str, ...]:
    return enum_values(result.schemas, KIND, ("segments", 0))


def run(
    result: pipeline.Result,
    export_path: Path,
    source_name: str,
    accounts_path: Path | None = None,
    progress: Progress | None = None,
    replace: Iterable[tuple[str, str]] = (),
    accounts_mapping: str | None = None,
) -> Outcome:
    """Import one export into the repository ``result`` describes (the files are only planned, not written).

    Records already counted are skipped; ``replace`` names (source, month) pairs whose demand
    and counted records are removed first, so that the export's records of them are counted anew.
    """
    if KIND not in result.schemas.kinds:
        raise ProdopsError(f"schemas/: no schema declares the '{KIND}' kind; feedback is imported into insights")
    source = mapping.resolve(source_name, result.config.feedback.sources, result.config.source or "pyproject.toml")
    allowed = segments(result)
    crm = (
        resolve_accounts(accounts_mapping, result.config.feedback.sources, result.config.source or "pyproject.toml")
        if accounts_mapping
        else None
    )
    accounts = read_accounts(accounts_path, allowed, crm) if accounts_path is not None else None
    insights = insight_documents(result)
    if not insights:
        raise ProdopsError(f"{result.schemas.kinds[KIND].folder}/ has no insights to assign feedback to; add one first")
    playbook_doc = result.catalog.documents.get(match.TRIAGE_PLAYBOOK)
    matcher = match.matcher_for(
        {i: data for i, (_, data) in insights.items()}, playbook_doc.data if playbook_doc else None
    )
    records_key = (source.json or source).records or None
    export = open_export(export_path, records_key, progress, frozenset(source.multi))
    if export.delimiter is None and source.json is not None:
        source = source.json  # the tool's JSON export of the same records, counted under the same name
    records = _checked(export.records, export.columns, source, str(export_path), export.positions)
    if export.custom and source.custom_fields:  # the export's own custom fields, once its columns are known good
        custom = {_field_name(c): c for c in sorted(export.custom) if c not in source.columns}
        source = dataclasses.replace(source, fields={**custom, **source.fields})
    normalised = (
        mapping.Rejected(r.where, r.reason) if isinstance(r, Unreadable) else mapping.normalise(r, source, allowed)
        for r in records
    )
    folder = result.schemas.kinds[KIND].folder
    ledgers: dict[str, counted.Counted] = {}
    before: dict[str, dict[tuple[str, str], counted.Prior]] = {}

    def counted_for(name: str) -> counted.Counted:
        if name not in ledgers:
            ledgers[name] = counted.read(result.root, folder, name)
        return ledgers[name]

    replaced = set(replace)
    for name, period in sorted(replaced):
        counted_for(name).forget(period)
    tally = aggregate.tally(normalised, matcher, accounts, source.keep_account_names, counted_for)
    if tally.read == 0:
        raise ProdopsError(f"{export_path}: the export has a header but no records; nothing was imported")

    def known(name: str) -> dict[tuple[str, str], counted.Prior]:
        if name not in before:
            before[name] = counted_for(name).prior()
        return before[name]

    current = {i: list(data.get(write.FIELD) or []) for i, (_, data) in insights.items()}
    after, summary, unbacked = aggregate.entries(tally, allowed, bool(source.votes), current, replaced, known)
    files = {i: rel for i, (rel, _) in insights.items()}
    if unbacked:
        raise ProdopsError(_unbacked(unbacked, files, folder))
    changes = write.plan(result.root, files, after, current)
    kept = [
        write.Change(ledger.rel, ledger.before, data)
        for _, ledger in sorted(ledgers.items())
        if (data := ledger.text()) != ledger.before and (ledger.before is not None or ledger.records)
    ]
    warnings = list(accounts.problems) if accounts is not None else []
    return Outcome(source, tally, changes, summary, kept, files, accounts, export.encoding, export.delimiter, warnings)


def _unbacked(unbacked: list[aggregate.Unbacked], files: dict[str, str], folder: str) -> str:
    """Why an import stops rather than add records to demand whose records are not known by id."""
    lines = [
        f"{files.get(insight, insight)}: demand of {source} {period} counts {count} records, "
        f"but {counted.rel_for(folder, source)} lists {ids} of them"
        for insight, source, period, count, ids in unbacked[:10]
    ]
    more = f"\n… and {len(unbacked) - 10} more" if len(unbacked) > 10 else ""
    months = " ".join(sorted({f"--replace {source}:{period}" for _, source, period, _, _ in unbacked}))
    return (
        "\n".join(lines)
        + more
        + "\nnothing was imported: adding to these months could count a record twice (they were imported"
        " before record ids were kept, or edited by hand)"
        + f"\n    hint: import each month's whole export once with {months}; later exports then only add"
    )


def _field_name(column: str) -> str:
    """A custom field's name for matching rules: "Product area" -> "product-area"."""
    return re.sub(r"[^a-z0-9]+", "-", column.lower()).strip("-")[:40] or "custom"


def _checked(
    records: Iterator[RawRecord | Unreadable],
    columns: tuple[str, ...],
    source: SourceMapping,
    file: str,
    positions: dict[str, int],
) -> Iterator[RawRecord | Unreadable]:
    """The records, once the export is known to have the columns the mapping reads (JSON: the first record's keys)."""
    if columns:
        mapping.check_columns(source, columns, file, positions)
        return records
    first = next(records, None)
    if first is None:
        return iter(())
    if isinstance(first, RawRecord):
        mapping.check_columns(source, list(first.fields), file)
    return itertools.chain([first], records)

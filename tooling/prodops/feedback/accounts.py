"""An accounts export (from the CRM or billing system): each account's revenue and segment.

Feedback is joined to it by account id, by web domain or by name, whichever the feedback
record has. The columns are recognised by their usual names (case and spacing aside).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prodops.diagnostics import ProdopsError
from prodops.feedback.accountmap import AccountsMapping, columns_for
from prodops.feedback.mapping import _domain, segment_of
from prodops.feedback.read import RawRecord, open_export

# Plain ASCII digits: float() also takes 'nan', 'inf', '1e999', '1_000' and any script's digits.
_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,20})?")
_COLUMNS = {
    "id": ("account_id", "account id", "id", "customer id", "customer_id"),
    "name": ("name", "account name", "account", "company", "company name", "customer"),
    "domain": ("domain", "website", "company domain", "web domain"),
    "arr": ("arr", "annual recurring revenue", "arr usd", "arr (usd)"),
    "segment": ("segment", "tier", "customer segment"),
}


@dataclass(frozen=True, slots=True)
class Account:
    key: str
    name: str
    arr: float
    segment: str
    id: str = ""  # as the accounts export spells it ("" when it joins by domain or name)


@dataclass
class Accounts:
    by_id: dict[str, Account] = field(default_factory=dict)
    by_domain: dict[str, Account] = field(default_factory=dict)
    by_name: dict[str, Account] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # rows that could not be read, with their lines

    def find(self, account_id: str, domain: str, name: str) -> Account | None:
        return (
            (self.by_id.get(account_id.lower()) if account_id else None)
            or (self.by_domain.get(domain) if domain else None)
            or (self.by_name.get(name.lower()) if name else None)
        )


def _squash(name: str) -> str:
    return re.sub(r"[\s_()-]+", " ", name.strip().lower()).strip()


def read_accounts(path: Path, segments: Sequence[str], mapping: AccountsMapping | None = None) -> Accounts:
    """The accounts in ``path``; a missing ARR column or no way to join is an error naming the columns.

    With ``mapping`` its columns are read; without, the usual names (but never 'Annual Revenue' for ARR).
    """
    export = open_export(path)
    columns = list(export.columns)
    if not columns:  # JSON: the columns are the keys of the first record
        first = next(export.records, None)
        if first is None or not isinstance(first, RawRecord):
            raise ProdopsError(f"{path}: the accounts export has no records")
        columns = list(first.fields)
        records = [first, *export.records]
    else:
        records = export.records  # type: ignore[assignment]
    if mapping is not None:
        found = columns_for(mapping, columns, str(path))
    else:
        found = {role: next((c for c in columns if _squash(c) in names), "") for role, names in _COLUMNS.items()}
    if not found.get("arr"):
        revenue = next((c for c in columns if _squash(c) in ("annual revenue", "annualrevenue")), "")
        raise ProdopsError(
            f"{path}:1: the accounts export has no ARR column (looked for: {', '.join(_COLUMNS['arr'])}); "
            f"its columns are: {', '.join(columns)}"
            + (
                f"\n    hint: '{revenue}' is the customer's own revenue, not the ARR they pay you; name the column "
                "holding ARR in an accounts mapping (--accounts-mapping, e.g. one that extends hubspot-companies)"
                if revenue
                else ""
            )
        )
    if not (found.get("id") or found.get("domain") or found.get("name")):
        raise ProdopsError(
            f"{path}:1: the accounts export has no column to join feedback on (an account id, domain or name); "
            f"its columns are: {', '.join(columns)}"
        )
    accounts = Accounts()
    for record in records:
        if not isinstance(record, RawRecord):
            accounts.problems.append(f"{path}: {record.where}: {record.reason}")
            continue
        cells = {role: str(record.fields.get(column, "")).strip() for role, column in found.items() if column}
        text = re.sub(r"[$,\s]|usd", "", cells.get("arr", "").lower())
        if text and _AMOUNT.fullmatch(text) is None:
            accounts.problems.append(
                f"{path}: {record.where}: {cells['arr'][:20]!r} in '{found['arr']}' is not an amount"
            )
            continue
        arr = float(text) if text else 0.0
        account_id, domain, name = cells.get("id", ""), _domain(cells.get("domain", "")), cells.get("name", "")
        key = f"id:{account_id.lower()}" if account_id else f"domain:{domain}" if domain else f"name:{name.lower()}"
        account = Account(key, name, arr, segment_of(cells.get("segment", ""), segments), account_id)
        if account_id:
            accounts.by_id[account_id.lower()] = account
        if domain:
            accounts.by_domain[domain] = account
        if name:
            accounts.by_name[name.lower()] = account
    return accounts

"""Accounts mappings: which column of a CRM's export is the account's id, domain, name, ARR and segment.

Shipped for HubSpot's companies export and Salesforce's accounts report; declare your own, or
name the ARR column of a shipped one, in ``[tool.prodops.feedback.sources.NAME]`` with
``extends = "hubspot-companies"``. A CRM's "Annual Revenue" is the customer's own turnover, not
the recurring revenue they pay you, so no column is ever taken for ARR by its name: a mapping
that names no ARR column is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from prodops.diagnostics import ProdopsError
from prodops.feedback.columns import closest
from prodops.settings import Invalid, Setting, check_table


@dataclass(frozen=True)
class AccountsMapping:
    """How one CRM's accounts export is read: role -> column ('' for none)."""

    name: str
    origin: str
    id: str = ""
    account: str = ""  # the account's name
    domain: str = ""
    arr: str = ""
    segment: str = ""

    def roles(self) -> dict[str, str]:
        return {
            role: column
            for role, column in (
                ("id", self.id),
                ("name", self.account),
                ("domain", self.domain),
                ("arr", self.arr),
                ("segment", self.segment),
            )
            if column
        }


ACCOUNTS: dict[str, AccountsMapping] = {
    m.name: m
    for m in (
        # HubSpot's companies export (CRM > Companies > Export): it has no ARR property of its own;
        # the column the portal keeps ARR in (a custom property) is named with extends.
        AccountsMapping(
            "hubspot-companies",
            "the shipped hubspot-companies mapping",
            id="Record ID",
            account="Company name",
            domain="Company Domain Name",
        ),
        # A Salesforce accounts report exported as CSV: ARR is a custom field there too.
        AccountsMapping(
            "salesforce-accounts",
            "the shipped salesforce-accounts mapping",
            id="Account ID",
            account="Account Name",
            domain="Website",
        ),
    )
}


def _column(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid
    return value


_SETTINGS: dict[str, Setting] = {
    "extends": Setting("extends", _column, "must name a shipped accounts mapping"),
    "id": Setting("id", _column, "must be text naming a column"),
    "name": Setting("account", _column, "must be text naming a column"),
    "domain": Setting("domain", _column, "must be text naming a column"),
    "arr": Setting("arr", _column, "must be text naming a column"),
    "segment": Setting("segment", _column, "must be text naming a column"),
}


def resolve_accounts(name: str, configured: Mapping[str, Mapping[str, Any]], config_source: str) -> AccountsMapping:
    """The accounts mapping ``--accounts-mapping NAME`` asks for; one naming no ARR column is refused."""
    table = configured.get(name)
    if table is None:
        if name not in ACCOUNTS:
            known = ", ".join(sorted({*ACCOUNTS, *(n for n, t in configured.items() if t.get("extends") in ACCOUNTS)}))
            raise ProdopsError(
                f"--accounts-mapping {name}: no such accounts mapping; known: {known} "
                f'(declare others in [tool.prodops.feedback.sources.{name}] with extends = "hubspot-companies")'
            )
        found = ACCOUNTS[name]
    else:
        where = (
            f"prodops.toml [feedback.sources.{name}]"
            if config_source == "prodops.toml"
            else f"{config_source.removesuffix(']')}.feedback.sources.{name}]"
        )
        base = table.get("extends")
        if base not in ACCOUNTS:
            raise ProdopsError(f"{where}: an accounts mapping extends one of {', '.join(ACCOUNTS)}")
        values = check_table(table, where, _SETTINGS)
        values.pop("extends", None)
        found = replace(ACCOUNTS[str(base)], name=name, origin=where, **values)
    if not found.arr:
        raise ProdopsError(
            f"{found.origin} names no ARR column: a CRM's 'Annual Revenue' is the customer's own revenue, not the "
            "ARR they pay you, so no column is taken for ARR unless named\n"
            f"    hint: declare [tool.prodops.feedback.sources.my-{found.name}] with "
            f'extends = "{found.name}" and arr = "THE COLUMN HOLDING ARR"'
        )
    if not (found.id or found.domain or found.account):
        raise ProdopsError(f"{found.origin}: names no column to join feedback on (id, domain or name)")
    return found


def columns_for(mapping: AccountsMapping, columns: Sequence[str], file: str) -> dict[str, str]:
    """role -> column, once the export is known to have every column the mapping names (one error otherwise)."""
    roles = mapping.roles()
    missing = [(role, column) for role, column in roles.items() if column not in columns]
    if missing:
        lines = [
            f"no column '{column}' (the '{role}' of {mapping.origin})"
            + (f"; the closest found is '{near}'" if (near := closest(column, columns)) else "; none found is close")
            for role, column in missing
        ]
        raise ProdopsError(
            f"{file}:1:1: the accounts export does not match {mapping.origin}: "
            + "; ".join(lines)
            + f"\n    expected: {', '.join(roles.values())}\n    found: {', '.join(columns)}"
        )
    return roles

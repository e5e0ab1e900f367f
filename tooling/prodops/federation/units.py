"""``[tool.prodops.federation]``: this repository's unit name and the units it reads, each pinned.

    [tool.prodops.federation]
    name = "company"                      # this repository, as a unit (names its contract)
    hide = ["roadmap-item.evidence"]      # fields kept out of this repository's contract

    [[tool.prodops.federation.units]]
    name = "payments"
    path = "../payments"                  # the unit's Git repository, relative to this one
    rev = "0123...cdef"                   # a full commit id: the revision its contract is read at

    [[tool.prodops.federation.units]]
    name = "billing"
    contract = "contracts/billing.json"   # a published contract inside this repository
    site = "https://billing.example.com/" # optional: the unit's own site, linked from the company site

A bad declaration is a ``ProdopsError`` naming the file and line of the unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from prodops.diagnostics import ProdopsError
from prodops.suggest import did_you_mean

UNIT_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
FULL_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNIT_KEYS = ("name", "path", "rev", "contract", "site")
_KEYS = ("name", "hide", "units")


@dataclass(frozen=True)
class Unit:
    """One unit this repository reads: its Git repository at a pinned revision, or a published contract."""

    name: str
    line: int  # where it is declared in the configuration file (0: unknown)
    path: str = ""
    rev: str = ""
    contract: str = ""
    site: str = ""  # the unit's own published site (https), linked from the company site


@dataclass(frozen=True)
class FederationConfig:
    name: str = ""
    hide: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()
    file: str = "pyproject.toml"  # the configuration file, for positions

    def unit(self, name: str) -> Unit | None:
        return next((u for u in self.units if u.name == name), None)


def _line_of(text: str, index: int, name: str | None) -> int:
    """The line declaring the ``index``-th unit: its ``[[...units]]`` header, else its ``name = "..."``, else the table's."""
    headers = [
        m.start() for m in re.finditer(r"^[ \t]*\[\[[ \t]*tool\.prodops\.federation\.units[ \t]*\]\]", text, re.M)
    ]
    if index < len(headers):
        return text.count("\n", 0, headers[index]) + 1
    if name is not None:
        found = re.search(r"""\bname[ \t]*=[ \t]*["']""" + re.escape(name) + r"""["']""", text)
        if found is not None:
            return text.count("\n", 0, found.start()) + 1
    header = text.find("[tool.prodops.federation")
    return text.count("\n", 0, header) + 1 if header >= 0 else 0


def _relative(value: Any, may_leave: bool) -> bool:
    """A relative POSIX path without surprises: no control characters, backslashes, empty or `.` parts;
    `..` only as leading parts (a sibling repository) and only when ``may_leave``."""
    if not isinstance(value, str) or not value or _CONTROL.search(value) or "\\" in value or len(value) > 400:
        return False
    path = PurePosixPath(value)
    if path.is_absolute() or value.startswith("~"):
        return False
    parts = value.split("/")
    leading = 0
    while leading < len(parts) and parts[leading] == "..":
        leading += 1
    rest = parts[leading:]
    if leading and not may_leave:
        return False
    return bool(rest) and all(p not in ("", ".", "..") for p in rest)


def read(table: Mapping[str, Any], source: str, text: str) -> FederationConfig:
    """``[tool.prodops.federation]`` read from ``source`` (whose whole text is ``text``)."""
    file = source.split(" ", 1)[0]
    where = f"{file} [tool.prodops.federation]" if file == "pyproject.toml" else f"{file} [federation]"
    for key in table:
        if key not in _KEYS:
            raise ProdopsError(
                f"{where}: unknown setting '{key}'{did_you_mean(str(key), _KEYS)} (known settings: {', '.join(_KEYS)})"
            )
    name = table.get("name", "")
    if name and (not isinstance(name, str) or not UNIT_NAME.fullmatch(name)):
        raise ProdopsError(
            f"{where}: 'name' must be a unit name: lower-case letters, digits and hyphens (got {name!r})"
        )
    hide = table.get("hide", [])
    if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
        raise ProdopsError(f"{where}: 'hide' must be a list of fields such as [\"roadmap-item.evidence\"]")
    raw_units = table.get("units", [])
    if not isinstance(raw_units, list) or not all(isinstance(u, dict) for u in raw_units):
        raise ProdopsError(f"{where}: 'units' must be tables such as [[tool.prodops.federation.units]]")
    units: list[Unit] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_units):
        unit = _unit(raw, index, file, text)
        if unit.name in seen or unit.name == name:
            raise ProdopsError(f"{file}:{unit.line}: unit '{unit.name}' is declared twice; give each unit its own name")
        seen.add(unit.name)
        units.append(unit)
    return FederationConfig(name=name, hide=tuple(hide), units=tuple(units), file=file)


def _unit(raw: Mapping[str, Any], index: int, file: str, text: str) -> Unit:
    name = raw.get("name")
    shown = name if isinstance(name, str) and UNIT_NAME.fullmatch(name) else None
    line = _line_of(text, index, shown)
    at = f"{file}:{line}: units[{index + 1}]" + (f" ('{shown}')" if shown else "")
    for key in raw:
        if key not in _UNIT_KEYS:
            raise ProdopsError(
                f"{at}: unknown setting '{key}'{did_you_mean(str(key), _UNIT_KEYS)} "
                f"(known settings: {', '.join(_UNIT_KEYS)})"
            )
    if shown is None:
        raise ProdopsError(
            f"{at}: 'name' must be a unit name: lower-case letters, digits and hyphens, at most 40 "
            f"(got {name!r}); it is how references name the unit, as NAME:ID"
        )
    path, rev, contract = raw.get("path"), raw.get("rev"), raw.get("contract")
    site = raw.get("site", "")
    if site != "" and (
        not isinstance(site, str)
        or not site.startswith("https://")
        or _CONTROL.search(site)
        or " " in site
        or '"' in site
        or len(site) > 400
    ):
        raise ProdopsError(
            f"{at}: 'site' must be the https address of the unit's own site, such as "
            f'"https://{shown}.example.com/" (got {str(site)[:80]!r})'
        )
    if (path is None) == (contract is None):
        raise ProdopsError(
            f"{at}: give either 'path' (the unit's Git repository) with 'rev', or 'contract' (a published contract file)"
        )
    if contract is not None:
        if rev is not None:
            raise ProdopsError(f"{at}: 'rev' pins a 'path'; a 'contract' file is pinned by its content")
        if not _relative(contract, may_leave=False):
            raise ProdopsError(
                f"{at}: 'contract' must be a relative path inside this repository, such as \"contracts/{shown}.json\" "
                f"(got {contract!r})"
            )
        return Unit(shown, line, contract=contract, site=site)
    if not _relative(path, may_leave=True):
        raise ProdopsError(
            f"{at}: 'path' must be a relative path to the unit's repository, such as \"../{shown}\" (got {path!r}); "
            "an absolute path would not be the same on another machine"
        )
    if not isinstance(rev, str) or not FULL_COMMIT.fullmatch(rev):
        raise ProdopsError(
            f"{at}: 'rev' must be a full commit id (40 hexadecimal digits; got {rev!r}); "
            "`prodops federate --update` pins the unit's current HEAD"
        )
    return Unit(shown, line, path=str(path), rev=rev, site=site)

"""Moving the units' pins: each path unit's ``rev`` to its repository's current HEAD.

What a move changes is the difference of the two contracts: ids added, removed, and changed
(a kind or a company-visible field). The pin is edited in place in the configuration file,
byte for byte (the quoted commit id on the unit's own lines, nothing else), and written atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from prodops import gitrev
from prodops.diagnostics import ProdopsError
from prodops.federation.check import contract_at
from prodops.federation.contract import Contract, parse
from prodops.federation.units import FULL_COMMIT, FederationConfig, Unit


@dataclass(frozen=True)
class Move:
    """One unit's pin: where it is, where HEAD is, and what the contract gains, loses and changes between them."""

    unit: str
    old: str
    new: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problem: str = ""  # why the unit could not be read (then nothing moves)
    contract: Contract | None = field(default=None, compare=False)


def head(root: Path, unit: Unit) -> str:
    repo = (root / unit.path).resolve()
    sha = gitrev.resolve(repo, "HEAD")
    if not FULL_COMMIT.fullmatch(sha):
        raise ProdopsError(f"unit '{unit.name}': HEAD of {unit.path} is not a commit")
    return sha


def diff(old: Contract, new: Contract) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Ids added, removed and changed (kind or record) from ``old`` to ``new``."""

    def canon(entry: tuple[str, Mapping[str, object]]) -> str:
        return json.dumps([entry[0], entry[1]], sort_keys=True, default=str)

    added = tuple(sorted(set(new.entities) - set(old.entities)))
    removed = tuple(sorted(set(old.entities) - set(new.entities)))
    changed = tuple(
        sorted(i for i in set(old.entities) & set(new.entities) if canon(old.entities[i]) != canon(new.entities[i]))
    )
    return added, removed, changed


def moves(root: Path, config: FederationConfig, today: date | None) -> list[Move]:
    """For each path unit whose HEAD is not its pin: the move and what it changes."""
    out: list[Move] = []
    for unit in config.units:
        if not unit.path:
            continue
        try:
            new_rev = head(root, unit)
            if new_rev == unit.rev:
                continue
            before = parse(contract_at(root, unit, unit.rev, today), unit.name)
            after = parse(contract_at(root, unit, new_rev, today), unit.name)
        except ProdopsError as exc:
            out.append(Move(unit.name, unit.rev, "", problem=str(exc)))
            continue
        if isinstance(before, str) or isinstance(after, str):
            out.append(Move(unit.name, unit.rev, "", problem=str(before if isinstance(before, str) else after)))
            continue
        out.append(Move(unit.name, unit.rev, new_rev, *diff(before, after), contract=after))
    return out


def edit_pins(text: str, config: FederationConfig, new: Mapping[str, str]) -> str:
    """``text`` with each unit's ``rev`` replaced by ``new[unit]``: the first quoted old commit id after its name."""
    lines = text.splitlines(keepends=True)
    for unit in config.units:
        if unit.name not in new:
            continue
        pinned = new[unit.name]
        quoted = re.compile(r"""(rev\s*=\s*)(["'])""" + re.escape(unit.rev) + r"\2")
        for index in range(max(unit.line - 1, 0), len(lines)):
            replaced, count = quoted.subn(rf"\g<1>\g<2>{pinned}\g<2>", lines[index], 1)
            if count:
                lines[index] = replaced
                break
        else:
            raise ProdopsError(f"{config.file}:{unit.line}: cannot find rev = \"{unit.rev}\" of unit '{unit.name}'")
    return "".join(lines)


def moved(config: FederationConfig, new: Mapping[str, str]) -> FederationConfig:
    """The configuration as it is once the pins are moved."""
    return replace(config, units=tuple(replace(u, rev=new.get(u.name, u.rev)) for u in config.units))

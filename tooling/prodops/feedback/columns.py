"""An export's header as a mapping reads it: custom-field names bare, repeated columns grouped.

Help desks and trackers decorate the names of custom fields: Zendesk writes ``Product area [list]``
or ``Plan [txt]``, Jira ``Custom field (Product area)``. A mapping names the field as people call
it (``Product area``), so the header is read with the decoration taken off, unless that would
make it another column's name. Jira repeats a column once per value (``Labels``, ``Sprint``,
``Comment``, ``Watchers``): a column the mapping declares multi-valued is read as the list of
its non-empty values, in order; any other repeated column is an error naming it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_SUFFIX = re.compile(r"^(?P<name>.+?)\s*\[[A-Za-z ]{1,20}\]$")  # Zendesk: "Name [list]", "Name [txt]"
_JIRA = re.compile(r"^Custom field \((?P<name>.+)\)$")  # Jira: "Custom field (Name)"


def bare(column: str) -> str:
    """A column's name without a custom-field decoration ('' when it has none)."""
    found = _JIRA.fullmatch(column) or _SUFFIX.fullmatch(column)
    return found.group("name").strip() if found else ""


@dataclass(frozen=True, slots=True)
class Header:
    """The header's columns as read: each name once, where it first stands, and the cells that hold it."""

    names: tuple[str, ...]  # in the order of first appearance
    cells: dict[str, tuple[int, ...]]  # name -> the indexes of its cells
    custom: frozenset[str]  # names that were custom fields in the export
    positions: dict[str, int]  # name -> the character column of its first cell on line 1


@dataclass(frozen=True, slots=True)
class Repeated:
    """A column that appears more than once but is not declared multi-valued."""

    name: str
    count: int
    position: int


def read_header(raw: Sequence[str], line: str, multi: frozenset[str]) -> Header | Repeated:
    """The header ``raw`` (the cells of ``line``) as a mapping reads it."""
    plain = set(raw)
    names: list[str] = []
    cells: dict[str, list[int]] = {}
    custom: set[str] = set()
    positions: dict[str, int] = {}
    offset = 0
    for index, column in enumerate(raw):
        at = line.find(column, offset) if column else -1
        if at >= 0:
            offset = at + len(column)
        name = column
        if (stripped := bare(column)) and stripped not in plain:
            name = stripped
            custom.add(name)
        if name not in cells:
            names.append(name)
            cells[name] = []
            positions[name] = at + 1 if at >= 0 else 1
        cells[name].append(index)
    for name in names:
        if len(cells[name]) > 1 and name and name not in multi:
            return Repeated(name, len(cells[name]), positions[name])
    return Header(tuple(names), {n: tuple(i) for n, i in cells.items()}, frozenset(custom), positions)


def row(header: Header, values: Sequence[str], multi: frozenset[str]) -> dict[str, str | list[str]]:
    """A row's cells by column name; a multi-valued column's are the list of its non-empty values."""
    out: dict[str, str | list[str]] = {}
    for name in header.names:
        indexes = header.cells[name]
        if name in multi:
            out[name] = [v for i in indexes if (v := values[i].strip())]
        else:
            out[name] = values[indexes[0]]
    return out


def closest(wanted: str, found: Sequence[str]) -> str:
    """The column of ``found`` most like ``wanted`` ('' when none is near), ignoring case."""
    lowered = {f.lower(): f for f in found}
    if wanted.lower() in lowered:
        return lowered[wanted.lower()]
    near = difflib.get_close_matches(wanted.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[near[0]] if near else ""

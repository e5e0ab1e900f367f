"""One checker for the tables of the configuration: each setting declared once, as key -> ``Setting``.

A table (``[tool.prodops]``, ``[tool.prodops.public]``, ``[tool.prodops.metrics]`` ...) is a dict
of ``Setting`` values built by the small constructors below (``whole``, ``number``, ``flag``,
``text``, ``texts``, ``table``, ``nested``). ``check_table`` reads a TOML table against it and
returns the values by dataclass field; the first wrong value is a ``ProdopsError`` that says
where (the file and table), which setting (its dotted name), what is wrong (what it must be, and
what it was) and, for an unknown key, the setting it most likely meant and every known one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from prodops.diagnostics import ProdopsError
from prodops.suggest import closest


class Invalid(Exception):
    """Raised by a check: the value does not fit.

    ``text`` (when given) replaces the setting's ``must``; it follows the setting's quoted name, or,
    with ``named=False``, stands alone after the table's name ("severity of PO411 must be ...").
    """

    def __init__(self, text: str = "", named: bool = True) -> None:
        super().__init__(text)
        self.text = text
        self.named = named


@dataclass(frozen=True)
class Setting:
    """One key of a table: the field it fills, how its value is checked, and what it must be."""

    attr: str  # the dataclass field the value fills
    check: Callable[[Any], Any]  # the value to keep; raises ``Invalid`` when it does not fit
    must: str  # what the value must be, as the message says it: "must be a whole number of days, at least 1"
    quote: bool = True  # whether the message quotes the wrong value: "(got -1)"
    # A table of its own, checked by its own reader: (table, where the parent is) -> the value to keep.
    nested: Callable[[Any, str], Any] | None = None


def check_table(
    table: Mapping[str, Any], where: str, settings: Mapping[str, Setting], prefix: str = ""
) -> dict[str, Any]:
    """The values of ``table`` by field; ``where`` names the table, ``prefix`` starts each key's dotted name."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        setting = settings.get(key)
        if setting is None:
            meant = closest(str(key), settings)  # the bare keys: a shared prefix would make every name look close
            hint = f" (did you mean '{prefix}{meant}'?)" if meant is not None else ""
            raise ProdopsError(
                f"{where}: unknown setting '{name}'{hint} (known settings: {', '.join(sorted(settings))})"
            )
        if setting.nested is not None:
            if not isinstance(value, dict):
                raise ProdopsError(f"{where}: '{name}' {setting.must}")
            values[setting.attr] = setting.nested(value, where)
            continue
        try:
            values[setting.attr] = setting.check(value)
        except Invalid as invalid:
            got = f" (got {value!r})" if setting.quote else ""
            text = invalid.text or f"{setting.must}{got}"
            raise ProdopsError(f"{where}: '{name}' {text}" if invalid.named else f"{where}: {text}") from None
    return values


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def whole(attr: str, minimum: int, unit: str = "") -> Setting:
    """A whole number (of ``unit``), ``minimum`` or more."""
    at_least = "0 or more" if minimum == 0 else f"at least {minimum}"

    def check(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise Invalid
        return value

    return Setting(attr, check, f"must be a whole number{f' of {unit}' if unit else ''}, {at_least}")


def number(attr: str, expect: str, low: float, high: float = math.inf, above: bool = False) -> Setting:
    """A number from ``low`` (or, with ``above``, beyond it) to ``high``, kept as a float."""

    def check(value: Any) -> float:
        if not _is_number(value) or not (value > low if above else value >= low) or value > high:
            raise Invalid
        return float(value)

    return Setting(attr, check, f"must be {expect}")


def flag(attr: str) -> Setting:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise Invalid
        return value

    return Setting(attr, check, "must be true or false")


def text(attr: str, expect: str, pattern: str = "", longest: int = 0, strip: bool = False) -> Setting:
    """Text that is not blank, matches ``pattern`` (whole) and has at most ``longest`` characters."""
    whole_match = re.compile(pattern) if pattern else None

    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise Invalid
        if (whole_match is not None and not whole_match.fullmatch(value)) or (longest and len(value) > longest):
            raise Invalid
        return value.strip() if strip else value

    return Setting(attr, check, f"must be {expect}")


def texts(attr: str, expect: str) -> Setting:
    """A list of text, kept as a tuple."""

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid
        return tuple(value)

    return Setting(attr, check, f"must be {expect}", quote=False)


def table(attr: str, must: str, check: Callable[[dict[str, Any]], Any] = dict) -> Setting:
    """A table (of what ``check`` accepts); ``must`` is the whole predicate: "must hold tables such as ..."."""

    def checked(value: Any) -> Any:
        if not isinstance(value, dict):
            raise Invalid
        return check(value)

    return Setting(attr, checked, must, quote=False)


def nested(attr: str, read: Callable[[Any, str], Any], example: str) -> Setting:
    """A sub-table (written as ``example``) with settings of its own, read by ``read(table, where the parent is)``."""
    return Setting(attr, lambda value: value, f"must be a table such as {example}", quote=False, nested=read)

"""Rules rolled out on a schedule: ``[tool.prodops.rules.CODE]`` tables of the configuration.

A standard that the organisation adopts is usually rolled out: a warning while teams catch up,
an error from a deadline on, and sometimes only for what is created after the standard exists::

    [tool.prodops.rules.PO421]
    severity = "warning"            # before error-from (default: the rule's own)
    error-from = 2027-01-15         # an error from this date on, judged by the date rules treat as today
    only-created-after = 2026-10-01 # only entities whose first commit is after this date
    start = 2026-10-01              # where the compliance report's burn-down begins

A rule with ``error-from`` or ``only-created-after`` is a *campaign* (``prodops report compliance``).
Every mistake is an error that names the file and the line of the table or the setting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prodops.diagnostics import ProdopsError
from prodops.suggest import closest

LEVELS = ("error", "warning", "info", "off")
KEYS = ("severity", "error-from", "only-created-after", "start")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Schedule:
    """How one rule is rolled out."""

    code: str
    severity: str = ""  # before ``error_from`` (empty: the rule's own, or [tool.prodops.severity]'s)
    error_from: date | None = None
    only_created_after: date | None = None
    start: date | None = None
    line: int = 0  # the line of its table in the configuration file (0: not known)

    @property
    def campaign(self) -> bool:
        """Whether this is a roll-out with a deadline or a cut-off, as the compliance report lists."""
        return self.error_from is not None or self.only_created_after is not None

    def severity_on(self, today: date, default: str) -> str:
        """The severity the rule has on ``today``: an error from ``error_from`` on, before it its own."""
        if self.error_from is not None and today >= self.error_from:
            return "error"
        return self.severity or default

    def applies(self, first_day: str | None) -> bool:
        """Whether an entity first committed on ``first_day`` (None: not committed yet) is judged."""
        if self.only_created_after is None or first_day is None:
            return True
        return first_day > self.only_created_after.isoformat()

    def describe(self) -> str:
        """The roll-out in words: "an error from 2027-01-15; only entities first committed after 2026-10-01"."""
        parts = [f"an error from {self.error_from.isoformat()}"] if self.error_from is not None else []
        if self.only_created_after is not None:
            parts.append(f"only entities first committed after {self.only_created_after.isoformat()}")
        return "; ".join(parts)

    def upcoming(self, today: date) -> str:
        """What a finding's hint adds before the deadline: when the rule becomes an error."""
        if self.error_from is None or today >= self.error_from:
            return ""
        return f"{self.code} becomes an error on {self.error_from.isoformat()}"


def read(table: Any, where: str, text: str, rules: Mapping[str, str], checks: Mapping[str, Any]) -> dict[str, Schedule]:
    """The schedules of ``[tool.prodops.rules]`` (``table``), checked against the rules known (code -> name).

    ``where`` names the configuration ("pyproject.toml [tool.prodops]"); ``text`` is the file's
    text, searched for the line of each table and setting.
    """
    file = where.split(" ", 1)[0]
    prefix = "tool.prodops.rules" if file != "prodops.toml" else "rules"
    out: dict[str, Schedule] = {}
    for code, value in table.items():
        head = _line(text, prefix, code)
        fail = partial(_fail, file, f"[{prefix}.{_name(code)}]", head)

        if code in checks:
            raise fail(f"{code} is a structural check; it cannot be scheduled (only process rules can)")
        if code not in rules:
            meant = closest(str(code), rules)
            hint = f" (did you mean '{meant}'?)" if meant is not None else ""
            raise fail(f"{_shown(code)} is not a process rule{hint}; `prodops rules` lists them")
        if not isinstance(value, dict):
            raise fail("must be a table such as [tool.prodops.rules.PO421] with error-from = 2027-01-15")
        values: dict[str, Any] = {}
        for key, setting in value.items():
            at = _line(text, prefix, code, key)
            if key not in KEYS:
                meant = closest(str(key), KEYS)
                hint = f" (did you mean '{meant}'?)" if meant is not None else ""
                raise fail(f"unknown setting {_shown(key)}{hint} (known settings: {', '.join(KEYS)})", at)
            if key == "severity":
                if setting not in LEVELS:
                    raise fail(f"'severity' must be one of {', '.join(LEVELS)} (got {_shown(setting)})", at)
                values["severity"] = setting
                continue
            day = _day(setting)
            if day is None:
                raise fail(f"'{key}' must be a date such as 2027-01-15 (got {_shown(setting)})", at)
            values[key.replace("-", "_")] = day
        schedule = Schedule(code=code, line=head, **values)
        if schedule.error_from is not None and schedule.severity == "error":
            raise fail(
                "'severity' is what the rule has before 'error-from': make it warning or info, or drop error-from",
                _line(text, prefix, code, "severity"),
            )
        if schedule.start is not None and schedule.error_from is not None and schedule.start > schedule.error_from:
            raise fail("'start' must not be after 'error-from'", _line(text, prefix, code, "start"))
        out[code] = schedule
    return out


def _fail(file: str, table: str, head: int, what: str, at: int = 0) -> ProdopsError:
    """The error for a mistake in ``table``, on the line of the setting (``at``) or else of the table."""
    line = at or head
    return ProdopsError(f"{file}:{line}: {table} {what}" if line else f"{file}: {table} {what}")


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):  # a TOML date-time: a deadline is a day
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _shown(value: Any) -> str:
    """A value as a message quotes it: ``repr`` (control characters escaped), at most 40 characters."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _name(code: str) -> str:
    """A table's code as the message's header names it: printable, at most 40 characters."""
    shown = repr(code)[1:-1]
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _line(text: str, prefix: str, code: str, key: str = "") -> int:
    """The line (1-based) of ``[PREFIX.CODE]`` or, with ``key``, of that key in it; 0 when not found."""
    parts = [re.escape(p) for p in prefix.split(".")]
    dotted = r"\s*\.\s*".join([*parts, re.escape(code)])
    header = re.compile(rf"\s*\[\s*{dotted}\s*\]")
    keyed = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=") if key else None
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if header.match(line):
            if keyed is None:
                return number
            inside = True
            continue
        if inside:
            if line.lstrip().startswith("["):
                inside = False
            elif keyed is not None and keyed.match(line):
                return number
    # An inline table (rules.PO421 = {...}, or PO421 = {...} under [tool.prodops.rules]): its line.
    loose = re.compile(rf"(^|[\s.\"]){re.escape(code)}\"?\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        if loose.search(line):
            return number
    return 0


def first_days(root: Path) -> dict[str, str]:
    """Each entity's first commit day (by the id it has now); empty outside Git (everything is then new)."""
    from prodops import history  # the history is read only when a schedule needs it

    try:
        index = history.load(root)
    except ProdopsError:
        return {}
    return {entity: index.commits[changes[0].commit].day for entity, changes in index.changes.items() if changes}

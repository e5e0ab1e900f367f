"""What a process rule is: a code, a rationale, a fix, a default severity and a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from prodops.calendar import Period
from prodops.catalog import Catalog
from prodops.config import Config
from prodops.diagnostics import JsonPath, Severity


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one place in one entity's file."""

    entity: str
    path: JsonPath
    message: str
    hint: str = ""
    at_key: bool = False


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    config: Config
    today: date

    @property
    def period(self) -> Period:
        """The period of the calendar's primary kind that today falls in."""
        return self.catalog.calendar.containing(self.today)

    def statuses(self, kind: str, *meanings: str, last: bool = False) -> str:
        """The status values of ``kind`` that mean one of ``meanings``, quoted for a hint.

        ``last``: only the last of them in the schema's enum (of a launch's ways to close without
        launching, rolled back and cancelled, the one a launch that never went out can take).
        """
        found = self.catalog.kinds.values_meaning(kind, *meanings) if self.catalog.kinds is not None else ()
        found = found[-1:] if last else found
        return " or ".join(f"'{v}'" for v in found) or f"a status that means {' or '.join(meanings)}"


@dataclass(frozen=True)
class Rule:
    """A process standard, checked on every pull request.

    ``rationale`` is one line on why the standard exists; ``fix`` says how to
    comply. Both appear in ``prodops rules`` and on the site.
    """

    code: str
    name: str
    severity: Severity
    rationale: str
    fix: str
    check: Callable[[Context], Iterable[Finding]]

"""Source mappings: which column of an export holds what, as data.

A mapping is a table: shipped defaults below for common export formats, or
``[tool.prodops.feedback.sources.NAME]`` in the repository's configuration (which may
``extends`` a default and change some columns). ``normalise`` turns a raw record into a
``Record`` with the fields matching and aggregation need, or a reason it cannot be used.

Columns that hold people (names, email addresses, phone numbers) are read only to be
scrubbed from quotes and, for an email address, to find the account's domain; they are
never kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from prodops import settings
from prodops.diagnostics import ProdopsError
from prodops.feedback import cells as cell
from prodops.feedback import columns as header_columns
from prodops.feedback import counted
from prodops.feedback.read import RawRecord
from prodops.feedback.source import SourceMapping
from prodops.feedback.tools import GENERIC, TOOLS
from prodops.settings import Invalid, Setting, check_table
from prodops.suggest import did_you_mean

# Addresses at these domains say nothing about the account a person works for.
FREE_MAIL = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com"}
    | {"proton.me", "protonmail.com", "aol.com", "gmx.de", "gmx.net", "web.de", "mail.com"}
)


DEFAULTS: dict[str, SourceMapping] = {m.name: m for m in (*GENERIC, *TOOLS)}


def _columns(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
        raise Invalid
    return tuple(items)


def _fields(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise Invalid
    return {str(k).lower(): v for k, v in value.items()}


def _column(allow_empty: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (not value and not allow_empty):
            raise Invalid
        return value

    return check


MAX_VOTE_DIGITS = 12  # more is no count of votes; int() of thousands of digits is refused
_COLUMN = "must be text naming a column"
# A source mapping's table, [tool.prodops.feedback.sources.NAME]: setting -> SourceMapping field.
_SETTINGS: dict[str, Setting] = {
    "extends": Setting("extends", _column(), "must name a shipped mapping"),  # checked against DEFAULTS first
    "text": Setting("text", _columns, "must be a column name or a list of them"),
    "date": Setting("date", _column(), _COLUMN),
    "id": Setting("id", _column(), _COLUMN),
    "account": Setting("account", _column(), _COLUMN),
    "account-id": Setting("account_id", _column(), _COLUMN),
    "domain": Setting("domain", _column(), _COLUMN),
    "email": Setting("email", _column(), _COLUMN),
    "segment": Setting("segment", _column(), _COLUMN),
    "tags": Setting("tags", _column(), _COLUMN),
    "tag-separator": Setting("tag_separator", _column(allow_empty=True), _COLUMN),
    "votes": Setting("votes", _column(), _COLUMN),
    "source-column": Setting("source_column", _column(), _COLUMN),
    "fields": Setting("fields", _fields, 'must be a table of field = "Column"'),
    "people": Setting("people", _columns, "must be a column name or a list of them"),
    "keep-account-names": settings.flag("keep_account_names"),
    "date-format": Setting("date_format", _column(), _COLUMN),
    "records": Setting("records", _column(), _COLUMN),
    "date-formats": Setting("date_formats", _columns, "must be a list of strptime formats, tried in order"),
    "multi": Setting("multi", _columns, "must be a column name or a list of them"),
    "optional": Setting("optional", _columns, "must be a column name or a list of them"),
    "comments": Setting("comments", _column(), _COLUMN),
    "custom-fields": settings.flag("custom_fields"),
    "html": settings.flag("html"),
    "custom-list": Setting("custom_list", _column(), _COLUMN),
}
SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def resolve(name: str, configured: Mapping[str, Mapping[str, Any]], config_source: str) -> SourceMapping:
    """The mapping ``--source NAME`` asks for: the repository's own, else a shipped default."""
    if not SOURCE_NAME.fullmatch(name):
        raise ProdopsError(
            f"--source {name!r}: a source name is lower-case letters, digits and hyphens (it is written into insight files)"
        )
    table = configured.get(name)
    if table is None:
        if name in DEFAULTS:
            return DEFAULTS[name]
        known = sorted({*DEFAULTS, *configured})
        raise ProdopsError(
            f"--source {name}: no such source mapping{did_you_mean(name, known)}; "
            f"known: {', '.join(known)} (declare others in [tool.prodops.feedback.sources.{name}])"
        )
    where = (
        f"prodops.toml [feedback.sources.{name}]"
        if config_source == "prodops.toml"
        else f"{config_source.removesuffix(']')}.feedback.sources.{name}]"
    )
    base_name = table.get("extends")
    if base_name is not None and base_name not in DEFAULTS:
        raise ProdopsError(f"{where}: 'extends' names {base_name!r}, not a shipped mapping ({', '.join(DEFAULTS)})")
    values = check_table(table, where, _SETTINGS)
    values.pop("extends", None)
    if base_name is not None:
        return replace(DEFAULTS[base_name], name=name, origin=where, **values)
    for needed in ("text", "date"):
        if needed not in values:
            raise ProdopsError(f"{where}: missing '{needed}' (the column holding the feedback's {needed})")
    return SourceMapping(name=name, origin=where, **values)


def check_columns(
    mapping: SourceMapping, columns: Sequence[str], file: str, positions: Mapping[str, int] | None = None
) -> None:
    """One error when the export lacks columns the mapping reads: each one missing with the closest found.

    CSV: the header is known up front; JSON: ``columns`` are the first record's keys.
    """
    present = set(columns)
    missing = [(setting, column) for setting, column in mapping.required_columns() if column in mapping.needed]
    missing = [(setting, column) for setting, column in missing if column not in present]
    if not missing:
        return
    near = {column: header_columns.closest(column, list(columns)) for _, column in missing}
    first = next((found for found in near.values() if found), "")
    where = (positions or {}).get(first, 1) if first else 1
    lines = [
        f"no column '{column}' (the '{setting}' of {mapping.origin})"
        + (f"; the closest found is '{near[column]}'" if near[column] else "; none found is close")
        for setting, column in missing
    ]
    setting = missing[0][0]
    own = (
        f"declare a source of your own: [tool.prodops.feedback.sources.my-{mapping.name}] with "
        f'extends = "{mapping.name}" and {setting} = "THE COLUMN"'
        if mapping.name in DEFAULTS and mapping.origin.startswith("the shipped")
        else f"set '{setting}' in {mapping.origin}"
    )
    expected = [c for _, c in mapping.required_columns() if c in mapping.needed]
    raise ProdopsError(
        f"{file}:1:{where}: the export does not match {mapping.origin}: "
        + "; ".join(lines)
        + f"\n    expected: {', '.join(dict.fromkeys(expected))}"
        + f"\n    found: {', '.join(columns)}"
        + f"\n    hint: rename the column in the export (is it the right mapping?), or {own}"
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One piece of feedback, normalised: what matching and aggregation read."""

    where: str
    day: date
    text: str
    source: str
    id: str  # how the record is told apart from others of its source (see ``counted``)
    account_key: str  # how the account is told apart: "id:…", "domain:…", "name:…", or "" for none
    account_name: str
    account_id: str
    domain: str
    segment: str
    tags: frozenset[str]
    votes: int
    fields: Mapping[str, str]
    people: tuple[str, ...]  # names and addresses to scrub from the quote


@dataclass(frozen=True, slots=True)
class Rejected:
    where: str
    reason: str


def normalise(raw: RawRecord, mapping: SourceMapping, segments: Sequence[str]) -> Record | Rejected:
    """A raw record as a ``Record``, or why it cannot be used."""
    cells = raw.fields
    if not mapping.needed.issubset(cells):
        missing = [c for _, c in mapping.required_columns() if c in mapping.needed and c not in cells]
        return Rejected(raw.where, f"no field '{missing[0]}' (the record has: {', '.join(sorted(cells)) or 'nothing'})")
    if mapping.columns - mapping.needed - cells.keys():
        cells = {**{c: "" for c in mapping.columns}, **cells}  # an optional column the export does not have
    bodies, authors = cell.comments(cells[mapping.comments]) if mapping.comments else ((), ())
    text = " — ".join(t for c in mapping.text if (t := cell.text(cells[c]))) if mapping.text else ""
    text = " — ".join(t for t in (text, *bodies) if t)
    if mapping.html:
        text = cell.plain(text)
    if not text:
        return Rejected(raw.where, f"no feedback text in {' or '.join(repr(c) for c in mapping.text)}")
    shown_day = cell.text(cells[mapping.date])
    day = parse_date(shown_day, *mapping.formats)
    if day is None:
        return Rejected(
            raw.where,
            f"{shown_day[:40]!r} in '{mapping.date}' is not a date"
            + (
                f" in the form {' or '.join(mapping.formats)}"
                if mapping.formats
                else " (expected YYYY-MM-DD, an ISO 8601 time or a Unix time)"
            ),
        )
    votes = 0
    if mapping.votes:
        shown = cell.text(cells[mapping.votes])
        if shown:
            if not (shown.isascii() and shown.isdigit()):  # isdigit() alone takes '²' and '١٢'
                return Rejected(raw.where, f"{shown[:20]!r} in '{mapping.votes}' is not a number of votes")
            if len(shown) > MAX_VOTE_DIGITS:
                return Rejected(
                    raw.where,
                    f"'{mapping.votes}' has {len(shown):,} digits; a number of votes has at most {MAX_VOTE_DIGITS}",
                )
            votes = int(shown)
    account_name = cell.text(cells[mapping.account]) if mapping.account else ""
    account_id = cell.text(cells[mapping.account_id]) if mapping.account_id else ""
    domain = _domain(cell.text(cells[mapping.domain])) if mapping.domain else ""
    emails = cell.text(cells[mapping.email]) if mapping.email else ""
    if not domain and "@" in emails:
        found = emails.rsplit("@", 1)[1].strip().lower().rstrip(">")
        domain = "" if found in FREE_MAIL else found
    key = (
        f"id:{account_id.lower()}"
        if account_id
        else f"domain:{domain}"
        if domain
        else f"name:{account_name.lower()}"
        if account_name
        else ""
    )
    source = mapping.name
    if mapping.source_column:
        named = re.sub(r"[^a-z0-9]+", "-", cell.text(cells[mapping.source_column]).lower()).strip("-")[:40]
        source = named or source
    tags: frozenset[str] = frozenset()
    if mapping.tags:
        value = cells[mapping.tags]
        parts = (
            [cell.named(v) for v in value]
            if isinstance(value, list)
            else str(value).split(mapping.tag_separator or None)
        )
        tags = frozenset(t.strip().lower() for t in parts if str(t).strip())
    people = (
        tuple(p for c in person_columns(mapping, tuple(cells)) if (p := cell.text(cells[c])))
        + authors
        + ((emails,) if emails else ())
    )
    if mapping.id:
        own = cell.text(cells[mapping.id])
        if not own:
            return Rejected(raw.where, f"no record id in '{mapping.id}' (each record is counted once, by its id)")
        record_id = counted.record_id(own)
    else:
        record_id = counted.content_id(text, day.isoformat(), key, *people)
    return Record(
        where=raw.where,
        day=day,
        text=text,
        source=source,
        id=record_id,
        account_key=key,
        account_name=account_name,
        account_id=account_id,
        domain=domain,
        segment=segment_of(cell.text(cells[mapping.segment]), segments) if mapping.segment else "",
        tags=tags,
        votes=votes,
        fields={
            **{name: cell.text(cells[column]).lower() for name, column in mapping.fields.items()},
            **(cell.custom(cells[mapping.custom_list]) if mapping.custom_list else {}),
        },
        people=people,
    )


# Words in a column's name that say it holds a person, and words that say it holds something else.
PERSON_WORDS = frozenset(
    {"requester", "requestor", "submitter", "assignee", "author", "contact", "customer", "owner", "user", "agent"}
    | {"reporter", "creator", "sender", "recipient", "respondent", "person", "caller", "cc", "champion", "surname"}
    | {"participants", "participant", "approvers", "approver", "watchers", "watcher"}  # Jira Service Management
)
# "Name" alone, or a person's name ("Full name", "First name"); not "Feature name".
NAME_WORDS = frozenset({"name", "full", "first", "last", "given", "family", "display"})
NOT_PERSON_WORDS = frozenset(
    {"company", "organization", "organisation", "org", "account", "business", "domain", "product", "team", "group"}
    | {"board", "file", "tag", "tags", "plan", "segment", "id", "email", "phone", "url", "event", "source"}
)


def person_columns(mapping: SourceMapping, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns whose values are people: the mapping's ``people``, and those recognised by their name
    (Requester, Submitter, Contact name, Customer…) that the mapping reads for nothing else."""
    return _person_columns(mapping.people, mapping.columns, columns)


@functools.lru_cache(maxsize=256)
def _person_columns(declared: tuple[str, ...], read: frozenset[str], columns: tuple[str, ...]) -> tuple[str, ...]:
    found = [c for c in declared if c in columns]
    for column in columns:
        if column in read or column in found:
            continue
        words = set(re.findall(r"[a-z]+", column.lower()))
        named = "name" in words and words <= NAME_WORDS
        if (named or words & PERSON_WORDS) and not words & NOT_PERSON_WORDS:
            found.append(column)
    return tuple(found)


def _domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0]
    return value.removeprefix("www.")


def segment_of(value: str, segments: Sequence[str]) -> str:
    """A source's segment label as one of the schema's segments ('Mid Market' -> 'mid-market'), or ''."""
    squashed = re.sub(r"[^a-z0-9]", "", value.lower())
    for segment in segments:
        if re.sub(r"[^a-z0-9]", "", segment) == squashed:
            return segment
    return ""


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?)?",
    re.ASCII,  # \d would take any script's digits, which int() reads as ours
)


def parse_date(value: str, *formats: str) -> date | None:
    """The day of a timestamp: in the first of ``formats`` it matches, else ISO 8601 (in UTC when it has
    an offset) or a Unix time when no format is given."""
    value = value.strip()
    if not value:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except (ValueError, OverflowError):
            continue
    if formats:
        return None
    try:
        if value.isascii() and value.isdigit() and 9 <= len(value) <= 13:
            seconds = int(value) / (1000 if len(value) == 13 else 1)
            return datetime.fromtimestamp(seconds, UTC).date()
        match = _ISO.fullmatch(value)
        if match is None:
            return None
        if match.group(7) and match.group(7) not in ("Z", "UTC"):
            stamp = value.replace(" ", "T", 1)
            return datetime.fromisoformat(stamp).astimezone(UTC).date()
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except (ValueError, OverflowError, OSError):
        return None

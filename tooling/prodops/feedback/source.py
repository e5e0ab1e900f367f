"""A source mapping as a value: which column of an export holds what (see ``mapping`` for reading one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceMapping:
    """How one source's export is read."""

    name: str
    origin: str  # where the mapping is declared, for messages
    text: tuple[str, ...]  # columns joined into the record's text (a title and a body)
    date: str
    id: str = (
        ""  # the record's own id (ticket id, post id); without one, a record is told apart by a hash of its content
    )
    account: str = ""  # the account's name
    account_id: str = ""
    domain: str = ""  # a column holding the account's web domain
    email: str = ""  # a person's email address: only its domain is used, to find the account
    segment: str = ""
    tags: str = ""
    tag_separator: str = ","
    votes: str = ""
    source_column: str = ""  # a column naming the source of each record (a generic export of several)
    fields: Mapping[str, str] = field(default_factory=dict)  # field name for matching rules -> column
    people: tuple[str, ...] = ()  # columns holding people's names: scrubbed from quotes, never kept
    keep_account_names: bool = False
    date_format: str = ""  # strptime format when dates are not ISO 8601 or a Unix time
    records: str = ""  # JSON: the key of the list of records
    # Formats tried in order (strptime), for tools whose dates depend on the instance ("3/Nov/20 12:17 PM").
    date_formats: tuple[str, ...] = ()
    multi: tuple[str, ...] = ()  # columns read as lists: repeated once per value (Jira), or a JSON list
    optional: tuple[str, ...] = ()  # columns read when the export has them (a field nobody filled is left out)
    comments: str = ""  # a column of "date;author;body" comments (Jira): bodies join the text, authors are scrubbed
    custom_fields: bool = False  # every custom field of the export ("Name [list]") is a field for matching rules
    custom_list: str = ""  # JSON: a list of {"id": …, "value": …} custom fields, each a field "custom-ID"
    html: bool = False  # the text is rich text (HTML): read as plain text
    json: SourceMapping | None = None  # how the tool's JSON export of the same records is read
    columns: frozenset[str] = field(init=False, repr=False, compare=False)  # every column read
    needed: frozenset[str] = field(init=False, repr=False, compare=False)  # the columns an export must have

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", frozenset(c for _, c in self.required_columns()))
        object.__setattr__(self, "needed", self.columns - set(self.optional))

    @property
    def formats(self) -> tuple[str, ...]:
        """The date formats to try, in order (none: ISO 8601 or a Unix time)."""
        return self.date_formats or ((self.date_format,) if self.date_format else ())

    def required_columns(self) -> list[tuple[str, str]]:
        """(setting, column) of every column this mapping reads."""
        named = [("text", c) for c in self.text] + [("date", self.date)]
        for setting in (
            "id",
            "account",
            "account_id",
            "domain",
            "email",
            "segment",
            "tags",
            "votes",
            "source_column",
            "comments",
            "custom_list",
        ):
            column = getattr(self, setting)
            if column:
                named.append((setting.replace("_", "-"), column))
        named += [(f"fields.{name}", column) for name, column in self.fields.items()]
        named += [("people", column) for column in self.people]
        return named

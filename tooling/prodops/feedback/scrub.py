"""Take personal data out of text before any of it is kept: email addresses, phone numbers, names.

What is removed: every email address; every run of 7 to 15 digits written like a phone number
(a leading +, spaces, dots, hyphens, brackets; not an ISO date); the names and addresses of the
people the record names (the mapping's ``people`` columns), whole and word by word; and the
name after a greeting or a sign-off ("Hi Dana", "Thanks, Dana Whitfield"). Over-scrubbing is
the safe side: a quote loses a word rather than keep a person.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?![\w])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GREETING = re.compile(
    r"\b((?i:Hi|Hello|Hey|Dear|Thanks|Thank you|Regards|Best|Cheers|Kind regards|Best regards|Many thanks|Sincerely))"
    r"([,!.]?\s+)([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)"
)
QUOTE_LENGTH = 200


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if not 7 <= digits <= 15 or _ISO_DATE.fullmatch(text.strip()):
        return text
    return "(phone)"


def scrub(text: str, people: Iterable[str] = ()) -> str:
    """``text`` without email addresses, phone numbers and the names given or greeted."""
    if "@" in text:
        text = EMAIL.sub("(email)", text)
    text = PHONE.sub(_phone, text)
    names = _names(tuple(people))
    if names is not None:
        text = names.sub("(name)", text)
    text = _GREETING.sub(_greeted, text)
    return _REPEATED.sub("(name) ", text) if "(name)" in text else text


_REPEATED = re.compile(r"(?:\(name\)\s*){2,}")


def _greeted(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}(name)"


@functools.lru_cache(maxsize=4096)
def _names(people: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the people a record names, whole and word by word (the same people recur)."""
    names: set[str] = set()
    for person in people:
        person = EMAIL.sub("", person).strip()
        if len(person) >= 2:
            names.add(person)
            names.update(part for part in re.split(r"[\s,]+", person) if len(part) >= 3)
    if not names:
        return None
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


def quote(text: str, people: Iterable[str] = ()) -> str:
    """A short one-line quote of ``text``, scrubbed, cut at a word near ``QUOTE_LENGTH`` characters."""
    line = " ".join(scrub(text, people).split())
    if len(line) <= QUOTE_LENGTH:
        return line
    cut = line.rfind(" ", 0, QUOTE_LENGTH - 1)
    return line[: cut if cut > QUOTE_LENGTH // 2 else QUOTE_LENGTH - 1].rstrip(" ,.;:—-") + "…"

"""Take personal data out of text before any of it is kept: email addresses, phone numbers, names.

Text is compared in its compatibility form (Unicode NFKC) first, so a full-width ``＠`` or
digit, a non-breaking hyphen or space is what it looks like. What is removed: every email
address (in any script); every number of 7 or more digits written like a phone number (a
leading +, spaces, dots, brackets, any dash; not an ISO date), two numbers run together
("020 7946 0958 / 020 7946 0959") each, and a run too long for one number whole; the names
of every person the export names in a person column (``mapping.people`` and the columns
recognised as people), whole and part by part (a part of two letters only capitalised), in any
case and with or without accents, from the text of every record of the export; and
the name after a greeting or a sign-off ("Hi Łukasz", "Thanks, Dana Whitfield"). Over-scrubbing
is the safe side: a quote loses a word rather than keep a person.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.%+'’-]+@[\w-]+(?:\.[\w-]+)+")
# Every dash a number may be written with (NFKC leaves U+2010 to U+2015 and U+2212 alone).
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
PHONE = re.compile(rf"(?<![\w+])\+?\(?\d[\d\s().{_DASHES}/]{{5,}}\d(?!\w)")
_ISO_DATE = re.compile(rf"\d{{4}}[{_DASHES}]\d{{2}}[{_DASHES}]\d{{2}}")
_RUN_TOGETHER = re.compile(r"(\s*/\s*)")
_GREETING = re.compile(
    r"\b((?i:Hi|Hello|Hey|Dear|Thanks|Thank you|Regards|Best|Cheers|Kind regards|Best regards|Many thanks|Sincerely))"
    r"([,!.:]?\s+)([^\W\d_][\w'’-]*)(\s+[^\W\d_][\w'’-]*)?"
)
_WORD = re.compile(r"\w+")
_REPEATED = re.compile(r"\(name\)(?:[\s\-\u2010]*\(name\))+")
# Parts of names that alone name nobody ("Ní", "van", "de"): not removed on their own.
PARTICLES = frozenset({"de", "da", "di", "du", "la", "le", "el", "al", "van", "von", "der", "den", "del", "dos", "das"})
PARTICLES |= frozenset({"bin", "ibn", "ni", "nic", "mac", "mc", "ter", "ten", "y", "e", "o"})
QUOTE_LENGTH = 200


def fold(text: str) -> str:
    """``text`` as names are compared: compatibility form, no accents, no case."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _spaceless(text: str) -> bool:
    """Written in a script without spaces between words (Chinese, Japanese, Thai…): matched anywhere."""
    return not text.isascii() and any(
        unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI", "HANGUL")) for c in text
    )


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7 or _ISO_DATE.fullmatch(text.strip()):
        return text
    if digits <= 15:
        return "(phone)"
    pieces = _RUN_TOGETHER.split(text)
    if len(pieces) == 1:
        return "(phone)"  # too long for one number, and no person's number is kept for being long
    return "".join(piece if i % 2 else _piece(piece) for i, piece in enumerate(pieces))


def _piece(text: str) -> str:
    digits = sum(ch.isdigit() for ch in text)
    return text if digits < 7 or _ISO_DATE.fullmatch(text.strip()) else "(phone)"


def _greeted(match: re.Match[str]) -> str:
    name, more = match.group(3), match.group(4)
    if not name[0].isupper():
        return match.group(0)  # "Thanks for…": no name
    tail = "" if more is None or more.strip()[0].isupper() else more
    return f"{match.group(1)}{match.group(2)}(name){tail}"


class Names:
    """The people an export names, to remove from its text: grows as the export is read."""

    def __init__(self, people: Iterable[str] = ()) -> None:
        self._people: set[str] = set()
        self._words: frozenset[str] = frozenset()
        self._capitalised: frozenset[str] = frozenset()
        self._anywhere: re.Pattern[str] | None = None
        self._stale = False
        self.add(people)

    def add(self, people: Iterable[str]) -> None:
        new = {p for p in people if p and p not in self._people}
        if new:
            self._people |= new
            self._stale = True

    def _compile(self) -> None:
        words: set[str] = set()
        short: set[str] = set()
        anywhere: set[str] = set()
        for person in self._people:
            person = EMAIL.sub(" ", unicodedata.normalize("NFKC", person)).strip()
            if _spaceless(person):
                anywhere.update(p for p in person.split() if len(p) >= 2)
            for part in _WORD.findall(fold(person)):
                if part in PARTICLES or part.isdigit():
                    continue
                (words if len(part) >= 3 else short).add(part)
        self._words = frozenset(words)
        self._capitalised = frozenset(short)
        ordered = sorted(anywhere, key=len, reverse=True)
        self._anywhere = re.compile("|".join(re.escape(a) for a in ordered)) if ordered else None
        self._stale = False

    def remove(self, text: str) -> str:
        """``text`` with every name, and every part of one, replaced by ``(name)``."""
        if self._stale:
            self._compile()
        if self._anywhere is not None:
            text = self._anywhere.sub("(name)", text)
        if not self._words and not self._capitalised:
            return text
        return _WORD.sub(self._word, text)

    def _word(self, match: re.Match[str]) -> str:
        word = match.group(0)
        if word == "name":
            return word
        folded = fold(word)
        if folded in self._words or (folded in self._capitalised and word[0].isupper()):
            return "(name)"
        return word


def scrub(text: str, people: Iterable[str] | Names = ()) -> str:
    """``text`` without email addresses, phone numbers, the names given (or ``Names``) and the names greeted."""
    text = unicodedata.normalize("NFKC", text)
    if "@" in text:
        text = EMAIL.sub("(email)", text)
    text = PHONE.sub(_phone, text)
    names = people if isinstance(people, Names) else _names(tuple(people))
    text = names.remove(text)
    text = _GREETING.sub(_greeted, text)
    return _REPEATED.sub("(name)", text) if "(name)" in text else text


@functools.lru_cache(maxsize=4096)
def _names(people: tuple[str, ...]) -> Names:
    """The names of one record's people (the same people recur)."""
    return Names(people)


def quote(text: str, people: Iterable[str] | Names = ()) -> str:
    """A short one-line quote of ``text``, scrubbed, cut at a word near ``QUOTE_LENGTH`` characters."""
    line = " ".join(scrub(text, people).split())
    if len(line) <= QUOTE_LENGTH:
        return line
    cut = line.rfind(" ", 0, QUOTE_LENGTH - 1)
    return line[: cut if cut > QUOTE_LENGTH // 2 else QUOTE_LENGTH - 1].rstrip(" ,.;:—-") + "…"

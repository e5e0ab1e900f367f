"""A content file's bytes as text to edit, and edited text back as bytes of the same form.

Edits work on UTF-8 text with LF line breaks: the offsets the parser reports are offsets in
that text, and the splices in ``edit`` write LF. A file's form (a UTF-8 byte-order mark, CRLF
line breaks) is noted when it is read and put back when it is written, so an edit changes
no byte it does not mean to. A file that could not be written back exactly (UTF-16, another
encoding, a NUL byte, mixed line breaks) is refused before anything is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from prodops import loader
from prodops.diagnostics import ProdopsError

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Form:
    """How a file's text is stored: with or without a byte-order mark, LF or CRLF line breaks."""

    bom: bool = False
    newline: Literal["\n", "\r\n"] = "\n"

    def encode(self, text: str) -> bytes:
        """Text with LF line breaks as the bytes of a file of this form."""
        if self.newline == "\r\n":
            text = text.replace("\n", "\r\n")
        return (BOM if self.bom else b"") + text.encode("utf-8")


def decode(raw: bytes, rel: str) -> tuple[str, Form]:
    """A file's bytes as text with LF line breaks, and its form; ProdopsError if it cannot be edited exactly."""
    text, problem = loader.decode(raw, rel)
    if text is None:
        where = f"{rel}:{problem.line}:{problem.column}" if problem is not None and problem.line else rel
        what = problem.message if problem is not None else "the file cannot be read as UTF-8"
        hint = f"\n    hint: {problem.hint}" if problem is not None and problem.hint else ""
        raise ProdopsError(f"{where}: {what}; prodops edits only UTF-8 files, so it was not changed{hint}")
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    if cr or (crlf and lf):
        counts = ", ".join(f"{n} {name}" for n, name in ((crlf, "CRLF"), (lf, "LF"), (cr, "bare CR")) if n)
        raise ProdopsError(
            f"{rel}: the file mixes line breaks ({counts}); prodops keeps a file's line breaks as they are "
            "and cannot tell which to use, so it was not changed\n"
            "    hint: convert the file to one kind of line break (LF, as the repository's other files), then run the command again"
        )
    form = Form(raw.startswith(BOM), "\r\n" if crlf else "\n")
    return (text.replace("\r\n", "\n") if crlf else text), form

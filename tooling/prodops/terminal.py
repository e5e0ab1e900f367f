"""The one place prodops writes text for a person: what every command prints, on stdout or stderr.

Output carries text from Git (author names, commit subjects) and from files (titles, imported
cells), and a terminal, or a CI log viewer, obeys the control sequences in it: ``ESC [2K CR``
erases the line before it, ``ESC ]8;;`` hides a link behind other text, a bidirectional
override makes a line read backwards. So ``echo`` writes each C0 control (but line feed, tab
and the carriage return of a CRLF line end), DEL, each C1 control, the Unicode line and
paragraph separators and the bidirectional overrides and isolates as a visible ``\\uXXXX``
escape, which is also what JSON reads back as the same character. A module that prints calls
``echo``, never ``click.echo`` (``tests/test_terminal.py`` holds the package to that).
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

import click

_CONTROL = re.compile("\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The one sequence prodops writes itself: a colour (Select Graphic Rendition), and only in styled text.
_COLOUR = re.compile("(\x1b\\[[0-9;]*m)")


def clean(text: str) -> str:
    """``text`` with every character that could drive a terminal written as a visible escape."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(
    message: str | int | None = None, *, err: bool = False, nl: bool = True, styled: bool = False, exact: bool = False
) -> None:
    """Write ``message`` to stdout (or stderr), cleaned; ``styled`` keeps the colours a reporter added.

    A styled text's own pieces must already be escaped (``report.visible``): only colour
    sequences survive, never a sequence that moves the cursor or rewrites a line. ``exact``
    is for data a program asked for byte for byte (``--raw-csv``): written as it is into a pipe
    or a file, and cleaned all the same on a terminal.
    """
    if message is None or isinstance(message, int):
        click.echo(message, err=err, nl=nl)
        return
    if exact and not _is_terminal(sys.stderr if err else sys.stdout):
        click.echo(message, err=err, nl=nl, color=True)  # color=True: click strips nothing either
        return
    if styled:
        text = "".join(part if i % 2 else clean(part) for i, part in enumerate(_COLOUR.split(message)))
    else:
        text = clean(message)
    click.echo(text, err=err, nl=nl)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # a closed stream
        return False

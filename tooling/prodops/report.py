"""The only code that prints diagnostics: text (GCC style), json, GitHub annotations and SARIF."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Callable, Sequence
from typing import IO

import click

from prodops.diagnostics import Diagnostic

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def use_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """A one-line note on a terminal for work that takes longer than ``delay`` seconds, erased when done.

    Nothing is written when the stream is not a terminal (CI logs, pipes) or NO_COLOR is set.
    """

    def __init__(self, stream: IO[str], message: str, delay: float = 1.0) -> None:
        import threading

        self.stream = stream
        self.message = message
        self.shown = False
        self.enabled = bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")
        self.timer = threading.Timer(delay, self._show)
        self.timer.daemon = True

    def _show(self) -> None:
        self.stream.write(f"{self.message}…")
        self.stream.flush()
        self.shown = True

    def __enter__(self) -> Progress:
        if self.enabled:
            self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def summary(diagnostics: Sequence[Diagnostic], files: int, rules_checked: bool = True) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not errors and not warnings:
        line = f"{checked}: no problems"
    else:
        line = (
            f"{checked}: {errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
        )
    if not rules_checked:
        # With PATHS, the errors that hold the rules back may all be in other files.
        line += (
            " (process rules run once these errors are fixed)"
            if errors
            else " (process rules were not run: other files have errors; `prodops validate` lists them)"
        )
    return line


# Characters that would break a one-line-per-problem report or drive the terminal: C0 and
# C1 controls, DEL, the Unicode line and paragraph separators and the bidirectional
# overrides (which can make a line read as something else).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """``text`` with each control character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``)."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")

    return _INVISIBLE.sub(escape, text)


def render_text(diagnostics: Sequence[Diagnostic], files: int, rules_checked: bool, colour: bool = False) -> str:
    return render_lines(diagnostics, colour) + summary(diagnostics, files, rules_checked) + "\n"


def render_lines(diagnostics: Sequence[Diagnostic], colour: bool = False) -> str:
    """One line per diagnostic (with its excerpt and hint), without the summary line."""
    lines: list[str] = []
    for d in diagnostics:
        name = visible(d.file)
        where = f"{name}:{d.line}:{d.column}" if d.line else name
        severity = click.style(d.severity, fg=_COLOURS[d.severity], bold=True) if colour else d.severity
        lines.append(f"{where}: {severity} {d.code} {visible(d.message)}")
        lines.extend(f"    {visible(row)}" for row in d.excerpt)
        if d.hint:
            lines.append(f"    hint: {visible(d.hint)}")
    return "".join(line + "\n" for line in lines)


def render_notices(notices: Sequence[str]) -> str:
    """Notes about a run rather than the content (a cache that was not used), one line each."""
    return "".join(f"prodops: warning: {visible(notice)}\n" for notice in notices)


def render_broken(diagnostics: Sequence[Diagnostic], shown: int = 3) -> str:
    """One line for a command that read around errors: the files left out, a few by name.

    A file with a load (PO1xx) or schema (PO2xx) error has no model, so readers leave it out;
    an error of another stage (a reference to a file left out) leaves its file in.
    """
    errors = [d for d in diagnostics if d.severity == "error"]
    left_out = sorted({d.file for d in errors if d.code.startswith(("PO1", "PO2"))})
    elsewhere = sum(d.file not in left_out for d in errors)
    named = ", ".join(visible(f or "the repository") for f in left_out[:shown])
    more = f" and {len(left_out) - shown} more" if len(left_out) > shown else ""
    noun = "file" if len(left_out) == 1 else "files"
    parts = [f"left out {len(left_out)} {noun} with errors ({named}{more})"] if left_out else []
    if elsewhere:
        parts.append(f"{elsewhere} other error(s)")
    return f"prodops: warning: {'; '.join(parts)}; showing the rest (`prodops validate` lists the errors)"


def render_json(diagnostics: Sequence[Diagnostic], files: int, rules_checked: bool, colour: bool = False) -> str:
    return (
        json.dumps(
            [
                {
                    "file": d.file,
                    "line": d.line,
                    "column": d.column,
                    "severity": d.severity,
                    "code": d.code,
                    "message": d.message,
                    "hint": d.hint,
                }
                for d in diagnostics
            ],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def _escape_data(text: str) -> str:
    """A workflow command's data: % and line breaks encoded as the runner expects, other controls made visible."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], files: int, rules_checked: bool, colour: bool = False) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in diagnostics:
        props = [f"file={_escape_property(d.file)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.column}"]
        props.append(f"title={_escape_property(d.code)}")
        message = d.message + (f"\n{d.hint}" if d.hint else "")
        lines.append(f"::{level[d.severity]} {','.join(props)}::{_escape_data(message)}")
    lines.append(summary(diagnostics, files, rules_checked))
    return "\n".join(lines) + "\n"


def render_sarif(diagnostics: Sequence[Diagnostic], files: int, rules_checked: bool, colour: bool = False) -> str:
    """SARIF 2.1.0 for code scanning: every check is a rule, every diagnostic a result."""
    from prodops import __version__
    from prodops.codes import CHECKS
    from prodops.rules import REGISTRY

    docs = [(c.code, c.name, c.rationale, c.fix, c.severity) for c in CHECKS.values()]
    docs += [(r.code, r.name, r.rationale, r.fix, r.severity) for r in REGISTRY.values()]
    level = {"error": "error", "warning": "warning", "info": "note"}
    rules = [
        {
            "id": code,
            "name": name,
            "shortDescription": {"text": rationale},
            "help": {"text": fix},
            "defaultConfiguration": {"level": level[severity]},
        }
        for code, name, rationale, fix, severity in docs
    ]
    results = []
    for d in diagnostics:
        # A URI reference: a space, %, #, ? or a control character in a file name is percent-encoded.
        uri = urllib.parse.quote(d.file, safe="/")
        location: dict[str, object] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
        if d.line:
            location["region"] = {"startLine": d.line, "startColumn": max(d.column, 1)}
        results.append(
            {
                "ruleId": d.code,
                "level": level[d.severity],
                "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
                "locations": [{"physicalLocation": location}],
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "prodops", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


REPORTERS: dict[str, Callable[[Sequence[Diagnostic], int, bool, bool], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}


def caused(warnings: Sequence[Diagnostic]) -> str:
    """What a written change newly causes anywhere: one line per warning and a closing line ("" for none)."""
    if not warnings:
        return ""
    lines = [f"{visible(d.file)}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}" for d in warnings]
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    lines.append(f"prodops: the change adds {count} (above); it was written")
    return "\n".join(lines) + "\n"

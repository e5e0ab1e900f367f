"""Diagnostics: the one value every stage returns when something is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Diagnostic:
    """One problem, pinned to a place in a file.

    ``line`` and ``column`` are 1-based; 0 means "the file as a whole".
    ``excerpt`` holds numbered source lines around the mistake, for parse errors.
    """

    severity: Severity
    code: str
    message: str
    file: str
    line: int = 0
    column: int = 0
    path: JsonPath = ()
    hint: str = ""
    excerpt: tuple[str, ...] = field(default=(), compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def format_json_path(path: JsonPath) -> str:
    """Render a JSON path the way a PM reads it: ``key_results[1].target``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def excerpt(text: str, line: int, column: int, context: int = 2) -> tuple[str, ...]:
    """Numbered source lines around ``line`` (1-based) with a caret under ``column``."""
    lines = text.splitlines()
    if not lines or line < 1:
        return ()
    start = max(1, line - context)
    end = min(len(lines), line + context)
    width = len(str(end))
    out: list[str] = []
    for number in range(start, end + 1):
        source = lines[number - 1] if number - 1 < len(lines) else ""
        if len(source) > 200:
            source = source[:200] + "…"
        out.append(f"{number:>{width}} | {source}")
        if number == line and column >= 1:
            pad = min(column - 1, 200)
            out.append(f"{'':>{width}} | {' ' * pad}^")
    return tuple(out)


class ProdopsError(Exception):
    """A user-facing error that stops a command (bad configuration, bad arguments)."""

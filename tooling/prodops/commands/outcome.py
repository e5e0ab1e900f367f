"""What a written change reports: the problems that stopped it, or what it changed and newly causes (shared by the writing commands)."""

from __future__ import annotations

import sys

from prodops import authoring, report, terminal
from prodops.cli import EXIT_PROBLEMS
from prodops.diagnostics import Diagnostic


def finish(outcome: authoring.Outcome, what: str) -> None:
    """Print what a write did (or the problems that stopped it, then exit 1)."""
    if outcome.problems:
        files = sorted({d.file for d in outcome.problems})
        terminal.echo(report.render_lines(outcome.problems), nl=False, err=True)
        count = len(outcome.problems)
        where = "" if files == [outcome.rel] else f" ({plural(count, 'error')} in {plural(len(files), 'file')})"
        if outcome.moved_to is not None:
            what = f"{what} (and renaming the file to {outcome.moved_to}: an id is its file name)"
        terminal.echo(f"prodops: {outcome.rel} was not changed: {what} would add the problems above{where}", err=True)
        if outcome.breaks:
            terminal.echo(
                f"prodops: {plural(len(outcome.breaks), 'of them is a reference', 'of them are references')} "
                "to the old value; run the command again with --update-references to update them in the same change",
                err=True,
            )
        sys.exit(EXIT_PROBLEMS)
    if not outcome.changed:
        terminal.echo(f"{outcome.rel}: already so, nothing written")
        return
    terminal.echo(f"{outcome.rel}: {what}")
    if outcome.moved_to is not None:
        terminal.echo(f"{outcome.rel}: renamed to {outcome.moved_to}")
    for rel in outcome.updated:
        terminal.echo(f"{rel}: references updated")
    caused(outcome.caused)


def caused(warnings: list[Diagnostic]) -> None:
    """Say what a written change newly causes anywhere, one line each (written all the same)."""
    if warnings:
        terminal.echo(report.caused(warnings), nl=False)


def plural(count: int, one: str, many: str | None = None) -> str:
    """``count`` and the noun in the matching number."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"

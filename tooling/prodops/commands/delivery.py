"""The delivery commands: ``prodops delivery import FILE --source jira|github|linear``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from prodops import report, terminal
from prodops.cli import EXIT_PROBLEMS, load_valid, root_option, today_option
from prodops.commands.outcome import plural
from prodops.delivery import importer, read
from prodops.delivery.read import Source
from prodops.diagnostics import Diagnostic
from prodops.feedback.write import apply

SHOWN_SKIPPED = 20


@click.group(name="delivery")
def delivery_group() -> None:
    """Delivery progress: read tracker exports (Jira, GitHub, Linear) into the roadmap items that name the work.

    Example: prodops delivery import jira-export.csv --source jira
    """


@delivery_group.command(name="import")
@click.argument("export", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--source",
    required=True,
    type=click.Choice(read.SOURCES),
    help="The tracker FILE comes from: jira (Export > CSV, all fields), github (gh issue list --json ... or the REST API's issues), linear (Export > CSV).",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@root_option
@today_option
def import_delivery(export: Path, source: Source, dry_run: bool, root: Path | None, today: date | None) -> None:
    """Read a tracker export into the progress of the roadmap items whose delivery: names its tickets.

    An item's progress (tickets and story points done and in all, the last activity) is written
    into the item, and its tickets with their dates into roadmap/delivery/ID.csv. A ticket counts
    for an item that names it, its epic or parent, its GitHub milestone or its Linear project.
    Done is the tracker's own: Jira's status category Done, GitHub's closed, Linear's completed or
    canceled. Every row is counted as matched, unmatched or skipped (with its line and the reason);
    importing the same export twice writes nothing the second time.

    Example: prodops delivery import exports/jira-2026-12-01.csv --source jira --dry-run
    """
    result = load_valid(root, today, why="delivery progress is imported into a repository without errors")
    try:
        found = read.read(export, source)
    except read.ExportError as exc:
        problem = Diagnostic("error", "PO150", exc.reason, str(export), exc.line, exc.column)
        terminal.echo(report.render_lines([problem]), nl=False, err=True)
        terminal.echo(f"prodops: {export} was not imported; nothing was written", err=True)
        sys.exit(EXIT_PROBLEMS)
    outcome = importer.match(result.catalog.items.values(), found)
    changes = importer.plan(result.root, result.catalog, source, outcome)
    for skipped in outcome.skipped[:SHOWN_SKIPPED]:
        terminal.echo(f"{export}: {skipped.where}: skipped: {skipped.reason}", err=True)
    if len(outcome.skipped) > SHOWN_SKIPPED:
        terminal.echo(f"{export}: … and {len(outcome.skipped) - SHOWN_SKIPPED:,} more skipped", err=True)
    terminal.echo(
        f"{plural(outcome.rows, 'row')} read: {len(outcome.matched):,} matched to "
        f"{plural(len(outcome.items), 'item')}, {len(outcome.unmatched):,} unmatched, "
        f"{len(outcome.skipped):,} skipped"
    )
    rels = [c.rel for c in changes]
    if dry_run:
        terminal.echo(f"would write {plural(len(rels), 'file')}" + "".join(f"\n  {rel}" for rel in rels))
        return
    if not changes:
        terminal.echo("nothing changed: the items already show what this export says")
        return
    errors, caused = apply(result.root, changes, result.today)
    if errors:
        terminal.echo(report.render_lines(errors), nl=False, err=True)
        terminal.echo("prodops: no file was changed: the import would add the problems above", err=True)
        sys.exit(EXIT_PROBLEMS)
    terminal.echo(f"wrote {plural(len(rels), 'file')}" + "".join(f"\n  {rel}" for rel in rels))
    if caused:
        terminal.echo(report.caused(caused), nl=False)

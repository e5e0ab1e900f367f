"""Report commands that speak to people: ``report status`` (the weekly update in words) and ``report answered``."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import click

from prodops import history, report, terminal
from prodops.cli import format_option, load_readable, root_option, today_option
from prodops.commands.history import as_since
from prodops.diagnostics import ProdopsError
from prodops.notify.settings import site_url
from prodops.pipeline import Result
from prodops.status import answered, html, markdown, plain, update, words
from prodops.status.message import Message
from prodops.suggest import closest

WRITERS = {"markdown": markdown.write, "html": html.write, "text": plain.write}


def window(since: int | date, today: date | None) -> tuple[date, date]:
    """``--since`` (days back, or a date) as (first day, last day); a start after today is a usage error."""
    until = today or date.today()
    start = since if isinstance(since, date) else until - timedelta(days=since)
    if start > until:
        raise click.BadParameter(f"{start.isoformat()} is after {until.isoformat()}", param_hint="'--since'")
    return start, until


def history_or_none(root: Path) -> history.Index | None:
    """The history index, or None (said on stderr) where there is no Git history: the update then has no changes."""
    try:
        with report.Progress(sys.stderr, "prodops: reading the history"):
            index = history.load(root)
    except ProdopsError as exc:
        terminal.echo(f"prodops: warning: {exc}; the update lists no changes", err=True)
        return None
    terminal.echo(report.render_notices(index.notices), nl=False, err=True)
    return index


def scope_of(result: Result, team: str | None, objective: str | None) -> tuple[update.Scope, str]:
    """Which update: a team's, an objective's, or (neither given) the organisation's; an unknown id is an error."""
    if team is not None and objective is not None:
        raise click.UsageError("give --team or --objective, not both")
    for given, known, what in (
        (team, result.catalog.teams, "team"),
        (objective, result.catalog.objectives, "objective"),
    ):
        if given is not None and given not in known:
            meant = closest(given, known)
            hint = f" (did you mean '{meant}'?)" if meant else ""
            raise ProdopsError(f"no {what} '{given}'{hint}; known: {', '.join(sorted(known)) or 'none'}")
    if team is not None:
        return "team", team
    if objective is not None:
        return "objective", objective
    return "organisation", "organisation"


def status_message(
    result: Result, index: history.Index | None, scope: update.Scope, key: str, start: date, until: date
) -> Message:
    """The update of ``key`` as a ``Message`` with links under the site's address."""
    found = update.compute(result.catalog, result.config, result.diagnostics, index, scope, key, start, until)
    return words.message(found).linked(site_url(result.root, result.config.notify))


@click.command(name="status")
@click.option("--team", help="The team's update (default: the whole organisation's).")
@click.option("--objective", help="One objective's update: its key results, and the work and launches behind them.")
@click.option("--since", default="7d", show_default=True, callback=as_since, help="How far back: days (7d) or a date.")
@format_option(["markdown", "html", "text"])
@root_option
@today_option
def report_status(
    team: str | None, objective: str | None, since: int | date, fmt: str, root: Path | None, today: date | None
) -> None:
    """The status update a product manager would send: shipped, slipped, key results, risks and demand answered.

    Key results by title with their value change, pace, confidence change and last check-in
    note; people by name; links to the site's pages (``site-url`` of [tool.prodops.notify], or
    mkdocs.yml's ``site_url``; relative without either).

    Example: prodops report status --team payments --since 7d > status.md
    """
    start, until = window(since, today)
    result = load_readable(root, until, use_cache=True)
    scope, key = scope_of(result, team, objective)
    index = history_or_none(result.root)
    terminal.echo(WRITERS[fmt](status_message(result, index, scope, key, start, until)), nl=False)


@click.command(name="answered")
@click.option(
    "--since", default="30d", show_default=True, callback=as_since, help="How far back: days (30d) or a date."
)
@format_option(["markdown", "html", "text"])
@root_option
@today_option
def report_answered(since: int | date, fmt: str, root: Path | None, today: date | None) -> None:
    """Per account, the customer insights answered by items that shipped or launched: for customer success to follow up.

    Accounts by id (and by name where the feedback mapping keeps names); no personal data.

    Example: prodops report answered --since 30d > follow-ups.md
    """
    start, until = window(since, today)
    result = load_readable(root, until, use_cache=True)
    index = history_or_none(result.root)
    found = answered.message(result.catalog, index, start, until)
    terminal.echo(WRITERS[fmt](found.linked(site_url(result.root, result.config.notify))), nl=False)

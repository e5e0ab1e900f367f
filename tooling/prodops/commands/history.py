"""History commands: an entity's timeline, the stakeholder digest, the quarter report, and states as of a date."""

from __future__ import annotations

import difflib
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from prodops import (
    calibration,
    history,
    historytext,
    historyview,
    kinds,
    query,
    releasetext,
    report,
    scoretext,
    scoring,
)
from prodops.builtin_kinds import BUILTIN
from prodops.cli import (
    DATE,
    as_date,
    cli,
    complete_ids,
    format_option,
    load_readable,
    resolve_root,
    root_option,
    today_option,
)
from prodops.config import load_config
from prodops.diagnostics import ProdopsError
from prodops.model import Period
from prodops.schemas import load_schemas
from prodops.sources import SCHEMA_DIR
from prodops.states import MeaningOf


def _index(root: Path | None) -> history.Index:
    repo = resolve_root(root)
    with report.Progress(sys.stderr, "prodops: reading the history"):
        index = history.load(repo)
    click.echo(report.render_notices(index.notices), nl=False, err=True)
    return index


def _meaning(root: Path | None) -> MeaningOf:
    """What each status of the repository's schemas means (``x-prodops-states``)."""
    return kinds.registry(load_schemas(resolve_root(root) / SCHEMA_DIR)).meaning


def _known(index: history.Index, entity: str) -> None:
    if entity not in index.changes:
        close = difflib.get_close_matches(entity, list(index.changes), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ProdopsError(f"no entity '{entity}' in the history since {index.begins or 'the first commit'}{hint}")


def _commit_at(index: history.Index, day: date) -> int:
    at = historyview.commit_at(index, day)
    if at is None:
        begins = f"begins on {index.begins}" if index.begins else "has no commit that changed content"
        raise ProdopsError(f"nothing is known as of {day.isoformat()}: the history here {begins}")
    return at


def show_as_of(root: Path | None, entity: str, day: date) -> str:
    """``prodops show ID --as-of DAY``."""
    index = _index(root)
    _known(index, entity)
    change = historyview.change_at(index, entity, _commit_at(index, day))
    if change is None or change.state is None:
        what = "did not exist yet" if change is None else "had been removed"
        raise ProdopsError(f"'{entity}' {what} on {day.isoformat()}")
    return historytext.as_of(index, entity, day, change)


def list_as_of(root: Path | None, kind: str, day: date, fmt: str, escape_csv: bool, **only: str | None) -> str:
    """``prodops list KIND --as-of DAY``: the kind's entities as they were, filtered on the fields the history keeps."""
    builtin = BUILTIN.get(kind)
    if builtin is None or not builtin.history_columns:
        kept = [BUILTIN[k].plural for k in history.TRACKED]
        raise ProdopsError(f"the history keeps {', '.join(kept[:-1])} and {kept[-1]}, not '{kind}'")
    index = _index(root)
    rows = historytext.list_rows(historyview.states_at(index, _commit_at(index, day), kind))
    for key, wanted in only.items():
        if wanted is not None:
            rows = [row for row in rows if row.get(key) == wanted]
    columns = builtin.history_columns
    rows = [{column: row[column] for column in columns} for row in rows]
    return query.format_rows(rows, fmt, columns, escape_csv=escape_csv)


@cli.command(name="history")
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@root_option
def history_command(entity_id: str, root: Path | None) -> None:
    """Print every change Git holds of an entity's status, horizon, due date and key results, and how its due date moved.

    Example: prodops history usage-based-billing
    """
    index = _index(root)
    _known(index, entity_id)
    click.echo(historytext.timeline(index, entity_id), nl=False)


def as_since(ctx: click.Context, param: click.Parameter, text: str) -> Any:
    """Click callback: ``7d`` (days back from today) or a date (YYYY-MM-DD); anything else is a usage error."""
    shown = text if len(text) <= 24 else text[:20] + "…"
    match = re.fullmatch(r"([0-9]{1,5})d?", text.strip())
    if match is not None:
        return int(match.group(1))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{shown!r} is neither a number of days (7d) nor a date (YYYY-MM-DD)") from None


@cli.command()
@click.option("--since", default="7d", show_default=True, callback=as_since, help="How far back: days (7d) or a date.")
@root_option
@today_option
def digest(since: int | date, root: Path | None, today: date | None) -> None:
    """What moved to now, slipped, shipped or launched, and which key results changed confidence, by team (Markdown).

    Example: prodops digest --since 7d > weekly.md
    """
    until = today or date.today()
    start = since if isinstance(since, date) else until - timedelta(days=since)
    if start > until:
        raise click.BadParameter(f"{start.isoformat()} is after {until.isoformat()}", param_hint="'--since'")
    index = _index(root)
    events = historyview.digest(index, start, until, _meaning(root))
    click.echo(historytext.digest(index, events, start, until), nl=False)


def as_period(ctx: click.Context, param: click.Parameter, text: str | None) -> Period | None:
    """Click callback: a quarter written YYYY-QN."""
    if text is None:
        return None
    if re.fullmatch(r"[0-9]{4}-Q[1-4]", text) is None:
        raise click.BadParameter(f"{text[:24]!r} is not a quarter; write it like 2026-Q3")
    return Period.parse(text)


@click.command(name="quarter")
@click.option("--period", callback=as_period, help="The quarter, YYYY-QN (default: the one before today's).")
@root_option
@today_option
def report_quarter(period: Period | None, root: Path | None, today: date | None) -> None:
    """Say/do per team (work in now at the quarter's start that shipped by its end) and slips, from Git (Markdown).

    Example: prodops report quarter --period 2026-Q3 > q3-review.md
    """
    if period is None:
        current = Period.containing(today or date.today())
        period = Period.containing(current.start - timedelta(days=1))
    index = _index(root)
    click.echo(historytext.quarter_report(index, historyview.quarter(index, period, _meaning(root))), nl=False)


@click.command(name="calibration")
@root_option
@today_option
def report_calibration(root: Path | None, today: date | None) -> None:
    """How the confidence given at key-result check-ins in past quarters compared with outcomes, from Git (Markdown).

    A calibration table by confidence band and a Brier score per team; a key result is reached
    when its final progress on the quarter's last day is 1.0.

    Example: prodops report calibration > calibration.md
    """
    repo = resolve_root(root)
    index = _index(repo)
    scores = [scoring.score(index, p) for p in scoring.past_periods(index, today or date.today())]
    found = calibration.calibrate(scores, load_config(repo))
    click.echo(scoretext.calibration_report(found, index.begins), nl=False)


@click.command(name="release-notes")
@click.option(
    "--since",
    "since",
    type=DATE,
    callback=as_date,
    help="Only launches generally available on or after this date (YYYY-MM-DD).",
)
@format_option(["markdown", "html"])
@root_option
@today_option
def report_release_notes(since: date | None, fmt: str, root: Path | None, today: date | None) -> None:
    """Release notes from shipped launches: each launched launch, newest first, with its customer-facing release_note.

    Example: prodops report release-notes --since 2026-07-01 > changelog.md
    """
    result = load_readable(root, today, use_cache=True)
    if fmt == "html":
        click.echo(releasetext.release_notes_html(result.catalog, since), nl=False)
    else:
        click.echo(releasetext.release_notes(result.catalog, since), nl=False)


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    callback=as_date,
    help="As it was at the last commit on or before this date (YYYY-MM-DD), from Git's history.",
)

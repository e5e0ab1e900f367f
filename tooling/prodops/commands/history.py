"""History commands: an entity's timeline, the stakeholder digest, the period review report, and states as of a date."""

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
    commitdates,
    history,
    historytext,
    historyview,
    kinds,
    query,
    releasetext,
    report,
    scoretext,
    scoring,
    terminal,
)
from prodops.builtin_kinds import BUILTIN
from prodops.calendar import Period
from prodops.cli import (
    DATE,
    PERIOD,
    as_date,
    complete_ids,
    format_option,
    load_readable,
    resolve_root,
    root_option,
    today_option,
)
from prodops.config import load_config
from prodops.diagnostics import ProdopsError
from prodops.schemas import load_schemas
from prodops.sources import SCHEMA_DIR
from prodops.states import MeaningOf


def _index(root: Path | None) -> history.Index:
    repo = resolve_root(root)
    with report.Progress(sys.stderr, "prodops: reading the history"):
        index = history.load(repo)
    terminal.echo(report.render_notices(index.notices), nl=False, err=True)
    return index


def _meaning(root: Path | None) -> MeaningOf:
    """What each status of the repository's schemas means (``x-prodops-states``)."""
    return kinds.registry(load_schemas(resolve_root(root) / SCHEMA_DIR)).meaning


def _known(index: history.Index, entity: str) -> str:
    """The entity (by the id it has now) that is or once was called ``entity``; an error when none was."""
    names = historyview.ever_named(index)
    if entity not in names:
        close = difflib.get_close_matches(entity, list(names), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ProdopsError(f"no entity '{entity}' in the history since {index.begins or 'the first commit'}{hint}")
    return names[entity]


def _commit_at(index: history.Index, day: date) -> int:
    at = historyview.commit_at(index, day)
    if at is None:
        begins = f"begins on {index.begins}" if index.begins else "has no commit that changed content"
        raise ProdopsError(f"nothing is known as of {day.isoformat()}: the history here {begins}")
    return at


def show_as_of(root: Path | None, entity: str, day: date) -> str:
    """``prodops show ID --as-of DAY``."""
    index = _index(root)
    now = _known(index, entity)
    at = _commit_at(index, day)
    found = historyview.named_at(index, entity, at) or now  # the id of that date first, then today's
    change = historyview.change_at(index, found, at)
    if change is None or change.state is None:
        what = "did not exist yet" if change is None else "had been removed"
        raise ProdopsError(f"'{entity}' {what} on {day.isoformat()}")
    return historytext.as_of(index, found, day, change)


def list_as_of(root: Path | None, kind: str, day: date, fmt: str, escape_csv: bool, **only: str | None) -> str:
    """``prodops list KIND --as-of DAY``: the kind's entities as they were, filtered on the fields the history keeps."""
    builtin = BUILTIN.get(kind)
    if builtin is None or not builtin.history_columns:
        kept = [BUILTIN[k].plural for k in history.TRACKED]
        raise ProdopsError(f"the history keeps {', '.join(kept[:-1])} and {kept[-1]}, not '{kind}'")
    index = _index(root)
    rows = historytext.list_rows(historyview.states_at(index, _commit_at(index, day), kind), index.calendar)
    for key, wanted in only.items():
        if key == "period" and wanted is not None:
            period = index.calendar.parse(wanted)
            if period is None:
                raise click.BadParameter(f"{wanted[:24]!r} is not {index.calendar.describe()}", param_hint="'--period'")
            wanted = str(period)
        if wanted is not None:
            rows = [row for row in rows if row.get(key) == wanted]
    columns = builtin.history_columns
    rows = [{column: row[column] for column in columns} for row in rows]
    return query.format_rows(rows, fmt, columns, escape_csv=escape_csv)


@click.command(name="history")
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@root_option
def history_command(entity_id: str, root: Path | None) -> None:
    """Print every change Git holds of an entity's status, horizon, due date and key results, and how its due date moved.

    Example: prodops history usage-based-billing
    """
    index = _index(root)
    terminal.echo(historytext.timeline(index, _known(index, entity_id)), nl=False)


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


@click.command(name="check-dates")
@click.argument("revisions", metavar="BASE..HEAD")
@root_option
@click.pass_context
def check_dates(ctx: click.Context, revisions: str, root: Path | None) -> None:
    """Fail when a commit along the first parents of BASE..HEAD is dated before the commit it follows, or in the future.

    The history counts such a commit on another day (a backdated one could rewrite a closed
    period); CI runs this on the commits a pull request brings.

    Example: prodops check-dates origin/main..HEAD
    """
    found = commitdates.check(resolve_root(root), revisions)
    for bad in found:
        terminal.echo(f"prodops: error: {bad.message()}", err=True)
    if found:
        ctx.exit(1)


@click.command()
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
    terminal.echo(historytext.digest(index, events, start, until), nl=False)


def _review_command(name: str, doc: str) -> click.Command:
    """The period review under ``name``: ``review`` fits every cadence, ``quarter`` stays for existing scripts."""

    @click.command(name=name, help=doc)
    @click.option(
        "--period",
        type=PERIOD,
        help="The period, as the calendar writes it: 2026-Q3 (any case; default: the one before today's).",
    )
    @root_option
    @today_option
    def review(period: Period | None, root: Path | None, today: date | None) -> None:
        index = _index(root)
        calendar = index.calendar
        chosen = period if period is not None else calendar.previous(calendar.containing(today or date.today()))
        terminal.echo(historytext.quarter_report(index, historyview.quarter(index, chosen, _meaning(root))), nl=False)

    return review


_REVIEW_HELP = """Say/do per team (work in now at the period's start that shipped by its end) and slips, from Git (Markdown).

{also}

Example: prodops report review --period 2026-Q3 > q3-review.md
"""
report_review = _review_command(
    "review", _REVIEW_HELP.format(also="Also `prodops report quarter`, its name before cadences were declared.")
)
report_quarter = _review_command(
    "quarter", _REVIEW_HELP.format(also="Also `prodops report review`, the name that fits every cadence.")
)


@click.command(name="calibration")
@root_option
@today_option
def report_calibration(root: Path | None, today: date | None) -> None:
    """How the confidence given at key-result check-ins in past periods compared with outcomes, from Git (Markdown).

    A calibration table by confidence band and a Brier score per team; a key result is reached
    when its final progress on its period's last day is 1.0 (periods as the calendar declares them).

    Example: prodops report calibration > calibration.md
    """
    repo = resolve_root(root)
    index = _index(repo)
    scores = [scoring.score(index, p) for p in scoring.past_periods(index, today or date.today())]
    found = calibration.calibrate(scores, load_config(repo))
    terminal.echo(scoretext.calibration_report(found, index.begins, index.calendar.noun), nl=False)


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
        terminal.echo(releasetext.release_notes_html(result.catalog, since), nl=False)
    else:
        terminal.echo(releasetext.release_notes(result.catalog, since), nl=False)


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    callback=as_date,
    help="As it was at the last commit on or before this date (YYYY-MM-DD), from Git's history.",
)

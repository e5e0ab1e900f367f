"""Feedback commands: ``prodops feedback import`` and ``prodops report feedback``."""

from __future__ import annotations

import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import click

from prodops import report, terminal
from prodops.cli import EXIT_PROBLEMS, as_days, format_option, load_readable, load_valid, root_option, today_option
from prodops.commands.outcome import plural
from prodops.feedback import importer, mapping, triage, unmatched, write
from prodops.feedback.importer import Outcome

SHOWN_REJECTIONS = 20


@click.group(name="feedback")
def feedback_group() -> None:
    """Customer feedback: import exports of support, idea-board, feedback-tool and survey tools into insights.

    Example: prodops feedback import tickets.csv --source support-desk --unmatched triage.md
    """


class _Progress:
    """A progress bar on stderr, only on a terminal and only once an import has taken more than a second."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.started = time.monotonic()
        self.bar: Any = None
        self.shown = 0
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            self.bar = click.progressbar(length=self.total, label="importing", file=sys.stderr)
            self.bar.__enter__()
        step = min(done, self.total) - self.shown
        if step > 0:
            self.bar.update(step)
            self.shown += step

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _replaced(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for value in values:
        name, _, period = value.rpartition(":")
        if not mapping.SOURCE_NAME.fullmatch(name) or not _MONTH.fullmatch(period):
            raise click.BadParameter(
                f"{value!r}: write SOURCE:YYYY-MM, e.g. support-desk:2026-09 (the source as written in the insights' demand)",
                ctx,
                param,
            )
        out.append((name, period))
    return tuple(out)


_MONTH = re.compile(r"[1-9][0-9]{3}-(0[1-9]|1[0-2])")


@feedback_group.command(name="import")
@click.argument("export", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--source",
    "source",
    required=True,
    help="The source mapping to read FILE with (shipped: zendesk, jira, intercom, productboard, canny, support-desk, idea-board, feedback-tool, nps-survey, generic; or one of [tool.prodops.feedback.sources]).",
)
@click.option(
    "--accounts",
    "accounts",
    type=click.Path(path_type=Path, dir_okay=False),
    help="An accounts export (CSV or JSON with an ARR column), joined by account id, domain or name, for revenue and segments.",
)
@click.option(
    "--accounts-mapping",
    "accounts_mapping",
    metavar="NAME",
    help="How to read the --accounts export: hubspot-companies, salesforce-accounts, or a mapping that extends one and names its ARR column (Annual Revenue is not ARR).",
)
@click.option(
    "--unmatched",
    "unmatched_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the records no insight matched to this file for the triage meeting (.csv or .md).",
)
@click.option(
    "--replace",
    "replace",
    multiple=True,
    metavar="SOURCE:YYYY-MM",
    callback=_replaced,
    help="Remove the demand a source's month has (in every insight) before importing; repeatable. Without it, an import only adds records not counted before.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@root_option
@today_option
def import_feedback(
    export: Path,
    source: str,
    accounts: Path | None,
    accounts_mapping: str | None,
    unmatched_path: Path | None,
    replace: tuple[tuple[str, str], ...],
    dry_run: bool,
    root: Path | None,
    today: date | None,
) -> None:
    """Import a feedback export into the insights its records match: demand per source and month.

    Each record is matched to insights by the feedback-triage playbook's feedback_rules
    and each insight's match; the count, distinct accounts, ARR, segments, first and last
    dates and up to three scrubbed quotes per source and month are written into the insight
    files (nothing else of a record is kept). Each record is counted once, by its id in
    the export, however exports overlap: importing the same export again changes nothing,
    and removing demand takes --replace SOURCE:MONTH. Every record read is counted as matched, unmatched or rejected (with its line
    and the reason).

    Example: prodops feedback import tickets.csv --source support-desk --accounts accounts.csv --unmatched triage.md
    """
    if unmatched_path is not None:
        unmatched.check_target(unmatched_path)
    result = load_valid(root, today, why="feedback is imported into a repository without errors")
    size = export.stat().st_size if export.is_file() else 0
    progress = _Progress(size)
    try:
        outcome = importer.run(result, export, source, accounts, progress, replace, accounts_mapping)
    finally:
        progress.close()
    _show(outcome, export)
    if unmatched_path is not None and not dry_run:
        unmatched.write(unmatched_path, outcome.tally.unmatched, export.name)
        terminal.echo(f"{plural(len(outcome.tally.unmatched), 'unmatched record')} written to {unmatched_path}")
    rels = [c.rel for c in outcome.changes]
    if dry_run:
        terminal.echo(f"would update {plural(len(rels), 'insight file')}" + "".join(f"\n  {rel}" for rel in rels))
        return
    errors, caused = write.apply(result.root, [*outcome.changes, *outcome.counted], result.today)
    if errors:
        terminal.echo(report.render_lines(errors), nl=False, err=True)
        terminal.echo("prodops: no insight file was changed: the import would add the problems above", err=True)
        sys.exit(EXIT_PROBLEMS)
    tally = outcome.tally
    triage.record_import(
        result.root,
        triage.Imported(
            source,
            str(export),
            result.today.isoformat(),
            tally.read,
            tally.matched,
            len(tally.unmatched),
            len(tally.rejected),
        ),
    )
    if outcome.counted:
        terminal.echo("counted records kept in " + ", ".join(c.rel for c in outcome.counted))
    if rels:
        terminal.echo(f"updated {plural(len(rels), 'insight file')}" + "".join(f"\n  {rel}" for rel in rels))
    else:
        terminal.echo("no insight file changed: their demand already says what this export says")
    if caused:
        terminal.echo(report.caused(caused), nl=False)


def _show(outcome: Outcome, export: Path) -> None:
    tally = outcome.tally
    for warning in outcome.warnings:
        terminal.echo(f"warning: {warning}", err=True)
    for rejected in tally.rejected[:SHOWN_REJECTIONS]:
        terminal.echo(f"{export}: {rejected.where}: rejected: {rejected.reason}", err=True)
    if len(tally.rejected) > SHOWN_REJECTIONS:
        terminal.echo(f"{export}: … and {len(tally.rejected) - SHOWN_REJECTIONS:,} more rejected", err=True)
    terminal.echo(
        f"{plural(tally.read, 'record')} read: {tally.matched:,} matched, {len(tally.unmatched):,} unmatched, "
        f"{len(tally.rejected):,} rejected"
    )
    for (insight, name, period), done in outcome.summary.items():
        terminal.echo(
            f"{outcome.files.get(insight, insight)}: {name} {period}: {done.added:,} added, "
            f"{done.already:,} already counted, {done.removed:,} removed"
        )


@click.command(name="feedback")
@click.option(
    "--since", default="90d", show_default=True, callback=as_days, help="How far back, in days (e.g. 30d, 90d)."
)
@format_option(["markdown", "html"])
@root_option
@today_option
def report_feedback(since: int, fmt: str, root: Path | None, today: date | None) -> None:
    """The feedback triage report: top customer asks, new demand, insights that need a decision, unmatched counts.

    Example: prodops report feedback --since 90d > triage.md
    """
    from prodops import query

    result = load_readable(root, today, use_cache=True)
    if since > (result.today - date.min).days:
        raise click.BadParameter(
            f"{since}d reaches before the first date there is; give fewer days", param_hint="'--since'"
        )
    text = triage.report(result.catalog, result.config, result.today, since, result.root)
    terminal.echo(query.as_html(text, "Customer feedback") if fmt == "html" else text, nl=False)

"""The metrics commands: ``prodops metrics import FILE`` brings a metric export into the KPI histories."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from prodops import impact, loader, pipeline, report, terminal
from prodops.cli import EXIT_PROBLEMS, load_valid, root_option, today_option
from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.metrics import importer, merge, pull
from prodops.metrics.model import Kpi, format_value
from prodops.suggest import did_you_mean

MAX_EXPORT_BYTES = 512 * 1024 * 1024
SHOWN_PROBLEMS = 50


@click.group(name="metrics")
def metrics_group() -> None:
    """KPIs: bring metric exports from BI and analytics tools into the KPI histories.

    Example: prodops metrics import exports/looker-weekly.csv
    """


@metrics_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Say what the import would change, and write nothing.")
@click.option(
    "--restate",
    is_flag=True,
    help="Replace recorded values of periods that have ended, and typed check-ins as new as the KPI's value.",
)
@root_option
@today_option
def import_command(file: Path, dry_run: bool, restate: bool, root: Path | None, today: date | None) -> None:
    """Merge a metric export into the KPI histories (okrs/kpis/ID.csv) and check in the key results that track them.

    FILE is a long CSV (metric,date,value[,segment]) or a wide one (a date column and one
    column per metric); [tool.prodops.metrics] maps export names to KPI ids and may declare a
    date format. Values already recorded change nothing, so importing a file twice writes
    nothing the second time; a changed value for a recorded date is reported as a restatement.
    Restating a value of a period that has ended needs --restate: without it the value is refused
    (PO130, exit 1) and the recorded one kept, while the rest of the file is imported.
    A key result that tracks a KPI gets a check-in (noting the source) when a value arrives for a
    new period of the KPI's cadence; a check-in typed by hand (not imported) that is as new as the
    KPI's value or newer is reported as a conflict and left as written, unless --restate. Any
    problem in the file stops the import before anything is written; the files change together
    or not at all.

    Example: prodops metrics import exports/kpis-2026-11-25.csv --dry-run
    """
    result = load_valid(root, today, use_cache=True, why="an import merges into the KPIs as they are")
    name = str(file)
    raw, problem = loader.read_bytes(file, name, MAX_EXPORT_BYTES)
    if raw is None:
        raise ProdopsError(problem.message if problem is not None else f"{name}: cannot read the file")
    text, problem = loader.decode(raw, name)
    if text is None:
        terminal.echo(report.render_lines([problem] if problem is not None else []), nl=False, err=True)
        sys.exit(EXIT_PROBLEMS)
    export, problems = importer.read(text, name, result.catalog.metrics.kpis, result.config.metrics)
    if export is None:
        terminal.echo(report.render_lines(problems[:SHOWN_PROBLEMS]), nl=False, err=True)
        more = f" (the first {SHOWN_PROBLEMS} are shown)" if len(problems) > SHOWN_PROBLEMS else ""
        count = f"{len(problems)}{' or more' if len(problems) >= importer.MAX_PROBLEMS else ''}"
        what = "1 problem" if len(problems) == 1 else f"{count} problems"
        terminal.echo(f"prodops: {name} was not imported: {what}{more}; nothing was written", err=True)
        sys.exit(EXIT_PROBLEMS)
    refused = _merge(result, export, name, file.name, dry_run, restate)
    if refused:
        refusals = [
            _refusal(r, name, importer.column_of(text, r.restatement.line, export.fields[r.restatement.kpi]))
            for r in refused
        ]
        terminal.echo(report.render_lines(refusals), nl=False, err=True)
        refusing = len(refused)
        terminal.echo(
            f"prodops: {refusing} {'value' if refusing == 1 else 'values'} of {name} {'was' if refusing == 1 else 'were'} "
            "not imported: they restate periods that have ended (--restate replaces them)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)


def _merge(
    result: pipeline.Result,
    export: importer.Export,
    name: str,
    source: str,
    dry_run: bool,
    restate: bool,
    origin: Callable[[merge.Restatement], str] | None = None,
) -> list[merge.Refused]:
    """Merge ``export`` as ``metrics import`` does, say what changed, and return the values refused."""
    repo = result.root
    planned = merge.plan(repo, result.catalog, export, source, result.today, restate=restate)
    # Checked with the histories as they will be: a check-in judged against the old values would
    # seem out of step with its KPI.
    written: dict[str, str | None] = {rel: new.decode("utf-8") for rel, (new, _) in planned.writes.items()}
    # A history's KPI file is judged with it (a value past a threshold is the KPI's warning), as it is.
    for rel in list(written):
        kpi_file = rel.removesuffix(".csv") + loader.YAML_SUFFIX
        if rel.endswith(".csv") and kpi_file not in written and (repo / kpi_file).is_file():
            written[kpi_file] = (repo / kpi_file).read_bytes().decode("utf-8", "replace")
    found = impact.check(repo, written, result.today) if written else None
    if found is not None and found.added:
        terminal.echo(report.render_lines(found.added), nl=False, err=True)
        terminal.echo(f"prodops: {name} was not imported: its check-ins would add the problems above", err=True)
        sys.exit(EXIT_PROBLEMS)
    _describe(planned, export, name, dry_run, origin or (lambda r: f"line {r.line} of {name}"))
    if planned.changed and not dry_run:
        merge.apply(repo, planned)
        if found is not None and found.warnings:
            terminal.echo(report.caused(found.warnings), nl=False)
    return planned.refused


def _refusal(refused: merge.Refused, name: str, column: int) -> Diagnostic:
    r = refused.restatement
    segment = f", segment '{r.segment}'," if r.segment else ""
    return Diagnostic(
        "error",
        "PO130",
        f"'{r.kpi}' on {r.day}{segment} is already recorded as {format_value(r.old)} for a period that has ended "
        f"({refused.period}); the export says {format_value(r.new)}",
        name,
        r.line,
        column,
        hint="run the import with --restate to replace the recorded value, or correct the export",
    )


def _describe(
    planned: merge.Plan,
    export: importer.Export,
    name: str,
    dry_run: bool,
    origin: Callable[[merge.Restatement], str],
) -> None:
    would = "would be " if dry_run else ""
    restated: dict[str, list[merge.Restatement]] = {}
    for r in planned.restated:
        restated.setdefault(r.kpi, []).append(r)
    for kpi_id, (rel, count) in planned.added.items():
        terminal.echo(f"{rel}: {count} {'value' if count == 1 else 'values'} {would}added")
        for r in restated.get(kpi_id, ()):
            segment = f" (segment '{r.segment}')" if r.segment else ""
            terminal.echo(
                f"{rel}: {r.day}{segment} {would}restated from {format_value(r.old)} to {format_value(r.new)} "
                f"({origin(r)})"
            )
    for c in planned.checkins:
        what = "checked in" if c.new else "current value corrected:"
        terminal.echo(f"{c.kr}: {would}{what} {format_value(c.value)} ({c.day.isoformat()})")
    for k in planned.conflicts:
        terminal.echo(
            f"{k.kr}: not checked in: the check-in of {k.checkin_day.isoformat()} ({format_value(k.checkin_value)}, "
            f"not imported) is as new as the KPI's value of {k.kpi_day.isoformat()} ({format_value(k.kpi_value)}) "
            "or newer; left as written (--restate replaces it)"
        )
    kpis = len(export.values)
    summary = f"{name}: {export.rows:,} {'value' if export.rows == 1 else 'values'} of {kpis} {'KPI' if kpis == 1 else 'KPIs'}"
    if not planned.changed:
        kept = planned.refused or planned.conflicts
        terminal.echo(
            f"{summary}: nothing to import, " + ("see above" if kept else "every value is already in the histories")
        )
        return
    added = sum(count for _, count in planned.added.values())
    checked = sum(c.new for c in planned.checkins)
    terminal.echo(
        f"{summary}: {added:,} added, {len(planned.restated)} restated, "
        + (f"{len(planned.refused)} refused, " if planned.refused else "")
        + f"{checked} key {'result' if checked == 1 else 'results'} checked in"
        + (f", {len(planned.conflicts)} left as typed" if planned.conflicts else "")
        + (" (dry run: nothing was written)" if dry_run else "")
    )


@metrics_group.command(name="pull")
@click.argument("kpis", nargs=-1, metavar="[KPI]...")
@click.option("--dry-run", is_flag=True, help="Say what the pull would change, and write nothing.")
@click.option(
    "--restate",
    is_flag=True,
    help="Replace recorded values of periods that have ended, and typed check-ins as new as the KPI's value.",
)
@root_option
@today_option
def pull_command(kpis: tuple[str, ...], dry_run: bool, restate: bool, root: Path | None, today: date | None) -> None:
    """Run the KPIs' queries (source.query) and merge their rows into the histories, as an import does.

    Without KPI ids, every KPI with a query is pulled. A query returns the columns date, value and
    optionally segment. It runs in the connection its KPI names (source.connection: a table
    [tool.prodops.metrics.connections.NAME] whose url-env names the environment variable holding
    the SQLAlchemy URL) or, with none, in an embedded DuckDB that may read the files of
    okrs/kpis/data/ (the data-folder setting) and nothing else. The rows are merged exactly as
    `prodops metrics import` merges an export: values already recorded change nothing, restating a
    period that has ended needs --restate (PO130), and key results that track a KPI are checked in.
    A query that fails or returns a row that is not a value (PO160 to PO162, at its query key) is
    reported and its KPI left as it was; the other KPIs are still pulled, and the command exits 1.

    Example: prodops metrics pull trial-signups --dry-run
    """
    result = load_valid(root, today, use_cache=True, why="a pull merges into the KPIs as they are")
    known = result.catalog.metrics.kpis
    for kpi_id in kpis:
        if kpi_id not in known:
            raise ProdopsError(f"'{kpi_id}' is not a KPI{did_you_mean(kpi_id, known)}")
        if not known[kpi_id].source.query:
            raise ProdopsError(f"KPI '{kpi_id}' has no query to pull: its source names a report ({known[kpi_id].file})")
    chosen: list[Kpi] = (
        [known[k] for k in dict.fromkeys(kpis)] if kpis else [k for _, k in sorted(known.items()) if k.source.query]
    )
    if not chosen:
        terminal.echo("prodops: no KPI has a query to pull (source.query)")
        return
    export, places, problems = pull.pull(result.root, result.catalog, chosen, result.config.metrics, os.environ)
    if problems:
        terminal.echo(report.render_lines(problems), nl=False, err=True)
    name = "pull"
    refused = (
        _merge(result, export, name, "its query", dry_run, restate, lambda r: f"row {r.line} of its query")
        if export.values
        else []
    )
    if refused:
        terminal.echo(report.render_lines([_pull_refusal(r, places) for r in refused]), nl=False, err=True)
        count = len(refused)
        terminal.echo(
            f"prodops: {count} {'value' if count == 1 else 'values'} {'was' if count == 1 else 'were'} not pulled: "
            "they restate periods that have ended (--restate replaces them)",
            err=True,
        )
    if problems:
        failed = len(problems)
        terminal.echo(
            f"prodops: {failed} of {len(chosen)} {'query' if len(chosen) == 1 else 'queries'} failed; "
            f"{'its KPI was' if failed == 1 else 'their KPIs were'} left as {'it was' if failed == 1 else 'they were'}",
            err=True,
        )
    if problems or refused:
        sys.exit(EXIT_PROBLEMS)


def _pull_refusal(refused: merge.Refused, places: dict[str, pull.Where]) -> Diagnostic:
    r = refused.restatement
    at = places[r.kpi]
    segment = f", segment '{r.segment}'," if r.segment else ""
    return Diagnostic(
        "error",
        "PO130",
        f"'{r.kpi}' on {r.day}{segment} is already recorded as {format_value(r.old)} for a period that has ended "
        f"({refused.period}); row {r.line} of the query says {format_value(r.new)}",
        at.file,
        at.line,
        at.column,
        hint="pull again with --restate to replace the recorded value, or correct the query or its data",
    )

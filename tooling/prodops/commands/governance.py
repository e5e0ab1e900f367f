"""Governance reports: rules rolled out on a schedule (compliance) and a period's scope against its first day."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from prodops import compliance, compliancetext, history, kinds, report, scope, scopetext, terminal
from prodops.calendar import Period
from prodops.cli import PERIOD, format_option, load_readable, resolve_root, root_option, today_option
from prodops.diagnostics import ProdopsError
from prodops.schemas import load_schemas
from prodops.sources import SCHEMA_DIR


@click.command(name="compliance")
@format_option(["text", "markdown", "json"], default="text")
@click.option("--no-burndown", is_flag=True, help="Leave out the weekly burn-down (it reads the Git history).")
@root_option
@today_option
def report_compliance(fmt: str, no_burndown: bool, root: Path | None, today: date | None) -> None:
    """Rules rolled out on a schedule: deadline, teams, entities not compliant yet, and a weekly burn-down from Git.

    A rule is rolled out on a schedule with error-from or only-created-after in
    [tool.prodops.rules.CODE]; the burn-down runs it on the repository as it was at the end of
    each week since the campaign's start (at most 26 weeks).

    Example: prodops report compliance --format markdown > compliance.md
    """
    result = load_readable(root, today)
    with report.Progress(sys.stderr, "prodops: reading the history"):
        found = compliance.campaigns(result.root, result.catalog, result.config, result.today, burndown=not no_burndown)
    terminal.echo(compliancetext.FORMATS[fmt](found, result.today), nl=False)


@click.command(name="scope")
@click.option("--period", type=PERIOD, required=True, help="The period, as the calendar writes it (2026-Q3, 2026-H1).")
@format_option(["markdown", "json"], default="markdown")
@root_option
@today_option
def report_scope(period: Period, fmt: str, root: Path | None, today: date | None) -> None:
    """The plan on a period's first day against its last day and now: added, cut, slipped, finished, say/do (from Git).

    Example: prodops report scope --period 2026-Q3 > q3-scope.md
    """
    repo = resolve_root(root)
    day = today or date.today()
    if period.start > day:
        raise ProdopsError(
            f"{period} begins on {period.start.isoformat()}, after today ({day.isoformat()}): it has no plan yet"
        )
    with report.Progress(sys.stderr, "prodops: reading the history"):
        index = history.load(repo)
    terminal.echo(report.render_notices(index.notices), nl=False, err=True)
    meaning = kinds.registry(load_schemas(repo / SCHEMA_DIR)).meaning
    terminal.echo(scopetext.FORMATS[fmt](scope.scope(index, period, day, meaning)), nl=False)

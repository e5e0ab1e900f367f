"""Commands for adopting organisations: init (a new ops repository) and migrate (schemas of an older version)."""

from __future__ import annotations

import difflib
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from prodops import pipeline, report, terminal
from prodops.cli import DATE, EXIT_PROBLEMS, as_date, resolve_root, root_option, today_option

if TYPE_CHECKING:
    from prodops.migrate import FileChange


@click.command()
@root_option
@today_option
@click.option("--dry-run", is_flag=True, help="List every change the migration would make; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Also show each content file's change as a unified diff.")
@click.option(
    "--calendar",
    "cadence",
    type=click.Choice(["quarter", "fiscal", "half", "trimester", "cycles"]),
    help="Move the repository to this planning cadence instead (as prodops init --calendar names them): "
    "every period with a match of the same days is rewritten; the others are listed and nothing is written.",
)
@click.option("--fiscal-start", metavar="MONTH", help="With --calendar: the month the fiscal year starts in.")
@click.option("--cycle-weeks", type=click.IntRange(1, 26), default=6, help="With --calendar cycles: weeks per cycle.")
@click.option("--first-cycle", type=DATE, callback=as_date, help="With --calendar cycles: the first cycle's first day.")
def migrate(
    root: Path | None,
    today: date | None,
    dry_run: bool,
    show_diff: bool,
    cadence: str | None,
    fiscal_start: str | None,
    cycle_weeks: int,
    first_cycle: date | None,
) -> None:
    """Upgrade the repository's content files and schemas to the schema version this prodops ships.

    Each migration step (a renamed field, a renamed allowed value, a moved field) is applied
    to every file of its kind as an edit of only the bytes concerned: comments, order,
    quoting and line breaks stay. The schemas prodops ships replace the repository's older copies
    (re-apply your own changes to them afterwards; git diff schemas/ shows them); a schema of
    the repository's own gets its version raised. Every changed file is written, or none.
    Then the repository is validated.

    With --calendar, the repository moves to another planning cadence instead; the
    schemas' calendar declaration and every period value change, or nothing does.

    Example: prodops migrate --dry-run --diff
    """
    from prodops import migrate as migration

    repo = resolve_root(root)
    if cadence is not None:
        _recadence(repo, cadence, fiscal_start, cycle_weeks, first_cycle, today or date.today(), dry_run)
        return
    plan = migration.plan(repo)
    for step in plan.steps:
        terminal.echo(f"schema version {step.source} → {step.target}: {step.summary}")
    for applied in plan.applied:
        where = f"{applied.rel}:{applied.line}:{applied.column}" if applied.line else applied.rel
        terminal.echo(f"{where}: {applied.message}")
    for problem in plan.problems:
        where = f"{problem.rel}:{problem.line}:{problem.column}" if problem.line else problem.rel
        terminal.echo(f"{where}: error {problem.message}", err=True)
    if plan.problems:
        terminal.echo(f"prodops: {len(plan.problems)} file(s) cannot be migrated; nothing was written", err=True)
        sys.exit(EXIT_PROBLEMS)
    if not plan.files:
        terminal.echo(f"the schemas are at version {plan.target}, the version this prodops ships: nothing to migrate")
        return
    changed = len(plan.files)
    if show_diff:
        terminal.echo(_unified(plan.files), nl=False)
    if dry_run:
        terminal.echo(f"{changed} file(s) would change (dry run: nothing was written)")
        return
    migration.apply(repo, plan)
    terminal.echo(f"{changed} file(s) changed; the schemas are at version {plan.target}")
    result = pipeline.build(repo, today=today)
    terminal.echo(report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False)
    if result.count("error"):
        sys.exit(EXIT_PROBLEMS)


def _recadence(
    repo: Path, cadence: str, fiscal_start: str | None, weeks: int, first: date | None, today: date, dry_run: bool
) -> None:
    from prodops import recadence, scaffold

    target = scaffold.cadence(cadence, fiscal_start, weeks, first, today)
    plan = recadence.plan(repo, target)
    for place in plan.moved:
        terminal.echo(f"{place.rel}:{place.line}:{place.column}: {place.before} → {place.after}")
    for place in plan.blocked:
        terminal.echo(f"{place.rel}:{place.line}:{place.column}: error {place.before!r}: {place.reason}", err=True)
    if plan.blocked:
        terminal.echo(
            f"prodops: {len(plan.blocked)} period(s) have no match in the new calendar; nothing was written "
            "(set them to a period of the new calendar by hand, then run this again)",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    if dry_run:
        terminal.echo(f"{len(plan.files)} file(s) would change (dry run: nothing was written)")
        return
    recadence.apply(repo, plan)
    terminal.echo(f"{len(plan.files)} file(s) changed; periods are now written like {target.example}")
    result = pipeline.build(repo, today=today)
    terminal.echo(report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False)
    if result.count("error"):
        sys.exit(EXIT_PROBLEMS)


def _unified(files: list[FileChange]) -> str:
    """The content files' changes as a unified diff (the schemas' replacement is listed, not shown)."""
    out: list[str] = []
    for change in files:
        if change.rel.startswith("schemas/"):
            continue
        old = change.before.decode("utf-8-sig").splitlines(keepends=True)
        new = change.after.decode("utf-8-sig").splitlines(keepends=True)
        out.extend(difflib.unified_diff(old, new, f"a/{change.rel}", f"b/{change.rel}", n=1))
    return "".join(out)


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--name", help="The organisation's name, as the site and README show it. Default: from DIR.")
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    help="The repository on GitHub: the site's links and the teams' handles (@OWNER/team). "
    "Default: the name in lower case with hyphens, then /product-ops.",
)
@click.option(
    "--install",
    metavar="REQUIREMENT",
    help="How the new repository installs prodops (a pip requirement: a wheel, a Git URL at a commit). "
    "Default: where the prodops running now was installed from.",
)
@click.option(
    "--today",
    type=DATE,
    callback=as_date,
    help="The day the example content is dated from (YYYY-MM-DD). Default: today.",
)
@click.option(
    "--calendar",
    "cadence",
    type=click.Choice(["quarter", "fiscal", "half", "trimester", "cycles"]),
    default="quarter",
    show_default=True,
    help="The planning cadence: calendar quarters (2026-Q4), fiscal quarters (FY27-Q1), half-years with "
    "years (2026-H2, 2026), trimesters (2026-T1) or cycles of some weeks (C14).",
)
@click.option(
    "--fiscal-start", metavar="MONTH", help="The month the fiscal year starts in (default for fiscal: april)."
)
@click.option(
    "--cycle-weeks", type=click.IntRange(1, 26), default=6, show_default=True, help="The length of a cycle, in weeks."
)
@click.option(
    "--first-cycle",
    type=DATE,
    callback=as_date,
    help="The first cycle's first day (YYYY-MM-DD). Default: the Monday of the year's first week.",
)
def init(
    directory: Path,
    name: str | None,
    repo: str | None,
    install: str | None,
    today: date | None,
    cadence: str,
    fiscal_start: str | None,
    cycle_weeks: int,
    first_cycle: date | None,
) -> None:
    """Write a new ops repository into DIR (a new or empty folder): schemas, site, settings, workflows, an example.

    The new repository validates with no problem and builds its site at once: run make site and
    make test in it. The example content (one team, objective, roadmap item, launch plan and
    playbook) is dated from today; replace it with your own.

    The cadence is declared on the period definition of schemas/common.schema.json
    (x-prodops-calendar), and every period-aware command and page reads it.

    Example: prodops init ../acme-product-ops --name "Acme Analytics" --calendar fiscal --fiscal-start april
    """
    from prodops import scaffold

    target = directory.absolute()
    display = name or target.name.replace("-", " ").replace("_", " ").title()
    slug = re.sub(r"[^a-z0-9]+", "-", display.lower()).strip("-") or "example"
    org = scaffold.organisation(display, repo or f"{slug}/product-ops")
    day = today or date.today()
    calendar = scaffold.cadence(cadence, fiscal_start, cycle_weeks, first_cycle, day)
    written = scaffold.write(target, org, day, install or scaffold.requirement(), calendar)
    terminal.echo(f"wrote {len(written)} files into {directory} for {org.name} ({org.repo})")
    terminal.echo(f"next: cd {directory} && git init && make site && make test")

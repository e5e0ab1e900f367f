"""Commands for adopting organisations: init (a new ops repository) and migrate (schemas of an older version)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from prodops import pipeline, report
from prodops.cli import EXIT_PROBLEMS, cli, resolve_root, root_option, today_option


@cli.command()
@root_option
@today_option
@click.option("--dry-run", is_flag=True, help="List every change the migration would make; write nothing.")
def migrate(root: Path | None, today: date | None, dry_run: bool) -> None:
    """Upgrade the repository's content files and schemas to the schema version this prodops ships.

    Each migration step (a renamed field, a renamed allowed value, a moved field) is applied
    to every file of its kind as an edit of only the bytes concerned: comments, order,
    quoting and line breaks stay. The schemas prodops ships replace the repository's copies
    (re-apply your own changes to them afterwards; git diff schemas/ shows them); a schema of
    the repository's own gets its version raised. Every changed file is written, or none.
    Then the repository is validated.

    Example: prodops migrate --dry-run
    """
    from prodops import migrate as migration

    repo = resolve_root(root)
    plan = migration.plan(repo)
    for step in plan.steps:
        click.echo(f"schema version {step.source} → {step.target}: {step.summary}")
    for applied in plan.applied:
        where = f"{applied.rel}:{applied.line}:{applied.column}" if applied.line else applied.rel
        click.echo(f"{where}: {applied.message}")
    for problem in plan.problems:
        where = f"{problem.rel}:{problem.line}:{problem.column}" if problem.line else problem.rel
        click.echo(f"{where}: error {problem.message}", err=True)
    if plan.problems:
        click.echo(f"prodops: {len(plan.problems)} file(s) cannot be migrated; nothing was written", err=True)
        sys.exit(EXIT_PROBLEMS)
    if not plan.files:
        click.echo(f"the schemas are at version {plan.target}, the version this prodops ships: nothing to migrate")
        return
    changed = len(plan.files)
    if dry_run:
        click.echo(f"{changed} file(s) would change (dry run: nothing was written)")
        return
    migration.apply(repo, plan)
    click.echo(f"{changed} file(s) changed; the schemas are at version {plan.target}")
    result = pipeline.build(repo, today=today)
    click.echo(report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False)
    if result.count("error"):
        sys.exit(EXIT_PROBLEMS)

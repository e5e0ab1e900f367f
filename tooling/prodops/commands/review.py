"""Review commands: diff (what a change means), codeowners (who reviews it), freshness (what is out of date)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from prodops import pipeline, terminal
from prodops.cli import (
    EXIT_PROBLEMS,
    fallback_owner,
    format_option,
    load_valid,
    resolve_root,
    root_option,
    today_option,
)
from prodops.diagnostics import ProdopsError


@click.command()
@click.argument("base_rev", metavar="BASE")
@click.argument("head_rev", metavar="[HEAD]", required=False)
@root_option
@today_option
@format_option(["markdown", "json"])
@click.option(
    "--max-chars",
    type=click.IntRange(min=1_000),
    help="Keep the Markdown summary within this many characters (a pull-request comment holds 65,536): "
    "the most important groups stay whole, the rest become counts.",
)
@click.option(
    "--full-report",
    metavar="TEXT",
    default="",
    help="Where readers find the full report when the summary is cut (a link in Markdown, for example).",
)
@click.option(
    "--also",
    "extra",
    metavar="FORMAT[:MAX_CHARS]=FILE",
    multiple=True,
    callback=lambda _ctx, _param, values: [_also(v) for v in values],
    help="Also write the report in this format to FILE, from the same comparison (repeatable): "
    "markdown:900000=full.md, json=diff.json.",
)
def diff(
    base_rev: str,
    head_rev: str | None,
    root: Path | None,
    today: date | None,
    fmt: str,
    max_chars: int | None,
    full_report: str,
    extra: list[tuple[str, int | None, Path]],
) -> None:
    """Say what a change means: entities added, removed, renamed, and what changed in each.

    Compares Git revision BASE with HEAD (default: the working tree, uncommitted changes
    included), and calls out what reviewers care about: horizon and status moves, slipped
    dates, changed key-result targets, launch dates and readiness, lost links to key results,
    dependents whose dates now conflict and new lateness or date-order problems, grouped by team
    with the most important first. Whatever the change publishes more (kinds, fields or entities
    whose audience widened) is flagged at the top; KPI history values added, restated and removed
    are listed, restatements of periods that have closed called out. Revisions are read with git,
    never checked out.

    Example: prodops diff origin/main --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from prodops import audiencediff, diffreport, report, sources
    from prodops import diff as diffing
    from prodops.edit import write_atomic

    repo = resolve_root(root)
    # Both sides through the cache, the working tree first: then a file the base holds alike (the
    # same Git blob) is neither written out nor checked again, its results taken from the cache.
    if head_rev is None:
        new = pipeline.build(repo, today=today, use_cache=True)
        head_name = "working tree"
    with sources.revision(repo, base_rev, cache=True) as base:
        old = pipeline.run(base.source, today=today)
    unread = base.problems
    if head_rev is not None:
        with sources.revision(repo, head_rev, cache=True) as head:
            new = pipeline.run(head.source, today=today)
        unread = [*unread, *head.problems]
        head_name = head_rev
    # Files a revision holds but prodops does not read (links, oversized) are left out of the comparison.
    terminal.echo(report.render_lines(unread), nl=False, err=True)
    changes = diffing.compare(
        old.catalog, new.catalog, base_rev, head_name, old.diagnostics, new.diagnostics, new.config, new.today
    )
    changes.audience = audiencediff.compare(
        audiencediff.Side(old.schemas, old.catalog, old.config.public),
        audiencediff.Side(new.schemas, new.catalog, new.config.public),
        new.today,
    )
    text = diffreport.markdown(changes, max_chars, full_report) if fmt == "markdown" else diffreport.as_json(changes)
    for kind, limit, path in extra:
        other = diffreport.markdown(changes, limit, "") if kind == "markdown" else diffreport.as_json(changes)
        try:
            write_atomic(path, other.encode("utf-8"))
        except OSError as exc:
            raise ProdopsError(f"cannot write {path}: {exc.strerror or exc}; choose a file you can write") from None
    terminal.echo(text, nl=False)


def _also(value: str) -> tuple[str, int | None, Path]:
    """``FORMAT[:MAX_CHARS]=FILE`` as (format, limit, file); a usage error says what is wrong."""
    spec, sep, file = value.partition("=")
    kind, _, limit = spec.partition(":")
    if not sep or not file or kind not in ("markdown", "json"):
        raise click.BadParameter(f"{value!r}: write FORMAT=FILE or markdown:MAX_CHARS=FILE", param_hint="--also")
    if limit and (kind != "markdown" or not limit.isdigit() or int(limit) < 1_000):
        raise click.BadParameter(f"{value!r}: a limit is for markdown, at least 1000 characters", param_hint="--also")
    return kind, int(limit) if limit else None, Path(file)


@click.command()
@root_option
@click.option("--check", is_flag=True, help="Do not write; fail if .github/CODEOWNERS does not match the data.")
@click.option(
    "--fallback", metavar="@ORG/TEAM", help="Owner of everything else (default: codeowners-fallback in the config)."
)
def codeowners(root: Path | None, check: bool, fallback: str | None) -> None:
    """Write .github/CODEOWNERS from the owners in the data, so the owning team is asked to review.

    Example: prodops codeowners --check
    """
    from prodops import codeowners as owners

    repo = resolve_root(root)
    result = load_valid(repo, None, use_cache=True, why="CODEOWNERS is written from valid data only")
    text = owners.render(result.catalog, fallback_owner(result.config.codeowners_fallback, fallback))
    if check:
        if owners.current(repo) != text:
            terminal.echo(
                ".github/CODEOWNERS is out of date with the data; run `prodops codeowners` and commit it", err=True
            )
            sys.exit(EXIT_PROBLEMS)
        terminal.echo(".github/CODEOWNERS is up to date")
        return
    terminal.echo(owners.write(repo, text) or ".github/CODEOWNERS is already up to date")


@click.command()
@root_option
@today_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for one report per person."
)
def freshness(root: Path | None, today: date | None, out: Path) -> None:
    """Write one Markdown report per person of what they need to update (empty when nothing).

    Overdue work, stale KPIs, missing check-ins, launches not ready close to GA, launch
    dates that passed and playbooks due for review, grouped by the person who owns them,
    each with the command that resolves it; the scheduled workflow turns each into an issue.

    Example: prodops freshness --out build/freshness
    """
    from prodops import freshness as fresh
    from prodops.edit import write_atomic

    result = load_valid(root, today)
    grouped = fresh.by_owner(result.catalog, result.diagnostics)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for handle, findings in sorted(grouped.items()):
            fixes = {d: fresh.command(result.catalog, d, result.today) for d in findings}
            write_atomic(out / f"{handle}.md", fresh.markdown(handle, findings, fixes).encode("utf-8"))
    except OSError as exc:
        raise ProdopsError(f"cannot write {out}: {exc.strerror or exc}; choose a folder you can write to") from None
    waiting = sum(1 for findings in grouped.values() if findings)
    terminal.echo(f"{waiting} of {len(grouped)} people have something to update; reports in {out}")

"""Reading commands: show, list, graph, trace, report and export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from prodops import export as exporting
from prodops import kinds, pipeline, query, terminal
from prodops.calendar import Period
from prodops.cli import (
    PERIOD,
    REPORTS,
    TableGroup,
    as_days,
    complete_ids,
    complete_kinds,
    format_option,
    load_readable,
    load_valid,
    root_option,
    today_option,
)
from prodops.commands.history import AS_OF, list_as_of, show_as_of
from prodops.delivery import view as delivery_view
from prodops.diagnostics import ProdopsError

F = TypeVar("F", bound=Callable[..., Any])


def raw_csv_option(func: F) -> F:
    return click.option(
        "--raw-csv",
        is_flag=True,
        help=(
            "Write CSV cells exactly as they are, for programs. By default a text cell that starts with "
            "=, +, -, @, a tab or a carriage return gets a leading ' so a spreadsheet shows it as text "
            "instead of running it as a formula."
        ),
    )(func)


def _load(root: Path | None, today: date | None) -> pipeline.Result:
    """What the reading commands read: everything that loaded, with a warning naming broken files."""
    return load_readable(root, today, use_cache=True)


@click.command()
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@AS_OF
@root_option
@today_option
def show(entity_id: str, as_of: date | None, root: Path | None, today: date | None) -> None:
    """Print an entity with its fields and its relations in both directions.

    With --as-of, the fields the history keeps (status, horizon, due date, key results) as they were then.

    Example: prodops show usage-based-billing
    """
    if as_of is not None:
        terminal.echo(show_as_of(root, entity_id, as_of), nl=False)
        return
    result = _load(root, today)
    terminal.echo(query.show(result.catalog, entity_id, result.config.feedback.derive_reach), nl=False)


@click.command(name="list")
@click.argument("kind", shell_complete=complete_kinds)
@click.option("--team", help="Only this team's entities.")
@click.option("--status", help="Only entities with this status.")
@click.option("--horizon", help="Only roadmap items in this horizon (the values the schema allows).")
@click.option(
    "--period", type=PERIOD, help="Only objectives of this period, as the calendar writes it (2026-Q4; any case)."
)
@click.option("--owner", help="Only entities owned by this handle.")
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Only entities whose FIELD (any field of the kind's schema, e.g. one the adopter added) is VALUE; "
    "an enum field's values are checked. Repeatable: every condition must hold.",
)
@format_option(["table", "json", "csv"])
@raw_csv_option
@AS_OF
@root_option
@today_option
def list_entities(
    kind: str,
    team: str | None,
    status: str | None,
    horizon: str | None,
    period: Period | None,
    owner: str | None,
    where: tuple[str, ...],
    fmt: str,
    raw_csv: bool,
    as_of: date | None,
    root: Path | None,
    today: date | None,
) -> None:
    """List entities of KIND, filtered, as a table, JSON or CSV.

    With --as-of, roadmap items, objectives or launches as they were then, from Git's history.

    Example: prodops list roadmap-item --team payments --horizon now

    Example: prodops list objective --where status=accepted
    """
    conditions: dict[str, str] = {}
    for condition in where:
        name, equals, value = condition.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"'{condition}' is not FIELD=VALUE (e.g. status=accepted)", param_hint="--where")
        conditions[name.strip()] = value.strip()
    if as_of is not None:
        if conditions:
            raise click.UsageError("--where cannot be combined with --as-of (the history keeps only some fields)")
        chosen = str(period) if period is not None else None
        only = {"team": team, "status": status, "horizon": horizon, "period": chosen, "owner": owner}
        terminal.echo(list_as_of(root, kind, as_of, fmt, not raw_csv, **only), nl=False, exact=raw_csv)
        return
    result = _load(root, today)
    registry = kinds.registry(result.schemas)
    if kind not in registry:
        raise click.BadParameter(f"'{kind}' is not a kind; kinds: {', '.join(registry.names)}", param_hint="KIND")
    given = {
        "team": team,
        "status": status,
        "horizon": horizon,
        "period": str(period) if period is not None else None,
        "owner": owner,
    }
    filters, problems = query.check_filters(result.catalog, result.schemas, kind, given)
    fields, more = query.check_filters(result.catalog, result.schemas, kind, dict(conditions))
    problems += [("--where", message) for _, message in more]
    if problems:
        raise click.UsageError("; ".join(f"{option}: {message}" for option, message in problems))
    where_values = {name: value for name, value in fields.items() if value is not None}
    rows = query.rows(result.catalog, result.schemas, kind, **filters, where=where_values)
    rows, columns = delivery_view.with_column(result.catalog, rows, registry[kind].list_columns)
    terminal.echo(query.format_rows(rows, fmt, columns, escape_csv=not raw_csv), nl=False, exact=raw_csv)


@click.command()
@click.argument("entity_id", metavar="[ID]", required=False, shell_complete=complete_ids)
@click.option("--depth", type=click.IntRange(1, 10), default=2, show_default=True, help="How many links away from ID.")
@format_option(["mermaid", "dot"], help="Graph language.")
@root_option
@today_option
def graph(entity_id: str | None, depth: int, fmt: str, root: Path | None, today: date | None) -> None:
    """Print the relation graph around an entity (or the whole graph) as Mermaid or Graphviz DOT.

    Example: prodops graph usage-based-billing --depth 2 --format dot | dot -Tsvg > graph.svg
    """
    result = _load(root, today)
    terminal.echo(query.graph(result.catalog, entity_id, depth, fmt), nl=False)


@click.command()
@click.argument("kr", metavar="OBJECTIVE.KR", shell_complete=complete_ids)
@root_option
@today_option
def trace(kr: str, root: Path | None, today: date | None) -> None:
    """Show everything that moves a key result: items, their dependencies, their launches.

    Example: prodops trace 2026-q4-payments-usage-billing.kr1
    """
    result = _load(root, today)
    terminal.echo(query.trace(result.catalog, kr), nl=False)


@click.group(name="report", cls=TableGroup, table=REPORTS)
def report_group() -> None:
    """Reports for reviews: OKRs of a period (a quarter, a half-year, a cycle: as declared), upcoming launches.

    Example: prodops report okrs --period 2026-Q4 --format html > qbr.html
    """


@click.command(name="okrs")
@click.option(
    "--period", type=PERIOD, help="The period, as the calendar writes it (2026-Q4; any case; default: the current one)."
)
@format_option(["markdown", "html"])
@root_option
@today_option
def report_okrs(period: Period | None, fmt: str, root: Path | None, today: date | None) -> None:
    """The business review of a period: progress, confidence, at-risk key results, the work behind each.

    Example: prodops report okrs --period 2026-Q4 > qbr.md
    """
    result = _load(root, today)
    text = query.okr_report(
        result.catalog, str(period or query.current_period(result.catalog, result.today)), result.today, result.config
    )
    terminal.echo(query.as_html(text, "OKR review") if fmt == "html" else text, nl=False)


@click.command(name="launches")
@click.option(
    "--within", default="30d", show_default=True, callback=as_days, help="How far ahead, in days (e.g. 30d, 90d)."
)
@format_option(["markdown", "html"])
@root_option
@today_option
def report_launches(within: int, fmt: str, root: Path | None, today: date | None) -> None:
    """Upcoming launches with readiness, and what is missing by owner.

    Example: prodops report launches --within 30d
    """
    result = _load(root, today)
    if within > (date.max - result.today).days:
        raise click.BadParameter(
            f"{within}d reaches past the last date there is ({date.max.isoformat()}); give fewer days",
            param_hint="'--within'",
        )
    horizon = result.today + timedelta(days=within)
    text = query.launch_report(result.catalog, result.today, horizon)
    terminal.echo(query.as_html(text, "Upcoming launches") if fmt == "html" else text, nl=False)


@click.command()
@click.option("--format", "fmt", type=click.Choice(list(exporting.WRITERS)), required=True, help="What to write.")
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="A file (json, sqlite, ics) or a folder (csv)."
)
@raw_csv_option
@click.option(
    "--audience",
    type=click.Choice(["internal", "public"]),
    default="internal",
    show_default=True,
    help="public: only public entities and the fields the schemas mark public (JSON only), as on the public site.",
)
@root_option
@today_option
def export(fmt: str, out: Path, raw_csv: bool, audience: str, root: Path | None, today: date | None) -> None:
    """Export every entity with computed fields and resolved relations: JSON, CSV per kind, SQLite, or an iCalendar of launches.

    Example: prodops export --format sqlite --out ops.db && datasette ops.db
    """
    if audience == "public" and fmt != "json":
        raise click.BadParameter(f"the public export is JSON only (got {fmt!r})", param_hint="'--format'")
    result = load_valid(root, today, use_cache=True, why="an export is written from valid data only")
    if out.exists() and fmt != "csv" and out.is_dir():
        raise ProdopsError(f"{out} is a folder; give a file name")
    if audience == "public":
        from prodops import audience as audiences

        view = audiences.public_view(
            result.catalog, result.schemas, result.config.public, result.today, result.config.source
        )
        terminal.echo(f"wrote {audiences.write_export(view, out)}")
        return
    written = exporting.write(result.catalog, result.schemas, fmt, out, generated=result.today, escape_csv=not raw_csv)
    terminal.echo(f"wrote {written}")

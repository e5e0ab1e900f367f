"""The ``prodops`` command: a thin layer that parses options, calls the library and maps results to exit codes.

Exit codes: 0 clean; 1 problems found (or a user mistake such as a bad
configuration); 2 usage error; 3 internal error (a bug: versions, command line and traceback go to the crash log, see ``crashlog``).
"""

from __future__ import annotations

import gc
import importlib
import os
import re
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from prodops import __version__, pipeline, report, terminal
from prodops.codes import CHECKS
from prodops.diagnostics import ProdopsError
from prodops.rules import REGISTRY

if TYPE_CHECKING:
    from prodops.approvals import Reviews
    from prodops.calendar import Period
    from prodops.diagnostics import Diagnostic
    from prodops.selection import Selection

EXIT_PROBLEMS = 1
EXIT_INTERNAL = 3
ARGV_KEY = "prodops.argv"

F = TypeVar("F", bound=Callable[..., Any])


# The one registry of commands: each name and the "module:attribute" that defines it. A module is
# imported only when one of its commands runs (or help lists them all), so `prodops validate` in a
# pre-commit hook does not pay for Jinja2 or the writers. Modules define commands with
# `@click.command`, never on the group: this table is the only place a command is added.
COMMANDS: dict[str, str] = {
    "validate": "prodops.cli:validate",
    "rules": "prodops.cli:rules",
    "show": "prodops.commands.read:show",
    "list": "prodops.commands.read:list_entities",
    "graph": "prodops.commands.read:graph",
    "trace": "prodops.commands.read:trace",
    "report": "prodops.commands.read:report_group",
    "export": "prodops.commands.read:export",
    "history": "prodops.commands.history:history_command",
    "digest": "prodops.commands.history:digest",
    "check-dates": "prodops.commands.history:check_dates",
    "diff": "prodops.commands.review:diff",
    "codeowners": "prodops.commands.review:codeowners",
    "freshness": "prodops.commands.review:freshness",
    "render": "prodops.commands.site:render",
    "build": "prodops.commands.site:build",
    "serve": "prodops.commands.site:serve",
    "set": "prodops.commands.write:set_field",
    "add": "prodops.commands.lists:add",
    "remove": "prodops.commands.lists:remove",
    "move": "prodops.commands.write:move",
    "checkin": "prodops.commands.write:checkin",
    "new": "prodops.commands.write:new",
    "feedback": "prodops.commands.feedback:feedback_group",
    "delivery": "prodops.commands.delivery:delivery_group",
    "init": "prodops.commands.adopt:init",
    "migrate": "prodops.commands.adopt:migrate",
    "metrics": "prodops.commands.metrics:metrics_group",
    "notify": "prodops.commands.notify:notify",
    "contract": "prodops.commands.federation:contract",
    "federate": "prodops.commands.federation:federate",
    "company": "prodops.commands.federation:company",
}

# The subcommands of `prodops report`, from the modules that compute them.
REPORTS: dict[str, str] = {
    "okrs": "prodops.commands.read:report_okrs",
    "launches": "prodops.commands.read:report_launches",
    "review": "prodops.commands.history:report_review",
    "quarter": "prodops.commands.history:report_quarter",
    "calibration": "prodops.commands.history:report_calibration",
    "release-notes": "prodops.commands.history:report_release_notes",
    "status": "prodops.commands.status:report_status",
    "answered": "prodops.commands.status:report_answered",
    "compliance": "prodops.commands.governance:report_compliance",
    "scope": "prodops.commands.governance:report_scope",
    "feedback": "prodops.commands.feedback:report_feedback",
}


class TableGroup(click.Group):
    """A group whose subcommands are named in a table (``name -> "module:attribute"``), imported when asked for."""

    def __init__(self, *args: Any, table: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.table})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.table:
            return self.commands.get(cmd_name)
        module, _, attribute = self.table[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.table[cmd_name]} is not a click command")
        return command


class Group(TableGroup):
    """The ``prodops`` group: its commands from ``COMMANDS``; user mistakes become messages, bugs a short note plus a log file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, table=COMMANDS, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV_KEY] = [ctx.info_name or "prodops", *args]  # for the crash log
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProdopsError as exc:
            terminal.echo(f"prodops: {exc}", err=True)
            ctx.exit(EXIT_PROBLEMS)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            terminal.echo("prodops: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            from prodops import crashlog

            argv = ctx.meta.get(ARGV_KEY, ["prodops"])
            secrets = ctx.meta.get(crashlog.SECRETS_KEY, ())
            log = crashlog.write(_root_for_log(argv[1:]), argv, exc, secrets)
            where = f"details in {log}" if log is not None else "no log could be written"
            terminal.echo(
                f"prodops: internal error (a bug in prodops, not in your files): {type(exc).__name__}; "
                f"please report it with the log; {where}",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


def _root_for_log(args: list[str]) -> Path | None:
    """The repository a crashed command ran on (its --root, or the one around the working folder)."""
    given = None
    for i, arg in enumerate(args):
        if arg == "--root" and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith("--root="):
            given = arg.removeprefix("--root=")
    if given is not None:
        return Path(given).resolve()
    try:
        return find_root(Path.cwd())
    except (ProdopsError, OSError):
        return None


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that has a schemas/ folder."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / pipeline.SCHEMA_DIR).is_dir():
            return candidate
    raise ProdopsError(f"{start}: not inside an ops repository (no schemas/ folder here or above); use --root")


def _completion_root(ctx: click.Context) -> Path | None:
    given = ctx.params.get("root")
    try:
        return Path(given).resolve() if given else find_root(Path.cwd())
    except ProdopsError:
        return None


def complete_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of entity ids (and OBJECTIVE.KR ids), from file names: nothing is parsed."""
    from click.shell_completion import CompletionItem

    from prodops import loader
    from prodops.schemas import load_schemas

    repo = _completion_root(ctx)
    if repo is None:
        return []
    try:
        schemas = load_schemas(repo / pipeline.SCHEMA_DIR)
        files, _ = loader.discover(repo, schemas)
    except ProdopsError:
        return []
    ids = sorted(rel.rsplit("/", 1)[-1].removesuffix(".yaml") for rel in files)
    return [CompletionItem(i) for i in ids if i.startswith(incomplete)]


def complete_kinds(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of kinds, from the kind registry (built-in kinds first, then the others by name)."""
    from click.shell_completion import CompletionItem

    from prodops.kinds import registry
    from prodops.schemas import load_schemas

    repo = _completion_root(ctx)
    if repo is None:
        return []
    try:
        names = registry(load_schemas(repo / pipeline.SCHEMA_DIR)).names
    except ProdopsError:
        return []
    return [CompletionItem(k) for k in names if k.startswith(incomplete)]


def root_option(func: F) -> F:
    # Eager: options whose values depend on the repository (a period of its calendar) read it first.
    return click.option(
        "--root",
        is_eager=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="The ops repository's root folder. Default: the nearest folder with a schemas/ folder.",
    )(func)


class PeriodType(click.ParamType["Period"]):
    """A period of the repository's declared calendar (``x-prodops-calendar``), in any notation it reads.

    The one parameter type of every period option, so each accepts what ``list --period`` does:
    ``2026-q4`` as well as ``2026-Q4``, and the cadence's own notations (``FY27-H1``, ``C12``).
    """

    name = "period"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Period:
        from prodops.calendar import Period
        from prodops.schemas import load_schemas

        if isinstance(value, Period):
            return value
        given = ctx.params.get("root") if ctx is not None else None
        root = given if isinstance(given, Path) else None  # absent, or not read yet (a prompt's answer)
        calendar = load_schemas(resolve_root(root) / pipeline.SCHEMA_DIR).calendar
        found = calendar.parse(str(value))
        if found is None:
            shown = str(value) if len(str(value)) <= 24 else str(value)[:20] + "…"
            given_day = ctx.params.get("today") if ctx is not None else None
            day = given_day if isinstance(given_day, date) else date.today()
            meant = calendar.meant(str(value)[:40], day)
            hint = f" (did you mean '{meant}'?)" if meant is not None else ""
            near = ", ".join(str(p) for p in calendar.near(day))
            self.fail(f"{shown!r} is not {calendar.describe()}{hint}; periods near today: {near}", param, ctx)
        return found


PERIOD = PeriodType()


def as_date(ctx: click.Context, param: click.Parameter, value: Any) -> date | None:
    """Click callback: a YYYY-MM-DD option's value as a date (Click's DateTime gives a datetime)."""
    return value.date() if value is not None else None


DATE = click.DateTime(formats=["%Y-%m-%d"])


def as_days(ctx: click.Context, param: click.Parameter, text: str) -> int:
    """Click callback: ``30d`` (or ``30``) as a number of days; anything else is a usage error."""
    match = re.fullmatch(r"([0-9]+)d?", text.strip())
    shown = text if len(text) <= 24 else text[:20] + "…"
    if match is None:
        raise click.BadParameter(f"{shown!r} is not a number of days; write it like 30d")
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > len(str(date.max.toordinal())):  # more days than the calendar has (and no huge int)
        raise click.BadParameter(
            f"{shown} reaches past the last date there is ({date.max.isoformat()}); give fewer days"
        )
    return int(digits)


def today_option(func: F) -> F:
    return click.option(
        "--today",
        type=DATE,
        callback=as_date,
        # Read before the other options wherever it is written, so that a period's error lists the
        # periods near this day, not the machine's.
        is_eager=True,
        help="The date rules treat as today (YYYY-MM-DD), for reproducible results.",
    )(func)


def format_option(choices: list[str], default: str | None = None, help: str = "Output format.") -> Callable[[F], F]:
    """``--format`` (the ``fmt`` parameter) with these choices; the default is the first unless given."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help=help,
    )


def resolve_root(root: Path | None) -> Path:
    return root.resolve() if root is not None else find_root(Path.cwd())


def load_valid(root: Path | None, today: date | None, *, use_cache: bool = False, why: str = "") -> pipeline.Result:
    """The repository's pipeline result for commands that need valid data; errors stop the command.

    The diagnostics go to stderr, then a one-line reason, exit 1.
    """
    repo = resolve_root(root)
    with report.Progress(sys.stderr, "prodops: reading the repository"):
        result = pipeline.build(repo, today=today, use_cache=use_cache)
    terminal.echo(report.render_notices(result.notices), nl=False, err=True)
    if result.count("error"):
        terminal.echo(
            report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False, err=True
        )
        raise ProdopsError("the repository has errors; fix them first" + (f" ({why})" if why else ""))
    return result


def load_readable(root: Path | None, today: date | None, *, use_cache: bool = False) -> pipeline.Result:
    """The repository's pipeline result for commands that only read: everything that loaded.

    Files with errors are left out of the catalog (a file that failed its schema has no model)
    and named in a one-line warning on stderr; `prodops validate` shows the errors themselves.
    """
    repo = resolve_root(root)
    with report.Progress(sys.stderr, "prodops: reading the repository"):
        result = pipeline.build(repo, today=today, use_cache=use_cache)
    terminal.echo(report.render_notices(result.notices), nl=False, err=True)
    if result.count("error"):
        terminal.echo(report.render_broken(result.diagnostics), err=True)
    return result


def relative_paths(root: Path, paths: tuple[Path, ...]) -> list[str]:
    """Repository-relative POSIX paths; a path outside the repository is a usage error."""
    out = []
    for path in paths:
        absolute = (Path.cwd() / path).resolve() if not path.is_absolute() else path.resolve()
        try:
            out.append(absolute.relative_to(root).as_posix())
        except ValueError:
            raise click.BadParameter(f"{path} is outside the repository {root}", param_hint="PATHS") from None
    return out


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prodops")
def cli() -> None:
    """Validate, cross-link and publish a product organisation's operating system kept as YAML."""


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@today_option
@format_option(
    sorted(report.REPORTERS),
    default="text",
    help="Output format: text (file:line:col lines), json, github (workflow annotations) or sarif (code scanning).",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    help="Reuse what unchanged files held last time (kept in .prodops-cache/, never committed).",
)
@click.option(
    "--base",
    metavar="REV",
    help="Also check every status change since this Git revision against the playbooks' lifecycles.",
)
@click.option(
    "--approvals",
    "reviews_file",
    metavar="FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The pull request's reviews as GitHub's REST API lists them (JSON), to check required approvals "
    "(with --base); without it, changes that need approval are reported as pending.",
)
@click.option(
    "--head-sha",
    metavar="SHA",
    help="The pull request's head commit, which an approval must have been given on (default: HEAD).",
)
@click.option(
    "--codeowners",
    "owners",
    is_flag=True,
    help="Also keep .github/CODEOWNERS in step with the data, from the same run (what the commit hook runs).",
)
def validate(
    paths: tuple[Path, ...],
    root: Path | None,
    today: date | None,
    fmt: str,
    strict: bool,
    cache: bool,
    base: str | None,
    reviews_file: Path | None,
    head_sha: str | None,
    owners: bool,
) -> None:
    """Check the repository: YAML, schemas, references and process rules.

    With PATHS, only those files' problems are reported, but references are
    still resolved against the whole repository. With --codeowners, .github/CODEOWNERS
    is rewritten from the same run when the data is valid and something that can change
    an owner is among PATHS (content, a schema, the configuration; always without PATHS).

    Example: prodops validate roadmap/usage-based-billing.yaml
    """
    repo = resolve_root(root)
    colour = fmt == "text" and report.use_colour(sys.stdout)
    chosen = _selected(repo, paths) if paths else None
    rels = relative_paths(repo, paths)
    refresh = owners and (chosen is None or not chosen.nothing or any(rel in CONFIG_FILES for rel in rels))
    if chosen is not None and chosen.nothing and not refresh:  # only files of no kind (a hook's broad pattern)
        terminal.echo(report.REPORTERS[fmt]([], 0, True, colour), nl=False, styled=colour)
        sys.exit(0)
    only = chosen.only if chosen is not None else None
    reviews, unread = _reviews(repo, reviews_file, head_sha, base)
    with report.Progress(sys.stderr, "prodops: checking the repository"):
        # The owners need every model: the same run builds them all (``whole``).
        result = pipeline.build(
            repo, today=today, only=only, use_cache=cache, base=base, reviews=reviews, whole=refresh
        )
    terminal.echo(report.render_notices(result.notices), nl=False, err=True)
    found = [*unread, *result.diagnostics]
    if chosen is not None and chosen.beside:  # a KPI's CSV history: its own problems, found while reading its KPI
        beside = set(chosen.beside)
        found = sorted([*found, *(d for d in result.everywhere if d.file in beside)], key=lambda d: d.sort_key)
    files = len(result.files) if only is None else len(only) + len(chosen.beside if chosen else ())
    terminal.echo(report.REPORTERS[fmt](found, files, result.rules_checked, colour), nl=False, styled=colour)
    if refresh:
        _refresh_owners(result)
    failing = sum(d.severity == "error" or (strict and d.severity == "warning") for d in found)
    sys.exit(EXIT_PROBLEMS if failing else 0)


CONFIG_FILES = frozenset({"pyproject.toml", "prodops.toml"})  # where the fallback owner is set


def _refresh_owners(result: pipeline.Result) -> None:
    """Rewrite CODEOWNERS from a whole run's catalog; data with errors leaves it as it is (and says so)."""
    from prodops import codeowners

    if any(d.severity == "error" for d in result.everywhere):
        terminal.echo(f"{codeowners.TARGET} was not updated: the repository has errors", err=True)
        return
    text = codeowners.render(result.catalog, fallback_owner(result.config.codeowners_fallback, None))
    done = codeowners.write(result.root, text)
    if done is not None:
        terminal.echo(done, err=True)


def fallback_owner(configured: str | None, given: str | None) -> str:
    """The owner of everything no team owns: ``--fallback`` if given, else the configured one."""
    from prodops import codeowners as owners

    owner = given or configured
    if not owner:
        raise ProdopsError("no fallback owner: set codeowners-fallback in [tool.prodops] or pass --fallback @org/team")
    problem = owners.owner_problem(owner)
    if problem is not None:  # the configured one was checked when the configuration was read
        raise click.BadParameter(problem, param_hint="--fallback")
    return owner


def _reviews(
    repo: Path, path: Path | None, head: str | None, base: str | None
) -> tuple[Reviews | None, list[Diagnostic]]:
    """The pull request's reviews for ``--approvals``, judged against its head commit."""
    if path is None:
        return None, []
    if base is None:
        raise click.UsageError("--approvals checks the status changes since --base REV: pass --base too")
    from prodops import approvals, gitrev

    # A full commit id is taken as given (CI may not have fetched it); anything else, a short id
    # or a ref, is resolved, as an approval's commit_id is always a full id.
    full = head is not None and len(head) == 40 and all(c in "0123456789abcdef" for c in head.lower())
    return approvals.read(path, head.lower() if full and head else gitrev.resolve(repo, head or "HEAD"), str(path))


def _selected(repo: Path, paths: tuple[Path, ...]) -> Selection:
    """What validating ``paths`` checks, as the kind registry sorts them (``selection.py``)."""
    from prodops import selection
    from prodops.schemas import declared_kinds

    # The folders the schemas declare, read without compiling them: the pipeline compiles them next.
    folders = declared_kinds(repo / pipeline.SCHEMA_DIR)
    return selection.select(repo, folders, pipeline.SCHEMA_DIR, relative_paths(repo, paths))


@click.command()
@root_option
def rules(root: Path | None) -> None:
    """List every check with its code, severity, rationale and fix.

    Severities of process rules (PO4xx) can be changed per repository in
    prodops.toml or [tool.prodops.severity] in pyproject.toml.

    Example: prodops rules
    """
    severity: dict[str, str] = {}
    planned: dict[str, Any] = {}  # code -> its schedule (prodops.schedule.Schedule)
    if root is not None or _in_repo():
        from prodops.config import load_config

        config = load_config(resolve_root(root))
        severity, planned = dict(config.severity), dict(config.rules)
    for check in CHECKS.values():
        terminal.echo(f"{check.code}  {check.name}  ({check.severity})")
        terminal.echo(f"    {check.rationale}")
        terminal.echo(f"    fix: {check.fix}")
    for code, rule in REGISTRY.items():
        level = severity.get(code, rule.severity)
        schedule = planned.get(code)
        if schedule is not None:
            level = schedule.severity_on(date.today(), level)
        terminal.echo(f"{code}  {rule.name}  ({level})")
        if schedule is not None and schedule.campaign:
            terminal.echo(f"    rolled out: {schedule.describe()}")
        terminal.echo(f"    {rule.rationale}")
        terminal.echo(f"    fix: {rule.fix}")


def _in_repo() -> bool:
    try:
        find_root(Path.cwd())
    except ProdopsError:
        return False
    return True


def main() -> None:
    """Console-script entry point.

    A run is one batch whose objects live until it ends, so the cyclic garbage collector
    (which would only scan them again and again) is off for one-shot commands, and the
    process ends without tearing its objects down one by one: at 10,000 files those two
    cost more than checking a changed file. `prodops serve` runs for hours and turns the
    collector back on.
    """
    gc.disable()
    try:
        cli.main(prog_name="prodops")
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        terminal.echo(code, err=True)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`prodops list | head`): nothing more can be said
        code = code or 1
    os._exit(code or 0)

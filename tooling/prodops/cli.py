"""The ``prodops`` command: a thin layer that parses options, calls the library and maps results to exit codes.

Exit codes: 0 clean; 1 problems found (or a user mistake such as a bad
configuration); 2 usage error; 3 internal error (a bug: the traceback goes to a log file).
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from prodops import __version__, pipeline, report
from prodops.codes import CHECKS
from prodops.diagnostics import ProdopsError
from prodops.rules import REGISTRY

EXIT_PROBLEMS = 1
EXIT_INTERNAL = 3

F = TypeVar("F", bound=Callable[..., Any])


class Group(click.Group):
    """Turns user mistakes into messages and bugs into a short note plus a log file."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProdopsError as exc:
            click.echo(f"prodops: {exc}", err=True)
            ctx.exit(EXIT_PROBLEMS)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("prodops: interrupted", err=True)
            ctx.exit(130)
        except Exception:
            with tempfile.NamedTemporaryFile("w", prefix="prodops-crash-", suffix=".log", delete=False) as log:
                log.write(traceback.format_exc())
            click.echo(
                f"prodops: internal error (a bug in prodops, not in your files); details in {log.name}", err=True
            )
            ctx.exit(EXIT_INTERNAL)


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
    """Shell completion of kinds, from the schemas."""
    from click.shell_completion import CompletionItem

    from prodops.schemas import load_schemas

    repo = _completion_root(ctx)
    if repo is None:
        return []
    try:
        kinds = sorted(load_schemas(repo / pipeline.SCHEMA_DIR).kinds)
    except ProdopsError:
        return []
    return [CompletionItem(k) for k in kinds if k.startswith(incomplete)]


def root_option(func: F) -> F:
    return click.option(
        "--root",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="The ops repository's root folder. Default: the nearest folder with a schemas/ folder.",
    )(func)


def today_option(func: F) -> F:
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="The date rules treat as today (YYYY-MM-DD), for reproducible results.",
    )(func)


def resolve_root(root: Path | None) -> Path:
    return root.resolve() if root is not None else find_root(Path.cwd())


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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@today_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(report.REPORTERS)),
    default="text",
    show_default=True,
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
def validate(
    paths: tuple[Path, ...], root: Path | None, today: Any, fmt: str, strict: bool, cache: bool, base: str | None
) -> None:
    """Check the repository: YAML, schemas, references and process rules.

    With PATHS, only those files' problems are reported, but references are
    still resolved against the whole repository.

    Example: prodops validate roadmap/usage-based-billing.yaml
    """
    repo = resolve_root(root)
    only = relative_paths(repo, paths) if paths else None
    day: date | None = today.date() if today is not None else None
    result = pipeline.build(repo, today=day, only=only, use_cache=cache, base=base)
    files = len(only) if only is not None else len(result.files)
    colour = fmt == "text" and report.use_colour(sys.stdout)
    click.echo(report.REPORTERS[fmt](result.diagnostics, files, result.rules_checked, colour), nl=False)
    failing = result.count("error") + (result.count("warning") if strict else 0)
    sys.exit(EXIT_PROBLEMS if failing else 0)


@cli.command()
@root_option
def rules(root: Path | None) -> None:
    """List every check with its code, severity, rationale and fix.

    Severities of process rules (PO4xx) can be changed per repository in
    prodops.toml or [tool.prodops.severity] in pyproject.toml.

    Example: prodops rules
    """
    severity: dict[str, str] = {}
    if root is not None or _in_repo():
        from prodops.config import load_config

        severity = dict(load_config(resolve_root(root)).severity)
    for check in CHECKS.values():
        click.echo(f"{check.code}  {check.name}  ({check.severity})")
        click.echo(f"    {check.rationale}")
        click.echo(f"    fix: {check.fix}")
    for code, rule in REGISTRY.items():
        level = severity.get(code, rule.severity)
        click.echo(f"{code}  {rule.name}  ({level})")
        click.echo(f"    {rule.rationale}")
        click.echo(f"    fix: {rule.fix}")


def _load_mkdocs_yaml(repo: Path) -> dict[str, Any]:
    path = repo / "mkdocs.yml"
    if not path.is_file():
        raise ProdopsError(f"{path}: no mkdocs.yml; the site's configuration lives there")
    from prodops import yamlparse

    parsed = yamlparse.parse(path.read_text(encoding="utf-8"))
    if parsed.error is not None or not isinstance(parsed.data, dict):
        where = (
            f":{parsed.error.line}:{parsed.error.column}: {parsed.error.message}" if parsed.error else ": not a mapping"
        )
        raise ProdopsError(f"mkdocs.yml{where}")
    return parsed.data


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@root_option
@today_option
def render(out: Path, root: Path | None, today: Any) -> None:
    """Write the site as plain Markdown: OUT/docs/ and OUT/mkdocs.yml.

    The folder builds with `mkdocs build -f OUT/mkdocs.yml` or `zensical build -f
    OUT/mkdocs.yml`, without the prodops plugin, so the site generator can be swapped.

    Example: prodops render --out build/render
    """
    from prodops.render import SiteOptions, render_site, write_docs

    repo = resolve_root(root)
    result = pipeline.build(repo, today=today.date() if today is not None else None)
    if result.count("error"):
        click.echo(report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False)
        sys.exit(EXIT_PROBLEMS)
    config = _load_mkdocs_yaml(repo)
    edit_base = ""
    if config.get("repo_url") and config.get("edit_uri"):
        edit_base = str(config["repo_url"]).rstrip("/") + "/" + str(config["edit_uri"]).strip("/") + "/"
    options = SiteOptions(
        today=result.today, edit_base=edit_base, site_name=str(config.get("site_name", "Product operations"))
    )
    site = render_site(result, options)
    docs_dir = repo / str(config.get("docs_dir", "docs"))
    pages = write_docs(site, out, docs_dir, config)
    click.echo(f"wrote {pages} generated pages and the hand-written pages to {out}/docs, config in {out}/mkdocs.yml")


@cli.command()
@root_option
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on MkDocs warnings (broken links).")
def build(root: Path | None, strict: bool) -> None:
    """Validate the repository and build the site into the folder mkdocs.yml names (build/site/).

    Example: prodops build
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    repo = resolve_root(root)
    _mkdocs_logging()
    try:
        config = load_config(config_file=str(repo / "mkdocs.yml"), strict=strict)
        mkdocs_build(config)
    except MkDocsException as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"site built in {config.site_dir}")


@cli.command()
@root_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(root: Path | None, port: int) -> None:
    """Serve the site on 127.0.0.1 and rebuild when YAML, schemas or site pages change.

    Example: prodops serve --port 8000
    """
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    repo = resolve_root(root)
    _mkdocs_logging()
    try:
        mkdocs_serve(config_file=str(repo / "mkdocs.yml"), dev_addr=f"127.0.0.1:{port}", livereload=True)
    except MkDocsException as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_PROBLEMS)


def _mkdocs_logging() -> None:
    """Show MkDocs' messages (including the plugin's diagnostics) the way `mkdocs` itself does."""
    import logging

    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_prodops", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._prodops = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@cli.command()
@click.argument("base_rev", metavar="BASE")
@click.argument("head_rev", metavar="[HEAD]", required=False)
@root_option
@today_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Output format.",
)
def diff(base_rev: str, head_rev: str | None, root: Path | None, today: Any, fmt: str) -> None:
    """Say what a change means: entities added, removed, renamed, and what changed in each.

    Compares Git revision BASE with HEAD (default: the working tree, uncommitted changes
    included), and calls out what reviewers care about: horizon and status moves, slipped
    dates, changed key-result targets, launch dates and readiness, lost links to key results
    and dependents whose dates now conflict. Revisions are read with git, never checked out.

    Example: prodops diff origin/main --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from prodops import diff as diffing
    from prodops import diffreport, gitrev

    repo = resolve_root(root)
    day: date | None = today.date() if today is not None else None
    with gitrev.checkout(repo, base_rev) as old_root:
        old = pipeline.build(old_root, today=day)
    if head_rev is None:
        new = pipeline.build(repo, today=day)
        head_name = "working tree"
    else:
        with gitrev.checkout(repo, head_rev) as new_root:
            new = pipeline.build(new_root, today=day)
        head_name = head_rev
    report = diffing.compare(old.catalog, new.catalog, base_rev, head_name)
    click.echo(diffreport.markdown(report) if fmt == "markdown" else diffreport.as_json(report), nl=False)


@cli.command()
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
    from prodops.render.write import _write_atomic

    repo = resolve_root(root)
    result = pipeline.build(repo)
    if result.count("error"):
        click.echo(report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False)
        raise ProdopsError("fix the errors above first; CODEOWNERS is written from valid data only")
    owner = fallback or result.config.codeowners_fallback
    if not owner:
        raise ProdopsError("no fallback owner: set codeowners-fallback in [tool.prodops] or pass --fallback @org/team")
    text = owners.render(result.catalog, owner)
    target = repo / ".github" / "CODEOWNERS"
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check:
        if current != text:
            click.echo(
                ".github/CODEOWNERS is out of date with the data; run `prodops codeowners` and commit it", err=True
            )
            sys.exit(EXIT_PROBLEMS)
        click.echo(".github/CODEOWNERS is up to date")
        return
    if current == text:
        click.echo(".github/CODEOWNERS is already up to date")
        return
    _write_atomic(target, text.encode("utf-8"))
    click.echo(
        f"wrote .github/CODEOWNERS ({sum(line.startswith('/') for line in text.splitlines())} files routed to teams)"
    )


@cli.command()
@root_option
@today_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for one report per person."
)
def freshness(root: Path | None, today: Any, out: Path) -> None:
    """Write one Markdown report per person of what they need to update (empty when nothing).

    Stale check-ins, launch dates that passed and playbooks due for review, grouped by
    the person who owns them; the scheduled workflow turns each into an issue.

    Example: prodops freshness --out build/freshness
    """
    from prodops import freshness as fresh
    from prodops.render.write import _write_atomic

    repo = resolve_root(root)
    result = pipeline.build(repo, today=today.date() if today is not None else None)
    if result.count("error"):
        click.echo(report.render_text(result.diagnostics, len(result.files), result.rules_checked), nl=False)
        raise ProdopsError("fix the errors above first")
    grouped = fresh.by_owner(result.catalog, result.diagnostics)
    for handle, findings in sorted(grouped.items()):
        _write_atomic(out / f"{handle}.md", fresh.markdown(handle, findings).encode("utf-8"))
    waiting = sum(1 for findings in grouped.values() if findings)
    click.echo(f"{waiting} of {len(grouped)} people have something to update; reports in {out}")


def _in_repo() -> bool:
    try:
        find_root(Path.cwd())
    except ProdopsError:
        return False
    return True


# Command families that live in their own modules register themselves on import.
from prodops.commands import read as _read_commands  # noqa: E402, F401
from prodops.commands import write as _write_commands  # noqa: E402, F401


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="prodops")

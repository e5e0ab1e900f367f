"""Commands for several repositories: contract (what this unit publishes) and federate (the units' pins)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from prodops import pipeline, terminal
from prodops.cli import load_valid, resolve_root, root_option, today_option
from prodops.config import load_config
from prodops.diagnostics import ProdopsError
from prodops.edit import write_atomic
from prodops.federation import contract as contracts
from prodops.federation import pins
from prodops.federation.units import Unit

EXIT_BROKEN = 1
BREAKS = ("PO211", "PO212", "PO213")  # what a contract change can break in a reference made here


@click.command()
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The JSON file to write.")
@click.option("--name", "unit", metavar="UNIT", help="The unit's name (default: [tool.prodops.federation] name).")
@root_option
@today_option
def contract(out: Path, unit: str | None, root: Path | None, today: date | None) -> None:
    """Write this unit's contract: what the rest of the company may see and reference, as byte-stable JSON.

    Example: prodops contract --out contracts/payments.json
    """
    result = load_valid(root, today, use_cache=True, why="a contract is written from valid data only")
    federation = result.config.federation
    name = unit or federation.name
    from prodops.federation.units import UNIT_NAME

    if not name or not UNIT_NAME.fullmatch(name):
        raise click.BadParameter(
            f"give the unit a name of lower-case letters, digits and hyphens (got {name!r}); "
            "set [tool.prodops.federation] name or pass --name",
            param_hint="'--name'",
        )
    data = contracts.document(result.catalog, result.schemas, name, federation.hide)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, contracts.to_bytes(data))
    except OSError as exc:
        raise ProdopsError(f"cannot write {out}: {exc.strerror or exc}; choose a path you can write to") from None
    count = sum(len(records) for records in data["entities"].values())
    terminal.echo(f"wrote {out} (unit {name}: {count} entities)")


@click.command()
@click.option("--update", is_flag=True, help="Move each unit's rev pin to its repository's current HEAD.")
@root_option
@today_option
def federate(update: bool, root: Path | None, today: date | None) -> None:
    """Show the units this repository reads and their pins; with --update, move them and say what changes.

    A move that breaks a reference made here is reported, and the command exits 1.

    Example: prodops federate --update
    """
    repo = resolve_root(root)
    config = load_config(repo)
    federation = config.federation
    if not federation.units:
        terminal.echo(f"no units declared ([tool.prodops.federation] in {federation.file})")
        return
    if not update:
        for unit in federation.units:
            terminal.echo(f"{unit.name}: {_pin(repo, unit)}")
        return
    found = pins.moves(repo, federation, today)
    failed = [m for m in found if m.problem]
    for move in failed:
        terminal.echo(f"{move.unit}: not moved: {move.problem}", err=True)
    new = {m.unit: m.new for m in found if not m.problem}
    for move in found:
        if move.problem:
            continue
        terminal.echo(f"{move.unit}: {move.old[:12]} -> {move.new[:12]}")
        for label, ids in (("added", move.added), ("removed", move.removed), ("changed", move.changed)):
            if ids:
                terminal.echo(f"  {label}: {', '.join(ids)}")
    if not new:
        terminal.echo("every pin is at its unit's HEAD")
        sys.exit(EXIT_BROKEN if failed else 0)
    path = repo / federation.file
    raw = path.read_bytes()
    edited = pins.edit_pins(raw.decode("utf-8"), federation, new).encode("utf-8")
    write_atomic(path, edited, expected=raw)
    # What the new pins break here: this repository's references, checked against the moved contracts.
    result = pipeline.build(repo, today=today)
    broken = [d for d in result.diagnostics if d.code in BREAKS and _unit_of(d.message) in new]
    for d in broken:
        terminal.echo(f"breaks {d.file}:{d.line}:{d.column}: {d.code} {d.message}", err=True)
    sys.exit(EXIT_BROKEN if broken or failed else 0)


def _unit_of(message: str) -> str:
    marker = "unit '"
    start = message.find(marker)
    return message[start + len(marker) :].split("'", 1)[0] if start >= 0 else ""


def _pin(repo: Path, unit: Unit) -> str:
    """How a unit is pinned, and whether its repository has moved on since."""
    if unit.contract:
        return f"contract {unit.contract}"
    try:
        now = pins.head(repo, unit)
    except ProdopsError as exc:
        return f"{unit.path} @ {unit.rev[:12]} (cannot read its HEAD: {exc})"
    moved = "" if now == unit.rev else f" (HEAD is {now[:12]}: `prodops federate --update` moves the pin)"
    return f"{unit.path} @ {unit.rev[:12]}{moved}"


@click.group()
def company() -> None:
    """The company site, built from this repository's objectives and the units' contracts.

    Example: prodops company build
    """


@company.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/company"),
    show_default=True,
    help="The folder to build into (relative to the repository): OUT/docs, OUT/site and OUT/manifest.json.",
)
@click.option("--strict/--no-strict", default=True, show_default=True, help="Fail on MkDocs warnings (broken links).")
@root_option
@today_option
def company_build(out: Path, strict: bool, root: Path | None, today: date | None) -> None:
    """Build the company site: objectives with the units' contributions, one roadmap board, cross-unit dependencies.

    A unit's page is written again only when its contract changed since the last build.

    Example: prodops company build --out build/company
    """
    import io
    import json
    import shutil

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as load_mkdocs
    from mkdocs.exceptions import MkDocsException

    from prodops.federation import site
    from prodops.federation.check import loader

    result = load_valid(root, today, use_cache=True, why="the company site is built from valid data only")
    repo = result.root
    federation = result.config.federation
    if not federation.units:
        raise ProdopsError(
            f"{federation.file}: no units declared in [tool.prodops.federation]; the company site lists them"
        )
    target = out if out.is_absolute() else repo / out
    _check_out(
        target,
        repo,
        [
            repo / "mkdocs.yml",
            repo / "site",
            repo / ".git",
            repo / "contracts",
            *(repo / folder for folder in ("schemas", *result.schemas.folders)),
        ],
    )
    load = loader(repo, today)
    units: list[site.UnitData] = []
    for unit in federation.units:
        found = load(unit)
        if isinstance(found, str):
            where = unit.contract or f"{unit.path} at {unit.rev[:12]}"
            terminal.echo(
                f"{federation.file}:{unit.line}: unit '{unit.name}': its contract ({where}) {found}; "
                "its page says so and the company site lacks its entities",
                err=True,
            )
            units.append(site.UnitData(unit, None, problem=found))
        else:
            units.append(site.UnitData(unit, found, digest=site.digest(found)))
    docs = target / "docs"
    redone = site.write_pages(docs, federation.name or "company", result.catalog, units)
    for part in ("stylesheets/prodops.css", "javascripts/filters.js"):
        (docs / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site.asset(repo, part), docs / part)
    _mkdocs_quiet()
    title = f"Company site ({federation.name})" if federation.name else "Company site"
    text = json.dumps(site.mkdocs_config(target, title, units))
    try:
        config = load_mkdocs(io.StringIO(text), config_file_path=str(target / "mkdocs.yml"), strict=strict)
        mkdocs_build(config)
    except MkDocsException as exc:
        terminal.echo(str(exc), err=True)
        sys.exit(1)
    terminal.echo(
        f"company site built in {target / 'site'} ({len(units)} units; pages written again: "
        f"{', '.join(redone) or 'none'})"
    )
    if any(u.problem for u in units):
        sys.exit(EXIT_BROKEN)  # built, but a unit is missing from it: CI must not publish it as complete


def _mkdocs_quiet() -> None:
    from prodops.commands.site import _mkdocs_logging

    _mkdocs_logging()


def _check_out(target: Path, repo: Path, protected: list[Path]) -> None:
    """Refuse a build folder whose docs/ or site/ (both written whole) would be or hold the repository's own files."""
    from prodops.render.write import check_out

    check_out(target, repo, protected)
    for name in ("site", "docs"):
        written = target / name
        if written.is_symlink():
            raise ProdopsError(
                f"refusing to build into {target}: {written} is a symbolic link; remove it or choose another --out"
            )
        for place in (repo, *protected):
            kept = place.resolve()
            if written.resolve() == kept or kept.is_relative_to(written.resolve()):
                raise ProdopsError(
                    f"refusing to build into {target}: {written} would replace {place}; choose a folder such as build/company"
                )

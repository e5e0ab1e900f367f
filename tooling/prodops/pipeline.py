"""The one place the stages are put together: load -> schema -> link -> rules."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path

from prodops import calendar, loader, published, schedule, schemacheck, schemaversion, sources, states
from prodops.approvals import Reviews
from prodops.builtin_kinds import BUILTIN
from prodops.catalog import UNIT_SEPARATOR, Catalog, link
from prodops.codes import CHECKS
from prodops.config import Config, load_config
from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.loader import Document
from prodops.metrics import store as metrics_store
from prodops.outline import Outline, outline
from prodops.rules import REGISTRY, Context
from prodops.schemas import SchemaSet
from prodops.sources import Checked, Source

SCHEMA_DIR = sources.SCHEMA_DIR


@dataclass
class Result:
    root: Path
    schemas: SchemaSet
    catalog: Catalog
    documents: list[Document]
    files: list[str]
    diagnostics: list[Diagnostic]
    config: Config
    today: date
    rules_checked: bool = True
    # With ``only``, ``diagnostics`` holds those files' problems; this also holds every other
    # file's load, schema and reference problems (rules and lifecycles judge only those files).
    everywhere: list[Diagnostic] = field(default_factory=list)
    only: frozenset[str] | None = None  # the files reported (``only``, with its neighbours if asked)
    notices: list[str] = field(default_factory=list)  # about the run, not the content (an ignored cache)

    def count(self, severity: str) -> int:
        return sum(d.severity == severity for d in self.diagnostics)


def build(
    root: Path,
    *,
    today: date | None = None,
    only: Iterable[str] | None = None,
    config: Config | None = None,
    use_cache: bool = False,
    base: str | None = None,
    overrides: Mapping[str, str | None] | None = None,
    neighbours: bool = False,
    reviews: Reviews | None = None,
    whole: bool = False,
) -> Result:
    """Run every stage over the repository's working tree (see ``run``).

    With ``use_cache``, files unchanged since the last run are not parsed or checked again.
    ``overrides`` maps repository-relative paths to text that replaces (or adds) those files,
    or to None for a file removed, to check an edit before writing it.
    """
    source = sources.working(root, cache=use_cache, overrides=overrides)
    return run(
        source, today=today, only=only, config=config, base=base, neighbours=neighbours, reviews=reviews, whole=whole
    )


def run(
    source: Source,
    *,
    today: date | None = None,
    only: Iterable[str] | None = None,
    config: Config | None = None,
    base: str | None = None,
    neighbours: bool = False,
    reviews: Reviews | None = None,
    whole: bool = False,
) -> Result:
    """Run every stage once over what ``source`` yields: load -> schema (per file), link -> rules (the whole).

    ``only`` limits the diagnostics reported to those files (as repository-relative
    paths); references are still resolved against the whole repository, but model
    objects are built only around those files (see ``catalog.link``), so the returned
    catalog is partial: use it for diagnostics only. With ``base`` (a Git revision),
    status changes since that revision are checked against the lifecycles the playbooks
    declared at that revision, and a change of those rules is called out for review; changes
    that need approval are checked against ``reviews`` (a pull request's), or reported as pending. With ``neighbours``, ``only`` grows by the files that those files name or that
    name them: every file whose findings an edit of them can change (every file, when one of
    them is a team: any file may name its people); the result's ``only`` says which files
    that was. With ``whole``, every model is built all the same (the catalog is whole), for a
    command that reports on ``only`` and needs every model too (CODEOWNERS in the commit hook).
    """
    # Every object built here lives until the end of the run: the cyclic garbage collector
    # would only scan millions of them again and again (a fifth of the time at 10,000 files).
    wanted = frozenset(only) if only is not None else None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        # Lifecycle checks compare whole catalogs, so a run with a base builds every model.
        result = _run(source, today, wanted, config, base is None and not whole, neighbours)
        if wanted is None:  # what the site would publish is part of the repository too
            site_problems = published.repository(result.root)
            if site_problems:
                result.diagnostics = sorted([*result.diagnostics, *site_problems], key=lambda d: d.sort_key)
        if base is not None and result.rules_checked:
            from prodops import lifecycle  # only runs against a base revision need it

            with sources.revision(source.root, base) as revision:
                old = _run(revision.source, result.today, None, config)
            # What could not be read at the base is not compared: say so, where it is.
            found = [
                *revision.problems,
                *lifecycle.check(old.catalog, result.catalog, _as_scheduled(result.config, result.today), reviews),
                *lifecycle.review(lifecycle.rule_changes(old.catalog, result.catalog, result.root)),
            ]
            result.diagnostics.extend(d for d in found if wanted is None or d.file in wanted)
            result.diagnostics.sort(key=lambda d: d.sort_key)
        source.keep()  # where this run's findings sit, so the next run need not parse their files again
        return result
    finally:
        if was_enabled:
            gc.enable()


def check_file(schemas: SchemaSet, rel: str, raw: bytes, location: str | None) -> Checked:
    """Stages 1 and 2 for one file: load it strictly, then check it against its kind's schema."""
    kind, problem = loader.classify(rel, schemas)
    if kind is None:
        return Checked(rel, None, [problem] if problem is not None else [], False, None)
    doc, problems = loader.load_bytes(rel, kind, raw, schemas, location)
    if doc is None:
        return Checked(rel, None, problems, False, None)
    schema_problems = schemacheck.check_document(doc, schemas)
    shape = outline(doc, {p.path for p in schema_problems})
    return Checked(rel, doc, [*problems, *schema_problems], not schema_problems, shape)


def _run(
    source: Source,
    today: date | None,
    wanted: frozenset[str] | None,
    config: Config | None,
    focused: bool = False,
    neighbours: bool = False,
) -> Result:
    root, schemas = source.root, source.schemas
    config = config if config is not None else load_config(root)
    _check_overrides(config)
    today = today or date.today()

    files, diagnostics = source.discover()
    diagnostics.extend(schemaversion.check(root / SCHEMA_DIR, schemas))
    diagnostics.extend(calendar.check(root / SCHEMA_DIR, schemas.calendar_problems))
    diagnostics.extend(states.check(root / SCHEMA_DIR, schemas, frozenset(BUILTIN)))
    if wanted is not None:
        reported = {d.file for d in diagnostics}  # discovery already said why (a link, a pipe)
        for rel in sorted(wanted - set(files) - reported):
            diagnostics.extend(source.explain(rel))
    documents: list[Document] = []
    valid: dict[str, bool] = {}
    outlines: dict[str, Outline] = {}
    for done in source.checked(files, partial(check_file, schemas)):
        diagnostics.extend(done.problems)
        if done.document is not None and done.outline is not None:
            documents.append(done.document)
            valid[done.rel] = done.valid
            outlines[done.rel] = done.outline
    if neighbours and wanted is not None:
        wanted = _neighbourhood(schemas, outlines, wanted)
    focus = wanted if focused else None
    if focus is None:  # every model will be built: read the data in one pass
        source.prefetch(documents)

    loaded_rels = {doc.rel for doc in documents}
    unloaded = {
        rel.rsplit("/", 1)[-1].removesuffix(loader.YAML_SUFFIX): kind.kind
        for rel in files
        if rel not in loaded_rels and (kind := schemas.kind_for(rel)) is not None
    }
    catalog, link_problems = link(documents, valid, schemas, unloaded, outlines, focus)
    if config.feedback.derive_reach:
        from prodops.feedback import reach

        reach.apply(catalog)  # before the rules and every reader: one RICE score everywhere
    diagnostics.extend(link_problems)
    if config.federation.units or any(UNIT_SEPARATOR in t for o in outlines.values() for ts in o.targets for t in ts):
        from prodops.federation import check as federation  # only a repository naming other units needs it

        read_unit = federation.loader(root, today)
        diagnostics.extend(federation.check(config.federation, documents, outlines, catalog, read_unit))
    kpi_kind = schemas.kinds.get(metrics_store.KIND)
    from prodops.sources.overlay import Overlay

    catalog.metrics, metric_problems = metrics_store.load(
        root,
        catalog.kpis,
        files,
        kpi_kind.folder if kpi_kind is not None else None,
        # An edit checked before it is written (an import) lays its KPI histories over the files.
        source.texts if isinstance(source, Overlay) else None,
    )
    diagnostics.extend(metric_problems)

    # Process rules judge the repository as a whole; on incomplete data they would
    # report the consequences of the errors above, so they wait until those are fixed.
    rules_checked = not any(d.severity == "error" for d in diagnostics)
    if rules_checked:
        first = schedule.first_days(root) if any(s.only_created_after for s in config.rules.values()) else {}
        diagnostics.extend(_check_rules(catalog, config, today, wanted, first))

    diagnostics.sort(key=lambda d: d.sort_key)
    everywhere = diagnostics
    if wanted is not None:
        diagnostics = [d for d in diagnostics if d.file in wanted]
    return Result(
        root,
        schemas,
        catalog,
        documents,
        files,
        diagnostics,
        config,
        today,
        rules_checked,
        everywhere,
        wanted,
        list(source.notices),
    )


def _neighbourhood(schemas: SchemaSet, outlines: Mapping[str, Outline], rels: frozenset[str]) -> frozenset[str] | None:
    """``rels`` and the files they name or that name them (None: every file, as a team is among them)."""
    subjects = {shape.id: rel for rel in rels if (shape := outlines.get(rel)) is not None and shape.id is not None}
    if any((kind := schemas.kind_for(rel)) is not None and kind.kind == "team" for rel in subjects.values()):
        return None
    naming = {*subjects, *(f"{oid}.{kr}" for oid, rel in subjects.items() for kr in outlines[rel].key_results)}
    # Ids have no dots, so OBJECTIVE.KR leads to its objective by what comes before the dot.
    named = {value.partition(".")[0] for rel in subjects.values() for ids in outlines[rel].targets for value in ids}
    out = set(rels)
    for rel, shape in outlines.items():  # every file: a plain loop, no generator per file
        if shape.id in named:
            out.add(rel)
            continue
        for ids in shape.targets:
            if ids and not naming.isdisjoint(ids):
                out.add(rel)
                break
    return frozenset(out)


def _check_rules(
    catalog: Catalog,
    config: Config,
    today: date,
    wanted: frozenset[str] | None,
    first: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Every rule's findings, positioned; findings in files not ``wanted`` are not positioned, only dropped.

    A rule rolled out on a schedule (``config.rules``) has the severity of ``today`` and judges only
    the entities it applies to (``first``: each entity's first commit day).
    """
    out: list[Diagnostic] = []
    ctx = Context(catalog=catalog, config=config, today=today)
    for code, rule in REGISTRY.items():
        severity = config.severity.get(code, rule.severity)
        planned = config.rules.get(code)
        if planned is not None:
            severity = planned.severity_on(today, severity)
        if severity == "off":
            continue
        upcoming = planned.upcoming(today) if planned is not None else ""
        for finding in rule.check(ctx):
            if planned is not None and not planned.applies((first or {}).get(finding.entity)):
                continue
            doc = catalog.documents[finding.entity]
            if wanted is not None and doc.rel not in wanted:
                continue
            line, column = doc.locate_key(finding.path) if finding.at_key else doc.locate(finding.path)
            hint = f"{finding.hint}; {upcoming}" if finding.hint and upcoming else finding.hint or upcoming
            out.append(
                Diagnostic(severity, code, finding.message, doc.rel, line, column, finding.path, hint)  # type: ignore[arg-type]
            )
    return out


def _as_scheduled(config: Config, today: date) -> Config:
    """``config`` with the severity each scheduled rule has on ``today``, for the lifecycle requirements it governs."""
    if not config.rules:
        return config
    severity = dict(config.severity)
    for code, planned in config.rules.items():
        if code in REGISTRY:
            severity[code] = planned.severity_on(today, severity.get(code, REGISTRY[code].severity))
    return replace(config, severity=severity)


def _check_overrides(config: Config) -> None:
    for code in config.severity:
        if code in CHECKS:
            raise ProdopsError(f"{config.source}: {code} is a structural check; its severity cannot be changed")
        if code not in REGISTRY:
            known = ", ".join(REGISTRY)
            raise ProdopsError(f"{config.source}: unknown rule '{code}' in severity (rules: {known})")

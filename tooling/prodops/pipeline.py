"""The one place the stages are put together: load -> schema -> link -> rules."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from prodops import loader, schemacheck, schemaversion
from prodops.cache import NO_PROBLEMS, Cache, cache_key
from prodops.cache import Entry as CacheEntry
from prodops.catalog import Catalog, link
from prodops.codes import CHECKS
from prodops.config import Config, load_config
from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.loader import Document
from prodops.outline import Outline, outline
from prodops.rules import REGISTRY, Context
from prodops.schemas import SchemaSet, load_schemas

SCHEMA_DIR = "schemas"
SITE_DIR = "site"


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
) -> Result:
    """Run every stage over the whole repository.

    ``only`` limits the diagnostics reported to those files (as repository-relative
    paths); references are still resolved against the whole repository, but model
    objects are built only around those files (see ``catalog.link``), so the returned
    catalog is partial: use it for diagnostics only. With
    ``use_cache``, files unchanged since the last run are not parsed or checked again.
    With ``base`` (a Git revision), status changes since that revision are checked
    against the lifecycles the playbooks declare. ``overrides`` maps repository-relative
    paths to text that replaces (or adds) those files, or to None for a file removed, to
    check an edit before writing it. With ``neighbours``, ``only`` grows by the files that
    those files name or that name them: every file whose findings an edit of them can change
    (every file, when one of them is a team: any file may name its people); the result's
    ``only`` says which files that was.
    """
    # Every object built here lives until the end of the run: the cyclic garbage collector
    # would only scan millions of them again and again (a fifth of the time at 10,000 files).
    wanted = frozenset(only) if only is not None else None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        # Lifecycle checks compare whole catalogs, so a run with a base builds every model.
        result = _build(root, today, wanted, config, use_cache, overrides or {}, base is None, neighbours)
        if wanted is None:  # what the site would publish is part of the repository too
            site_problems = loader.unpublishable(result.root, SITE_DIR)
            if site_problems:
                result.diagnostics = sorted([*result.diagnostics, *site_problems], key=lambda d: d.sort_key)
        if base is not None and result.rules_checked:
            from prodops import gitrev, lifecycle  # only runs against a base revision need them

            with gitrev.checkout(root, base) as revision:
                old = _build(revision.root, result.today, None, config, False)
            # What could not be read at the base is not compared: say so, where it is.
            found = [*revision.problems, *lifecycle.check(old.catalog, result.catalog, result.config)]
            result.diagnostics.extend(d for d in found if wanted is None or d.file in wanted)
            result.diagnostics.sort(key=lambda d: d.sort_key)
        return result
    finally:
        if was_enabled:
            gc.enable()


def _build(
    root: Path,
    today: date | None,
    wanted: frozenset[str] | None,
    config: Config | None,
    use_cache: bool,
    overrides: Mapping[str, str | None] | None = None,
    focused: bool = False,
    neighbours: bool = False,
) -> Result:
    root = root.resolve()
    config = config if config is not None else load_config(root)
    _check_overrides(config)
    today = today or date.today()
    schemas = load_schemas(root / SCHEMA_DIR)

    files, diagnostics = loader.discover(root, schemas)
    diagnostics.extend(schemaversion.check(root / SCHEMA_DIR, schemas))
    overrides = overrides or {}
    removed = {rel for rel, text in overrides.items() if text is None}
    files = sorted((set(files) | set(overrides)) - removed)
    if wanted is not None:
        reported = {d.file for d in diagnostics}  # discovery already said why (a link, a pipe)
        for rel in sorted(wanted - set(files) - removed - reported):
            diagnostics.extend(
                loader.load_file(root, schemas, rel)[1]
                if os.path.lexists(root / rel)
                else [Diagnostic("error", "PO109", "no such file", rel)]
            )
    cache = Cache(root, cache_key(schemas.digest)) if use_cache else None
    documents, valid, outlines = _load_and_check(root, schemas, files, cache, diagnostics, overrides)
    if neighbours and wanted is not None:
        wanted = _neighbourhood(schemas, outlines, wanted)
    focus = wanted if focused else None
    if cache is not None:
        cache.forget_missing(set(files))
        if focus is None:  # every model will be built: read the cached data in one pass
            _fill(cache, documents)

    loaded_rels = {doc.rel for doc in documents}
    unloaded = {
        rel.rsplit("/", 1)[-1].removesuffix(loader.YAML_SUFFIX): kind.kind
        for rel in files
        if rel not in loaded_rels and (kind := schemas.kind_for(rel)) is not None
    }
    catalog, link_problems = link(documents, valid, schemas, unloaded, outlines, focus)
    diagnostics.extend(link_problems)
    if cache is not None:
        cache.save()

    # Process rules judge the repository as a whole; on incomplete data they would
    # report the consequences of the errors above, so they wait until those are fixed.
    rules_checked = not any(d.severity == "error" for d in diagnostics)
    if rules_checked:
        diagnostics.extend(_check_rules(catalog, config, today, wanted))

    diagnostics.sort(key=lambda d: d.sort_key)
    everywhere = diagnostics
    if wanted is not None:
        diagnostics = [d for d in diagnostics if d.file in wanted]
    notices = cache.notices if cache is not None else []
    return Result(
        root, schemas, catalog, documents, files, diagnostics, config, today, rules_checked, everywhere, wanted, notices
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


def _load_and_check(
    root: Path,
    schemas: SchemaSet,
    files: list[str],
    cache: Cache | None,
    diagnostics: list[Diagnostic],
    overrides: Mapping[str, str | None],
) -> tuple[list[Document], dict[str, bool], dict[str, Outline]]:
    """Stages 1 and 2 per file: load strictly, check against the schema; reuse the cache where it is current.

    Returns the documents, whether each passed its schema, and each one's outline (what
    linking needs). A document taken from the cache fetches its data only when asked.
    """
    documents: list[Document] = []
    valid: dict[str, bool] = {}
    outlines: dict[str, Outline] = {}
    root_text = str(root)
    fetch = _fetcher(root, schemas, cache) if cache is not None else None
    for rel in files:
        kind = schemas.kind_for(rel)
        # A plain string, not a Path: building 10,000 Path objects costs more than the cache saves.
        location = f"{root_text}/{rel}"
        raw: bytes | None = None
        text = overrides.get(rel)
        if text is not None and kind is not None:
            doc, problems = loader.load_bytes(rel, kind, text.encode("utf-8"), schemas, None)
            if doc is not None:
                doc.text_or_none = text
        elif cache is not None and kind is not None and rel.endswith(loader.YAML_SUFFIX):
            entry, raw = cache.lookup(rel, location)
            if entry is not None:
                if entry.problems_json != NO_PROBLEMS:
                    diagnostics.extend(entry.problems)
                if entry.outline is not None:
                    documents.append(loader.Document(rel, kind, None, entry.data, location, fetch))
                    valid[rel] = entry.valid
                    outlines[rel] = entry.outline
                continue
            if raw is None:  # unreadable or too large: the loader says which
                diagnostics.extend(loader.load_file(root, schemas, rel)[1])
                continue
            doc, problems = loader.load_bytes(rel, kind, raw, schemas, location)
        else:
            doc, problems = loader.load_file(root, schemas, rel)
        schema_problems = schemacheck.check_document(doc, schemas) if doc is not None else []
        diagnostics.extend(problems)
        diagnostics.extend(schema_problems)
        shape = None
        if doc is not None:
            documents.append(doc)
            valid[rel] = not schema_problems
            shape = outlines[rel] = outline(doc, {p.path for p in schema_problems})
        if cache is not None and raw is not None:
            cache.store(
                rel,
                CacheEntry.of(
                    raw,
                    doc.data if doc is not None else None,
                    [*problems, *schema_problems],
                    not schema_problems,
                    shape,
                ),
            )
    return documents, valid, outlines


def _fetcher(root: Path, schemas: SchemaSet, cache: Cache) -> Callable[[str], dict[str, Any]]:
    """How a cached document gets its data: from the cache, or (if the cache cannot give it) from the file."""

    def fetch(rel: str) -> dict[str, Any]:
        data = cache.data(rel)
        if isinstance(data, dict):
            return data
        doc = loader.load_file(root, schemas, rel)[0]
        return doc.data if doc is not None else {}

    return fetch


def _fill(cache: Cache, documents: list[Document]) -> None:
    pending = [doc for doc in documents if doc.data_or_none is None]
    found = cache.load_data(doc.rel for doc in pending)
    for doc in pending:
        data = found.get(doc.rel)
        if isinstance(data, dict):
            doc.data_or_none = data


def _check_rules(catalog: Catalog, config: Config, today: date, wanted: frozenset[str] | None) -> list[Diagnostic]:
    """Every rule's findings, positioned; findings in files not ``wanted`` are not positioned, only dropped."""
    out: list[Diagnostic] = []
    ctx = Context(catalog=catalog, config=config, today=today)
    for code, rule in REGISTRY.items():
        severity = config.severity.get(code, rule.severity)
        if severity == "off":
            continue
        for finding in rule.check(ctx):
            doc = catalog.documents[finding.entity]
            if wanted is not None and doc.rel not in wanted:
                continue
            line, column = doc.locate_key(finding.path) if finding.at_key else doc.locate(finding.path)
            out.append(
                Diagnostic(severity, code, finding.message, doc.rel, line, column, finding.path, finding.hint)  # type: ignore[arg-type]
            )
    return out


def _check_overrides(config: Config) -> None:
    for code in config.severity:
        if code in CHECKS:
            raise ProdopsError(f"{config.source}: {code} is a structural check; its severity cannot be changed")
        if code not in REGISTRY:
            known = ", ".join(REGISTRY)
            raise ProdopsError(f"{config.source}: unknown rule '{code}' in severity (rules: {known})")

"""The one place the stages are put together: load -> schema -> link -> rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prodops import loader, schemacheck
from prodops.catalog import Catalog, link
from prodops.codes import CHECKS
from prodops.config import Config, load_config
from prodops.diagnostics import Diagnostic, JsonPath, ProdopsError
from prodops.loader import Document
from prodops.rules import REGISTRY, Context
from prodops.schemas import SchemaSet, load_schemas

SCHEMA_DIR = "schemas"


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

    def count(self, severity: str) -> int:
        return sum(d.severity == severity for d in self.diagnostics)


def build(
    root: Path, *, today: date | None = None, only: Iterable[str] | None = None, config: Config | None = None
) -> Result:
    """Run every stage over the whole repository.

    ``only`` limits the diagnostics reported to those files (as repository-relative
    paths); references are still resolved against the whole repository.
    """
    root = root.resolve()
    config = config if config is not None else load_config(root)
    _check_overrides(config)
    today = today or date.today()
    schemas = load_schemas(root / SCHEMA_DIR)

    files, diagnostics = loader.discover(root, schemas)
    wanted: set[str] | None = None
    if only is not None:
        wanted = set(only)
        for rel in sorted(wanted - set(files)):
            diagnostics.extend(
                loader.load_file(root, schemas, rel)[1]
                if (root / rel).is_file()
                else [Diagnostic("error", "PO109", "no such file", rel)]
            )
    loaded = loader.load(root, schemas, files)
    diagnostics.extend(loaded.diagnostics)

    valid: dict[str, bool] = {}
    invalid_paths: set[tuple[str, JsonPath]] = set()
    for doc in loaded.documents:
        problems = schemacheck.check_document(doc, schemas)
        diagnostics.extend(problems)
        valid[doc.rel] = not problems
        invalid_paths.update((doc.rel, p.path) for p in problems)

    loaded_rels = {doc.rel for doc in loaded.documents}
    unloaded = {
        rel.rsplit("/", 1)[-1].removesuffix(loader.YAML_SUFFIX): kind.kind
        for rel in files
        if rel not in loaded_rels and (kind := schemas.kind_for(rel)) is not None
    }
    catalog, link_problems = link(loaded.documents, valid, schemas, unloaded, frozenset(invalid_paths))
    diagnostics.extend(link_problems)

    # Process rules judge the repository as a whole; on incomplete data they would
    # report the consequences of the errors above, so they wait until those are fixed.
    rules_checked = not any(d.severity == "error" for d in diagnostics)
    if rules_checked:
        diagnostics.extend(_check_rules(catalog, config, today))

    if wanted is not None:
        diagnostics = [d for d in diagnostics if d.file in wanted]
    diagnostics.sort(key=lambda d: d.sort_key)
    return Result(root, schemas, catalog, loaded.documents, files, diagnostics, config, today, rules_checked)


def _check_rules(catalog: Catalog, config: Config, today: date) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    ctx = Context(catalog=catalog, config=config, today=today)
    for code, rule in REGISTRY.items():
        severity = config.severity.get(code, rule.severity)
        if severity == "off":
            continue
        for finding in rule.check(ctx):
            doc = catalog.documents[finding.entity]
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

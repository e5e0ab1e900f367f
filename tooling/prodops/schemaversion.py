"""Which schema version a repository's schemas are at, compared with the version this prodops ships.

Every schema file carries ``"x-prodops-schema-version": N`` at its top level. A file older
than the tool's version (PO116) is upgraded by ``prodops migrate``; one without a version
(PO117, a schema an organisation added itself, for instance) is told which number to write;
one newer than the tool (PO118) asks for a newer prodops.
"""

from __future__ import annotations

from pathlib import Path

from prodops.diagnostics import Diagnostic
from prodops.migrations import schema_version
from prodops.schemas import SchemaSet

KEY = "x-prodops-schema-version"


def versions(schemas: SchemaSet) -> dict[str, int | None]:
    """Each schema file's declared version (None when it has none, or not a whole number)."""
    out: dict[str, int | None] = {}
    for name, doc in sorted(schemas.documents.items()):
        value = doc.get(KEY)
        out[name] = value if isinstance(value, int) and not isinstance(value, bool) else None
    return out


def repository_version(schemas: SchemaSet) -> int | None:
    """The oldest version among the schema files that declare one (None: no file declares one)."""
    found = [v for v in versions(schemas).values() if v is not None]
    return min(found) if found else None


def check(schema_dir: Path, schemas: SchemaSet) -> list[Diagnostic]:
    """A diagnostic for every schema file that is not at the version this prodops ships."""
    shipped = schema_version()
    out: list[Diagnostic] = []
    for name, version in versions(schemas).items():
        rel = f"{schema_dir.name}/{name}"
        if version == shipped:
            continue
        line, column = _locate(schema_dir / name)
        if version is None:
            out.append(
                Diagnostic(
                    "info",
                    "PO117",
                    f"the schema declares no {KEY}; this prodops ships schema version {shipped}",
                    rel,
                    line,
                    column,
                    hint=f'add "{KEY}": {shipped}, after "$schema" (the version of the schema set the file was '
                    "written for), so prodops migrate knows which migrations apply to it",
                )
            )
        elif version < shipped:
            out.append(
                Diagnostic(
                    "warning",
                    "PO116",
                    f"the schema is at version {version}, older than the version {shipped} this prodops ships",
                    rel,
                    line,
                    column,
                    hint="run prodops migrate --dry-run to see what changes, then prodops migrate to upgrade the "
                    "content files and the schemas",
                )
            )
        else:
            out.append(
                Diagnostic(
                    "warning",
                    "PO118",
                    f"the schema is at version {version}, newer than the version {shipped} this prodops knows",
                    rel,
                    line,
                    column,
                    hint="install the prodops release the repository's schemas were written for (or a newer one)",
                )
            )
    return out


def _locate(path: Path) -> tuple[int, int]:
    """Line and column of the version key in the schema file (1:1 when it has none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return 1, 1
    index = text.find(f'"{KEY}"')
    if index < 0:
        return 1, 1
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1

"""Library side of the writing commands: find an entity's file, apply an edit safely, start a new file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from prodops import edit, loader, pipeline
from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.schemas import KindSchema, SchemaSet, load_schemas


@dataclass
class Outcome:
    changed: bool
    rel: str
    problems: list[Diagnostic]


def find_file(root: Path, entity_id: str) -> str:
    """The repository-relative file of an entity (ids equal file names, so no parsing is needed)."""
    schemas = load_schemas(root / pipeline.SCHEMA_DIR)
    files, _ = loader.discover(root, schemas)
    matches = [rel for rel in files if rel.rsplit("/", 1)[-1] == f"{entity_id}{loader.YAML_SUFFIX}"]
    if not matches:
        import difflib

        stems = [rel.rsplit("/", 1)[-1].removesuffix(loader.YAML_SUFFIX) for rel in files]
        close = difflib.get_close_matches(entity_id, stems, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ProdopsError(f"no entity '{entity_id}'{hint}")
    if len(matches) > 1:
        raise ProdopsError(f"id '{entity_id}' is used by {', '.join(matches)}; fix the duplicate first")
    return matches[0]


def apply(root: Path, rel: str, transform: Callable[[str], str], today: date | None = None) -> Outcome:
    """Edit one file: compute the new text, check it against the whole repository, write it atomically.

    The edit is refused when it would add an error; problems the file already had do not
    block an edit that leaves them as they were. Nothing is written when nothing changes.
    """
    path = root / rel
    with edit.locked(path) as original:
        text = original.decode("utf-8")
        new = transform(text)
        if new == text:
            return Outcome(False, rel, [])
        # Both runs read the other files through the cache: at 10,000 files an edit is checked in a second.
        before = _errors(pipeline.build(root, today=today, only=[rel], use_cache=True).diagnostics)
        after = _errors(pipeline.build(root, today=today, only=[rel], overrides={rel: new}, use_cache=True).diagnostics)
        known = {(d.code, d.message) for d in before}
        added = [d for d in after if (d.code, d.message) not in known]
        if added:
            return Outcome(False, rel, added)
        edit.write_atomic(path, new.encode("utf-8"), expected=original)
    return Outcome(True, rel, [])


def _errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


# --- New files -----------------------------------------------------------------------------------


def slug(text: str) -> str:
    """An id proposed from a title: lower-case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:80].strip("-") or "untitled"


def required_fields(schemas: SchemaSet, kind: KindSchema) -> list[tuple[str, dict[str, Any]]]:
    """The kind's required top-level fields with their (resolved) schemas, in schema order."""
    required = set(kind.schema.get("required", ()))
    out = []
    for name, prop in kind.schema.get("properties", {}).items():
        if name in required:
            out.append((name, _resolved(schemas, kind.file, prop)))
    return out


def _resolved(schemas: SchemaSet, file: str, node: Mapping[str, Any]) -> dict[str, Any]:
    return schemas.expand(file, node)[0]


def item_fields(schemas: SchemaSet, kind: KindSchema, prop: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Required fields of the items of a required list of mappings (key results, members, steps...)."""
    items = prop.get("items")
    if not isinstance(items, Mapping):
        return []
    node = _resolved(schemas, kind.file, items)
    required = set(node.get("required", ()))
    return [(n, _resolved(schemas, kind.file, p)) for n, p in node.get("properties", {}).items() if n in required]


def render_new(schemas: SchemaSet, kind: KindSchema, rel: str, data: dict[str, Any]) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("prodops", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    required = set(kind.schema.get("required", ()))
    optional = [
        (name, str(_resolved(schemas, kind.file, prop).get("description", "")).split(". ")[0].rstrip("."))
        for name, prop in kind.schema.get("properties", {}).items()
        if name not in required
    ]
    return env.get_template("new.yaml.j2").render(
        modeline=loader.expected_modeline(rel, kind),
        title=kind.schema.get("title", kind.kind),
        description=str(kind.schema.get("description", "")).split(". ")[0].rstrip("."),
        optional=optional,
        body=emit(data).rstrip("\n"),
    )


def emit(value: Any, indent: int = 0) -> str:
    """Block-style YAML for plain data, two-space indentation, lists indented under their key."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:\n{emit(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {edit.scalar(item)}\n")
        return "".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                body = emit(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2 :]}")
            else:
                lines.append(f"{pad}- {edit.scalar(item)}\n")
        return "".join(lines)
    return f"{pad}{edit.scalar(value)}\n"


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested data, creating mappings and list items as needed."""
    parts = dotted.split(".")
    node: Any = data
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        nxt = parts[index + 1] if not last else ""
        if isinstance(node, list):
            if not part.isdigit() or int(part) > 50:
                raise ProdopsError(f"'{dotted}': '{part}' must be a list position such as 0 or 1")
            position = int(part)
            while len(node) <= position:
                node.append({})
            if last:
                node[position] = value
            else:
                node = node[position]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, [] if nxt.isdigit() else {})
        else:
            raise ProdopsError(f"'{dotted}': '{'.'.join(parts[:index])}' already has a plain value")

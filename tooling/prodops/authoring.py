"""Library side of the writing commands: find an entity's file, apply an edit safely, start a new file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from prodops import edit, filetext, impact, loader, pipeline
from prodops.diagnostics import Diagnostic, JsonPath, ProdopsError
from prodops.outline import KEY_RESULT, PERSON
from prodops.schemas import KindSchema, SchemaSet, load_schemas


@dataclass
class Outcome:
    """What an edit did: whether it wrote, the file it edited, the errors that refused it, and more.

    ``problems`` are the errors the edit would add anywhere in the repository (nothing is
    written when there are any); ``breaks`` are the references among them that naming the
    new id instead would fix (``--update-references``); ``updated`` are the other files
    written because they named the old id; ``moved_to`` is the file's new name when its
    entity's id changes (ids equal file names).
    """

    changed: bool
    rel: str
    problems: list[Diagnostic]
    breaks: list[Diagnostic] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved_to: str | None = None
    # The warnings the written edit newly causes in any file (empty when nothing was written).
    caused: list[Diagnostic] = field(default_factory=list)


def find_file(root: Path, entity_id: str) -> str:
    """The repository-relative file of an entity (ids equal file names, so no parsing is needed)."""
    return find_entity(root, entity_id)[0]


def find_entity(root: Path, entity_id: str) -> tuple[str, str]:
    """The repository-relative file of an entity and its kind."""
    schemas = load_schemas(root / pipeline.SCHEMA_DIR)
    files, _ = loader.discover(root, schemas)
    matches = [rel for rel in files if rel.rsplit("/", 1)[-1] == f"{entity_id}{loader.YAML_SUFFIX}"]
    if not matches:
        from prodops.suggest import did_you_mean

        stems = [rel.rsplit("/", 1)[-1].removesuffix(loader.YAML_SUFFIX) for rel in files]
        raise ProdopsError(f"no entity '{entity_id}'{did_you_mean(entity_id, stems)}")
    if len(matches) > 1:
        raise ProdopsError(f"id '{entity_id}' is used by {', '.join(matches)}; fix the duplicate first")
    kind = schemas.kind_for(matches[0])
    return matches[0], kind.kind if kind is not None else ""


# What an id may be (the schemas' pattern): lower-case words joined by hyphens.
ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")


@dataclass(frozen=True)
class Rename:
    """An id that an edit changes: references of ``kind`` that name ``old`` should name ``new``."""

    kind: str  # an entity kind, KEY_RESULT or PERSON
    old: str
    new: str


def renames(kind: str, entity_id: str, data: Any, path: JsonPath, value: Any) -> list[Rename]:
    """The ids that setting ``path`` to ``value`` changes: an entity's id, a key result's id, a member's handle."""
    old = edit.value_at(data, path)
    if not isinstance(old, str) or not isinstance(value, str) or old == value:
        return []
    if path == ("id",):
        found = [Rename(kind, old, value)]
        if kind == "objective":
            krs = data.get("key_results") if isinstance(data, dict) else None
            found += [
                Rename(KEY_RESULT, f"{old}.{kr['id']}", f"{value}.{kr['id']}")
                for kr in krs or []
                if isinstance(kr, dict) and isinstance(kr.get("id"), str)
            ]
        return found
    if kind == "objective" and len(path) == 3 and path[0] == "key_results" and path[2] == "id":
        return [Rename(KEY_RESULT, f"{entity_id}.{old}", f"{entity_id}.{value}")]
    if kind == "team" and len(path) == 3 and path[0] == "members" and path[2] == "handle":
        return [Rename(PERSON, old, value)]
    return []


@dataclass
class _File:
    """A file being edited: its bytes as read, its form and its text, and the text it is to get."""

    rel: str
    raw: bytes | None  # None for a file that does not exist yet
    form: filetext.Form
    text: str
    new: str

    @property
    def data(self) -> bytes:
        return self.form.encode(self.new)


def apply(
    root: Path,
    rel: str,
    transform: Callable[[str], str],
    today: date | None = None,
    renamed: Callable[[str], list[Rename]] | None = None,
    update_references: bool = False,
) -> Outcome:
    """Edit one file: compute the new text, check it against the whole repository, write it atomically.

    The edit is refused when it would add an error in any file; problems the repository
    already had do not block an edit that leaves them as they were. Nothing is written when
    nothing changes. ``renamed`` says which ids the edit changes (given the file's text);
    with ``update_references`` the references to them are updated too, in one change that
    writes every file or none.
    """
    path = root / rel
    with edit.locked(path) as original:
        edited = _edited(rel, original, transform)
        if edited.new == edited.text:
            return Outcome(False, rel, [])
        moves = renamed(edited.text) if renamed is not None else []
        moved_to = _moved_to(root, rel, moves)
        alone = [_moved(edited, moved_to)]
        found = impact.check(root, _texts(alone, rel if moved_to else None), today)
        if not found.added:
            _write(root, alone, {path: original} if moved_to else None)
            return Outcome(True, rel, [], moved_to=moved_to, caused=found.warnings)
        uses = _uses(found.before, moves)
        fixable = [d for d in found.added if (d.file, d.path) in uses]
        if not fixable or not update_references:
            return Outcome(False, rel, found.added, fixable, moved_to=moved_to)
    # Every file that names an old id is locked (in one order, so writers cannot deadlock) and edited.
    files = sorted({rel, *(file for file, _ in uses)})
    with edit.locked_all([root / f for f in files]) as originals:
        edited = _edited(rel, originals[path], transform)
        others: dict[str, _File] = {}
        for file in files:
            current = edited if file == rel else others.setdefault(file, _edited(file, originals[root / file], None))
            for used_at, (old, target) in sorted((p, t) for (f, p), t in uses.items() if f == file):
                # The files were not locked while the uses were found: each must still name the old id.
                if edit.value_at(edit.locate(current.new).parsed.data, used_at) != old:
                    raise edit.EditError(
                        f"{file} changed while it was being edited; nothing was written, run the command again"
                    )
                current.new = edit.set_value(current.new, used_at, target)
        changes = [_moved(edited, moved_to), *others.values()]
        found = impact.check(root, _texts(changes, rel if moved_to else None), today)
        if found.added:
            return Outcome(False, rel, found.added, moved_to=moved_to)
        _write(root, changes, {path: originals[path]} if moved_to else None)
    return Outcome(True, rel, [], updated=sorted(others), moved_to=moved_to, caused=found.warnings)


def apply_many(
    root: Path,
    transforms: Mapping[str, Callable[[str], str]],
    today: date | None = None,
    created: Mapping[str, str] | None = None,
) -> Outcome:
    """Edit several files (and create ``created``, rel -> text) as one change: every file is written, or none.

    Every file is locked (in one order), edited and checked against the whole repository
    together; the change is refused when it would add an error in any file. The files are
    written through ``edit.replace_all``: a failure part-way puts back every file already
    changed. The outcome names the first file written (a created one first); ``updated`` the others.
    """
    created = dict(created or {})
    rels = sorted(transforms)
    first = sorted(created)[0] if created else rels[0]
    with edit.locked_all([root / rel for rel in rels]) as originals:
        changes = [_edited(rel, originals[root / rel], transforms[rel]) for rel in rels]
        changes += [_File(rel, None, filetext.Form(), "", text) for rel, text in sorted(created.items())]
        written = [f for f in changes if f.new != f.text or f.raw is None]
        if not written:
            return Outcome(False, first, [])
        first = sorted(created)[0] if created else written[0].rel
        found = impact.check(root, _texts(written), today)
        if found.added:
            return Outcome(False, first, found.added)
        _write(root, written)
    others = sorted(f.rel for f in written if f.rel != first)
    return Outcome(True, first, [], updated=others, caused=found.warnings)


def _moved(edited: _File, moved_to: str | None) -> _File:
    """The edited file under its new name (a file to create) when its entity's id changes."""
    if moved_to is None:
        return edited
    return _File(moved_to, None, edited.form, edited.text, edited.new)


def _moved_to(root: Path, rel: str, moves: list[Rename]) -> str | None:
    """The file's new name when the edit changes the id of the entity it holds (ids equal file names)."""
    folder, _, name = rel.rpartition("/")
    for move in moves:
        # Only a well-formed id names a file; any other gets its schema error and no file.
        if (
            move.kind not in (KEY_RESULT, PERSON)
            and f"{move.old}{loader.YAML_SUFFIX}" == name
            and ID.fullmatch(move.new)
        ):
            moved_to = f"{folder}/{move.new}{loader.YAML_SUFFIX}"
            if (root / moved_to).exists():
                raise ProdopsError(f"{rel} was not changed: {moved_to} already exists; choose another id")
            return moved_to
    return None


def _edited(rel: str, raw: bytes, transform: Callable[[str], str] | None) -> _File:
    text, form = filetext.decode(raw, rel)
    new = transform(text) if transform is not None else text
    edited = _File(rel, raw, form, text, new)
    size = len(edited.data)
    if new != text and size > loader.MAX_FILE_BYTES:
        raise ProdopsError(
            f"{rel}: the edit would make the file {size:,} bytes, over the limit of {loader.MAX_FILE_BYTES // 1024} KiB "
            "(PO107); it was not changed\n    hint: split the file; one entity per file, and long text belongs in a linked document"
        )
    return edited


def _texts(files: list[_File], removed: str | None = None) -> dict[str, str | None]:
    # Exactly the bytes that would be written, as the loader will read them.
    texts: dict[str, str | None] = {f.rel: f.data.decode("utf-8") for f in files}
    if removed is not None:
        texts[removed] = None
    return texts


def _uses(before: pipeline.Result, moves: list[Rename]) -> dict[tuple[str, JsonPath], tuple[str, str]]:
    """Where the old ids are named: (file, path) -> (the old value there, the new value to write)."""
    wanted = {(m.kind, m.old): m.new for m in moves}
    documents = before.catalog.documents
    return {
        (documents[ref.source].rel, ref.path): (ref.target, wanted[(ref.kind, ref.target)])
        for ref in before.catalog.references
        if (ref.kind, ref.target) in wanted
    }


def _write(root: Path, files: list[_File], removed: Mapping[Path, bytes] | None = None) -> None:
    changes: dict[Path, tuple[bytes | None, bytes | None]] = {
        root / f.rel: (f.data, f.raw) for f in files if f.new != f.text or f.raw is None
    }
    changes.update({path: (None, raw) for path, raw in (removed or {}).items()})
    edit.replace_all(changes, root=root)


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
        title=kind.title,
        description=kind.description.split(". ")[0].rstrip("."),
        optional=optional,
        body=edit.emit(data).rstrip("\n"),
    )


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


def git_user(root: Path) -> tuple[str, str]:
    """The Git user here, (name, e-mail), from ``git config``; empty strings for what is not set."""
    import subprocess

    def config(key: str) -> str:
        try:
            run = subprocess.run(
                ["git", "-C", str(root), "config", "--get", key],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return run.stdout.strip() if run.returncode == 0 else ""

    return config("user.name"), config("user.email")


def git_author(root: Path) -> str | None:
    """The team member who is the Git user here: by handle in the e-mail, or by name; None if nobody matches.

    A GitHub no-reply address (``123+handle@users.noreply.github.com``) and a plain ``handle@…``
    name the handle; otherwise a member whose name is the Git user's name.
    """
    name, email = git_user(root)
    if not email and not name:
        return None
    people = pipeline.build(root, use_cache=True).catalog.people
    local = email.split("@", 1)[0].split("+", 1)[-1].casefold()
    for handle, (member, _team) in sorted(people.items()):
        if handle.casefold() == local or (name and member.name.casefold() == name.casefold()):
            return handle
    return None

"""Edit one field of a YAML file by changing only its bytes.

Every edit is a text splice at the positions the strict parser reports: the value that
changes is rewritten, a new key or list item is inserted with the indentation of its
neighbours, and every other byte — comments, key order, quoting, line folding — stays
as it was. (A round-trip library such as ruamel.yaml keeps comments but re-emits the
whole file, refolding long lines; a splice does not.)

Writes are atomic and safe against concurrent editors: the file is locked, re-read, and
replaced by rename only if it still holds the bytes the edit was computed from.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from prodops import yamlparse
from prodops.diagnostics import JsonPath, ProdopsError


class EditError(ProdopsError):
    """The edit cannot be made as asked (the message says why and what to do)."""


class _Dumper(yaml.SafeDumper):
    """YAML 1.2 scalars: dates need no quotes; YAML 1.1 booleans (yes/no/on/off) still get them."""


_Dumper.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def scalar(value: Any) -> str:
    """A value written as a one-line YAML scalar (quoted when it would otherwise mean something else)."""
    text = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, width=1_000_000, allow_unicode=True)
    text = text.removesuffix("\n...\n").removesuffix("\n")
    parsed = yamlparse.parse(f"v: {text}\n")
    if parsed.error is not None or parsed.data != {"v": value}:
        text = yaml.dump(str(value), Dumper=_Dumper, default_style='"', width=1_000_000, allow_unicode=True).strip()
    return text


def emit(value: Any, indent: int = 0) -> str:
    """Block-style YAML for plain data, two-space indentation, lists indented under their key."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:\n{emit(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {scalar(item)}\n")
        return "".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                body = emit(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2 :]}")
            else:
                lines.append(f"{pad}- {scalar(item)}\n")
        return "".join(lines)
    return f"{pad}{scalar(value)}\n"


def parse_value(text: str) -> Any:
    """A value given on the command line, read the way the loader reads a plain YAML scalar."""
    return yamlparse.resolve_plain(text)


@dataclass
class Located:
    parsed: yamlparse.Parsed
    text: str


def locate(text: str) -> Located:
    parsed = yamlparse.parse(text, positions=True)
    if parsed.error is not None:
        raise EditError(f"the file has a YAML error at line {parsed.error.line}: {parsed.error.message}; fix it first")
    return Located(parsed, text)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _column(text: str, index: int) -> int:
    return index - _line_start(text, index)


def _insert_point(text: str, end: int) -> int:
    """Where to insert a line after a value ending at ``end``.

    A block collection "ends" where the next token starts, possibly on a later line, so step
    back over whitespace to the value's last character and insert after that line.
    """
    last = end - 1
    while last >= 0 and text[last] in " \t\r\n":
        last -= 1
    return _after_line(text, max(last, 0))


def _after_line(text: str, index: int) -> int:
    """The index just after the line holding ``index`` (or the end of the text)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def set_value(text: str, path: JsonPath, value: Any) -> str:
    """Set the scalar at ``path`` (replacing it, or adding the last key to its mapping)."""
    doc = locate(text)
    spans = doc.parsed.spans
    if path in spans:
        start, end = spans[path]
        current = value_at(doc.parsed.data, path)
        if isinstance(current, (dict, list)):
            if isinstance(current, list):
                raise EditError(f"{_show(path)} is a list; add or remove its items with prodops add or prodops remove")
            raise EditError(f"{_show(path)} is a mapping; set one of its fields instead")
        if current == value and type(current) is type(value):
            return text
        old = text[start:end]
        trailing = old[len(old.rstrip("\n")) :]  # a block scalar's span ends with its line break(s)
        return text[:start] + scalar(value) + trailing + text[end:]
    # The deepest mapping that exists: the missing keys below it are added as nested mappings
    # (``set ITEM target.end`` on an item with no target writes ``target:`` and ``  end:``).
    depth = len(path) - 1
    while depth > 0 and value_at(doc.parsed.data, path[:depth]) is None:
        depth -= 1
    anchor, missing = path[:depth], path[depth:]
    container = value_at(doc.parsed.data, anchor)
    if not isinstance(container, dict) or not all(isinstance(part, str) for part in missing):
        raise EditError(
            f"{_show(path[:-1]) or 'the file'} has no field '{path[-1]}' to set, and one cannot be added there"
        )
    if len(missing) == 1:
        return _add_key(doc, anchor, str(missing[0]), scalar(value))
    siblings = [p for p in doc.parsed.key_spans if p[:-1] == anchor and len(p) == len(anchor) + 1]
    base = _column(doc.text, min(doc.parsed.key_spans[p][0] for p in siblings)) if siblings else 0
    lines = [f"{' ' * (base + 2 * level)}{part}:" for level, part in enumerate(missing[1:-1], start=1)]
    lines.append(f"{' ' * (base + 2 * (len(missing) - 1))}{missing[-1]}: {scalar(value)}")
    with_key = _add_key(doc, anchor, str(missing[0]), "__PRODOPS_BLOCK__")
    return with_key.replace(" __PRODOPS_BLOCK__\n", "\n" + "\n".join(lines) + "\n", 1)


def _add_key(doc: Located, parent: JsonPath, key: str, rendered: str) -> str:
    text = doc.text
    siblings = [p for p in doc.parsed.key_spans if p[:-1] == parent and len(p) == len(parent) + 1]
    if not siblings:
        raise EditError(f"{_show(parent)} is empty or written inline; add '{key}' by hand")
    first_key = min(doc.parsed.key_spans[p][0] for p in siblings)
    if parent and text[doc.parsed.spans[parent][0]] == "{":
        raise EditError(f"{_show(parent)} is written inline ({{...}}); add '{key}' by hand")
    indent = _column(text, first_key)
    last_end = max(doc.parsed.spans[p][1] for p in siblings)
    insert_at = (
        _after_line(text, last_end - 1) if text[last_end - 1 : last_end] == "\n" else _after_line(text, last_end)
    )
    prefix = "" if insert_at == 0 or text[insert_at - 1] == "\n" else "\n"
    return text[:insert_at] + f"{prefix}{' ' * indent}{key}: {rendered}\n" + text[insert_at:]


def append_item(text: str, path: JsonPath, item: dict[str, Any]) -> str:
    """Append a mapping to the block list at ``path`` (creating the list as the mapping's last key if absent)."""
    doc = locate(text)
    current = value_at(doc.parsed.data, path)
    fields = [(k, scalar(v)) for k, v in item.items()]
    if current is None:
        parent, key = path[:-1], path[-1]
        if not isinstance(key, str) or not isinstance(value_at(doc.parsed.data, parent), dict):
            raise EditError(f"cannot add a list at {_show(path)}")
        siblings = [p for p in doc.parsed.key_spans if p[:-1] == parent and len(p) == len(parent) + 1]
        if not siblings:
            raise EditError(f"{_show(parent)} is empty; add '{key}' by hand")
        indent = _column(doc.text, min(doc.parsed.key_spans[p][0] for p in siblings))
        block = _item_block(fields, indent + 2)
        with_key = _add_key(doc, parent, key, "__PRODOPS_BLOCK__")
        return with_key.replace(" __PRODOPS_BLOCK__\n", "\n" + block, 1)
    if not isinstance(current, list):
        raise EditError(f"{_show(path)} is not a list")
    if not current:
        raise EditError(f"{_show(path)} is an empty inline list; add the first item by hand")
    spans = doc.parsed.spans
    line_start = _line_start(text, spans[(*path, 0)][0])
    line = text[line_start:]
    dash = line_start + len(line) - len(line.lstrip(" "))
    if text[dash : dash + 1] != "-":
        raise EditError(f"{_show(path)} is written inline ([...]); add the item by hand")
    insert_at = _insert_point(text, spans[(*path, len(current) - 1)][1])
    prefix = "" if text[insert_at - 1 : insert_at] == "\n" else "\n"
    return text[:insert_at] + prefix + _item_block(fields, _column(text, dash)) + text[insert_at:]


def _item_block(fields: list[tuple[str, str]], dash_column: int) -> str:
    lines = []
    for i, (key, rendered) in enumerate(fields):
        lead = " " * dash_column + "- " if i == 0 else " " * (dash_column + 2)
        lines.append(f"{lead}{key}: {rendered}\n")
    return "".join(lines)


def value_at(data: Any, path: JsonPath) -> Any:
    """The value at ``path`` in ``data``, or None if there is none."""
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):  # noqa: SIM114 - separate branches narrow the types
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def _show(path: JsonPath) -> str:
    from prodops.diagnostics import format_json_path

    return format_json_path(path)


def resolve_field(data: Any, field: str) -> JsonPath:
    """A dotted field name as a path: ``target.end``, ``rice.reach``, ``key_results.kr1.target``, ``evidence.0.link``."""
    path: list[str | int] = []
    node = data
    for part in field.split("."):
        if not part:
            raise EditError(f"'{field}' is not a field name")
        if isinstance(node, list):
            by_id = next((i for i, item in enumerate(node) if isinstance(item, dict) and item.get("id") == part), None)
            if by_id is not None:
                path.append(by_id)
            elif part.isdigit() and int(part) < len(node):
                path.append(int(part))
            else:
                beyond = " (to add an item, use prodops add)" if part.isdigit() else ""
                raise EditError(
                    f"'{'.'.join(map(str, path))}' has no item '{part}' (use an item's id or its position from 0){beyond}"
                )
        else:
            path.append(part)
        node = value_at(data, tuple(path))
    return tuple(path)


# --- Writing ------------------------------------------------------------------------------------

# Temporary files are named ``.NAME.RANDOM.prodops.tmp`` beside the file they replace: hidden from
# the loader (a leading dot), ignored by Git (``.gitignore``), and recognisable as leftovers.
TEMP_SUFFIX = ".prodops.tmp"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[bytes]:
    """Lock ``path`` against other prodops writers and yield its current bytes.

    The lock is on the file itself; a writer that waited while another replaced the file
    notices the new inode and locks that one, so it never edits a stale copy.
    """
    for _ in range(10):
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.fstat(fd).st_ino != path.stat().st_ino:
                    continue  # replaced while we waited: lock the new file
            except FileNotFoundError as exc:
                raise EditError(f"{path} was removed while waiting to edit it") from exc
            with os.fdopen(os.dup(fd), "rb") as handle:
                original = handle.read()
            yield original
            return
        finally:
            os.close(fd)
    raise EditError(f"{path} keeps changing; try again")


def _temporary(path: Path, data: bytes, mode: int, sync: bool = True) -> Path:
    """``data`` in a temporary file beside ``path`` (same file system, so rename is atomic), synced unless not ``sync``."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        tmp.chmod(mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def create_atomic(path: Path, data: bytes) -> None:
    """Create ``path`` whole or not at all, and never over an existing file (FileExistsError)."""
    tmp = _temporary(path, data, 0o644)
    try:
        os.link(tmp, path)  # atomic, and fails if the name exists
    finally:
        tmp.unlink(missing_ok=True)
    _sync_folder(path.parent)


def write_atomic(path: Path, data: bytes, expected: bytes | None = None, *, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` by rename; with ``expected``, only if it still holds those bytes.

    Readers see the old file or the new one, never a part. ``sync=False`` skips the disk
    flushes, for output that is generated again on demand (the rendered site).
    """
    if expected is not None and path.read_bytes() != expected:
        raise EditError(f"{path} changed while it was being edited; nothing was written, run the command again")
    tmp = _temporary(path, data, path.stat().st_mode & 0o777 if path.exists() else 0o644, sync)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync:
        _sync_folder(path.parent)


@contextlib.contextmanager
def locked_all(paths: Sequence[Path]) -> Iterator[dict[Path, bytes]]:
    """Lock every one of ``paths`` (in a fixed order, so two writers cannot deadlock) and yield their bytes."""
    with contextlib.ExitStack() as stack:
        yield {path: stack.enter_context(locked(path)) for path in sorted(set(paths))}


def remove_leftovers(path: Path) -> list[Path]:
    """Remove the temporary files that interrupted writes of ``path`` left beside it.

    Call it holding ``path``'s lock: a writer holds that lock for as long as its temporary
    file exists, so any temporary file of ``path`` found then belongs to a writer that died.
    """
    prefix = f".{path.name}."
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        middle = name[len(prefix) : -len(TEMP_SUFFIX)]
        if not middle or "." in middle:  # the temporary file of another name, such as NAME.old.yaml
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)  # noqa: PTH108 - the scandir entry's path is already a string
            removed.append(Path(entry.path))
    return removed


def check_inside(root: Path, paths: Iterable[Path]) -> None:
    """Refuse to write any of ``paths`` that is, or lies in a folder that is, a link leading outside ``root``.

    A folder of the repository (``schemas/``, a content folder) or a file in it that is a symbolic
    link to elsewhere would make a write land on the machine outside the repository.
    """
    top = root.resolve()
    for path in paths:
        target = path.resolve() if path.is_symlink() else path.parent.resolve() / path.name
        if not target.is_relative_to(top):
            try:
                shown = path.relative_to(root).as_posix()
            except ValueError:
                shown = str(path)
            raise EditError(
                f"{shown}: leads outside the repository through a symbolic link; nothing was written "
                "(replace the link with the folder or file itself)"
            )


def replace_all(changes: Mapping[Path, tuple[bytes | None, bytes | None]], *, root: Path, sync: bool = True) -> None:
    """Change several files, all of them or none: ``changes`` maps path -> (new bytes, expected bytes).

    New bytes of None remove the file; expected bytes of None create it (never over an
    existing file). The caller holds the lock of every file that exists (``locked_all``).
    Each must still hold its expected bytes; every temporary file is written before the
    first file changes, and if a step fails, the files already changed get their old bytes back.
    Every path must stay inside ``root`` (``check_inside``).
    """
    check_inside(root, changes)
    for path, (_, expected) in changes.items():
        if expected is None:
            if path.exists():
                raise EditError(f"{path} already exists; nothing was written")
        elif path.read_bytes() != expected:
            raise EditError(f"{path} changed while it was being edited; nothing was written, run the command again")
    for path, (_, expected) in changes.items():
        if expected is not None:
            remove_leftovers(path)
    modes = {
        path: path.stat().st_mode & 0o777 if expected is not None else 0o644 for path, (_, expected) in changes.items()
    }
    temporaries: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for path, (data, _) in changes.items():
            if data is not None:
                temporaries[path] = _temporary(path, data, modes[path], sync)
        try:
            # Files are created first and removed last, so a failure in between leaves no entity missing.
            for path in sorted(changes, key=lambda p: (changes[p][1] is not None, changes[p][0] is None)):
                data, expected = changes[path]
                if data is None:
                    path.unlink()
                elif expected is None:
                    os.link(temporaries[path], path)  # atomic, and fails if the name exists
                else:
                    temporaries[path].replace(path)
                done.append(path)
        except BaseException:
            for path in reversed(done):
                old = changes[path][1]
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    _temporary(path, old, modes[path], sync).replace(path)
            raise
    finally:
        for tmp in temporaries.values():
            tmp.unlink(missing_ok=True)
    if sync:
        for folder in sorted({path.parent for path in changes}):
            _sync_folder(folder)

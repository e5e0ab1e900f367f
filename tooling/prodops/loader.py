"""Find the content files of each kind and load them strictly, guarding against hostile files."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import yamlparse
from prodops.diagnostics import Diagnostic, JsonPath, excerpt
from prodops.schemas import SCHEMA_SUFFIX, KindSchema, SchemaSet

MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 50_000
YAML_SUFFIX = ".yaml"
MODELINE = re.compile(r"#\s*yaml-language-server:\s*\$schema=(\S+)")


@dataclass(slots=True)
class Document:
    """One loaded file: its data, its text, and (computed on demand) where each value sits."""

    rel: str
    kind: KindSchema
    text_or_none: str | None  # None when the data came from the cache: read again only if needed
    data_or_none: dict[str, Any] | None  # None until ``fetch`` is asked for it
    source: Path | str | None = None
    fetch: Callable[[str], dict[str, Any]] | None = field(default=None, repr=False)  # rel -> data
    # Where the values sit, as a source knows them (a cache keeps them per file content), or None: parse the text.
    where: Callable[[Document], yamlparse.Parsed] | None = field(default=None, repr=False)
    _positions: yamlparse.Parsed | None = field(default=None, repr=False)

    @property
    def data(self) -> dict[str, Any]:
        """The parsed document; a cached document's data is read from the cache when first needed."""
        if self.data_or_none is None:
            if self.fetch is None:
                raise ValueError(f"{self.rel}: a document needs data or a way to fetch it")
            self.data_or_none = self.fetch(self.rel)
        return self.data_or_none

    @property
    def stem(self) -> str:
        return self.rel.rsplit("/", 1)[-1].removesuffix(YAML_SUFFIX)

    @property
    def text(self) -> str:
        if self.text_or_none is None:
            text: str | None = None
            if self.source is not None:
                raw, _ = read_bytes(self.source, self.rel)
                if raw is not None:
                    text, _ = decode(raw, self.rel)
            self.text_or_none = text or ""
        return self.text_or_none

    def _parsed(self) -> yamlparse.Parsed:
        if self._positions is None:
            self._positions = self.where(self) if self.where is not None else self.parse_positions()
        return self._positions

    def parse_positions(self) -> yamlparse.Parsed:
        """Where each value and key sits, from the text (the strict parser, with positions)."""
        return yamlparse.parse(self.text, positions=True)

    def locate(self, path: JsonPath) -> tuple[int, int]:
        """Line and column of the value at ``path``, or of its nearest ancestor."""
        values = self._parsed().values
        for cut in range(len(path), -1, -1):
            pos = values.get(path[:cut])
            if pos is not None:
                return pos
        return (1, 1)

    def locate_key(self, path: JsonPath) -> tuple[int, int]:
        """Line and column of the key that introduces ``path`` (falls back to the value)."""
        pos = self._parsed().keys.get(path)
        return pos if pos is not None else self.locate(path)


def expected_modeline(rel: str, kind: KindSchema) -> str:
    depth = rel.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{kind.file}"


def discover(root: Path, schemas: SchemaSet) -> tuple[list[str], list[Diagnostic]]:
    """Every ``.yaml`` file under the content folders, as repository-relative POSIX paths."""
    found: list[str] = []
    problems: list[Diagnostic] = []
    inside = root.resolve()
    for folder in schemas.folders:
        base = root / folder
        if base.is_symlink():
            problems.append(_link_problem(folder, "content folder is a symbolic link and is not followed"))
            continue
        if not base.resolve().is_relative_to(inside):  # the schemas' folders are checked; this guards the walk
            problems.append(_link_problem(folder, "content folder leads outside the repository and is not read"))
            continue
        if not base.is_dir():
            continue
        for rel in _walk(root, base, problems):
            if len(found) >= MAX_FILES:
                problems.append(
                    Diagnostic(
                        "error",
                        "PO107",
                        f"more than {MAX_FILES} files under the content folders; the rest were not read",
                        folder,
                    )
                )
                return sorted(found), problems
            found.append(rel)
    if not found and not problems:
        folders = ", ".join(f + "/" for f in schemas.folders)
        problems.append(
            Diagnostic(
                "error",
                "PO110",
                f"the repository has no content: no .yaml file under {folders}",
                ".",
                hint="add content (one entity per file), or run prodops in the ops repository's folder (--root)",
            )
        )
    return sorted(found), problems


def _link_problem(rel: str, message: str) -> Diagnostic:
    return Diagnostic("error", "PO109", message, rel, hint="keep files as regular files inside the repository")


def _walk(root: Path, base: Path, problems: list[Diagnostic]) -> Iterator[str]:
    stack = [base]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as exc:
            problems.append(
                Diagnostic("error", "PO109", f"cannot read folder: {exc.strerror}", _rel(root, Path(current)))
            )
            continue
        prefix = len(str(root)) + 1
        for entry in entries:
            if entry.name.startswith("."):
                continue
            # scandir paths start with the root we gave it: slicing is exact and far cheaper than Path.
            rel = entry.path[prefix:].replace(os.sep, "/")
            if entry.is_symlink():
                problems.append(_link_problem(rel, "symbolic link is not followed"))
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.name.endswith((".yaml", ".yml")):
                if entry.is_file(follow_symlinks=False):
                    yield rel
                else:  # a FIFO would block the reader forever; a device could be anything
                    problems.append(_link_problem(rel, "not a regular file (a pipe, socket or device)"))


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def classify(rel: str, schemas: SchemaSet) -> tuple[KindSchema | None, Diagnostic | None]:
    """The kind of an entity file, or why the file is not one (outside the content folders, not ``.yaml``)."""
    kind = schemas.kind_for(rel)
    if kind is None:
        folders = ", ".join(f + "/" for f in schemas.folders)
        return None, Diagnostic(
            "error", "PO110", "file is not in a content folder", rel, hint=f"content lives in {folders}"
        )
    if not rel.endswith(YAML_SUFFIX):
        return None, Diagnostic(
            "error", "PO110", "content files end in '.yaml'", rel, hint=f"rename it to {rel.rsplit('.', 1)[0]}.yaml"
        )
    return kind, None


def load_file(root: Path, schemas: SchemaSet, rel: str) -> tuple[Document | None, list[Diagnostic]]:
    kind, problem = classify(rel, schemas)
    if kind is None:
        return None, [problem] if problem is not None else []
    location = f"{root}/{rel}"  # a plain string: a Path per file costs more than reading it
    raw, problem = read_bytes(location, rel)
    if raw is None:
        return None, [problem] if problem is not None else []
    return load_bytes(rel, kind, raw, schemas, location)


def load_bytes(
    rel: str, kind: KindSchema, raw: bytes, schemas: SchemaSet, source: Path | str | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    text, problem = decode(raw, rel)
    if text is None:
        return None, [problem] if problem is not None else []
    doc, problems = parse_document(rel, kind, text, schemas)
    if doc is not None:
        doc.source = source
    return doc, problems


def read_bytes(path: Path | str, rel: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[bytes | None, Diagnostic | None]:
    """The file's bytes, or why they cannot be used (unreadable, too large)."""
    try:
        # Not following a final link and not blocking on a FIFO: both are refused below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, _link_problem(rel, "symbolic link is not followed")
        return None, Diagnostic("error", "PO109", f"cannot read file: {exc.strerror}", rel)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, _link_problem(rel, "not a regular file (a pipe, socket or device)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, Diagnostic("error", "PO109", f"cannot read file: {exc.strerror}", rel)
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        return None, Diagnostic(
            "error", "PO107", f"file is larger than {max_bytes // 1024} KiB", rel, hint="split it; one entity per file"
        )
    return raw, None


def read_text(path: Path | str, rel: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, Diagnostic | None]:
    """Read a file as UTF-8 text, refusing what no ops file should be."""
    raw, problem = read_bytes(path, rel, max_bytes)
    if raw is None:
        return None, problem
    return decode(raw, rel)


def decode(raw: bytes, rel: str) -> tuple[str | None, Diagnostic | None]:
    """Bytes as UTF-8 text; UTF-16, NUL bytes and invalid UTF-8 are refused with their position."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Diagnostic(
            "error",
            "PO106",
            "file is encoded as UTF-16",
            rel,
            1,
            1,
            hint="save the file as UTF-8 (without a byte-order mark)",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_pos(raw, nul)
        return None, Diagnostic(
            "error",
            "PO106",
            "file contains a NUL byte; it looks like a binary file",
            rel,
            line,
            column,
            hint="remove the NUL byte, or move the binary file out of the content folders",
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line, column = _byte_pos(raw, exc.start)
        return None, Diagnostic(
            "error",
            "PO106",
            f"byte 0x{raw[exc.start]:02X} is not valid UTF-8",
            rel,
            line,
            column,
            hint="save the file as UTF-8 (it may have been saved as Latin-1 or Windows-1252)",
        )


def _byte_pos(raw: bytes, index: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, index) + 1
    start = raw.rfind(b"\n", 0, index) + 1
    return line, len(raw[start:index].decode("utf-8", errors="replace")) + 1


def parse_document(
    rel: str, kind: KindSchema, text: str, schemas: SchemaSet
) -> tuple[Document | None, list[Diagnostic]]:
    parsed = yamlparse.parse_document_text(text)
    if parsed.error is not None:
        err = parsed.error
        return None, [
            Diagnostic(
                "error",
                err.code,
                err.message,
                rel,
                err.line,
                err.column,
                hint=err.hint,
                excerpt=excerpt(text, err.line, err.column),
            )
        ]
    problems = _check_modeline(rel, kind, text, schemas)
    if any(p.severity == "error" for p in problems):
        return None, problems  # a misplaced file: checking it against this folder's schema would only add noise
    data = parsed.data
    if data is None:
        problems.append(
            Diagnostic(
                "error",
                "PO109",
                "file is empty",
                rel,
                1,
                1,
                hint=f"start it with `prodops new {kind.kind}`, or delete it",
            )
        )
        return None, problems
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else "a single value"
        problems.append(
            Diagnostic(
                "error",
                "PO109",
                f"file holds {shape}, not a mapping of fields",
                rel,
                1,
                1,
                hint="a content file is a mapping such as 'id: ...' on its first line",
            )
        )
        return None, problems
    return Document(rel, kind, text, data), problems


def _check_modeline(rel: str, kind: KindSchema, text: str, schemas: SchemaSet) -> list[Diagnostic]:
    """The first line tells editors which schema applies; a wrong one hints at a misplaced file."""
    first = text.split("\n", 1)[0]
    expected = expected_modeline(rel, kind)
    match = MODELINE.match(first.strip())
    if match is None:
        return [
            Diagnostic(
                "warning",
                "PO111",
                "missing the schema line that lets editors check this file",
                rel,
                1,
                1,
                hint=f"make the first line: {expected}",
            )
        ]
    named = match.group(1).rsplit("/", 1)[-1]
    if named.endswith(SCHEMA_SUFFIX) and named != kind.file:
        other = next((k for k in schemas.kinds.values() if k.file == named), None)
        if other is not None:
            return [
                Diagnostic(
                    "error",
                    "PO110",
                    f"the schema line says this is a {other.label}, but it is in {kind.folder}/, where {kind.label}s live",
                    rel,
                    1,
                    1,
                    hint=f"move the file to {other.folder}/, or fix the first line to: {expected}",
                )
            ]
    if first.strip() != expected:
        return [
            Diagnostic(
                "warning",
                "PO111",
                "the schema line does not point at this kind's schema",
                rel,
                1,
                1,
                hint=f"make the first line: {expected}",
            )
        ]
    return []

"""Where documents come from: the working tree, the cache, in-memory edits, a Git revision.

The pipeline asks a source three things: which content files there are (``discover``), what
the per-file stages (strict load, then the schema) make of each of them (``checked``), and to
read in one pass the data of the documents whose models will be built (``prefetch``). A source
decides where the bytes come from and whether a file's result is already known; the per-file
stage itself is one function that the pipeline hands in (``Check``), so it is written once and
runs once per file, whichever source yields the file.

* ``WorkingTree`` reads the files under a folder (the repository, or a revision written out);
* ``Cached`` wraps one and reuses what an unchanged file gave last time (``prodops.cache``);
* ``Overlay`` wraps one and replaces, adds or removes files with text held in memory (an edit
  checked before it is written);
* ``revision`` writes a Git revision's content into a temporary folder (``prodops.gitrev``) and
  yields a ``WorkingTree`` over it (through the repository's cache, read only, if asked).

``working`` puts the first three together for a repository, as a command asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.loader import Document
from prodops.outline import Outline
from prodops.schemas import SchemaSet, load_schemas

SCHEMA_DIR = "schemas"


@dataclass(slots=True)
class Checked:
    """What the per-file stages made of one file."""

    rel: str
    document: Document | None  # None when the file could not be loaded
    problems: list[Diagnostic]  # load and schema problems, in that order
    valid: bool  # the document passed its schema
    outline: Outline | None  # what linking needs; None with no document


# (repository-relative path, the file's bytes, where it lives on disk or None) -> the stages' result
Check = Callable[[str, bytes, "str | None"], Checked]


class Source(Protocol):
    """One place documents come from."""

    root: Path  # the folder the files are under (a revision's temporary folder for a revision)
    schemas: SchemaSet  # the schemas that folder holds
    notices: list[str]  # about the run, not the content (a cache that was not used)

    def discover(self) -> tuple[list[str], list[Diagnostic]]:
        """Every content file, as sorted repository-relative POSIX paths, and why some could not be listed."""
        ...

    def checked(self, rels: Sequence[str], check: Check) -> Iterator[Checked]:
        """What the per-file stages make of each of ``rels``, in their order."""
        ...

    def prefetch(self, documents: Iterable[Document]) -> None:
        """Read the data of these documents now, in one pass, where it would otherwise be read one by one."""
        ...

    def keep(self) -> None:
        """Keep for the next run what this one worked out besides the per-file stages (where findings sit)."""
        ...

    def explain(self, rel: str) -> list[Diagnostic]:
        """Why ``rel``, named by the user, is not among the content files found (no such file, a link...)."""
        ...


def working(root: Path, *, cache: bool = False, overrides: Mapping[str, str | None] | None = None) -> Source:
    """The repository's working tree, through the cache if asked, with ``overrides`` laid over it."""
    from prodops.sources.cached import Cached
    from prodops.sources.overlay import Overlay
    from prodops.sources.tree import WorkingTree

    root = root.resolve()
    source: Source = WorkingTree(root, load_schemas(root / SCHEMA_DIR))
    if cache:
        source = Cached(source)
    if overrides:
        source = Overlay(source, overrides)
    return source


@dataclass
class Revision:
    """A revision's content as a source, and what of it could not be read (as warnings)."""

    source: Source
    name: str
    problems: list[Diagnostic]


@contextmanager
def revision(root: Path, name: str, *, cache: bool = False) -> Iterator[Revision]:
    """The repository as of Git revision ``name``, read into a temporary folder that lives as long as this.

    With ``cache``, a file whose content the repository's cache knows (the same path, the same
    bytes: most files of a pull request's base) is taken from it; that cache is only read.
    """
    from prodops import gitrev
    from prodops.cache import Cache, cache_key
    from prodops.sources.cached import Cached
    from prodops.sources.tree import WorkingTree

    root = root.resolve()
    opened: list[tuple[SchemaSet, Cache]] = []

    def knows(folder: Path) -> Callable[[str, str], bool]:
        """Files whose Git blob id the cache holds for that path are not written out: their results are known."""
        try:
            schemas = load_schemas(folder / SCHEMA_DIR)
        except ProdopsError:
            return lambda rel, oid: False  # said below, when the schemas are loaded again
        held = Cache(root, cache_key(schemas.digest))
        opened.append((schemas, held))
        entries = held.entries
        return lambda rel, oid: (entry := entries.get(rel)) is not None and entry.blob == oid

    with gitrev.checkout(root, name, knows if cache else None) as written:
        if opened:
            schemas, held = opened[0]
        else:
            try:
                schemas = load_schemas(written.root / SCHEMA_DIR)
            except ProdopsError as exc:
                raise ProdopsError(f"revision '{name}': {exc}") from exc
        source: Source = WorkingTree(written.root, schemas)
        if cache:
            source = Cached(source, home=root, cache=held if opened else None, known=written.known)
        yield Revision(source, name, written.problems)

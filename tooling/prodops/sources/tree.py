"""Files read from a folder on disk: the repository's working tree, or a revision written out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from prodops import loader
from prodops.diagnostics import Diagnostic
from prodops.loader import Document
from prodops.schemas import SchemaSet
from prodops.sources import Check, Checked


class WorkingTree:
    """Each file is read as it is now, with the loader's guards (no links, no pipes, a size limit)."""

    def __init__(self, root: Path, schemas: SchemaSet) -> None:
        self.root = root
        self.schemas = schemas
        self.notices: list[str] = []

    def discover(self) -> tuple[list[str], list[Diagnostic]]:
        return loader.discover(self.root, self.schemas)

    def checked(self, rels: Sequence[str], check: Check) -> Iterator[Checked]:
        root_text = str(self.root)
        for rel in rels:
            # A plain string, not a Path: building 10,000 Path objects costs more than reading the files.
            location = f"{root_text}/{rel}"
            raw, problem = loader.read_bytes(location, rel)
            if raw is None:
                yield Checked(rel, None, [problem] if problem is not None else [], False, None)
            else:
                yield check(rel, raw, location)

    def prefetch(self, documents: Iterable[Document]) -> None:
        """Documents read from disk hold their data already."""

    def keep(self) -> None:
        """Nothing is kept between runs."""

    def explain(self, rel: str) -> list[Diagnostic]:
        if not os.path.lexists(self.root / rel):
            return [Diagnostic("error", "PO109", "no such file", rel)]
        return loader.load_file(self.root, self.schemas, rel)[1]

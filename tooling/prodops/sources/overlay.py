"""A source with some files replaced, added or removed by text held in memory: an edit checked before it is written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from prodops.diagnostics import Diagnostic
from prodops.loader import YAML_SUFFIX, Document
from prodops.sources import Check, Checked, Source


class Overlay:
    """``inner``'s files, where ``overrides`` maps a repository-relative path to its new text (None: removed)."""

    def __init__(self, inner: Source, overrides: Mapping[str, str | None]) -> None:
        self.inner = inner
        self.root = inner.root
        self.schemas = inner.schemas
        self.notices = inner.notices
        self.texts = {rel: text for rel, text in overrides.items() if text is not None}
        self.removed = frozenset(rel for rel, text in overrides.items() if text is None)

    def discover(self) -> tuple[list[str], list[Diagnostic]]:
        files, problems = self.inner.discover()
        # Only content files are discovered; other texts (a KPI's history) are read by their own reader.
        added = {rel for rel in self.texts if rel.endswith(YAML_SUFFIX)}
        return sorted((set(files) | added) - self.removed), problems

    def checked(self, rels: Sequence[str], check: Check) -> Iterator[Checked]:
        texts = self.texts
        # The files that are not overridden come from the inner source in one pass (a cache reads
        # its rows once); the results are given back in the order asked.
        inner = {done.rel: done for done in self.inner.checked([rel for rel in rels if rel not in texts], check)}
        for rel in rels:
            text = texts.get(rel)
            yield check(rel, text.encode("utf-8"), None) if text is not None else inner[rel]

    def prefetch(self, documents: Iterable[Document]) -> None:
        self.inner.prefetch(documents)

    def keep(self) -> None:
        self.inner.keep()

    def explain(self, rel: str) -> list[Diagnostic]:
        return [] if rel in self.removed else self.inner.explain(rel)

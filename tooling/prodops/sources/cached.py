"""A source that reuses what each unchanged file gave last time (see ``prodops.cache``).

Every file is still read and hashed: an entry is used only for the bytes it was made from, so
the cache can never change an answer. A document taken from the cache holds its outline and
problems at once and fetches its data only when asked (``prefetch`` reads many in one pass).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from prodops import loader, yamlparse
from prodops.cache import NO_PROBLEMS, Cache, cache_key
from prodops.cache import Entry as CacheEntry
from prodops.diagnostics import Diagnostic
from prodops.loader import Document
from prodops.sources import Check, Checked, Source


class Cached:
    """``inner``'s files, with the per-file stages skipped for those the cache knows."""

    def __init__(
        self,
        inner: Source,
        home: Path | None = None,
        cache: Cache | None = None,
        known: Mapping[str, str] | None = None,
    ) -> None:
        """``home``: the repository whose cache serves ``inner`` (a revision written out), read only.

        ``known`` maps the revision's files that were not written out, because the cache holds
        their content, to their Git blob ids (``gitrev.checkout``): their results come from the cache.
        """
        self.inner = inner
        self.root = inner.root
        self.schemas = inner.schemas
        self.home = home
        self.cache = cache if cache is not None else Cache(home or inner.root, cache_key(inner.schemas.digest))
        if home is not None:
            self.cache.writable = False  # what a revision holds is never written into the repository's cache
        self.known = dict(known or {})
        self.notices = self.cache.notices
        self.present: set[str] | None = None  # the files found: the cache forgets the others
        self.placed: dict[str, yamlparse.Parsed] = {}  # positions worked out this run, kept by ``keep``

    def discover(self) -> tuple[list[str], list[Diagnostic]]:
        files, problems = self.inner.discover()
        if self.known:
            files = sorted({*files, *self.known})
            # Every file may be known: the folder written out then holds none, which is no problem.
            problems = [p for p in problems if not (p.code == "PO110" and p.file == ".")]
        self.present = set(files)
        return files, problems

    def checked(self, rels: Sequence[str], check: Check) -> Iterator[Checked]:
        cache, schemas = self.cache, self.schemas
        root_text = str(self.root)
        fetch = self._fetcher()
        for rel in rels:
            kind = schemas.kind_for(rel)
            if kind is None or not rel.endswith(loader.YAML_SUFFIX):
                yield from self.inner.checked((rel,), check)  # not an entity file: the stages say why
                continue
            location = f"{root_text}/{rel}"
            entry: CacheEntry | None
            if rel in self.known:  # held by the cache with this very content: nothing to read
                entry, raw = cache.entries[rel], None
            else:
                entry, raw = cache.lookup(rel, location)
            if entry is not None:
                problems = [] if entry.problems_json == NO_PROBLEMS else entry.problems
                if entry.outline is None:
                    yield Checked(rel, None, problems, False, None)
                else:
                    where = None if rel in self.known else location  # a known file's text is read from Git
                    doc = Document(rel, kind, None, entry.data, where, fetch, self._where)
                    yield Checked(rel, doc, problems, entry.valid, entry.outline)
                continue
            if raw is None:  # unreadable or too large: the inner source says which
                yield from self.inner.checked((rel,), check)
                continue
            done = check(rel, raw, location)
            data = None
            if done.document is not None:
                data = done.document.data
                done.document.where = self._where
            cache.store(rel, CacheEntry.of(raw, data, done.problems, done.valid, done.outline))
            yield done
        cache.forget_missing(self.present if self.present is not None else set(rels))
        cache.save()

    def prefetch(self, documents: Iterable[Document]) -> None:
        pending = [doc for doc in documents if doc.data_or_none is None]
        found = self.cache.load_data(doc.rel for doc in pending)
        for doc in pending:
            data = found.get(doc.rel)
            if isinstance(data, dict):
                doc.data_or_none = data

    def _where(self, doc: Document) -> yamlparse.Parsed:
        """Where values sit in ``doc``: as kept for its content, or worked out from its text (and kept then)."""
        kept = self.cache.spots(doc.rel)
        if kept is not None:
            return kept
        if doc.text_or_none is None and doc.rel in self.known:
            doc.text_or_none = self._known_text(doc.rel)
        parsed = doc.parse_positions()
        if parsed.error is None:
            self.placed[doc.rel] = parsed
        return parsed

    def _known_text(self, rel: str) -> str:
        """The text of a revision's file that was not written out, from Git."""
        from prodops import gitrev

        raw = gitrev.blob_bytes(self.home or self.root, self.known[rel])
        text = loader.decode(raw, rel)[0] if raw is not None else None
        return text or ""

    def keep(self) -> None:
        self.cache.keep_spots(self.placed)
        self.placed = {}

    def _fetcher(self) -> Callable[[str], dict[str, Any]]:
        """How a cached document gets its data: from the cache, or (if the cache cannot give it) from the file."""
        cache, root, schemas = self.cache, self.root, self.schemas

        def fetch(rel: str) -> dict[str, Any]:
            data = cache.data(rel)
            if isinstance(data, dict):
                return data
            if rel in self.known:
                kind = schemas.kind_for(rel)
                text = self._known_text(rel)
                doc = loader.parse_document(rel, kind, text, schemas)[0] if kind is not None else None
            else:
                doc = loader.load_file(root, schemas, rel)[0]
            return doc.data if doc is not None else {}

        return fetch

    def explain(self, rel: str) -> list[Diagnostic]:
        return self.inner.explain(rel)

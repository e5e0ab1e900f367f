"""A source that reuses what each unchanged file gave last time (see ``prodops.cache``).

An entry is used only for the bytes it was made from, so the cache can never change an answer:
each file is read and hashed, except where Git's index vouches for it (a work tree file that Git
finds unchanged, of the size the entry was made from, whose blob id is the entry's: Git has
compared it, re-reading what its timestamps leave in doubt). A document taken from the cache holds its outline and
problems at once and fetches its data only when asked (``prefetch`` reads many in one pass).
"""

from __future__ import annotations

import os
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
        clean = self._clean_in_git() if self.home is None else {}
        for rel in rels:
            kind = schemas.kind_for(rel)
            if kind is None or not rel.endswith(loader.YAML_SUFFIX):
                yield from self.inner.checked((rel,), check)  # not an entity file: the stages say why
                continue
            location = f"{root_text}/{rel}"
            entry: CacheEntry | None
            if rel in self.known:  # held by the cache with this very content: nothing to read
                entry, raw = cache.entries[rel], None
            elif (
                (blob := clean.get(rel)) is not None
                and (held := cache.entries.get(rel)) is not None
                and held.blob == blob
                and _size(location) == held.size  # a line-ending or filter conversion changes the size
            ):  # Git says the file holds what its index holds, and the cache knows that content
                entry, raw = held, None
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

    def _clean_in_git(self) -> dict[str, str]:
        """The content files Git's index says are unchanged in the work tree, with their blob ids.

        Git compares what it recorded of each file (size, times, inode) and reads again the ones it
        cannot be sure of (racy timestamps); entries it is told not to look at (assume-unchanged,
        skip-worktree) are left out. Outside a Git work tree, or without git: none.
        """
        from prodops import gitrev
        from prodops.diagnostics import ProdopsError

        folders = [f"{folder}/" for folder in self.schemas.folders]
        try:
            listed = gitrev.run_git(self.root, "ls-files", "-s", "-v", "-z", "--", *folders, timeout=30)
            if listed.returncode != 0:
                return {}
            changed = gitrev.run_git(self.root, "diff-files", "-z", "--name-only", "--relative", timeout=30)
            if changed.returncode != 0:
                return {}
            index = gitrev.run_git(self.root, "rev-parse", "--git-path", "index", timeout=30)
            if index.returncode != 0:
                return {}
            index_path = self.root / os.fsdecode(index.stdout.strip())
            # Git compares a file's change time with what it recorded only to the second, so an edit that
            # keeps the size and puts the modification time back, made in the second Git last looked, can
            # pass for unchanged. A file whose inode changed in or after the second the index was written
            # is read, whatever Git says.
            trusted_before = index_path.stat().st_mtime_ns // 1_000_000_000 * 1_000_000_000
        except (ProdopsError, OSError):
            return {}
        dirty = {os.fsdecode(name) for name in changed.stdout.split(b"\0") if name}
        out: dict[str, str] = {}
        for record in listed.stdout.split(b"\0"):
            meta, _, name = record.partition(b"\t")
            fields = meta.split()
            if len(fields) != 4 or fields[0] != b"H" or fields[3] != b"0" or fields[1] not in (b"100644", b"100755"):
                continue  # another stage of a merge, a link, a file Git is told not to look at
            rel = os.fsdecode(name)
            if rel in dirty:
                continue
            try:
                if (self.root / rel).stat().st_ctime_ns >= trusted_before:
                    continue
            except OSError:
                continue
            out[rel] = fields[2].decode()
        return out

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


def _size(location: str) -> int:
    try:
        return os.stat(location, follow_symlinks=False).st_size  # noqa: PTH116 (a Path per file costs more)
    except OSError:
        return -1

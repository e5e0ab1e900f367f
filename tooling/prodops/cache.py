"""A cache of what each unchanged file holds, so pre-commit and repeated runs skip parsing.

For every content file it keeps the parsed data and the load and schema diagnostics,
keyed by the file's size, modification time and content hash. It lives in
``.prodops-cache/`` at the repository root, split into shards so that a run after one
edit rewrites one small shard rather than the whole cache, (with a ``.gitignore`` of its own, so it is
never committed) as JSON: nothing in it can run code, and a damaged or foreign cache is
simply ignored. It is invalidated as a whole when the schemas or prodops change.

A file whose size and modification time match is trusted without reading it, unless it
was modified within two seconds of the cache being written (the "racy" case Git also
guards against): such an entry is checked against the content hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodops import __version__
from prodops.diagnostics import Diagnostic

CACHE_DIR = ".prodops-cache"
FORMAT = 2
SHARDS = 64
RACY_NS = 2_000_000_000


@dataclass
class Entry:
    size: int
    mtime_ns: int
    digest: str
    data: Any  # the parsed document, or None when it could not be loaded
    problems: list[Diagnostic]
    valid: bool


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def schema_key(schema_dir: Path) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{FORMAT}:{__version__}".encode())
    for path in sorted(schema_dir.glob("*.schema.json")):
        hasher.update(path.name.encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _shard(rel: str) -> int:
    return int.from_bytes(hashlib.blake2b(rel.encode("utf-8"), digest_size=2).digest(), "big") % SHARDS


class Cache:
    """Read once at the start of a run; the shards that changed are written once at the end."""

    def __init__(self, root: Path, key: str) -> None:
        self.folder = root / CACHE_DIR
        self.key = key
        self.entries: dict[str, Entry] = {}
        self.written_ns: dict[int, int] = {}
        self.dirty: set[int] = set()
        for shard in range(SHARDS):
            self._read(shard)

    def _path(self, shard: int) -> Path:
        return self.folder / f"files-{shard:02d}.json"

    def _read(self, shard: int) -> None:
        try:
            raw = json.loads(self._path(shard).read_text(encoding="utf-8"))
            if raw.get("key") != self.key:
                return
            written = int(raw["written_ns"])
            entries = {
                rel: Entry(
                    e["size"],
                    e["mtime_ns"],
                    e["digest"],
                    e["data"],
                    [_diagnostic(d) for d in e["problems"]],
                    bool(e["valid"]),
                )
                for rel, e in raw["entries"].items()
                if _shard(rel) == shard
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return  # no shard, or one we cannot trust: its files are read afresh
        self.entries.update(entries)
        self.written_ns[shard] = written

    def lookup(self, rel: str, stat: os.stat_result, read: Any) -> Entry | None:
        """The cached entry if the file is unchanged; ``read()`` gives its bytes when a check needs them."""
        entry = self.entries.get(rel)
        if entry is None or entry.size != stat.st_size:
            return None
        if entry.mtime_ns == stat.st_mtime_ns and stat.st_mtime_ns < self.written_ns.get(_shard(rel), 0) - RACY_NS:
            return entry
        raw = read()
        if raw is None or digest(raw) != entry.digest:
            return None
        if entry.mtime_ns != stat.st_mtime_ns:
            entry.mtime_ns = stat.st_mtime_ns
            self.dirty.add(_shard(rel))
        return entry

    def store(self, rel: str, entry: Entry) -> None:
        self.entries[rel] = entry
        self.dirty.add(_shard(rel))

    def forget_missing(self, present: set[str]) -> None:
        for rel in [r for r in self.entries if r not in present]:
            del self.entries[rel]
            self.dirty.add(_shard(rel))

    def save(self) -> None:
        """Write the changed shards atomically; a cache that cannot be written is not an error."""
        if not self.dirty:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# prodops' cache of parsed files; never committed.\n*\n", encoding="utf-8")
            by_shard: dict[int, dict[str, Entry]] = {shard: {} for shard in self.dirty}
            for rel, entry in self.entries.items():
                shard = _shard(rel)
                if shard in by_shard:
                    by_shard[shard][rel] = entry
            now = time.time_ns()
            for shard, entries in by_shard.items():
                payload = {
                    "key": self.key,
                    "written_ns": now,
                    "entries": {
                        rel: {
                            "size": e.size,
                            "mtime_ns": e.mtime_ns,
                            "digest": e.digest,
                            "data": e.data,
                            "problems": [_plain(d) for d in e.problems],
                            "valid": e.valid,
                        }
                        for rel, e in entries.items()
                    },
                }
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".files.", suffix=".tmp")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
                Path(tmp).replace(self._path(shard))
        except OSError:
            pass


def _plain(d: Diagnostic) -> list[Any]:
    return [d.severity, d.code, d.message, d.file, d.line, d.column, list(d.path), d.hint, list(d.excerpt)]


def _diagnostic(raw: list[Any]) -> Diagnostic:
    severity, code, message, file, line, column, path, hint, excerpt = raw
    if severity not in ("error", "warning", "info"):
        raise ValueError(severity)
    return Diagnostic(
        severity, str(code), str(message), str(file), int(line), int(column), tuple(path), str(hint), tuple(excerpt)
    )

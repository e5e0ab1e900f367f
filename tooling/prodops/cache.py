"""A cache of what each unchanged file holds, so pre-commit and repeated runs skip parsing.

For every content file it keeps the load and schema diagnostics, the file's outline
(its id, key results and the ids it names: all that linking needs) and its parsed data,
keyed by the file's size, modification time and content hash. Outlines are read for
every file at the start of a run; data only for the files whose models are built, so
checking one file in a large repository reads a few rows, not the whole cache.

It is one SQLite database in ``.prodops-cache/`` at the repository root (with a
``.gitignore`` of its own, so it is never committed). Values are stored as JSON text:
nothing in it can run code, and a damaged, locked or foreign cache is simply not used
(a damaged one is replaced on the next write). It is invalidated as a whole when the
schemas or prodops change.

A file whose size and modification time match is trusted without reading it, unless it
was modified within two seconds of its entry being written (the "racy" case Git also
guards against): such an entry is checked against the content hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import __version__
from prodops.diagnostics import Diagnostic
from prodops.outline import Outline, RefUse

CACHE_DIR = ".prodops-cache"
CACHE_FILE = "files.sqlite"
FORMAT = 4
RACY_NS = 2_000_000_000
LOCK_TIMEOUT_S = 2.0
NO_PROBLEMS = "[]"

_TABLE = """
CREATE TABLE IF NOT EXISTS files (
    rel TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL,
    written_ns INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    problems TEXT NOT NULL,
    outline TEXT,
    refs TEXT,
    data TEXT
)
"""


@dataclass(slots=True)
class Entry:
    size: int
    mtime_ns: int
    digest: str
    valid: bool
    outline: Outline | None  # None when the file could not be loaded
    problems_json: str = NO_PROBLEMS
    data: Any = None  # the parsed document once read (or when just stored); None otherwise
    written_ns: int = 0
    _problems: list[Diagnostic] | None = field(default=None, repr=False)

    @property
    def problems(self) -> list[Diagnostic]:
        if self._problems is None:
            self._problems = (
                [] if self.problems_json == NO_PROBLEMS else [_diagnostic(d) for d in json.loads(self.problems_json)]
            )
        return self._problems

    @classmethod
    def of(
        cls,
        stat: os.stat_result,
        raw: bytes,
        data: Any,
        problems: list[Diagnostic],
        valid: bool,
        outline: Outline | None,
    ) -> Entry:
        """The entry for a file just read (``raw``), loaded (``data``) and checked."""
        return cls(
            stat.st_size,
            stat.st_mtime_ns,
            digest(raw),
            valid,
            outline,
            json.dumps([_plain(d) for d in problems], ensure_ascii=False) if problems else NO_PROBLEMS,
            data,
            _problems=problems,
        )


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def cache_key(schemas_digest: str) -> str:
    """What every entry depends on besides its file: the cache's format, prodops' version and the schemas."""
    return hashlib.blake2b(f"{FORMAT}:{__version__}:{schemas_digest}".encode(), digest_size=16).hexdigest()


class Cache:
    """Outlines are read once at the start of a run; the rows that changed are written once at the end."""

    def __init__(self, root: Path, key: str) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.key = key
        self.entries: dict[str, Entry] = {}
        self.changed: set[str] = set()
        self.removed: set[str] = set()
        self.fresh = True  # the database holds nothing usable: on save, start it again
        # A cache folder, database or journal that is a link (a checkout can carry one) could
        # point outside the repository: then there is no cache at all, neither read nor written.
        self.writable = not _has_links(self.folder)
        self._db: sqlite3.Connection | None = None
        if self.writable and self.path.is_file():
            try:
                self._read()
            except sqlite3.OperationalError as exc:
                self.entries = {}
                # Another run is writing it: leave it alone this time. Anything else: rebuild it.
                self.writable = "locked" not in str(exc)
            except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
                self.entries = {}  # damaged or foreign: every file is read afresh, and the cache rebuilt

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
        return self._db

    def _read(self) -> None:
        db = self._connect()
        (stored,) = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone() or (None,)
        if stored != self.key:
            return
        entries = {}
        decode = json.loads
        # The hot loop of a run that checks one file: values are taken as this module wrote them.
        for rel, size, mtime_ns, hashed, written_ns, valid, problems, shape, refs in db.execute(
            "SELECT rel, size, mtime_ns, digest, written_ns, valid, problems, outline, refs FROM files"
        ):
            entries[rel] = Entry(
                size,
                mtime_ns,
                hashed,
                valid == 1,
                None if shape is None else _outline(decode(shape), refs),
                problems,
                None,
                written_ns,
            )
        self.entries = entries
        self.fresh = False

    def lookup(self, rel: str, stat: os.stat_result, location: str) -> tuple[Entry | None, bytes | None]:
        """The cached entry if the file is unchanged, and the file's bytes if they had to be read to tell."""
        entry = self.entries.get(rel)
        if entry is None or entry.size != stat.st_size:
            return None, None
        mtime = stat.st_mtime_ns
        if entry.mtime_ns == mtime and mtime < entry.written_ns - RACY_NS:
            return entry, None
        try:
            with open(location, "rb") as handle:  # noqa: PTH123 - a plain string path, as the caller has it
                raw = handle.read(stat.st_size + 1)
        except OSError:
            return None, None
        if len(raw) != stat.st_size:
            return None, None  # changed while we looked: the caller reads it properly
        if digest(raw) != entry.digest:
            return None, raw
        if entry.mtime_ns != mtime or time.time_ns() - RACY_NS > mtime:
            entry.mtime_ns = mtime  # written again with a later stamp, so next time it is trusted unread
            self.changed.add(rel)
        return entry, raw

    def data(self, rel: str) -> Any:
        """The cached data of one unchanged file, or None if the cache cannot give it."""
        return self.load_data([rel]).get(rel)

    def load_data(self, rels: Iterable[str]) -> dict[str, Any]:
        """The cached data of these files (those the cache holds), read in one pass."""
        wanted = [rel for rel in rels if rel in self.entries]
        out: dict[str, Any] = {}
        if not wanted:
            return out
        try:
            db = self._connect()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for rel, hashed, text in db.execute(
                    f"SELECT rel, digest, data FROM files WHERE rel IN ({marks})",  # only "?" marks go into the text
                    chunk,
                ):
                    entry = self.entries.get(rel)
                    if text is not None and entry is not None and hashed == entry.digest:
                        out[rel] = json.loads(text)
        except (sqlite3.Error, ValueError):
            pass  # the caller reads the file itself
        return out

    def store(self, rel: str, entry: Entry) -> None:
        self.entries[rel] = entry
        self.changed.add(rel)
        self.removed.discard(rel)

    def forget_missing(self, present: set[str]) -> None:
        for rel in [r for r in self.entries if r not in present]:
            del self.entries[rel]
            self.changed.discard(rel)
            self.removed.add(rel)

    def save(self) -> None:
        """Write the changed rows in one transaction; a cache that cannot be written is not an error."""
        if not self.writable or not (self.changed or self.removed or self.fresh):
            self.close()
            return
        try:
            self._write()
        except (OSError, sqlite3.Error, ValueError, TypeError):  # unwritable, busy, or a damaged row to copy
            pass
        finally:
            self.close()

    def _write(self) -> None:
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# prodops' cache of parsed files; never committed.\n*\n", encoding="utf-8")
        if self.fresh:
            self.close()
            self.path.unlink(missing_ok=True)  # damaged, foreign or out of date: begin again
            for stale in [*self.folder.glob(CACHE_FILE + "-*"), *self.folder.glob("files-*.json")]:
                stale.unlink(missing_ok=True)  # its journal, and the JSON shards of earlier versions
        db = self._connect()
        now = time.time_ns()
        rows = []
        for rel in self.changed:
            e = self.entries[rel]
            rows.append(
                (
                    rel,
                    e.size,
                    e.mtime_ns,
                    e.digest,
                    now,
                    int(e.valid),
                    e.problems_json,
                    None if e.outline is None else _json(_plain_outline(e.outline)),
                    None if e.outline is None else _json(e.outline.refs),
                    None if e.data is None else _json(e.data),
                )
            )
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute(_TABLE)
            if self.fresh:
                db.execute("DELETE FROM files")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (self.key,))
            db.executemany("DELETE FROM files WHERE rel = ?", [(rel,) for rel in self.removed])
            # A row whose data is not in memory (only its stamp changed) keeps the data it has.
            db.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(rel) DO UPDATE SET "
                "size = excluded.size, mtime_ns = excluded.mtime_ns, digest = excluded.digest, "
                "written_ns = excluded.written_ns, valid = excluded.valid, problems = excluded.problems, "
                "outline = excluded.outline, refs = excluded.refs, data = COALESCE(excluded.data, files.data)",
                rows,
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


_json = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


def _has_links(folder: Path) -> bool:
    if folder.is_symlink():
        return True
    try:
        with os.scandir(folder) as entries:
            return any(entry.is_symlink() for entry in entries)
    except OSError:
        return False  # no folder yet (or none that can be read): nothing in it can lead elsewhere


def _plain_outline(shape: Outline) -> list[Any]:
    return [shape.id, shape.key_results, shape.targets]


def _outline(raw: list[Any], refs_json: Any) -> Outline:
    """An outline as stored; its full references are decoded only when asked for."""
    raw_id, krs, targets = raw
    if not (raw_id is None or isinstance(raw_id, str)) or not isinstance(refs_json, str):
        raise TypeError("outline")

    def load() -> tuple[RefUse, ...]:
        return tuple((str(f), str(k), tuple(p), str(v)) for f, k, p, v in json.loads(refs_json))

    return Outline(raw_id, tuple(krs), targets, load=load)


def _plain(d: Diagnostic) -> list[Any]:
    return [d.severity, d.code, d.message, d.file, d.line, d.column, list(d.path), d.hint, list(d.excerpt)]


def _diagnostic(raw: list[Any]) -> Diagnostic:
    severity, code, message, file, line, column, path, hint, excerpt = raw
    if severity not in ("error", "warning", "info"):
        raise ValueError(severity)
    return Diagnostic(
        severity, str(code), str(message), str(file), int(line), int(column), tuple(path), str(hint), tuple(excerpt)
    )

"""A cache of what each unchanged file holds, so pre-commit and repeated runs skip parsing.

For every content file it keeps the load and schema diagnostics, the file's outline
(its id, key results and the ids it names: all that linking needs) and its parsed data,
keyed by the hash of the file's content. Outlines are read for every file at the start
of a run; data only for the files whose models are built, so checking one file in a
large repository reads a few rows, not the whole cache.

It is one SQLite database in ``.prodops-cache/`` at the repository root (with a
``.gitignore`` of its own, so it is never committed). Values are stored as JSON text:
nothing in it can run code, and a damaged, locked or foreign cache is simply not used
(a damaged one is replaced on the next write). It is invalidated as a whole when the
schemas or prodops change.

The cache can never change an answer:

* every file is read and hashed on every run (or, in a Git work tree, vouched for by Git's
  index: see ``sources.cached``), and an entry is used only for the content it was made from
  (a size and a modification time can be kept while the content changes: ``touch -r``);
  hashing 10,000 small files costs tens of milliseconds;
* every row is signed with this user's key (see ``trust``), together with the cache key
  and the file's path, so a row this tool did not write here, or wrote for other schemas
  or another file, is not used;
* a cache folder that Git tracks is neither read nor written (a committed cache came
  from somewhere else, whatever it says).

Each reason to ignore the cache becomes one notice, for the command to show.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import __version__, trust, yamlparse
from prodops.diagnostics import Diagnostic, JsonPath
from prodops.loader import MAX_FILE_BYTES
from prodops.outline import Outline, RefUse

CACHE_DIR = ".prodops-cache"
CACHE_FILE = "files.sqlite"
FORMAT = 7
LOCK_TIMEOUT_S = 2.0
NO_PROBLEMS = "[]"

_TABLE = """
CREATE TABLE IF NOT EXISTS files (
    rel TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    digest TEXT NOT NULL,
    blob TEXT NOT NULL,
    valid INTEGER NOT NULL,
    problems TEXT NOT NULL,
    outline TEXT,
    refs TEXT,
    data TEXT,
    mac BLOB NOT NULL,
    data_mac BLOB
)
"""
# Where each value and key sits in a file's content, kept once a finding had to be placed in it: a
# warning that stays costs nothing the next time, even when other files changed.
_SPOTS = """
CREATE TABLE IF NOT EXISTS spots (
    rel TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    spots TEXT NOT NULL,
    mac BLOB NOT NULL
)
"""


@dataclass(slots=True)
class Entry:
    size: int
    digest: str
    valid: bool
    outline: Outline | None  # None when the file could not be loaded
    problems_json: str = NO_PROBLEMS
    data: Any = None  # the parsed document once read (or when just stored); None otherwise
    blob: str = ""  # Git's object id of the content: a revision's file with this id is this content
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
        raw: bytes,
        data: Any,
        problems: list[Diagnostic],
        valid: bool,
        outline: Outline | None,
    ) -> Entry:
        """The entry for a file just read (``raw``), loaded (``data``) and checked."""
        return cls(
            len(raw),
            digest(raw),
            valid,
            outline,
            json.dumps([_plain(d) for d in problems], ensure_ascii=False) if problems else NO_PROBLEMS,
            data,
            git_blob(raw),
            _problems=problems,
        )


def digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def git_blob(raw: bytes) -> str:
    """The id Git gives this content as a blob (SHA-1), as ``git ls-tree`` lists it."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


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
        self.notices: list[str] = []  # why the cache was not used, one line each
        self.fresh = True  # the database holds nothing usable: on save, start it again
        self._db: sqlite3.Connection | None = None
        self._spots: dict[str, tuple[str, str, bytes]] | None = None
        secret, why = trust.machine_key()
        self._secret = secret or b""
        # A cache folder, database or journal that is a link (a checkout can carry one) could
        # point outside the repository: then there is no cache at all, neither read nor written.
        self.writable = secret is not None and not _has_links(self.folder)
        if secret is None:
            self.notices.append(f"not using {CACHE_DIR}/: its signing key cannot be kept ({why})")
            return
        if not self.writable or not self.folder.exists():
            return
        if trust.tracked(root, CACHE_DIR):
            self.writable = False  # never rewrite files the repository holds
            self.notices.append(
                f"ignoring {CACHE_DIR}/: it is tracked by Git, so it was not written here; "
                f"remove it with `git rm -r --cached {CACHE_DIR}`"
            )
            return
        if self.path.is_file():
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

    def _sign(self, *parts: str) -> bytes:
        # No part holds a NUL (paths cannot; JSON text escapes it), so the joined message splits one way only.
        return trust.sign(self._secret, "\0".join((self.key, *parts)).encode())

    def _untrusted(self) -> None:
        """A signature did not match: nothing in the database is used, and it is removed now (so it is not met again)."""
        self.entries = {}
        self.fresh = True
        self.notices.append(
            f"ignoring {CACHE_DIR}/: it was not written by prodops for this user on this machine, "
            "or it was changed since; it is rebuilt"
        )
        if self.writable:
            self.close()
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                self.writable = False

    def _read(self) -> None:
        db = self._connect()
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("key") != self.key:
            return  # other schemas or another version: rebuilt without a word
        if not hmac.compare_digest(str(meta.get("check", "")), self._sign("meta").hex()):
            self._untrusted()
            return
        entries = {}
        decode = json.loads
        same = hmac.compare_digest
        blake2b = hashlib.blake2b
        secret = self._secret
        # The hot loop of a run that checks one file: values are taken as this module wrote them, and
        # the signature is computed inline (as _sign does) because a call per row is a tenth of the loop.
        for rel, size, hashed, blob, valid, problems, shape, refs, mac in db.execute(
            "SELECT rel, size, digest, blob, valid, problems, outline, refs, mac FROM files"
        ):
            message = f"{self.key}\0{rel}\0{size}\0{hashed}\0{blob}\0{valid}\0{problems}\0{shape or ''}\0{refs or ''}"
            if not isinstance(mac, bytes) or not same(
                mac, blake2b(message.encode(), key=secret, digest_size=trust.MAC_BYTES).digest()
            ):
                self._untrusted()
                return
            entries[rel] = Entry(
                size,
                hashed,
                valid == 1,
                None if shape is None else _outline(decode(shape), refs),
                problems,
                None,
                blob,
            )
        self.entries = entries
        self.fresh = False

    def lookup(self, rel: str, location: str) -> tuple[Entry | None, bytes | None]:
        """The cached entry if the file's content is what it was made from, and the file's bytes.

        The bytes are None when the file cannot be read or is too large (the caller loads it
        the ordinary way, which says why).
        """
        try:
            fd = os.open(location, os.O_RDONLY)
        except OSError:
            return None, None
        try:
            # Asking for exactly the size (not the limit) spares a megabyte's allocation per file.
            size = os.fstat(fd).st_size
            raw = os.read(fd, size + 1) if size <= MAX_FILE_BYTES else b""
        except OSError:
            return None, None
        finally:
            os.close(fd)
        if len(raw) != size:
            return None, None  # too large, or changed while read: the loader reads it again and says what it found
        entry = self.entries.get(rel)
        if entry is None or entry.size != len(raw) or entry.digest != digest(raw):
            return None, raw
        return entry, raw

    def data(self, rel: str) -> Any:
        """The cached data of one unchanged file, or None if the cache cannot give it."""
        return self.load_data([rel]).get(rel)

    def load_data(self, rels: Iterable[str]) -> dict[str, Any]:
        """The cached data of these files (those the cache holds, with a valid signature), read in one pass."""
        wanted = [rel for rel in rels if rel in self.entries]
        out: dict[str, Any] = {}
        if not wanted:
            return out
        sign = self._sign
        same = hmac.compare_digest
        try:
            db = self._connect()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for rel, hashed, text, mac in db.execute(
                    f"SELECT rel, digest, data, data_mac FROM files WHERE rel IN ({marks})",  # only "?" marks go in
                    chunk,
                ):
                    entry = self.entries.get(rel)
                    if text is None or entry is None or hashed != entry.digest:
                        continue
                    if not isinstance(mac, bytes) or not same(mac, sign("data", rel, hashed, text)):
                        self._untrusted()  # the caller reads every file itself
                        return {}
                    out[rel] = json.loads(text)
        except (sqlite3.Error, ValueError):
            return {}  # the caller reads the files itself
        return out

    def spots(self, rel: str) -> yamlparse.Parsed | None:
        """Where the values and keys of ``rel``'s current content sit, if kept (see ``keep_spots``)."""
        entry = self.entries.get(rel)
        if entry is None or self.fresh:
            return None
        if self._spots is None:
            self._spots = self._read_spots()
        row = self._spots.get(rel)
        if row is None or row[0] != entry.digest:
            return None
        hashed, text, mac = row
        if not isinstance(mac, bytes) or not hmac.compare_digest(mac, self._sign("spots", rel, hashed, text)):
            return None  # not ours: placed again from the file, and the row replaced
        try:
            return _parsed_spots(json.loads(text))
        except (ValueError, TypeError):
            return None

    def _read_spots(self) -> dict[str, tuple[str, str, bytes]]:
        """Every kept row, in one pass (only files that had a finding have one); decoded when asked for."""
        if not self.path.is_file():
            return {}
        try:
            rows = self._connect().execute("SELECT rel, digest, spots, mac FROM spots").fetchall()
        except sqlite3.Error:
            return {}  # no table yet (a cache written before any finding), busy, or damaged
        return {rel: (hashed, text, mac) for rel, hashed, text, mac in rows}

    def keep_spots(self, found: dict[str, yamlparse.Parsed]) -> None:
        """Keep where values sit in these files (as of their cached content), in one transaction."""
        if not self.writable or not found:
            return
        rows = []
        for rel, parsed in found.items():
            entry = self.entries.get(rel)
            if entry is None:
                continue
            text = _json([_plain_spots(parsed.values), _plain_spots(parsed.keys)])
            rows.append((rel, entry.digest, text, self._sign("spots", rel, entry.digest, text)))
        try:
            self.folder.mkdir(exist_ok=True)
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(_SPOTS)
                db.executemany("INSERT OR REPLACE INTO spots VALUES (?, ?, ?, ?)", rows)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except (OSError, sqlite3.Error, ValueError, TypeError):
            pass  # a cache that cannot be written is not an error
        finally:
            self.close()

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
        sign = self._sign
        rows = []
        for rel in self.changed:
            e = self.entries[rel]
            shape = None if e.outline is None else _json(_plain_outline(e.outline))
            refs = None if e.outline is None else _json(e.outline.refs)
            data = None if e.data is None else _json(e.data)
            valid = int(e.valid)
            rows.append(
                (
                    rel,
                    e.size,
                    e.digest,
                    e.blob,
                    valid,
                    e.problems_json,
                    shape,
                    refs,
                    data,
                    sign(rel, str(e.size), e.digest, e.blob, str(valid), e.problems_json, shape or "", refs or ""),
                    None if data is None else sign("data", rel, e.digest, data),
                )
            )
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute(_TABLE)
            db.execute(_SPOTS)
            if self.fresh:
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM spots")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (self.key,))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('check', ?)", (sign("meta").hex(),))
            db.executemany("DELETE FROM files WHERE rel = ?", [(rel,) for rel in self.removed])
            db.executemany("DELETE FROM spots WHERE rel = ?", [(rel,) for rel in self.removed])
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
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


def _plain_spots(spots: dict[JsonPath, yamlparse.Position]) -> list[Any]:
    return [[list(path), line, column] for path, (line, column) in spots.items()]


def _parsed_spots(raw: list[Any]) -> yamlparse.Parsed:
    values, keys = raw
    return yamlparse.Parsed(
        values={tuple(p): (int(line), int(col)) for p, line, col in values},
        keys={tuple(p): (int(line), int(col)) for p, line, col in keys},
    )


def _plain(d: Diagnostic) -> list[Any]:
    return [d.severity, d.code, d.message, d.file, d.line, d.column, list(d.path), d.hint, list(d.excerpt)]


def _diagnostic(raw: list[Any]) -> Diagnostic:
    severity, code, message, file, line, column, path, hint, excerpt = raw
    if severity not in ("error", "warning", "info"):
        raise ValueError(severity)
    return Diagnostic(
        severity, str(code), str(message), str(file), int(line), int(column), tuple(path), str(hint), tuple(excerpt)
    )

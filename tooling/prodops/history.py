"""The history index: what each roadmap item, objective and launch was at every commit that changed it.

It walks the commits that touched the content folders (first-parent by default, so a merged
branch counts once, on the day it landed), reads each distinct file version once by its blob
id (``git cat-file --batch``, as ``gitrev`` does: a file unchanged across 1,000 commits is
read once) and keeps per entity the tracked fields of each version that differs from the one
before: status, horizon, due date, team, and each key result's current value, confidence,
baseline, target and dated check-ins, with the commit, author and date. Entities are followed by id, so a moved file keeps its
history; an id changed in its file, or together with the file's name (Git sees the rename),
continues the old id's.

The index lives in ``.prodops-cache/history.json`` and is brought up to date from the last
indexed commit. It is rebuilt when that commit is no longer on the first-parent chain of
``HEAD`` (history rewritten, branch switched), when the clone's shallow boundary moved, or
when the file was not written by this tool for this user (signed with the key of ``trust``;
a cache folder that Git tracks is never used). In a shallow clone the history is what is
there, and the index says where it begins.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from prodops import __version__, commitdates, gitrev, trust, yamlparse
from prodops.builtin_kinds import tracked as tracked_kinds
from prodops.cache import CACHE_DIR
from prodops.calendar import DEFAULT, Calendar
from prodops.diagnostics import ProdopsError
from prodops.loader import MAX_FILE_BYTES
from prodops.schemas import declared_kinds, deepest_kind, read_calendar

FORMAT = 6  # 6: commit days settled along first parents (``commitdates``); 5: key results keep check-ins
INDEX_FILE = "history.json"
# The kinds whose files have a history worth keeping (``Builtin.history_columns``); their folders come from the schemas.
TRACKED = tracked_kinds()
_NO_OID = "0" * 40
_MISSING = object()
BYTES_PER_READ = 64 * 1024 * 1024  # blob bytes asked of one `git cat-file --batch`

State = dict[str, Any]  # the tracked fields of one version (JSON values only)


@dataclass(frozen=True)
class Commit:
    oid: str
    author: str
    when: str  # the committer date as Git gives it (ISO 8601 with the committer's offset)
    counted: str = ""  # the day the history counts it on, when not the day of ``when`` (``commitdates.settle``)

    @property
    def day(self) -> str:
        return self.counted or self.when[:10]

    @property
    def moment(self) -> str:
        """The committer date, or noon (UTC) of the day the history counts it on when that differs."""
        return f"{self.counted}T12:00:00Z" if self.counted else self.when


@dataclass(frozen=True)
class Change:
    """An entity's tracked state from ``commit`` (an index into ``Index.commits``) on; None once removed."""

    commit: int
    state: State | None


@dataclass
class Index:
    head: str = ""
    commits: list[Commit] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # entity id -> kind
    changes: dict[str, list[Change]] = field(default_factory=dict)  # entity id -> its changes, oldest first
    paths: dict[str, str] = field(default_factory=dict)  # content path at ``head`` -> entity id
    shallow: str = ""  # the shallow boundary (empty in a full clone)
    unreadable: int = 0  # versions that could not be parsed (kept out; the state before stays)
    redated: int = 0  # commits dated before the one they follow, or in the future: counted on another day
    notices: list[str] = field(default_factory=list)
    # The planning calendar of the schemas at the working tree (read at each load, never cached).
    calendar: Calendar = DEFAULT

    @property
    def begins(self) -> str:
        """The date of the oldest commit the index knows (empty when there is none)."""
        return self.commits[0].day if self.commits else ""


def git(root: Path, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    done = gitrev.run_git(root, *args, stdin=stdin, timeout=600, needed_for="the history")
    if check and done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ProdopsError(f"git {args[0]} failed: {message[0] if message else done.returncode}")
    return done.stdout


def load(root: Path) -> Index:
    """The history index of ``root``'s ``HEAD``, brought up to date (and saved when it changed)."""
    # One process for what the repository is, one for HEAD: on a busy machine each start costs.
    info = git(root, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--git-path", "shallow",
               "--show-prefix", check=False).decode(errors="surrogateescape").split("\n")  # fmt: skip
    if info[0] != "true" or len(info) < 4:
        raise ProdopsError(f"{root} is not inside a Git repository; the history comes from Git")
    head_out = git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
    if not head_out:
        raise ProdopsError(f"{root} has no commits yet; the history comes from Git")
    head = head_out.decode()
    shallow = _shallow_mark(root, info[2]) if info[1] == "true" else ""
    store = _Store(root)
    index = store.read()
    if index is not None and (index.shallow != shallow or not _continues(root, index.head, head)):
        index = None  # rewritten, switched, or deepened: begin again
    if index is None:
        index = Index(shallow=shallow)
    if index.head != head:
        _walk(root, index, head, info[3])
        store.write(index)
    _settle(index, date.today().isoformat())
    index.notices = store.notices
    index.calendar = read_calendar(root / "schemas")
    if index.redated:
        first = next(c for c in index.commits if c.counted)
        index.notices.append(
            f"{index.redated} commit(s) are dated before the commit they follow or in the future; the history "
            f"counts each on the nearest day that keeps the order (the first, {first.oid[:12]} dated "
            f"{first.when[:10]}, on {first.day})"
        )
    if shallow:
        index.notices.append(
            f"this is a shallow clone: its history begins on {index.begins or 'the first commit there is'}; "
            "`git fetch --unshallow` brings the rest"
        )
    return index


def require_full(root: Path, environ: dict[str, str] | None = None) -> None:
    """In CI (``CI`` set, as every CI service sets it), refuse a shallow clone: its history pages would be nearly empty.

    Outside CI a shallow clone is a note (``load``); a folder that is not a Git repository has no
    history to lose and passes.
    """
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() in ("", "0", "false", "no"):
        return
    out = git(root, "rev-parse", "--is-shallow-repository", check=False).strip()
    if out == b"true":
        raise ProdopsError(
            f"{root} is a shallow clone, and CI is set: the site's history pages, period reviews and feed would "
            "be nearly empty. Check out the whole history (actions/checkout with `fetch-depth: 0`) or run "
            "`git fetch --unshallow`"
        )


def _settle(index: Index, latest: str) -> None:
    """Count every commit on a day that runs forwards along the first parents (see ``commitdates``).

    Done on each load, not stored: a commit in the future stops being one as the days pass.
    """
    raw = [c.when[:10] for c in index.commits]
    days = commitdates.settle(raw, latest)
    index.commits = [
        Commit(c.oid, c.author, c.when, day if day != was else "")
        for c, day, was in zip(index.commits, days, raw, strict=True)
    ]
    index.redated = sum(day != was for day, was in zip(days, raw, strict=True))


def _shallow_mark(root: Path, shallow_file: str) -> str:
    """What bounds a shallow clone: the content of its shallow file (Git's path to it, as given)."""
    where = Path(shallow_file)
    path = where if where.is_absolute() else root / where
    try:
        return " ".join(path.read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return "unknown"


def _continues(root: Path, last: str, head: str) -> bool:
    """Whether ``last`` is ``head`` or on its first-parent chain (so the new commits follow it)."""
    if last == head:
        return True
    out = git(root, "rev-list", "--first-parent", "--parents", f"{last}..{head}", "--", check=False)
    lines = [line for line in out.split(b"\n") if line]
    return bool(lines) and lines[-1].split()[1:2] == [last.encode()]


def _walk(root: Path, index: Index, head: str, prefix: str) -> None:
    """Add the commits after ``index.head`` up to ``head`` that changed content files (paths under ``prefix``)."""
    folders = declared_kinds(root / "schemas")
    tracked_folders = sorted({folders[k] for k in TRACKED if k in folders})
    if not tracked_folders:
        raise ProdopsError(f"{root}/schemas declares none of the kinds the history keeps ({', '.join(TRACKED)})")
    span = f"{index.head}..{head}" if index.head else head
    out = git(
        root,
        "log",
        "--first-parent",
        "--reverse",
        "--diff-merges=first-parent",
        "--raw",
        "-z",
        "-M",
        "--no-abbrev",
        "--format=%x01%H%x00%an%x00%cI",
        span,
        "--",
        *tracked_folders,  # relative to the repository root, where git runs; the paths it prints are from the top
    )
    commits = _parse_log(out, prefix)
    wanted = {oid for _, entries in commits for _, _, oid in entries if oid != _NO_OID}
    states = _read_blobs(root, wanted)
    for commit, entries in commits:
        _apply(index, commit, entries, states, folders)
    index.head = head


Entry = tuple[str, str, str]  # (old path or "", new path or "" when deleted, new blob id)


def _parse_log(out: bytes, prefix: str) -> list[tuple[Commit, list[Entry]]]:
    """Commits and their raw entries from ``git log -z``, read token by token.

    Only NUL cannot occur in an author name or a path, so the parse never splits on anything
    else: each commit starts with a token that begins with \\x01, and each entry's meta token
    says how many paths follow it.
    """
    commits: list[tuple[Commit, list[Entry]]] = []
    tokens = out.split(b"\0")
    at = 0
    while at < len(tokens):
        token = tokens[at].lstrip(b"\n")
        at += 1
        if token.startswith(b"\x01") and at + 1 < len(tokens):
            oid, author, when = (t.decode(errors="replace") for t in (token[1:], tokens[at], tokens[at + 1]))
            at += 2
            commits.append((Commit(oid, author, when), []))
            continue
        if not token.startswith(b":") or not commits:
            continue
        fields = token.split()
        status, new_oid = fields[-1].decode(), fields[3].decode()
        entries = commits[-1][1]
        first = _rel(tokens[at], prefix) if at < len(tokens) else ""
        at += 1
        if status[0] in "RC":
            second = _rel(tokens[at], prefix) if at < len(tokens) else ""
            at += 1
            entries.append((first if status[0] == "R" else "", second, new_oid))
        elif status[0] == "D":
            entries.append((first, "", _NO_OID))
        else:
            entries.append((first, first, new_oid))
    return commits


def _rel(path: bytes, prefix: str) -> str:
    return path.decode(errors="surrogateescape").removeprefix(prefix)


def _kind(rel: str, folders: dict[str, str]) -> str | None:
    """The tracked kind of a content file: the kind with the deepest folder holding it, if it is tracked."""
    if not rel.endswith(".yaml"):
        return None
    kind = deepest_kind(folders, rel)
    return kind if kind in TRACKED else None


def _read_blobs(root: Path, oids: set[str]) -> dict[str, State | None]:
    """Each blob's tracked state (None when it cannot be read as an entity), each read once."""
    if not oids:
        return {}
    order = sorted(oids)
    checked = git(root, "cat-file", "--batch-check", stdin="".join(f"{o}\n" for o in order).encode())
    small = [(o, size) for o, line in zip(order, checked.split(b"\n"), strict=False) if (size := _size(line)) >= 0]
    states: dict[str, State | None] = dict.fromkeys(order)
    chunk: list[str] = []
    held = 0
    for at, (oid, size) in enumerate(small):
        chunk.append(oid)
        held += size
        if held >= BYTES_PER_READ or at == len(small) - 1:  # a bounded amount in memory at a time
            states.update(_parse_blobs(root, chunk))
            chunk, held = [], 0
    return states


def _size(line: bytes) -> int:
    """A blob's size from ``--batch-check``; -1 for what is not read (missing, not a blob, too large)."""
    parts = line.split()
    ok = len(parts) == 3 and parts[1] == b"blob" and int(parts[2]) <= MAX_FILE_BYTES
    return int(parts[2]) if ok else -1


def _parse_blobs(root: Path, oids: list[str]) -> dict[str, State | None]:
    out = git(root, "cat-file", "--batch", stdin="".join(f"{o}\n" for o in oids).encode())
    states: dict[str, State | None] = {}
    at = 0
    for oid in oids:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        states[oid] = _state_of(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1
    return states


def _state_of(raw: bytes) -> State | None:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    data = yamlparse.parse_document_text(text).data
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    return tracked(data)


def tracked(data: dict[str, Any]) -> State:
    """The fields the history keeps of one version of an entity."""
    state: State = {"id": data["id"], "title": _text(data.get("title"))}
    for key in ("status", "horizon", "team", "owner", "period"):
        if isinstance(data.get(key), str):
            state[key] = data[key]
    target = data.get("target")
    if isinstance(target, dict):
        for key in ("quarter", "end"):
            if isinstance(target.get(key), str):
                state[key] = target[key]
    dates = data.get("dates")
    if isinstance(dates, dict) and isinstance(dates.get("ga"), str):
        state["ga"] = dates["ga"]
    items = data.get("items")
    if isinstance(items, list):
        state["items"] = [i for i in items if isinstance(i, str)]
    krs = data.get("key_results")
    if isinstance(krs, list):
        named = [kr for kr in krs if isinstance(kr, dict) and isinstance(kr.get("id"), str)]
        # Numbers and check-ins apart: most commits change a value, and the index stores only the
        # fields that changed, so a long list of check-ins is not stored again with every value.
        state["krs"] = {kr["id"]: [_number(kr.get(k)) for k in KR_NUMBERS] for kr in named}
        checkins = {kr["id"]: _checkins(kr.get("checkins")) for kr in named}
        if any(checkins.values()):
            state["checkins"] = {kr: found for kr, found in checkins.items() if found}
    return state


KR_NUMBERS = ("current", "confidence", "baseline", "target")  # the order of a key result's numbers in a state


def _checkins(value: Any) -> list[list[Any]]:
    """Dated check-ins as ``[date, value, confidence]``."""
    return [
        [c["date"], _number(c.get("value")), _number(c.get("confidence"))]
        for c in (value if isinstance(value, list) else [])
        if isinstance(c, dict) and isinstance(c.get("date"), str)
    ]


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _apply(
    index: Index, commit: Commit, entries: list[Entry], states: dict[str, State | None], folders: dict[str, str]
) -> None:
    at = len(index.commits)
    index.commits.append(commit)
    gone: list[str] = []
    for old, new, oid in entries:
        before = index.paths.pop(old, None) if old else None
        if old and old != new and before is not None:
            gone.append(before)
        if not new:
            continue
        kind = _kind(new, folders)
        state = states.get(oid) if kind is not None else None
        if state is None:
            if kind is not None:
                index.unreadable += 1
            if before is not None:
                index.paths[new] = before  # an unreadable version: the entity stays as it was
                gone = [g for g in gone if g != before]
            continue
        entity = state["id"]
        if before is not None and before != entity:
            if entity not in index.changes and before in index.changes:
                # A new id, in the same file or one Git saw renamed with it: one entity, one history.
                index.changes[entity] = index.changes.pop(before)
                index.kinds[entity] = index.kinds.pop(before)
            elif old == new:
                gone.append(before)  # the file now holds another entity: the one it held is gone
        index.paths[new] = entity
        index.kinds.setdefault(entity, kind or "")
        _record(index, entity, Change(at, state))
    present = set(index.paths.values()) if gone else set()
    for entity in gone:
        if entity not in present and entity in index.changes:
            _record(index, entity, Change(at, None))


def _record(index: Index, entity: str, change: Change) -> None:
    past = index.changes.setdefault(entity, [])
    if past and past[-1].state == change.state:
        return  # nothing the history keeps changed (a description edit, say)
    if past and past[-1].commit == change.commit:
        past[-1] = change
    else:
        past.append(change)


class _Store:
    """The signed index file in the cache folder (never a copy that Git tracks, nor one behind a link)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.path = self.folder / INDEX_FILE
        self.notices: list[str] = []
        self.key, why = trust.machine_key()
        self.usable = self.key is not None and not _linked(self.folder)
        if self.key is None:
            self.notices.append(f"not keeping the history index in {CACHE_DIR}/ ({why}); it is built each time")
        elif self.usable and self.folder.exists() and trust.tracked(root, CACHE_DIR):
            self.usable = False
            self.notices.append(
                f"ignoring {CACHE_DIR}/: it is tracked by Git; remove it with `git rm -r --cached {CACHE_DIR}`"
            )

    def _mac(self, body: bytes) -> str:
        return trust.sign(self.key or b"", b"history\0" + body).hex()

    def read(self) -> Index | None:
        if not self.usable or not self.path.is_file():
            return None
        try:
            raw = self.path.read_bytes()
            mac, _, body = raw.partition(b"\n")
            if not hmac.compare_digest(mac.decode("ascii"), self._mac(body)):
                self.notices.append(f"{CACHE_DIR}/{INDEX_FILE} was not written by prodops for this user; rebuilt")
                return None
            plain = json.loads(body)
            if plain.get("format") != FORMAT or plain.get("version") != __version__:
                return None
            return _index(plain)
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None  # damaged: rebuilt

    def write(self, index: Index) -> None:
        if not self.usable:
            return
        body = json.dumps(_plain(index), ensure_ascii=False, separators=(",", ":")).encode()
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# prodops' cache of parsed files; never committed.\n*\n", encoding="utf-8")
            draft = self.folder / f".{INDEX_FILE}.{os.getpid()}.tmp"
            draft.write_bytes(self._mac(body).encode() + b"\n" + body)
            draft.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written is not an error: the index is built again next time


def _linked(folder: Path) -> bool:
    return folder.is_symlink() or (folder / INDEX_FILE).is_symlink()


def _plain(index: Index) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": __version__,
        "head": index.head,
        "shallow": index.shallow,
        "unreadable": index.unreadable,
        "commits": [[c.oid, c.author, c.when] for c in index.commits],
        "entities": {e: [index.kinds[e], _deltas(cs)] for e, cs in index.changes.items()},
        "paths": index.paths,
    }


def _index(plain: dict[str, Any]) -> Index:
    index = Index(
        head=str(plain["head"]),
        shallow=str(plain["shallow"]),
        unreadable=int(plain["unreadable"]),
        commits=[Commit(str(o), str(a), str(w)) for o, a, w in plain["commits"]],
        paths={str(p): str(e) for p, e in plain["paths"].items()},
    )
    for entity, (kind, changes) in plain["entities"].items():
        index.kinds[entity] = str(kind)
        index.changes[entity] = _states(changes)
    return index


# Each version is stored as what changed since the one before (most commits change one or two
# fields): [commit] for a removal, [commit, state] for a whole state, [commit, changed, removed keys].
def _deltas(changes: list[Change]) -> list[list[Any]]:
    out: list[list[Any]] = []
    before: State | None = None
    for change in changes:
        state = change.state
        if state is None:
            out.append([change.commit])
        elif before is None:
            out.append([change.commit, state])
        else:
            changed = {k: v for k, v in state.items() if before.get(k, _MISSING) != v}
            out.append([change.commit, changed, [k for k in before if k not in state]])
        before = state
    return out


def _states(stored: list[list[Any]]) -> list[Change]:
    out: list[Change] = []
    before: State | None = None
    for record in stored:
        state: State | None
        if len(record) == 1:
            state = None
        elif len(record) == 2:
            state = dict(record[1])
        else:
            if before is None:
                raise ValueError("a change stored against no state")
            gone = record[2]
            state = (
                {**before, **record[1]} if not gone else {k: v for k, v in before.items() if k not in gone} | record[1]
            )
        out.append(Change(int(record[0]), state))
        before = state
    return out

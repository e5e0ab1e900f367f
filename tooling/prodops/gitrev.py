"""Read the repository as it was at a Git revision, without touching the working tree.

A revision is read as Git stores it: its tree is listed with ``git ls-tree`` (which gives
every entry's mode and size without reading it) and the blobs prodops reads are taken with
``git cat-file --batch``, into a temporary folder that is never the user's working tree.
Not ``git archive``: it applies ``.gitattributes`` from the revision itself, so
``export-ignore`` could hide files from the comparison and ``export-subst``, filters and
end-of-line conversion could rewrite them.

Only regular files are written, under names checked to stay inside the folder. Symbolic
links and submodules are skipped, and so is a file larger than the loader accepts from the
working tree (refused by its listed size, so it is never read); each becomes a warning
naming the revision and the path. The revision's content as a whole has a size limit too.
A revision that looks like an option is refused.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.loader import MAX_FILE_BYTES
from prodops.metrics.store import HISTORY_SUFFIX, MAX_HISTORY_BYTES
from prodops.schemas import declared_folders

# What an ops repository is made of: its schemas and configuration, then the content folders
# the revision's own schemas declare (``x-prodops-folder``). The rest (tooling, site) is not needed.
SETTINGS = ("schemas", "pyproject.toml", "prodops.toml")
# The files prodops reads from those: content, schemas, configuration and KPI histories (so a
# diff sees a history rewritten). Others are not copied.
READ_SUFFIXES = (b".yaml", b".yml", b".json", b".toml", HISTORY_SUFFIX.encode())
MAX_REVISION_BYTES = 256 * 1024 * 1024
REGULAR_MODES = (b"100644", b"100755")
# Objects as the revision holds them (no replacements from local refs); paths as given, not patterns.
_GIT_ENV = {"GIT_NO_REPLACE_OBJECTS": "1", "GIT_LITERAL_PATHSPECS": "1"}


@dataclass
class Revision:
    """A revision's content files in a temporary folder, and what of it was not read (as warnings)."""

    root: Path
    name: str
    problems: list[Diagnostic] = field(default_factory=list)
    # Content files not written because the caller knows their content already: path -> Git blob id.
    known: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Blob:
    rel: bytes  # relative to the repository root prodops works in
    oid: bytes
    size: int


def run_git(
    root: Path, *args: str, stdin: bytes | None = None, timeout: float = 120, needed_for: str = "comparing revisions"
) -> subprocess.CompletedProcess[bytes]:
    """Git in ``root`` with literal pathspecs and no replacement objects; a missing or hung git is a ProdopsError."""
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            check=False,
            timeout=timeout,
            env={**os.environ, **_GIT_ENV},
        )
    except FileNotFoundError as exc:
        raise ProdopsError(f"git is not installed; {needed_for} needs it") from exc
    except subprocess.TimeoutExpired as exc:
        raise ProdopsError(f"git {args[0]} took too long") from exc


_git = run_git


def resolve(root: Path, revision: str) -> str:
    """The commit a revision names; refuses anything that could be read as an option."""
    if not revision or revision.startswith("-") or any(c in revision for c in "\0\n\r"):
        raise ProdopsError(f"'{revision}' is not a revision (a revision cannot start with '-')")
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if done.returncode != 0:
        raise ProdopsError(f"'{revision}' is not a commit in {root}")
    return done.stdout.decode().strip()


def _prefix(root: Path) -> bytes:
    done = _git(root, "rev-parse", "--show-prefix")
    if done.returncode != 0:
        raise ProdopsError(f"{root} is not inside a Git repository")
    return done.stdout.rstrip(b"\n")


@contextmanager
def checkout(
    root: Path, revision: str, knows: Callable[[Path], Callable[[str, str], bool]] | None = None
) -> Iterator[Revision]:
    """A temporary folder holding the repository's content as of ``revision``.

    ``knows``, given the folder once the schemas and settings are in it, says which content files
    (path, Git blob id) the caller holds already: those are listed in ``known``, not written.
    """
    commit = resolve(root, revision)
    blobs, problems = _list(root, commit, revision, SETTINGS)
    with tempfile.TemporaryDirectory(prefix="prodops-rev-") as tmp:
        dest = Path(tmp)
        problems.extend(_write(root, blobs, dest, revision))
        folders = declared_folders(dest / "schemas")
        known: dict[str, str] = {}
        if folders:
            spent = sum(blob.size for blob in blobs)  # the limit is for the revision, settings included
            content, more = _list(root, commit, revision, folders, spent)
            problems.extend(more)
            if knows is not None:
                held = knows(dest)
                names = [os.fsdecode(blob.rel) for blob in content]
                once = {name for name, times in Counter(names).items() if times == 1}  # a crafted tree repeats names
                for name, blob in zip(names, content, strict=True):
                    if name in once and name.endswith(".yaml") and held(name, blob.oid.decode()):
                        known[name] = blob.oid.decode()
                content = [blob for name, blob in zip(names, content, strict=True) if name not in known]
            problems.extend(_write(root, content, dest, revision))
        yield Revision(dest, revision, sorted(problems, key=lambda d: d.sort_key), known)


def blob_bytes(root: Path, oid: str) -> bytes | None:
    """The content of one blob (None if Git cannot give it)."""
    done = _git(root, "cat-file", "blob", oid)
    return done.stdout if done.returncode == 0 else None


def _list(
    root: Path, commit: str, revision: str, names: tuple[str, ...], spent: int = 0
) -> tuple[list[_Blob], list[Diagnostic]]:
    """The regular files to read under ``names``, from the tree's listing (modes and sizes, no content)."""
    prefix = _prefix(root)
    paths = [(prefix + name.encode()).decode(errors="surrogateescape") for name in names]
    listing = _git(root, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", *paths)
    if listing.returncode != 0:
        raise ProdopsError(f"git ls-tree failed: {listing.stderr.decode(errors='replace').strip()}")
    blobs: list[_Blob] = []
    problems: list[Diagnostic] = []
    total = spent
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, oid, size = meta.split()
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        shown = rel.decode(errors="replace")
        if not _safe(rel):
            problems.append(_skipped(shown, revision, "has a name that cannot be a file here", "PO109"))
        elif mode == b"120000":
            problems.append(_skipped(shown, revision, "is a symbolic link", "PO109"))
        elif mode == b"160000":
            problems.append(_skipped(shown, revision, "is a submodule", "PO109"))
        elif mode not in REGULAR_MODES:
            problems.append(_skipped(shown, revision, f"is not a regular file (mode {mode.decode()})", "PO109"))
        elif not rel.endswith(READ_SUFFIXES):
            continue
        elif int(size) > (limit := _limit(rel)):
            problems.append(_skipped(shown, revision, f"is larger than {limit // 1024} KiB", "PO107"))
        else:
            total += int(size)
            if total > MAX_REVISION_BYTES:
                raise ProdopsError(
                    f"revision '{revision}' holds more than {MAX_REVISION_BYTES // (1024 * 1024)} MiB of content "
                    f"files (at {shown}); it is not read"
                )
            blobs.append(_Blob(rel, oid, int(size)))
    return blobs, problems


def _limit(rel: bytes) -> int:
    """The largest file of this name the working tree reads too (a KPI history may be larger than a document)."""
    return MAX_HISTORY_BYTES if rel.endswith(HISTORY_SUFFIX.encode()) else MAX_FILE_BYTES


def _safe(rel: bytes) -> bool:
    """A relative name made only of ordinary parts (a crafted tree can hold '..' or empty names)."""
    return all(part not in (b"", b".", b"..") for part in rel.split(b"/"))


def _skipped(rel: str, revision: str, what: str, code: str) -> Diagnostic:
    return Diagnostic(
        "warning",
        code,
        f"{what} in revision '{revision}'; it was not read, so it is not compared",
        rel,
        hint=f"keep content files as regular files of at most {MAX_FILE_BYTES // 1024} KiB inside the repository",
    )


def _write(root: Path, blobs: list[_Blob], dest: Path, revision: str) -> list[Diagnostic]:
    """Each blob's bytes as Git stores them, written as a new regular file under ``dest``."""
    if not blobs:
        return []
    done = _git(root, "cat-file", "--batch", stdin=b"".join(blob.oid + b"\n" for blob in blobs))
    if done.returncode != 0:
        raise ProdopsError(f"git cat-file failed: {done.stderr.decode(errors='replace').strip()}")
    out = memoryview(done.stdout)
    at = 0
    problems: list[Diagnostic] = []
    for blob in blobs:
        end = done.stdout.find(b"\n", at)
        header = bytes(out[at:end]).split() if end >= 0 else []
        if len(header) != 3 or header[0] != blob.oid or header[1] != b"blob" or int(header[2]) != blob.size:
            raise ProdopsError(f"revision '{revision}': git did not return {blob.rel.decode(errors='replace')}")
        content = out[end + 1 : end + 1 + blob.size]
        at = end + 1 + blob.size + 1
        try:
            _create(dest / os.fsdecode(blob.rel), content)
        except OSError:  # a crafted tree can name one path twice, or as both a file and a folder
            shown = blob.rel.decode(errors="replace")
            problems.append(_skipped(shown, revision, "is named twice, or as a file and a folder", "PO109"))
    return problems


def _create(target: Path, content: memoryview) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # The folder is new and holds only what is written here: no link can be in the way.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        while content:
            content = content[os.write(fd, content) :]
    finally:
        os.close(fd)

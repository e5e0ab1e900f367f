"""Read the repository as it was at a Git revision, without touching the working tree.

The revision's files are taken with ``git archive`` into a temporary folder, extracted
with the tar "data" filter (no absolute paths, no ``..``, no links out), and never
checked out over the user's files. A revision that looks like an option is refused.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prodops.diagnostics import ProdopsError

# What an ops repository is made of; everything else (tooling, site) is not needed to validate it.
CONTENT = ("schemas", "roadmap", "okrs", "launches", "processes", "pyproject.toml", "prodops.toml")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False, timeout=120)
    except FileNotFoundError as exc:
        raise ProdopsError("git is not installed; comparing revisions needs it") from exc
    except subprocess.TimeoutExpired as exc:
        raise ProdopsError(f"git {args[0]} took too long") from exc


def resolve(root: Path, revision: str) -> str:
    """The commit a revision names; refuses anything that could be read as an option."""
    if not revision or revision.startswith("-") or any(c in revision for c in "\0\n\r"):
        raise ProdopsError(f"'{revision}' is not a revision (a revision cannot start with '-')")
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if done.returncode != 0:
        raise ProdopsError(f"'{revision}' is not a commit in {root}")
    return done.stdout.decode().strip()


def _prefix(root: Path) -> str:
    done = _git(root, "rev-parse", "--show-prefix")
    if done.returncode != 0:
        raise ProdopsError(f"{root} is not inside a Git repository")
    return done.stdout.decode().strip()


@contextmanager
def checkout(root: Path, revision: str) -> Iterator[Path]:
    """A temporary folder holding the repository's content as of ``revision``."""
    commit = resolve(root, revision)
    prefix = _prefix(root)
    listing = _git(root, "ls-tree", "--name-only", commit, "--", prefix or ".")
    names = {Path(line).name for line in listing.stdout.decode().splitlines()}
    wanted = [f"{prefix}{name}" for name in CONTENT if name in names]
    with tempfile.TemporaryDirectory(prefix="prodops-rev-") as tmp:
        dest = Path(tmp)
        if wanted:
            archive = _git(root, "archive", "--format=tar", commit, "--", *wanted)
            if archive.returncode != 0:
                raise ProdopsError(f"git archive failed: {archive.stderr.decode(errors='replace').strip()}")
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(dest, filter="data")
        yield dest / prefix if prefix else dest

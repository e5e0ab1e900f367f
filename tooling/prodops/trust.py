"""What lets prodops trust a cache it finds in a repository: this machine's key, and Git's index.

A cache folder sits in the working tree, where a clone, a checkout or an unpacked archive
can bring one that this tool never wrote. So every value in it is signed with a key that
no repository can carry: 32 random bytes kept in the user's cache directory
(``$XDG_CACHE_HOME/prodops/key``, else ``~/.cache/prodops/key``), readable by this user
only. A row signed with another key (another machine, another user, or a forger who does
not have the key) is not used. The signature is a keyed BLAKE2b (a MAC by design, as fast
as the hash already used for file contents), not a hash of the rows, because anyone could
recompute a plain hash.

The key does not help when the cache was committed (its owner's own machine can read it),
so a cache folder that Git tracks is not used either.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import subprocess
from pathlib import Path

KEY_BYTES = 32
MAC_BYTES = 16
KEY_NAME = "key"


def key_folder() -> Path:
    """The user's cache directory for prodops (XDG base directory rules)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "prodops"


def machine_key() -> tuple[bytes | None, str]:
    """This user's signing key, created on first use; or None and why it cannot be used."""
    try:
        folder = key_folder()
        path = folder / KEY_NAME
        key = _read_key(path)
        if key is None:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_key(folder, path)
            key = _read_key(path)
    except (OSError, RuntimeError, ValueError) as exc:  # no home, unwritable, or a key file that is not ours
        return None, str(exc)
    if key is None:
        return None, f"{path} could not be created"
    return key, ""


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise ValueError(f"{path} is not a file of this user; remove it and prodops will make a new key")
        if info.st_mode & 0o077:
            raise ValueError(f"{path} can be read by other users; remove it and prodops will make a new key")
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} is not a prodops key; remove it and prodops will make a new key")
    return key


def _create_key(folder: Path, path: Path) -> None:
    """Write the key in full under a private name, then link it into place: a concurrent run reads all or nothing."""
    draft = folder / f".{KEY_NAME}-{secrets.token_hex(8)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another run made one first: use theirs
    finally:
        draft.unlink()


def sign(key: bytes, message: bytes) -> bytes:
    """A MAC of ``message`` under ``key``."""
    return hashlib.blake2b(message, key=key, digest_size=MAC_BYTES).digest()


def tracked(root: Path, rel: str) -> bool:
    """Whether Git tracks any file at or under ``rel`` (False outside a Git repository, or without git)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "--literal-pathspecs", "ls-files", "-z", "--", rel],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and bool(done.stdout)

"""The crash log: what a bug report needs, written to one stable place when prodops fails unexpectedly.

Like pre-commit's ``pre-commit.log``: the prodops, Python and platform versions, the
command line and the traceback, in ``.prodops-cache/prodops.log`` of the repository (the
cache folder, never committed), or in the user's cache folder when the repository is not
known or not writable. Each crash replaces the last one's log, so the path to attach to an
issue is always the same. A log is attached to public issues, so no secret is written: the
values a command registered under ``SECRETS_KEY`` of the click context's ``meta`` (``notify``
registers its channels' webhook URLs and smtp:// addresses), and any URL's password and path,
are masked (``redact``).
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

LOG_NAME = "prodops.log"
# The click context's meta key under which a command lists the secrets it read (a list of strings).
SECRETS_KEY = "prodops.secrets"


def user_cache_dir() -> Path:
    """The user's cache folder for prodops (XDG on Linux, the platform's own elsewhere)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "prodops" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "prodops"
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache") / "prodops"


def candidates(root: Path | None) -> list[Path]:
    """Where the log goes, best first: the repository's cache folder, then the user's."""
    from prodops.cache import CACHE_DIR

    places = [root / CACHE_DIR / LOG_NAME] if root is not None else []
    return [*places, user_cache_dir() / LOG_NAME]


def text(argv: Sequence[str], exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """The log's content: versions, the command line, the error and its traceback, ``secrets`` masked."""
    from prodops import __version__, redact

    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return redact.scrub(
        "### version information\n\n"
        f"prodops version: {__version__}\n"
        f"Python version: {sys.version.replace(chr(10), ' ')}\n"
        f"Python executable: {sys.executable}\n"
        f"platform: {platform.platform()} ({sys.platform}, {platform.machine()})\n\n"
        "### command line\n\n"
        f"{shlex.join(argv)}\n\n"
        "### error information\n\n"
        f"An unexpected error has occurred: {type(exc).__name__}: {exc}\n\n"
        f"{details}",
        secrets,
    )


def write(root: Path | None, argv: Sequence[str], exc: BaseException, secrets: Iterable[str] = ()) -> Path | None:
    """Write the log to the first place that takes it; its path, or None if none did."""
    from prodops.cache import CACHE_DIR

    content = text(argv, exc, secrets)
    for path in candidates(root):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = path.parent / ".gitignore"
            if root is not None and path.parent == root / CACHE_DIR and not ignore.exists():
                ignore.write_text("# prodops' cache of parsed files; never committed.\n*\n", encoding="utf-8")
            path.write_text(content, encoding="utf-8")
        except OSError:
            continue
        return path
    return None

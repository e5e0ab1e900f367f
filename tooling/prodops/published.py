"""What any site build publishes from, and what there can not be published.

Every build (the internal site, ``--audience public``, ``--as-of``, ``serve``, ``render``) copies
the files of a few folders into a site: its configuration's ``docs_dir``, the theme's
``custom_dir`` (templates, overrides and their static files), and the assets it names
(``extra_css``, ``extra_javascript``, ``extra_templates``, the theme's logo and favicon), which
live in ``docs_dir``. A symbolic link there publishes what it points to (another folder of the
repository, any file of the machine that builds the site), and so does a folder configured
outside the repository; a FIFO or a device blocks or reads anything. They are refused, not
skipped: a page that silently goes missing from the site is a mistake nobody would notice.

``repository`` checks every configuration a build can use (``mkdocs.yml``, and the public
site's, generated from it; the as-of site uses ``mkdocs.yml``'s folders) for ``validate``;
``configured`` checks one configuration as MkDocs loaded it, at the start of every build.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from prodops import yamlparse
from prodops.diagnostics import Diagnostic

CONFIG_FILE = "mkdocs.yml"
DEFAULT_DOCS_DIR = "site"  # the folder a repository without mkdocs.yml would publish (`prodops init` writes it)
FIX = "keep the site's files as regular files inside the repository"


@dataclass(frozen=True)
class Source:
    """One place a build publishes from, as a configuration names it."""

    setting: str  # "docs_dir", "theme.custom_dir", "extra_css[0]"
    value: str  # as configured
    path: Path  # where it is, against the configuration's folder (or docs_dir, for an asset)
    folder: bool  # a folder whose whole tree is published, or one asset file
    config: str = CONFIG_FILE  # the file that configures it, as the diagnostic names it
    line: int = 0
    column: int = 0


def sources(
    config: Mapping[str, Any], config_dir: Path, positions: Mapping[Any, tuple[int, int]] | None = None
) -> list[Source]:
    """The folders and assets a configuration (``mkdocs.yml``, parsed or as MkDocs loaded it) publishes."""
    where = positions or {}

    def source(setting: str, key: tuple[Any, ...], value: Any, base: Path, folder: bool) -> Source:
        line, column = where.get(key, (0, 0))
        return Source(setting, str(value), base / str(value), folder, line=line, column=column)

    docs_value = config.get("docs_dir", "docs")
    docs = source("docs_dir", ("docs_dir",), docs_value, config_dir, True)
    found = [docs]
    theme = config.get("theme")
    # Parsed YAML holds a mapping; MkDocs' loaded Theme is a mapping too, its custom_dir an attribute.
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else getattr(theme, "custom_dir", None)
    if custom_dir:
        key = ("theme", "custom_dir") if isinstance(theme, dict) else ("theme",)
        found.append(source("theme.custom_dir", key, custom_dir, config_dir, True))
    if isinstance(theme, Mapping):
        for name in ("logo", "favicon"):
            if isinstance(theme.get(name), str) and _local(theme[name]):
                found.append(source(f"theme.{name}", ("theme", name), theme[name], docs.path, False))
    for name in ("extra_css", "extra_javascript", "extra_templates"):
        entries = config.get(name) or []
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            value = entry.get("path") if isinstance(entry, Mapping) else getattr(entry, "path", entry)
            if isinstance(value, str) and _local(value):
                found.append(source(f"{name}[{i}]", (name, i), value, docs.path, False))
    return found


def _local(value: str) -> bool:
    """An asset a build takes from the repository, not a URL or a path of the web server."""
    return "://" not in value and not value.startswith(("//", "/", "data:"))


def check(root: Path, found: Iterable[Source]) -> list[Diagnostic]:
    """What under ``found`` a build must not publish, and the places configured outside ``root``."""
    problems: list[Diagnostic] = []
    walked: set[Path] = set()
    refused: list[Path] = []
    top, real = _lexical(root), root.resolve()
    for place in found:
        lexical = _lexical(place.path)
        if any(lexical.is_relative_to(folder) for folder in (*refused, *([] if place.folder else walked))):
            continue  # in a folder refused or walked already: its diagnostics say it
        if lexical.is_relative_to(top) and (place.path.is_symlink() or _linked_on_the_way(top, lexical)):
            refused.append(lexical)
            what = "the site folder" if place.folder else "the file"
            problems.append(
                _problem(_rel(top, lexical), f"{what} is a symbolic link; only files in the repository are published")
            )
            continue
        if not _inside(top, real, place.path):
            if place.folder:
                refused.append(lexical)
            problems.append(
                Diagnostic(
                    "error",
                    "PO109",
                    f"{place.setting} '{place.value}' is outside the repository; a build would publish "
                    "files from outside it",
                    place.config,
                    place.line,
                    place.column,
                    hint="name a file or folder inside the repository, such as site/",
                )
            )
            continue
        if place.folder:
            if lexical not in walked:
                walked.add(lexical)
                problems.extend(_walk(top, lexical))
        elif os.path.lexists(lexical) and not lexical.is_file():
            problems.append(_problem(_rel(top, lexical), "not a regular file; the site publishes only regular files"))
    unique = {(d.file, d.line, d.column, d.message): d for d in problems}
    return sorted(unique.values(), key=lambda d: d.sort_key)


def _linked_on_the_way(top: Path, path: Path) -> bool:
    """Whether a folder between the repository and ``path`` is a symbolic link (``site/x`` with ``site`` a link)."""
    return any(parent.is_symlink() for parent in path.parents if parent.is_relative_to(top) and parent != top)


def _inside(top: Path, real: Path, path: Path) -> bool:
    """Whether ``path`` lies in the repository, as written and with every link on the way followed."""
    return _lexical(path).is_relative_to(top) and path.resolve().is_relative_to(real)


def _lexical(path: Path) -> Path:
    """``path`` made absolute without following links (``resolve`` would hide the link it is asked about)."""
    return Path(os.path.abspath(path))  # noqa: PTH100


def _rel(top: Path, path: Path) -> str:
    """``path`` relative to the repository, as diagnostics name files."""
    return _lexical(path).relative_to(top).as_posix()


def _problem(rel: str, message: str) -> Diagnostic:
    return Diagnostic("error", "PO109", message, rel, hint=FIX)


def _walk(top: Path, base: Path) -> list[Diagnostic]:
    """Symbolic links and special files under ``base``; folders that are links are not entered."""
    problems: list[Diagnostic] = []
    stack = [str(base)] if base.is_dir() else []
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            rel = _rel(top, Path(entry.path))
            if entry.is_symlink():
                problems.append(_problem(rel, "symbolic link in the site folder; it would publish what it points to"))
            elif entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif not entry.is_file(follow_symlinks=False):
                problems.append(_problem(rel, "not a regular file; the site publishes only regular files"))
    return problems


def repository(root: Path) -> list[Diagnostic]:
    """What any build of the repository would refuse: ``mkdocs.yml``'s folders and the public site's.

    Without a readable ``mkdocs.yml`` (no site is built; the build says why), its default
    folder (``site/``) is checked all the same.
    """
    from prodops.public_site import mkdocs_config as public_config

    main: Mapping[str, Any] = {"docs_dir": DEFAULT_DOCS_DIR}
    positions: dict[Any, tuple[int, int]] = {}
    path = root / CONFIG_FILE
    if path.is_file() and not path.is_symlink():
        try:
            parsed = yamlparse.parse(path.read_text(encoding="utf-8"), positions=True)
        except (OSError, UnicodeDecodeError):
            parsed = yamlparse.Parsed()
        if parsed.error is None and isinstance(parsed.data, dict):
            main, positions = parsed.data, parsed.values
    elif path.is_symlink():
        return [_problem(CONFIG_FILE, "the site's configuration is a symbolic link; keep it a regular file")]
    public = [
        Source(s.setting, s.value, s.path, s.folder, "the public site's configuration (public_site.py)")
        for s in sources(public_config(main, ""), root)
    ]
    return check(root, [*sources(main, root, positions), *public])


def configured(config: Any) -> list[Diagnostic]:
    """What a build with ``config`` (a loaded MkDocs configuration) must refuse, before it copies a file."""
    config_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
    found = sources(config, config_dir)
    # MkDocs made the folders absolute: name them as the configuration does, against its folder.
    return check(config_dir, [replace(s, value=os.path.relpath(s.path, config_dir)) if s.folder else s for s in found])


def gathered(config: Any, paths: Iterable[str]) -> list[Diagnostic]:
    """Which of the files MkDocs gathered to copy (``paths``, absolute) came through a link or are not regular.

    The check at the start of a build (``configured``) sees the folders as they were then; a link
    made since would be followed when MkDocs copies the files, so they are looked at once more,
    one by one: a file under ``docs_dir`` or the theme's ``custom_dir`` must be a regular file
    reached without a link. The theme's own files (in the installed package) are not the repository's.
    """
    config_dir = _lexical(Path(config.config_file_path).parent if config.config_file_path else Path.cwd())
    folders = [s.path for s in sources(config, config_dir) if s.folder]
    bases = [(_lexical(folder), folder.resolve()) for folder in folders]
    problems: list[Diagnostic] = []
    for path in paths:
        lexical = _lexical(Path(path))
        for base, real in bases:
            if not lexical.is_relative_to(base):
                continue
            if Path(os.path.realpath(lexical)) != real / lexical.relative_to(base) or not _regular(lexical):
                rel = _rel(config_dir, lexical) if lexical.is_relative_to(config_dir) else str(lexical)
                problems.append(_problem(rel, "not a regular file in the repository; a link or special file appeared"))
            break
    return sorted(problems, key=lambda d: d.sort_key)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False

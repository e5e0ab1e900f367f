"""Shared test helpers: assemble fixture repositories from the base plus a case's overlay."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

import click
import pytest
from playwright.sync_api import Browser, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = FIXTURES / "base"
TODAY = date(2026, 11, 22)
# The day the repository's own content (roadmap/, okrs/, launches/, processes/) is current on: the tests
# marked `example` validate it as of this day. Move it when the content is brought up to date (and
# tooling/ci/adopter_check.py generates its organisation for the same day).
CONTENT_TODAY = date(2026, 12, 7)
# The day the frozen Ledgerline snapshot (EXAMPLE, below) is current on: tests that read copy_example() and
# depend on which periods have closed use it, so moving CONTENT_TODAY with the live content changes none of them.
EXAMPLE_TODAY = date(2026, 12, 2)
UPDATE_GOLDEN = os.environ.get("PRODOPS_UPDATE_GOLDEN") == "1"

# Files in a case folder that describe the case rather than belong to the repository.
CASE_META = {"expected.txt", "remove.txt", "README.md"}


def assemble(case: Path | None, dest: Path) -> Path:
    """Build a repository in ``dest``: the real schemas, the base content, then the case's files on top."""
    shutil.copytree(REPO_ROOT / "schemas", dest / "schemas")
    shutil.copytree(BASE, dest, dirs_exist_ok=True)
    if case is not None:
        removed = case / "remove.txt"
        if removed.exists():
            for name in removed.read_text().split():
                (dest / name).unlink()
        for path in sorted(case.rglob("*")):
            rel = path.relative_to(case)
            if path.is_dir() or rel.as_posix() in CASE_META:
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return dest


# What an ops repository is made of: enough to validate, edit and diff it (no tooling, no site).
CONTENT = ("schemas", "roadmap", "okrs", "launches", "processes", "pyproject.toml")
# The content folders an adopting organisation replaces with its own.
CONTENT_FOLDERS = ("roadmap", "okrs", "launches", "processes")
# A frozen snapshot of part of the example organisation, Ledgerline: the entities the tests name and
# what they reference. Tests that pin Ledgerline's titles, ids and counts read it, never the live
# content, so a repository that replaces its roadmap/, okrs/, launches/ and processes/ stays green.
EXAMPLE = FIXTURES / "ledgerline"


def copy_example(dest: Path, site: bool = False) -> Path:
    """The frozen Ledgerline snapshot with the repository's schemas and configuration, in ``dest``.

    With ``site``, also what the sites are built from: mkdocs.yml, site/ and site-public/.
    """
    return _copy_repository(dest, EXAMPLE, site)


def copy_live(dest: Path) -> Path:
    """The repository's own content, schemas, configuration and CODEOWNERS, in ``dest``: for tests marked
    ``example`` that run a command which writes the cache (the tests sign it with their own key, so
    rows they left in the repository's ``.prodops-cache/`` would be refused, and rebuilt, by the next
    run of the developer's own)."""
    _copy_repository(dest, REPO_ROOT, False)
    (dest / ".github").mkdir()
    shutil.copy(REPO_ROOT / ".github" / "CODEOWNERS", dest / ".github" / "CODEOWNERS")
    return dest


def _copy_repository(dest: Path, content: Path, site: bool) -> Path:
    dest.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "schemas", dest / "schemas")
    shutil.copy(REPO_ROOT / "pyproject.toml", dest / "pyproject.toml")
    for folder in CONTENT_FOLDERS:
        shutil.copytree(content / folder, dest / folder)
    if site:
        shutil.copy(REPO_ROOT / "mkdocs.yml", dest / "mkdocs.yml")
        shutil.copytree(REPO_ROOT / "site", dest / "site")
        shutil.copytree(REPO_ROOT / "site-public", dest / "site-public")
    return dest


def live_content(root: Path = REPO_ROOT) -> list[Path]:
    """Every content file of a repository (any kind, any sub-folder): for tests marked ``example``."""
    return sorted(p for folder in CONTENT_FOLDERS if (root / folder).is_dir() for p in (root / folder).rglob("*.yaml"))


def check_golden(path: Path, actual: str) -> None:
    """Compare with a golden file; PRODOPS_UPDATE_GOLDEN=1 rewrites it (review the diff)."""
    if UPDATE_GOLDEN or not path.exists():
        if not UPDATE_GOLDEN:
            pytest.fail(f"golden file {path} is missing; run with PRODOPS_UPDATE_GOLDEN=1 to create it")
        path.write_text(actual)
        return
    assert actual == path.read_text()


# Tests not marked ``example`` must not read the live content: the suite runs once, and only the tests
# marked ``example`` run again on a generated organisation's content (tooling/ci/adopter_check.py), so
# a test that read roadmap/, okrs/, launches/ or processes/ unmarked would be green on Ledgerline alone.
# An audit hook sees every open, listing and subprocess of the test process; the fixture below fails
# the test that made one. The hook uses os.path, not pathlib: it runs inside every audited call, and
# pathlib's own calls would come back into it.
_LIVE_FOLDERS = tuple(os.path.join(str(REPO_ROOT.resolve()), folder) for folder in CONTENT_FOLDERS)  # noqa: PTH118
_ROOT = str(REPO_ROOT.resolve())
_PATH_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "os.walk", "glob.glob", "os.stat"})
_guarded: list[str] = []  # the node id of the running test when it is not marked `example`
_reads: list[str] = []


def _live_path(value: object) -> str | None:
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, (str, os.PathLike)):
        return None
    path = os.path.abspath(os.fspath(value))  # noqa: PTH100
    return path if any(path == f or path.startswith(f + os.sep) for f in _LIVE_FOLDERS) else None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _guarded:
        return
    if event in _PATH_EVENTS:
        # os.open (mode None) may be relative to a dir_fd the event does not show (shutil.rmtree's walk).
        relative_to_fd = event == "open" and len(args) > 1 and args[1] is None
        fd_relative = relative_to_fd and not os.path.isabs(args[0])  # type: ignore[arg-type]  # noqa: PTH117
        if args and not fd_relative and (path := _live_path(args[0])) is not None:
            _reads.append(f"{event} {path}")
    elif event == "subprocess.Popen":
        _executable, argv, cwd, _env = args
        words = [
            os.fsdecode(a) if isinstance(a, bytes) else str(a)
            for a in (argv if isinstance(argv, (list, tuple)) else [argv])
        ]
        # Only absolute arguments: a relative one is relative to the child's own folder (git -C DIR … roadmap).
        named = [w for w in words if os.path.isabs(w) and _live_path(w) is not None]  # noqa: PTH117
        names_root = any(os.path.isabs(w) and os.path.normpath(w) == _ROOT for w in words)  # noqa: PTH117
        runs_tool = (
            any(os.path.basename(w) in ("prodops", "make", "mkdocs") for w in words[:1]) or "prodops" in words[1:3]  # noqa: PTH119
        )
        in_root = cwd is not None and os.path.abspath(os.fsdecode(cwd) if isinstance(cwd, bytes) else str(cwd)) == _ROOT  # noqa: PTH100
        # The repository's root alone (pip wheel ROOT, git -C ROOT) is no read of the content; prodops, make
        # or mkdocs run on it are.
        if named or ((in_root or names_root) and runs_tool) or (cwd is not None and _live_path(cwd) is not None):
            _reads.append(f"runs {' '.join(words)}" + (f" in {cwd}" if cwd is not None else ""))


sys.addaudithook(_audit)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Watch from the start of a test's setup, so a module or session fixture it is the first to use
    is watched too."""
    _reads.clear()
    _guarded.clear()
    if item.get_closest_marker("example") is None:
        _guarded.append(item.nodeid)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield
    _guarded.clear()


@pytest.fixture(autouse=True)
def _live_content_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test not marked ``example`` that read the repository's own content folders."""
    yield
    if _guarded and _reads:
        shown = "\n  ".join(dict.fromkeys(_reads))
        pytest.fail(
            f"{request.node.nodeid} read the repository's own content, which an adopting organisation replaces:\n"
            f"  {shown}\nRead conftest.copy_example() (the frozen Ledgerline snapshot) instead, or mark the test "
            "`example` and assert only what holds for any valid content.",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache's signing key lives in a folder of the test run, never in the user's own cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def base_repo(tmp_path: Path) -> Path:
    return assemble(None, tmp_path / "repo")


def all_commands() -> list[tuple[str, click.Command]]:
    """Every top-level command, loaded the way `prodops --help` loads them."""
    from prodops.cli import cli

    ctx = click.Context(cli)
    return [(name, command) for name in cli.list_commands(ctx) if (command := cli.get_command(ctx, name)) is not None]


def bench_generator() -> ModuleType:
    """tooling/bench/generate.py as a module: repositories of N entities for tests at scale."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO_ROOT / "tooling" / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 for the length of the block; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


# Debian's Chromium, started as this machine needs it (no sandbox as root; no background traffic).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the run; fails (never skips) when it is missing: make test installs it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; install Debian's 'chromium' package (make test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()

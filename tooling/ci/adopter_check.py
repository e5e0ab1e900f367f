"""The test suite on another organisation's content: what an adopting organisation gets.

    python tooling/ci/adopter_check.py [--count N] [--seed S] [--keep DIR] [PYTEST ARGS...]

Copies the repository to a temporary folder, replaces every file under roadmap/, okrs/, launches/
and processes/ with a generated organisation's (Quayside, a freight-forwarding platform: other
teams, people, ids and launch playbook; ``tooling/bench/generate.py --organisation quayside``),
checks that the new content validates with no problems (``--strict``), writes its
.github/CODEOWNERS as an adopter would (``prodops codeowners``), commits it all to a new Git
repository and runs pytest there: the whole suite unless PYTEST ARGS say otherwise (``-m example``
runs only the tests that read the content on purpose). `make test` runs it with ``-m example`` after
the suite itself: the tests' guard (tooling/tests/conftest.py) fails any other test that reads the
content, so only those tests can answer differently on another organisation's.
The exit code is pytest's, or 1 when the copy cannot be prepared.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_FOLDERS = ("roadmap", "okrs", "launches", "processes")
# The day the tests marked `example` read the content on (tooling/tests/conftest.py CONTENT_TODAY):
# the generated content is current on it.
TODAY = date(2026, 12, 7)
# What is not the repository: environments, caches and build output (node_modules is linked instead).
_IGNORE = shutil.ignore_patterns(
    ".venv", "node_modules", "build", ".git", ".prodops-cache", ".hypothesis", "*.egg-info", "__pycache__", ".*_cache"
)


def _ignore(folder: str, names: list[str]) -> set[str]:
    """What is not copied: what is not the repository, and the content the generated organisation replaces."""
    ignored = set(_IGNORE(folder, names))
    if Path(folder) == REPO_ROOT:
        ignored.update(CONTENT_FOLDERS)
    return ignored


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO_ROOT / "tooling" / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(dest: Path) -> dict[str, str]:
    """The copy's own package first: the tests of the copy test the copy's code."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(dest / "tooling"), os.environ.get("PYTHONPATH", "")])}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_env(cwd), capture_output=True, text=True, check=False)


def prepare(dest: Path, count: int, seed: int) -> str | None:
    """The repository in ``dest`` with the generated organisation's content; an error message, or None."""
    shutil.copytree(REPO_ROOT, dest, ignore=_ignore, symlinks=True)
    if (REPO_ROOT / "node_modules").is_dir():
        (dest / "node_modules").symlink_to(REPO_ROOT / "node_modules", target_is_directory=True)
    generated = dest.parent / "generated"
    gen = _generator()
    gen.generate(generated, count, seed, gen.QUAYSIDE, TODAY)
    for folder in CONTENT_FOLDERS:
        shutil.copytree(generated / folder, dest / folder)
    prodops = [sys.executable, "-m", "prodops"]
    steps = [
        [*prodops, "validate", "--root", str(dest), "--today", TODAY.isoformat(), "--strict", "--no-cache"],
        [*prodops, "codeowners", "--root", str(dest)],
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "Adopter content"],
    ]
    for step in steps:
        done = _run(step, dest)
        if done.returncode != 0:
            return f"{' '.join(step[:4])} failed in {dest}:\n{done.stdout}{done.stderr}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=120, help="entities of the generated organisation (default 120)")
    parser.add_argument("--seed", type=int, default=13, help="random seed of the generated content (default 13)")
    parser.add_argument("--keep", type=Path, help="prepare the copy in this new folder and keep it")
    args, pytest_args = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="prodops-adopter-") as temp:
        base = args.keep.resolve() if args.keep else Path(temp)
        dest = base / "repo"
        problem = prepare(dest, args.count, args.seed)
        if problem is not None:
            print(f"adopter check: {problem}", file=sys.stderr)
            return 1
        print(f"adopter check: the suite on {dest} (the generated organisation's content)", flush=True)
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
        return subprocess.run(command, cwd=dest, env=_env(dest), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

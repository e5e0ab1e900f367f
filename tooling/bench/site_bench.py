"""Time the site build at two sizes against a plain MkDocs build of the same pages.

    python tooling/bench/site_bench.py [--sizes 200 2000] [--runs 3]

For each size N it generates a repository of N entities, then times, in the same run:

* ``prodops``: ``mkdocs build`` with the prodops plugin (validation + rendering + MkDocs);
* ``plain``: ``mkdocs build`` of the Markdown that ``prodops render`` wrote to a folder,
  without the plugin: the same pages and navigation shape, written by hand as it were.

It prints medians and min-max, the ratio prodops/plain per size, and the cost per page
at the largest size relative to the smallest (1.0 means flat, linear growth).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import REPO_ROOT, generate

from prodops.commands.site import _load_mkdocs_yaml
from prodops.pipeline import build as pipeline_build
from prodops.render import SiteOptions, render_site, write_docs

TODAY = date(2026, 11, 22)


def _timed(func: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            func()
        times.append(time.perf_counter() - start)
    return times


def _prepare(work: Path, count: int) -> tuple[Path, Path, int]:
    repo = work / f"repo-{count}"
    generate(repo, count, seed=1)
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    config = (repo / "mkdocs.yml").read_text()
    (repo / "mkdocs.yml").write_text(
        config.replace("  - prodops\n", f"  - prodops:\n      today: '{TODAY.isoformat()}'\n")
    )
    result = pipeline_build(repo, today=TODAY)
    site = render_site(result, SiteOptions(today=TODAY))
    plain = work / f"plain-{count}"
    pages = write_docs(site, plain, repo / "site", _load_mkdocs_yaml(repo))
    return repo, plain, pages


def _build(config_file: Path, out: Path) -> Callable[[], object]:
    def run() -> None:
        config = load_config(config_file=str(config_file), site_dir=str(out))
        mkdocs_build(config)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory(prefix="prodops-site-bench-") as tmp:
        work = Path(tmp)
        for count in args.sizes:
            repo, plain, pages = _prepare(work, count)
            ours = _timed(_build(repo / "mkdocs.yml", work / f"out-{count}"), args.runs)
            base = _timed(_build(plain / "mkdocs.yml", work / f"out-plain-{count}"), args.runs)
            rows.append((count, pages, ours, base))
    print(
        f"{'entities':>8} {'pages':>6} {'prodops s (min-max)':>22} {'plain s (min-max)':>22} {'ratio':>6} {'ms/page':>8}"
    )
    for count, pages, ours, base in rows:
        m_ours, m_base = statistics.median(ours), statistics.median(base)
        print(
            f"{count:>8} {pages:>6} {m_ours:>8.2f} ({min(ours):.2f}-{max(ours):.2f}) {m_base:>8.2f} ({min(base):.2f}-{max(base):.2f})"
            f" {m_ours / m_base:>6.2f} {m_ours / pages * 1000:>8.2f}"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (statistics.median(last[2]) / last[1]) / (statistics.median(first[2]) / first[1])
        print(f"cost per page at {last[0]} / at {first[0]}: {growth:.2f} (1.00 = linear)")


if __name__ == "__main__":
    main()

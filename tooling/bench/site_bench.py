"""Time the site build at two sizes against a plain MkDocs build of the same pages.

    python tooling/bench/site_bench.py [--sizes 2000 5000] [--runs 3] [--serve-size 2000]

For each size N it generates a repository of N entities, then times, in the same run:

* ``prodops``: ``mkdocs build`` with the prodops plugin (validation + rendering + MkDocs);
* ``plain``: ``mkdocs build`` of the Markdown that ``prodops render`` wrote to a folder,
  without the plugin: the same pages and navigation shape, written by hand as it were.

It prints medians and min-max of wall seconds, the median CPU seconds (user + system, steadier
than wall time on a shared machine) of each, the ratios prodops/plain per size, the cost per
page at the largest size relative to the smallest (1.0 means flat, linear growth), and the
size of the roadmap board's HTML with its number of cards.

With ``--serve-size N`` (0 to skip) it then starts ``prodops serve`` on a free port over the
repository of N entities, changes one roadmap item's title and polls that item's page until
the new title shows: the time a writer waits to see a one-file change (twice, each from the
moment the file is written), and the server's CPU seconds over the whole run. ``prodops
serve`` reloads dirty: only the pages whose text changed are converted again.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
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


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(func: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds of each run (CPU time holds steadier on a shared machine)."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            func()
        times.append(time.perf_counter() - start)
        cpu.append(_cpu() - start_cpu)
    return times, cpu


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


def _board(out: Path) -> tuple[int, int]:
    """Bytes of the built board page and the number of cards on it."""
    html = (out / "roadmap" / "index.html").read_bytes()
    return len(html), len(re.findall(rb'<li class="po-card"', html))


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, text: str, timeout: float) -> float:
    """Seconds until the page at ``url`` contains ``text`` (polled every 50 ms)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        body = _get(url)
        if body is not None and text in body:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise SystemExit(f"{url} did not show {text!r} within {timeout:.0f} s")


def _serve_reload(repo: Path, edits: int = 2) -> tuple[float, list[float], float]:
    """Start ``prodops serve``; the first build's seconds, the seconds each one-file change takes to
    show, and the CPU seconds the server used in all."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = children.ru_utime + children.ru_stime
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    item = sorted((repo / "roadmap").glob("*.yaml"))[0]
    url = f"http://127.0.0.1:{port}/roadmap-item/{item.stem}.html"
    prodops = Path(sys.executable).with_name("prodops")
    server = subprocess.Popen(
        [str(prodops), "serve", "--root", str(repo), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        start = time.perf_counter()
        _wait_for(url, "<html", timeout=600)
        first = time.perf_counter() - start
        times = []
        for n in range(edits):
            title = f"Renamed for the reload benchmark {n}"
            text = item.read_text(encoding="utf-8")
            item.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), encoding="utf-8")
            times.append(_wait_for(url, title, timeout=600))
            time.sleep(2)  # let the server settle before the next change
    finally:
        server.terminate()
        server.wait(timeout=30)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = children.ru_utime + children.ru_stime - before
    return first, times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve-size", type=int, default=2000, help="entities for the serve reload time (0: skip)")
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory(prefix="prodops-site-bench-") as tmp:
        work = Path(tmp)
        for count in args.sizes:
            repo, plain, pages = _prepare(work, count)
            ours, ours_cpu = _timed(_build(repo / "mkdocs.yml", work / f"out-{count}"), args.runs)
            base, base_cpu = _timed(_build(plain / "mkdocs.yml", work / f"out-plain-{count}"), args.runs)
            rows.append((count, pages, ours, base, ours_cpu, base_cpu, _board(work / f"out-{count}")))
        serve = None
        if args.serve_size:
            repo = work / f"repo-{args.serve_size}"
            if not repo.exists():
                repo = _prepare(work, args.serve_size)[0]
            serve = _serve_reload(repo)
    print(
        f"{'entities':>8} {'pages':>6} {'prodops s (min-max)':>22} {'plain s (min-max)':>22} {'ratio':>6}"
        f" {'CPU s ours':>10} {'plain':>6} {'ratio':>6} {'ms/page':>8} {'board KB':>9} {'cards':>6} {'B/card':>7}"
    )
    for count, pages, ours, base, ours_cpu, base_cpu, (size, cards) in rows:
        m_ours, m_base = statistics.median(ours), statistics.median(base)
        c_ours, c_base = statistics.median(ours_cpu), statistics.median(base_cpu)
        print(
            f"{count:>8} {pages:>6} {m_ours:>8.2f} ({min(ours):.2f}-{max(ours):.2f}) {m_base:>8.2f} ({min(base):.2f}-{max(base):.2f})"
            f" {m_ours / m_base:>6.2f} {c_ours:>10.2f} {c_base:>6.2f} {c_ours / c_base:>6.2f}"
            f" {m_ours / pages * 1000:>8.2f} {size / 1000:>9.0f} {cards:>6} {size / max(cards, 1):>7.0f}"
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (statistics.median(last[2]) / last[1]) / (statistics.median(first[2]) / first[1])
        print(f"cost per page at {last[0]} / at {first[0]}: {growth:.2f} (1.00 = linear)")
    if serve is not None:
        first_build, reloads, cpu = serve
        shown = ", ".join(f"{t:.2f}" for t in reloads)
        print(
            f"prodops serve at {args.serve_size}: first page after {first_build:.1f} s; a one-file change shows in {shown} s"
            f" (server CPU over the whole run: {cpu:.1f} s)"
        )


if __name__ == "__main__":
    main()

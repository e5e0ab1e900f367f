"""`prodops serve` keeps the site up through a broken file: it logs the errors and serves the last good pages."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT, copy_example

ITEM = "roadmap/usage-based-billing.yaml"
PAGE = "roadmap-item/usage-based-billing.html"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def _until(check: Callable[[], bool], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"not within {timeout:.0f} s: {what}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, Path]]:
    """A copy of the example repository served by `prodops serve` on a free port: (repo, url, log)."""
    repo = copy_example(tmp_path / "repo")
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "prodops", "serve", "--root", str(repo), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _until(lambda: _get(url + PAGE)[0] == 200 or server.poll() is not None, "the first build")
        assert server.poll() is None, log.read_text()
        yield repo, url, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_broken_file_keeps_the_last_good_site_and_shows_the_error(served: tuple[Path, str, Path]) -> None:
    repo, url, log = served
    path = repo / ITEM
    good = path.read_text(encoding="utf-8")
    assert "\nstatus: in-progress\n" in good and "\ntitle: Usage-based billing plans\n" in good
    path.write_text(good.replace("\nstatus: in-progress\n", "\nstatus: in progres\n"), encoding="utf-8")
    _until(lambda: "showing the last good pages" in log.read_text(), "the error in the log")
    text = log.read_text()
    assert f"{ITEM}:9:9: error PO204 status: 'in progres' is not one of" in text
    assert "Traceback" not in text
    # The page is still there (asked again while a loaded machine is slow to answer, never a 404).
    answers: list[int] = []

    def served_good() -> bool:
        status, html = _get(url + PAGE)
        answers.append(status)
        return "Usage-based billing plans" in html

    _until(served_good, "the page")
    assert 404 not in answers
    # Fixed (and retitled): the next rebuild publishes it.
    path.write_text(
        good.replace("title: Usage-based billing plans", "title: Usage-based billing, fixed"), encoding="utf-8"
    )
    _until(lambda: "Usage-based billing, fixed" in _get(url + PAGE)[1], "the fixed page")


def test_the_first_build_still_fails_on_errors(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site", repo / "site")
    path = repo / ITEM
    path.write_text(
        path.read_text(encoding="utf-8").replace("\nstatus: in-progress\n", "\nstatus: x\n"), encoding="utf-8"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [sys.executable, "-m", "prodops", "serve", "--root", str(repo), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 1
    assert "fix them to build the site" in done.stderr and f"{ITEM}:9:9: error PO204" in done.stderr


# Pages that show the item's title: its own, the board, its launch, an item that depends on it, its team.
SHOWING = (
    PAGE,
    "roadmap/index.html",
    "launch/usage-based-billing-ga.html",
    "roadmap-item/usage-billing-revenue-recognition.html",
    "team/payments.html",
)


def _nav(html: str) -> str:
    """The site navigation of a page (the theme's primary nav)."""
    start = html.index('<nav class="md-nav md-nav--primary')
    return html[start : html.index('<div class="md-content"', start)]


def _search_locations(url: str, page: str) -> list[str]:
    import json

    status, text = _get(url + "search/search_index.json")
    assert status == 200
    return [e["location"] for e in json.loads(text)["docs"] if e["location"].split("#")[0] == page]


def test_a_one_file_change_shows_on_every_page_that_shows_the_entity(served: tuple[Path, str, Path]) -> None:
    repo, url, log = served
    path = repo / ITEM
    good = path.read_text(encoding="utf-8")
    for page in SHOWING:
        assert "Usage-based billing plans" in _get(url + page)[1], page
    indexed = _search_locations(url, PAGE)
    assert indexed
    nav = _nav(_get(url + PAGE)[1])
    assert "Customer asks" in nav and "What changed" in nav
    path.write_text(good.replace("title: Usage-based billing plans", "title: Usage-based billing, renamed"), "utf-8")
    _until(lambda: "Usage-based billing, renamed" in _get(url + PAGE)[1], "the changed page")
    for page in SHOWING:
        status, html = _get(url + page)
        assert status == 200 and "Usage-based billing, renamed" in html, page
    # Only the pages whose text changed were built again; the others are still served, navigation whole.
    rebuilt = [line for line in log.read_text().splitlines() if "page(s) changed; building only those" in line]
    assert rebuilt, log.read_text()
    assert int(rebuilt[-1].split("prodops: ")[1].split()[0]) < 40
    # The navigation of a rebuilt page names the pages that were not rebuilt as the full build did.
    assert _nav(_get(url + PAGE)[1]) == nav
    assert _get(url + "playbook/escalation.html")[0] == 200
    # Search lists the changed page once, with its new title.
    assert _search_locations(url, PAGE) == indexed
    assert "Usage-based billing, renamed" in _get(url + "search/search_index.json")[1]


def _asked_as(url: str, host: str) -> tuple[int, str]:
    """The answer to a request for the home page that names ``host`` in its Host header."""
    import http.client
    from urllib.parse import urlsplit

    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    try:
        connection.putrequest("GET", "/index.html", skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_only_requests_to_this_machine_are_answered(served: tuple[Path, str, Path]) -> None:
    """A page elsewhere that renames its host to 127.0.0.1 (DNS rebinding) cannot read the site."""
    _, url, _ = served
    port = url.rstrip("/").rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", f"localhost.:{port}", ""):
        status, text = _asked_as(url, host)
        assert status == 421 and "answers only requests to 127.0.0.1" in text, host
        assert "Ledgerline" not in text
    for host in ("127.0.0.1", f"127.0.0.1:{port}", "localhost", f"LOCALHOST:{port}", "[::1]", f"[::1]:{port}"):
        status, text = _asked_as(url, host)
        assert status == 200 and "</html>" in text, host


def test_a_link_made_while_serving_is_not_served(served: tuple[Path, str, Path], tmp_path: Path) -> None:
    repo, url, log = served
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-do-not-publish")
    (repo / "site" / "leak.txt").symlink_to(secret)
    _until(lambda: "site/leak.txt: error PO109" in log.read_text(), "the link reported")
    # Wait for the rebuild to end (the server reloads browsers after it), then ask for the file.
    _until(lambda: "Reloading browsers" in log.read_text().split("site/leak.txt: error PO109", 1)[1], "the rebuild")
    status, text = _get(url + "leak.txt")
    assert status == 404 and "CANARY" not in text
    assert "Traceback" not in log.read_text()
    assert _get(url + PAGE)[0] == 200  # the last good site stays

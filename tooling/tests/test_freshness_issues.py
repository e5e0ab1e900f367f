"""The freshness workflow's issue step, run against a local server standing in for the GitHub REST API.

One issue per person: opened once, updated in place on the next run (never a duplicate), closed
when the person's report is empty; issues of other titles and pull requests are left alone.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, REPO_ROOT, copy_example

from prodops.cli import cli

SCRIPT = REPO_ROOT / "tooling" / "ci" / "freshness_issues.py"
PAGE = 2  # the server's page size, whatever per_page asks: the script must follow the Link header


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("freshness_issues", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class GitHub:
    """The state the fake API keeps: issues by number, labels, comments, and every request made."""

    def __init__(self) -> None:
        self.issues: dict[int, dict[str, Any]] = {}
        self.labels: set[str] = set()
        self.comments: list[tuple[int, str]] = []
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def add(self, **fields: Any) -> int:
        number = len(self.issues) + 1
        self.issues[number] = {"number": number, "state": "open", "labels": [], "body": "", **fields}
        return number


@pytest.fixture
def github() -> Iterator[tuple[GitHub, str]]:
    state = GitHub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, code: int, body: Any, link: str = "") -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            if link:
                self.send_header("Link", link)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")

        def _route(self, method: str) -> None:
            url = urlparse(self.path)
            with state.lock:
                state.requests.append((method, url.path))
                if self.headers.get("Authorization") != "Bearer t0ken":
                    return self._reply(401, {"message": "Bad credentials"})
                parts = url.path.removeprefix("/repos/ledgerline/ops/").split("/")
                if method == "POST" and parts == ["labels"]:
                    name = self._body()["name"]
                    if name in state.labels:
                        return self._reply(422, {"message": "Validation Failed"})
                    state.labels.add(name)
                    return self._reply(201, {"name": name})
                if method == "GET" and parts == ["issues"]:
                    query = parse_qs(url.query)
                    wanted = [
                        i
                        for _, i in sorted(state.issues.items())
                        if i["state"] == query["state"][0] and query["labels"][0] in i["labels"]
                    ]
                    page = int(query.get("page", ["1"])[0])
                    chunk = wanted[(page - 1) * PAGE : page * PAGE]
                    more = len(wanted) > page * PAGE
                    port = self.server.server_port  # type: ignore[attr-defined]
                    link = (
                        f'<http://127.0.0.1:{port}/repos/ledgerline/ops/issues?state=open&labels=freshness&page={page + 1}>; rel="next"'
                        if more
                        else ""
                    )
                    return self._reply(200, chunk, link)
                if method == "POST" and parts == ["issues"]:
                    body = self._body()
                    number = state.add(title=body["title"], body=body["body"], labels=body["labels"])
                    state.issues[number]["assignees"] = body["assignees"]
                    return self._reply(201, state.issues[number])
                if method == "PATCH" and parts[0] == "issues" and len(parts) == 2:
                    issue = state.issues[int(parts[1])]
                    issue.update({k: v for k, v in self._body().items() if k in ("body", "state")})
                    return self._reply(200, issue)
                if method == "POST" and parts[0] == "issues" and parts[2:] == ["comments"]:
                    state.comments.append((int(parts[1]), self._body()["body"]))
                    return self._reply(201, {})
                return self._reply(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _step(base: str, reports: Path) -> subprocess.CompletedProcess[str]:
    """The workflow step as CI runs it: the script, with the API's URL, the token and the repository in the environment."""
    env = {"GITHUB_API_URL": base, "GH_TOKEN": "t0ken", "REPO": "ledgerline/ops", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(reports)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_workflow_runs_the_script_of_this_test() -> None:
    workflow = (REPO_ROOT / ".github" / "workflows" / "freshness.yml").read_text()
    assert "run: .venv/bin/python tooling/ci/freshness_issues.py freshness\n" in workflow


def test_a_second_run_updates_each_persons_issue_instead_of_opening_another(
    github: tuple[GitHub, str], tmp_path: Path
) -> None:
    state, base = github
    repo = copy_example(tmp_path / "ops")
    reports = tmp_path / "freshness"
    result = CliRunner().invoke(
        cli, ["freshness", "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat(), "--out", str(reports)]
    )
    assert result.exit_code == 0, result.output
    owners = sorted(p.stem for p in reports.glob("*.md") if p.read_text())
    assert len(owners) == 11
    # Already there: someone else's issue with a similar title, and a pull request with the same title.
    state.add(title="Product ops data to update: @ben-carter-old", labels=["freshness"])
    state.add(title="Product ops data to update: @ben-carter", labels=["freshness"], pull_request={"url": "x"})

    first = _step(base, reports)
    assert first.returncode == 0, first.stderr
    opened = {i["title"]: n for n, i in state.issues.items() if n > 2}
    assert sorted(opened) == [f"Product ops data to update: @{h}" for h in owners]
    assert all(state.issues[n]["assignees"] == [t.rsplit("@", 1)[1]] for t, n in opened.items())
    assert state.labels == {"freshness"}

    # A week later: Ben's report changed, Amara's is empty (all done), the others are as they were.
    (reports / "ben-carter.md").write_text("- [ ] <script>alert(1)</script> one item left\n", encoding="utf-8")
    (reports / "amara-okafor.md").write_text("", encoding="utf-8")
    count = len(state.issues)
    second = _step(base, reports)
    assert second.returncode == 0, second.stderr
    assert len(state.issues) == count  # nothing opened twice
    ben = opened["Product ops data to update: @ben-carter"]
    assert f"updated #{ben} for @ben-carter\n" in second.stdout
    assert state.issues[ben]["body"] == "- [ ] <script>alert(1)</script> one item left\n"
    amara = opened["Product ops data to update: @amara-okafor"]
    assert state.issues[amara]["state"] == "closed" and state.comments == [(amara, "Everything is up to date.")]
    assert f"closed #{amara} for @amara-okafor\n" in second.stdout
    assert state.issues[1]["body"] == "" and state.issues[2]["body"] == ""  # not theirs: untouched
    # The pages were followed: more open issues than one page holds, and none was missed.
    assert sum(1 for m, p in state.requests if m == "GET") > 2


def test_the_oldest_of_two_issues_for_a_person_is_the_one_updated(github: tuple[GitHub, str], tmp_path: Path) -> None:
    state, base = github
    older = state.add(title="Product ops data to update: @kavya-iyer", labels=["freshness"])
    newer = state.add(title="Product ops data to update: @kavya-iyer", labels=["freshness"])
    reports = tmp_path / "freshness"
    reports.mkdir()
    (reports / "kavya-iyer.md").write_text("- [ ] check in kr1\n")
    (reports / "..bad name.md").write_text("- [ ] x\n")
    result = _step(base, reports)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"skipped ..bad name.md: not a GitHub handle\nupdated #{older} for @kavya-iyer\n"
    assert state.issues[older]["body"] == "- [ ] check in kr1\n" and state.issues[newer]["body"] == ""


def test_an_api_error_is_one_line_and_exit_1(github: tuple[GitHub, str], tmp_path: Path) -> None:
    _, base = github
    reports = tmp_path / "freshness"
    reports.mkdir()
    env = {"GITHUB_API_URL": base, "GH_TOKEN": "wrong", "REPO": "ledgerline/ops", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(reports)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert result.stderr == f"freshness issues: the API answered 401 to {base}/repos/ledgerline/ops/labels\n"


def test_the_title_is_the_one_the_workflow_always_used() -> None:
    assert _script().title_of("ben-carter") == "Product ops data to update: @ben-carter"

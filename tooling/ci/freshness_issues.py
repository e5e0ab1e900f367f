"""One GitHub issue per owner for the freshness reports: opened, updated in place, closed when nothing is left.

Run by .github/workflows/freshness.yml after ``prodops freshness --out DIR``, which writes one
Markdown report per person (``DIR/HANDLE.md``, empty when nothing is left). For each report, the
open issue labelled ``freshness`` whose title is exactly the person's is updated (the oldest, if
several); only when there is none is one opened. An empty report closes the person's issue.

It speaks to the GitHub REST API at ``GITHUB_API_URL`` (set by Actions; a local server in tests)
with the token in ``GH_TOKEN``, for the repository ``REPO`` (owner/name). Standard library only.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

LABEL = "freshness"
HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


def title_of(handle: str) -> str:
    return f"Product ops data to update: @{handle}"


class Api:
    """The few REST calls the step makes, each one JSON in and out."""

    def __init__(self, base: str, token: str, repo: str) -> None:
        self.base, self.token, self.repo = base.rstrip("/"), token, repo

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[Any, str]:
        url = path if path.startswith(("http://", "https://")) else f"{self.base}/repos/{self.repo}{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return (json.loads(text) if text else None), response.headers.get("Link", "")

    def open_issues(self) -> list[dict[str, Any]]:
        """Every open issue with the label, following the pages."""
        found: list[dict[str, Any]] = []
        url = f"/issues?state=open&labels={LABEL}&per_page=100"
        while url:
            page, link = self.call("GET", url)
            found += [i for i in page if "pull_request" not in i]
            nxt = re.search(r'<([^>]+)>;\s*rel="next"', link)
            url = nxt.group(1) if nxt else ""
        return found


def run(api: Api, reports: Path) -> list[str]:
    """Open, update or close the issues; the lines saying what was done."""
    done: list[str] = []
    try:
        api.call("POST", "/labels", {"name": LABEL, "color": "FBCA04", "description": "Data an owner needs to update"})
    except urllib.error.HTTPError as exc:
        if exc.code != 422:  # 422: the label exists already
            raise
    issues = api.open_issues()
    for report in sorted(reports.glob("*.md")):
        handle = report.stem
        if not HANDLE.fullmatch(handle):
            done.append(f"skipped {report.name}: not a GitHub handle")
            continue
        title = title_of(handle)
        mine = sorted((i for i in issues if i.get("title") == title), key=lambda i: int(i["number"]))
        number = mine[0]["number"] if mine else None
        body = report.read_text(encoding="utf-8")
        if body.strip():
            if number is not None:
                api.call("PATCH", f"/issues/{number}", {"body": body})
                done.append(f"updated #{number} for @{handle}")
            else:
                created, _ = api.call(
                    "POST", "/issues", {"title": title, "body": body, "labels": [LABEL], "assignees": [handle]}
                )
                done.append(f"opened #{created['number']} for @{handle}")
        elif number is not None:
            api.call("POST", f"/issues/{number}/comments", {"body": "Everything is up to date."})
            api.call("PATCH", f"/issues/{number}", {"state": "closed", "state_reason": "completed"})
            done.append(f"closed #{number} for @{handle}")
    return done


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: freshness_issues.py REPORT-FOLDER\n")
        return 2
    api = Api(
        os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        os.environ.get("GH_TOKEN", ""),
        os.environ["REPO"],
    )
    try:
        lines = run(api, Path(argv[1]))
    except urllib.error.HTTPError as exc:
        sys.stderr.write(f"freshness issues: the API answered {exc.code} to {exc.url}\n")
        return 1
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

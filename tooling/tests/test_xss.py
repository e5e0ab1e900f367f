"""Nothing from a YAML file can run script: the payload corpus in every text field of every kind.

The corpus (``payloads.py``) is written into every string field of every file of a copy of the
example repository that still validates. Then every page of the built site, of the plain-Markdown
``prodops render`` output built by plain MkDocs and by Zensical, and every HTML report is parsed
(not grepped) for event handlers, script URLs, forbidden tags and scripts the theme did not put
there; and in Chromium every element of every generated page is hovered, focused and clicked
while the test listens for dialogs.

The repository's own content on purpose (marked ``example``): whatever organisation it holds, every
file of every kind carries the corpus, so a kind or a field added there is covered without a change here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CONTENT_TODAY, REPO_ROOT, serving
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from payloads import PAYLOADS, scan
from playwright.sync_api import Browser, Dialog

from prodops import pipeline
from prodops.cli import cli
from prodops.schemas import load_schemas

pytestmark = pytest.mark.example

_IGNORE = shutil.ignore_patterns(".venv", "build", ".git", "tooling", "node_modules", ".prodops-cache", "*.pyc")
_MARKER = re.compile(r"alert\((\d{3})\)")


def _leaves(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    elif isinstance(data, str) and path and path[-1] != "id":
        yield path, data


def _put(data: Any, path: tuple[str | int, ...], value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _inject(repo: Path) -> dict[str, int]:
    """Payloads in every string field that keeps the repository valid; returns fields per kind."""
    schemas = load_schemas(repo / "schemas")
    files = sorted(
        p.relative_to(repo).as_posix() for folder in schemas.folders for p in (repo / folder).rglob("*.yaml")
    )
    originals: dict[str, dict[str, Any]] = {}
    changed: dict[str, dict[tuple[str | int, ...], str]] = {}
    counter = 0
    for rel in files:
        result = pipeline.build(repo, today=CONTENT_TODAY, only=[rel])
        doc = next(d for d in result.documents if d.rel == rel)
        originals[rel] = json.loads(json.dumps(doc.data))
        changed[rel] = {}
        for index, (path, _) in enumerate(_leaves(doc.data)):
            # Each file starts at a different payload, so every payload lands in many kinds of field. A field
            # keeps its payload from round to round: dropping a refused one never moves the others'.
            changed[rel][path] = PAYLOADS[(index + len(rel) * 7) % len(PAYLOADS)]
            counter += 1

    def write(rel: str) -> None:
        data = json.loads(json.dumps(originals[rel]))
        for path, payload in changed[rel].items():
            _put(data, path, payload)
        first_line = (repo / rel).read_text(encoding="utf-8").splitlines()[0]
        (repo / rel).write_text(first_line + "\n" + json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    for rel in files:
        write(rel)
    # Fields whose schema, references or rules refuse a payload keep their value; the rest keep the payload.
    for _ in range(12):
        errors = [d for d in pipeline.build(repo, today=CONTENT_TODAY).diagnostics if d.severity == "error"]
        if not errors:
            break
        touched: set[str] = set()
        for diag in errors:
            paths = changed.get(diag.file, {})
            prefix = tuple(diag.path)
            doomed = (
                [p for p in paths if p[: len(prefix)] == prefix or prefix[: len(p)] == p] if prefix else list(paths)
            )
            for path in doomed:
                del paths[path]
            touched.add(diag.file)
            if not doomed and diag.code == "PO444":
                # An approver names a role that members hold: the payload that broke it is in a member's role.
                for rel, fields in changed.items():
                    for path in [p for p in fields if p[-1] == "role"]:
                        del fields[path]
                        touched.add(rel)
        for rel in touched:
            if rel in changed:
                write(rel)
    else:
        raise AssertionError(f"payload repository does not settle: {errors[:5]}")
    per_kind: dict[str, int] = {}
    for rel, paths in changed.items():
        kind = schemas.kind_for(rel)
        assert kind is not None
        per_kind[kind.kind] = per_kind.get(kind.kind, 0) + len(paths)
    return per_kind


@pytest.fixture(scope="module")
def payload_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    repo = tmp_path_factory.mktemp("payloads") / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=_IGNORE)
    return repo, _inject(repo)


def _site(repo: Path, out: Path) -> Path:
    config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(out), strict=True)
    config.plugins["prodops"].config.today = CONTENT_TODAY.isoformat()
    mkdocs_build(config)
    return out


@pytest.fixture(scope="module")
def payload_site(payload_repo: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(payload_repo[0], tmp_path_factory.mktemp("payload-site"))


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("clean") / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=_IGNORE)
    return _site(repo, tmp_path_factory.mktemp("clean-site"))


def _markers(root: Path, pattern: str = "*.html") -> set[str]:
    found: set[str] = set()
    for page in root.rglob(pattern):
        found.update(_MARKER.findall(page.read_text(encoding="utf-8", errors="replace")))
    return found


def test_payloads_reach_every_kind_and_the_pages(payload_repo: tuple[Path, dict[str, int]], payload_site: Path) -> None:
    repo, per_kind = payload_repo
    schemas = load_schemas(repo / "schemas")
    held = {
        kind.kind
        for folder in schemas.folders
        for path in (repo / folder).rglob("*.yaml")
        if (kind := schemas.kind_for(path.relative_to(repo).as_posix())) is not None
    }
    assert {"roadmap-item", "objective", "launch", "playbook", "team"} <= held
    assert set(per_kind) == held  # every kind the repository holds, whichever those are
    assert all(count >= 10 for count in per_kind.values()), per_kind
    # Every payload was written somewhere and shows on the site as text: the test is not vacuous.
    expected = {m for payload in PAYLOADS for m in _MARKER.findall(payload)}
    assert expected - _markers(payload_site) == set()


def test_no_page_of_the_site_carries_script(payload_site: Path, clean_site: Path) -> None:
    problems: list[str] = []
    pages = sorted(payload_site.rglob("*.html"))
    assert len(pages) > 80
    for page in pages:
        rel = page.relative_to(payload_site)
        findings, scripts = scan(page.read_text(encoding="utf-8"))
        problems.extend(f"{rel}: {f}" for f in findings)
        clean = clean_site / rel
        _, theme_scripts = scan(clean.read_text(encoding="utf-8")) if clean.exists() else ([], [])
        problems.extend(f"{rel}: script {s!r} is not the theme's" for s in scripts if s not in theme_scripts)
    assert problems == []


def test_search_index_holds_payloads_only_as_text(payload_site: Path) -> None:
    index = json.loads((payload_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        findings, scripts = scan(doc["text"])
        assert (findings, scripts) == ([], []), doc["location"]


def _render(repo: Path, out: Path) -> Path:
    result = CliRunner().invoke(
        cli, ["render", "--root", str(repo), "--out", str(out), "--today", CONTENT_TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    return out


def _scan_other_generator(site: Path) -> list[str]:
    problems: list[str] = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 80
    for page in pages:
        findings, scripts = scan(page.read_text(encoding="utf-8"))
        problems.extend(f"{page.relative_to(site)}: {f}" for f in findings)
        problems.extend(
            f"{page.relative_to(site)}: script {s!r}" for s in scripts if _MARKER.search(s[1]) or _MARKER.search(s[0])
        )
    return problems


def test_render_output_built_by_plain_mkdocs_carries_no_script(
    payload_repo: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    out = _render(payload_repo[0], tmp_path / "render")
    # The rendered configuration keeps attr_list: the Markdown itself must give it nothing to act on.
    assert "attr_list" in (out / "mkdocs.yml").read_text()
    config = load_config(config_file=str(out / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    mkdocs_build(config)
    assert _markers(tmp_path / "site") and _scan_other_generator(tmp_path / "site") == []


def test_render_output_built_by_zensical_carries_no_script(
    payload_repo: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    out = _render(payload_repo[0], tmp_path / "render")
    zensical = Path(sys.executable).parent / "zensical"
    run = subprocess.run(
        [str(zensical), "build", "-f", str(out / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=out,
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert _markers(out / "site") and _scan_other_generator(out / "site") == []


@pytest.mark.parametrize("report", [["report", "okrs", "--period", "2026-Q4"], ["report", "launches"]])
def test_html_reports_carry_no_script(payload_repo: tuple[Path, dict[str, int]], report: list[str]) -> None:
    repo = payload_repo[0]
    args = [*report, "--format", "html", "--root", str(repo), "--today", CONTENT_TODAY.isoformat()]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert _MARKER.search(result.output)  # the payloads are in the report, as text
    assert scan(result.output) == ([], [])


# -- in a real browser ---------------------------------------------------------------------------

_PROBE = """
() => {
  const events = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup', 'pointerover',
                  'pointerenter', 'focus', 'focusin', 'blur', 'keydown', 'dblclick', 'contextmenu',
                  'toggle', 'animationstart', 'transitionend', 'wheel', 'touchstart'];
  const all = Array.from(document.querySelectorAll('body *'));
  for (const el of all) {
    for (const type of events) { el.dispatchEvent(new Event(type, {bubbles: true})); }
    if (typeof el.focus === 'function') { el.focus(); }
  }
  return Array.from(document.querySelectorAll('article *')).length;
}
"""
_CLICKABLE = "article a, article area, article button, article summary, article img, article [tabindex], article svg *"


def _exercise(browser: Browser, url: str) -> list[str]:
    """Load a page, hover/focus every element, click every clickable one; the dialogs that opened."""
    dialogs: list[str] = []
    page = browser.new_page()

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(request_route: Any) -> None:
        request = request_route.request
        # Keep the page under test: a click that would navigate elsewhere is stopped (a javascript:
        # URL needs no request and still runs), and nothing is fetched from another host.
        if (request.is_navigation_request() and request.url.split("#")[0] != url) or not request.url.startswith(
            "http://127.0.0.1"
        ):
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    assert page.evaluate(_PROBE) > 0
    for handle in page.query_selector_all(_CLICKABLE):
        try:
            handle.evaluate("el => { if (typeof el.click === 'function') { el.click(); } }")
        except Exception:
            continue
    page.wait_for_timeout(50)
    page.close()
    return dialogs


@pytest.fixture(scope="module")
def payload_server(payload_site: Path) -> Iterator[str]:
    with serving(payload_site) as url:
        yield url


def test_the_browser_probe_catches_a_live_payload(payload_site: Path, payload_server: str, browser: Browser) -> None:
    """The harness itself: a page with three live payloads opens three dialogs."""
    live = payload_site / "probe-control.html"
    live.write_text(
        "<!doctype html><html><body><article>"
        '<p onmouseover="alert(1)">hover</p><img src="missing.png" onerror="alert(2)">'
        '<a href="javascript:alert(3)">click</a><a href="https://example.com/">away</a>'
        "</article></body></html>"
    )
    try:
        assert sorted(_exercise(browser, payload_server + "probe-control.html")) == ["1", "2", "3"]
    finally:
        live.unlink()


def test_no_payload_runs_in_chromium(payload_site: Path, payload_server: str, browser: Browser) -> None:
    pages = sorted(p.relative_to(payload_site).as_posix() for p in payload_site.rglob("*.html"))
    ran = {rel: dialogs for rel in pages if (dialogs := _exercise(browser, payload_server + rel))}
    assert ran == {}

"""The company site: built from the units' contracts, filtered by unit, hostile titles shown as text, incremental."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, REPO_ROOT, bench_generator, copy_example, serving
from playwright.sync_api import Browser

from prodops import yamlparse
from prodops.cli import cli

TODAY = EXAMPLE_TODAY.isoformat()
COMPANY_OBJECTIVE = "2026-q4-grow-net-revenue-retention"  # level: company in the frozen example
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
SHOTS = Path("/work/shots/fed2")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _contract(base: Path, name: str, seed: int) -> dict[str, Any]:
    repo = base / name
    bench_generator().generate(repo, 40, seed=seed, today=EXAMPLE_TODAY)
    (repo / "pyproject.toml").write_text(f'[tool.prodops.federation]\nname = "{name}"\n')
    code, output = _run("contract", "--root", str(repo), "--today", TODAY, "--out", str(base / f"{name}.json"))
    assert code == 0, output
    data: dict[str, Any] = json.loads((base / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _write(root: Path, name: str, data: dict[str, Any]) -> None:
    (root / "contracts" / f"{name}.json").write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


@pytest.fixture
def company(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "company")
    (root / "contracts").mkdir()
    declared = '\n[tool.prodops.federation]\nname = "company"\n'
    for seed, name in enumerate(("payments", "billing", "ledger"), start=1):
        data = _contract(tmp_path / "units", name, seed)
        objective = data["entities"]["objective"][0]
        objective["parents"] = [{"objective": f"company:{COMPANY_OBJECTIVE}", "weight": 1}]
        if name == "billing":
            data["entities"]["roadmap-item"][0]["title"] = HOSTILE
            data["entities"]["roadmap-item"][0]["horizon"] = "now"
            data["entities"]["roadmap-item"][0]["meaning"] = "active"
            objective["title"] = HOSTILE
        _write(root, name, data)
        declared += f'\n[[tool.prodops.federation.units]]\nname = "{name}"\ncontract = "contracts/{name}.json"\n'
        declared += f'site = "https://{name}.example.com/"\n'
    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(declared)
    return root


class _Markup(HTMLParser):
    """The scripts that hold an alert and the event-handler attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        self.handlers += [f"{tag} {k}" for k, _ in attrs if k.startswith("on")]
        self.scripts += [str(v) for k, v in attrs if k == "src" and v == "x"]

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert" in data:
            self.scripts.append(data)


def _markup(page: str) -> tuple[list[str], list[str]]:
    parser = _Markup()
    parser.feed(page)
    return parser.scripts, parser.handlers


def _build(root: Path) -> tuple[int, str]:
    return _run("company", "build", "--root", str(root), "--today", TODAY)


def test_the_company_site_shows_objectives_board_and_units(company: Path) -> None:
    code, output = _build(company)
    assert code == 0, output
    assert "pages written again: payments, billing, ledger" in output
    site = company / "build" / "company" / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert COMPANY_OBJECTIVE in index
    assert index.count('href="units/') >= 3  # each unit's contributing objective
    assert 'href="https://payments.example.com/"' in index
    unit_page = (site / "units" / "payments.html").read_text(encoding="utf-8")
    first = sorted(
        r["id"] for r in json.loads((company / "contracts/payments.json").read_text())["entities"]["roadmap-item"]
    )[0]
    assert f'<a href="https://payments.example.com/roadmap-item/{first}.html">{first}</a>' in unit_page
    board = (site / "roadmap.html").read_text(encoding="utf-8")
    assert {"payments", "billing", "ledger"} <= {part.split('"')[0] for part in board.split('data-unit="')[1:]}
    for page in ("index.html", "roadmap.html", "units/billing.html"):
        body = (site / page).read_text(encoding="utf-8")
        assert _markup(body) == ([], [])
        assert '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror="alert(2)"&gt;' in body


def test_a_unit_page_is_written_again_only_when_its_contract_changed(company: Path) -> None:
    assert _build(company)[0] == 0
    kept = (company / "build/company/docs/units/payments.md").stat().st_mtime_ns
    code, output = _build(company)
    assert code == 0 and "pages written again: none" in output, output
    path = company / "contracts" / "ledger.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entities"]["roadmap-item"][0]["title"] = "Ledger item, renamed"
    _write(company, "ledger", data)
    code, output = _build(company)
    assert code == 0 and "pages written again: ledger)" in output, output
    assert "Ledger item, renamed" in (company / "build/company/site/units/ledger.html").read_text(encoding="utf-8")
    assert (company / "build/company/docs/units/payments.md").stat().st_mtime_ns == kept
    manifest = json.loads((company / "build/company/manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["units"]) == {"payments", "billing", "ledger"}


def test_cross_unit_dependencies_are_listed_and_late_ones_flagged(company: Path) -> None:
    payments = json.loads((company / "contracts" / "payments.json").read_text(encoding="utf-8"))
    billing = json.loads((company / "contracts" / "billing.json").read_text(encoding="utf-8"))
    target = billing["entities"]["roadmap-item"][1]
    target["due"], target["meaning"] = "2027-02-01", "active"
    waiting, early = payments["entities"]["roadmap-item"][:2]
    waiting["due"], waiting["depends_on"] = "2026-12-20", [f"billing:{target['id']}", "ledger:no-such-item"]
    early["due"], early["depends_on"] = "2027-03-01", [f"billing:{target['id']}"]
    _write(company, "payments", payments)
    _write(company, "billing", billing)
    assert _build(company)[0] == 0
    page = (company / "build/company/site/dependencies.html").read_text(encoding="utf-8")
    rows = [row for row in page.split("<tr")[1:] if "billing:" in row or "ledger:" in row]
    assert len(rows) == 3
    late = [row for row in rows if "po-flag--late" in row]
    assert len(late) == 2
    assert any(f"<code>{waiting['id']}</code>" in r and "due 2027-02-01" in r for r in late)
    assert any("ledger:no-such-item" in r and "not in the unit's contract" in r for r in late)
    assert not any(f"<code>{early['id']}</code>" in r for r in late)


def test_a_unit_without_its_contract_is_named_and_the_build_fails(company: Path) -> None:
    (company / "contracts" / "ledger.json").write_text('{"format": "prodops-contract", "format_version": 9}')
    code, output = _build(company)
    assert code == 1
    assert (
        "pyproject.toml:" in output
        and "unit 'ledger': its contract (contracts/ledger.json) has format_version 9; this prodops reads version 1"
        in output
    )
    page = (company / "build/company/site/units/ledger.html").read_text(encoding="utf-8")
    assert "No contract: has format_version 9" in page


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "it is the repository"),
        ("okrs/2026-Q4", "inside the repository's okrs"),
        ("contracts", "it is the repository's contracts"),
    ],
)
def test_the_build_folder_may_not_replace_the_repository_s_files(company: Path, out: str, message: str) -> None:
    assert _run("validate", "--root", str(company), "--today", TODAY)[0] == 0  # its cache is written now

    def files() -> list[str]:
        return sorted(p.relative_to(company).as_posix() for p in company.rglob("*"))

    before = files()
    code, output = _run("company", "build", "--root", str(company), "--today", TODAY, "--out", str(company / out))
    assert code == 1 and "refusing to" in output and message in output, output
    assert files() == before


@pytest.mark.parametrize(
    "site",
    ["http://payments.example.com/", 'https://x.example.com/" onmouseover="alert(1)', "javascript:alert(1)"],
)
def test_a_unit_site_must_be_https(company: Path, site: str) -> None:
    path = company / "pyproject.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("https://payments.example.com/", site.replace('"', '\\"')),
        encoding="utf-8",
    )
    code, output = _build(company)
    assert code == 1
    assert "'site' must be the https address of the unit's own site" in output


def test_the_board_filters_by_unit_with_the_state_in_the_address(company: Path, browser: Browser) -> None:
    assert _build(company)[0] == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serving(company / "build" / "company" / "site") as base:
        for name, width in (("desktop", 1280), ("phone", 390)):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            try:
                page.goto(base + "roadmap.html")
                everything = page.locator("li.po-card[data-po-item]").count()
                page.select_option('.po-filters select[name="unit"]', "billing")
                assert "unit=billing" in page.url
                shown = page.locator("li.po-card[data-po-item]:visible")
                assert 0 < shown.count() < everything
                assert all(u == "billing" for u in shown.evaluate_all("els => els.map(e => e.dataset.unit)"))
                again = context.new_page()
                again.goto(page.url)
                assert again.locator("li.po-card[data-po-item]:visible").count() == shown.count()
                # The hostile title is text on the card, and nothing ran.
                assert again.get_by_text(HOSTILE).count() >= 1
                assert again.evaluate("typeof window.alertCalled") == "undefined"
                again.screenshot(path=str(SHOTS / f"company-board-billing-{name}.png"), full_page=False)
            finally:
                context.close()


def _expand(value: str, matrix: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*matrix\.([a-z]+)\s*\}\}", lambda m: matrix[m.group(1)], value)


def _steps(job: dict[str, Any], workspace: Path, artifacts: Path, matrix: dict[str, str], units: Path) -> list[str]:
    """Run a job's steps in ``workspace``: the shell of each ``run:`` step, in order, and what GitHub's actions do
    simulated by folders (a unit's checkout, artifacts uploaded and downloaded). Returns what was run."""
    done = []
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tooling")}
    for step in job["steps"]:
        uses, given = str(step.get("uses", "")), {k: _expand(str(v), matrix) for k, v in step.get("with", {}).items()}
        if uses.startswith("actions/checkout@") and "repository" in given:
            shutil.copytree(units / matrix["unit"], workspace / given["path"])
        elif uses.startswith("actions/upload-artifact@"):
            source = workspace / given["path"]
            assert source.exists(), f"{given['name']}: nothing at {given['path']} (if-no-files-found: error)"
            if source.is_dir():
                shutil.copytree(source, artifacts / given["name"])
            else:
                (artifacts / given["name"]).mkdir(parents=True)
                shutil.copy(source, artifacts / given["name"])
        elif uses.startswith("actions/download-artifact@"):
            (workspace / given["path"]).mkdir(exist_ok=True)
            for folder in sorted(artifacts.glob(given["pattern"])):
                for file in folder.iterdir():
                    shutil.copy(file, workspace / given["path"] / file.name)
        elif "run" in step and not str(step["run"]).startswith("make "):  # make installs: the venv is linked
            step_env = env | {k: _expand(str(v), matrix) for k, v in step.get("env", {}).items()}
            script = str(step["run"])
            ran = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", script], cwd=workspace, env=step_env, capture_output=True, text=True
            )
            assert ran.returncode == 0, f"{step.get('name')}: {ran.stdout}{ran.stderr}"
            done.append(str(step.get("name")))
    return done


def test_the_federation_workflow_runs_its_steps_locally(tmp_path: Path) -> None:
    workflow = yamlparse.parse((REPO_ROOT / ".github" / "workflows" / "federation.yml").read_text(encoding="utf-8"))
    assert isinstance(workflow.data, dict)
    jobs = workflow.data["jobs"]
    assert jobs["company"]["needs"] == "contract"
    artifacts = tmp_path / "artifacts"
    units = tmp_path / "units"
    matrix = jobs["contract"]["strategy"]["matrix"]["include"]
    for seed, entry in enumerate(matrix, start=1):
        _contract(units, entry["unit"], seed)
        workspace = tmp_path / f"runner-{entry['unit']}"
        workspace.mkdir()
        (workspace / ".venv").symlink_to(REPO_ROOT / ".venv")
        ran = _steps(jobs["contract"], workspace, artifacts, {k: str(v) for k, v in entry.items()}, units)
        assert ran == ["Write the unit's contract"]
    root = copy_example(tmp_path / "company")
    (root / ".venv").symlink_to(REPO_ROOT / ".venv")
    declared = '\n[tool.prodops.federation]\nname = "company"\n' + "".join(
        f'\n[[tool.prodops.federation.units]]\nname = "{e["unit"]}"\ncontract = "contracts/{e["unit"]}.json"\n'
        for e in matrix
    )
    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(declared)
    ran = _steps(jobs["company"], root, artifacts, {}, units)
    assert ran == ["Check the references to the units", "Build the company site"]
    assert sorted(p.name for p in (root / "contracts").iterdir()) == ["billing.json", "ledger.json", "payments.json"]
    board = (artifacts / "company-site" / "roadmap.html").read_text(encoding="utf-8")
    assert all(f'data-unit="{e["unit"]}"' in board for e in matrix)

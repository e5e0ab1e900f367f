"""Which files the pre-commit hooks select, and what ``prodops validate PATH...`` does with each (``selection.py``).

The hooks' ``files:`` patterns are broad, so a kind whose schema declares a folder of its own (here
the decision fixture moved to a top-level ``decisions/``) is checked with no change to the hooks;
``validate`` skips what belongs to no kind.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, TODAY, assemble, copy_example

from prodops.cli import cli
from prodops.selection import CODEOWNERS_FILES, VALIDATE_FILES

HOOK_FILES = {"prodops-validate": VALIDATE_FILES, "prodops-codeowners": CODEOWNERS_FILES}


def _hooks(text: str) -> dict[str, dict[str, object]]:
    data = yaml.safe_load(text)
    hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
    return {h["id"]: h for h in hooks if h["id"] in HOOK_FILES}


def test_this_repository_runs_one_hook_that_validates_and_keeps_codeowners() -> None:
    hooks = _hooks((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert list(hooks) == ["prodops-validate"]  # one repository load per commit
    assert hooks["prodops-validate"]["entry"] == "prodops validate --codeowners"
    # Every file either hook selected: what can change a finding or an owner.
    assert hooks["prodops-validate"]["files"] == f"{VALIDATE_FILES}|^(pyproject|prodops)\\.toml$"
    rels = [
        "pyproject.toml",
        "prodops.toml",
        "schemas/item.schema.json",
        "okrs/kpis/x.csv",
        "decisions/a.yml",
        "a.toml",
    ]
    pattern = hooks["prodops-validate"]["files"]
    either = [rel for rel in rels if re.search(VALIDATE_FILES, rel) or re.search(CODEOWNERS_FILES, rel)]
    assert [rel for rel in rels if re.search(pattern, rel)] == either == rels[:-1]


@pytest.mark.parametrize(
    "config",
    [
        REPO_ROOT / ".pre-commit-hooks.yaml",
        REPO_ROOT / "tooling" / "prodops" / "data" / "starter" / "dot-pre-commit-config.yaml.j2",
    ],
    ids=lambda p: p.name,
)
def test_every_hook_configuration_offers_the_one_hook_and_selects_files_the_same_broad_way(config: Path) -> None:
    ours = _hooks((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["prodops-validate"]
    hooks = _hooks(config.read_text(encoding="utf-8"))
    assert list(hooks) == ["prodops-validate"]  # no separate codeowners hook: one repository load per commit
    assert {key: hooks["prodops-validate"][key] for key in ("entry", "files", "require_serial")} == {
        "entry": "prodops validate --codeowners",
        "files": ours["files"],
        "require_serial": True,
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The decision fixture with its kind in a top-level folder, ``decisions/``, that no hook names."""
    repo = assemble(FIXTURES / "kinds" / "decision", tmp_path / "repo")
    schema = repo / "schemas" / "decision.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    doc["x-prodops-folder"] = "decisions"
    schema.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    (repo / "decisions").mkdir()
    for record in (repo / "processes" / "decisions").iterdir():
        text = record.read_text(encoding="utf-8").replace("../../schemas/", "../schemas/")
        (repo / "decisions" / record.name).write_text(text, encoding="utf-8")
        record.unlink()
    (repo / "processes" / "decisions").rmdir()
    (repo / "mkdocs.yml").write_text("site_name: x\n")
    (repo / "notes.yaml").write_text("not: content\n")
    return repo


def _validate(repo: Path, *paths: str) -> tuple[int, str]:
    given = [str(repo / p) for p in paths]  # as pre-commit passes them, from the repository's root
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo), "--today", TODAY.isoformat(), *given])
    return result.exit_code, result.stdout


def _selected(pattern: str, repo: Path) -> set[str]:
    rels = {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}
    return {rel for rel in rels if re.search(pattern, rel)}


def test_the_hook_selects_a_new_kind_folder_and_validate_checks_it(repo: Path) -> None:
    assert _validate(repo)[0] == 0  # the moved kind is a valid repository
    selected = _selected(VALIDATE_FILES, repo)
    assert {"decisions/guided-setup-first.yaml", "decisions/public-setup-api.yaml"} <= selected
    assert "schemas/decision.schema.json" in selected and "notes.yaml" in selected
    assert {"decisions/guided-setup-first.yaml", "schemas/decision.schema.json"} <= _selected(CODEOWNERS_FILES, repo)
    record = repo / "decisions" / "guided-setup-first.yaml"
    record.write_text(record.read_text().replace("status: accepted", "status: acepted"))
    wrong = "decisions/guided-setup-first.yaml:4:9: error PO204 status: 'acepted' is not one of"
    code, out = _validate(repo, *sorted(selected - {"schemas/decision.schema.json"}))
    assert code == 1 and wrong in out, out
    content = {r for r in selected if r.endswith(".yaml") and not r.startswith("schemas/")} - {"notes.yaml"}
    assert out.splitlines()[-1].startswith(f"{len(content)} files checked: 1 error")  # notes.yaml, mkdocs.yml skipped


def test_files_of_no_kind_are_skipped_without_a_problem(repo: Path) -> None:
    assert _validate(repo, "notes.yaml", "mkdocs.yml") == (
        0,
        "0 files checked: no problems\n",
    )
    assert _validate(repo, "notes.yaml", "decisions/public-setup-api.yaml") == (0, "1 file checked: no problems\n")
    # What is not there, or is a content file named wrongly, is still a problem.
    code, out = _validate(repo, "decisions/missing.yaml")
    assert (code, out.splitlines()[0]) == (1, "decisions/missing.yaml: error PO109 no such file")
    (repo / "decisions" / "other.yml").write_text("id: other\n")
    code, out = _validate(repo, "decisions/other.yml")
    assert (code, out.splitlines()[0]) == (1, "decisions/other.yml: error PO110 content files end in '.yaml'")


def test_a_kpi_history_reports_its_own_problems_and_a_schema_checks_everything(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "example")
    history = repo / "okrs" / "kpis" / "auto-reconciliation-rate.csv"
    rel = history.relative_to(repo).as_posix()
    assert _validate(repo, rel) == (0, "2 files checked: no problems\n")  # the history and its KPI
    lines = history.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",lots"
    history.write_text("\n".join(lines) + "\n")
    code, out = _validate(repo, rel)
    assert code == 1 and f"{rel}:3:" in out and "PO128 value 'lots' is not a number" in out, out
    code, out = _validate(repo, "schemas/kpi.schema.json")
    assert code == 1 and "PO128" in out
    assert re.search(r"^\d{2,} files checked", out.splitlines()[-1]), out  # every file, not one

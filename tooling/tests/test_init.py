"""prodops init: a new repository from the installed package that validates, builds and tests at once."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO_ROOT

from prodops import package_data, scaffold
from prodops.cli import cli

BIN = Path(sys.executable).parent


def _init(target: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["init", str(target), *args])
    return result.exit_code, result.stdout, result.stderr


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_make_site_and_make_test_pass_in_a_new_repository(tmp_path: Path) -> None:
    target = tmp_path / "acme-product-ops"
    code, out, err = _init(target, "--name", "Acme Analytics", "--repo", "acme/product-ops")
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote 35 files into {target} for Acme Analytics (acme/product-ops)\n")
    env = {k: v for k, v in os.environ.items() if k not in {"PRODOPS", "MAKEFLAGS", "VIRTUAL_ENV"}}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for goal in ("site", "test"):
        done = subprocess.run(["make", goal], cwd=target, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{BIN}/prodops " in done.stdout  # the prodops on PATH, not one installed by the Makefile
    assert not (target / ".venv").exists()
    assert (target / "build" / "site" / "index.html").is_file()
    assert (target / "build" / "public" / "index.html").is_file()
    result = CliRunner().invoke(cli, ["validate", "--root", str(target), "--strict"])
    assert (result.exit_code, result.stdout) == (0, "5 files checked: no problems\n")


def test_the_new_repository_speaks_of_its_own_organisation(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert _init(target, "--name", "Acme Analytics", "--repo", "acme/product-ops", "--today", "2027-02-10")[0] == 0
    tree = _tree(target)
    for rel, data in tree.items():
        # The schemas stay byte for byte the shipped ones (their examples name the example organisation).
        assert rel.startswith("schemas/") or b"ledgerline" not in data.lower(), rel
        assert b"requirements.lock" not in data, rel  # the new repository installs prodops from one line
    mkdocs = tree["mkdocs.yml"].decode()
    assert "site_name: Acme Analytics product operations\n" in mkdocs
    assert "repo_url: https://github.com/acme/product-ops\n" in mkdocs
    assert "Acme Analytics's product organisation" in tree["site/about.md"].decode()
    assert "handle: '@acme/onboarding'\n" in tree["processes/teams/onboarding.yaml"].decode()
    assert 'codeowners-fallback = "@acme/product-leadership"\n' in tree["pyproject.toml"].decode()
    assert "okrs/2027-q1-activation.yaml" in tree
    # The shared files are the repository's own, byte for byte (schemas unchanged).
    for name in ("schemas/roadmap-item.schema.json", "site/javascripts/filters.js", ".github/workflows/publish.yml"):
        # (a workflow that names requirements.lock is not among them)
        assert tree[name] == (REPO_ROOT / name).read_bytes(), name
    workflow = tree[".github/workflows/pull-request.yml"].decode()
    assert (
        "- name: Install prodops (what prodops-requirements.txt names)\n        run: make .venv/.installed\n"
        in workflow
    )
    assert tree["prodops-requirements.txt"].decode().splitlines()[-1] == scaffold.requirement()


def test_the_pre_commit_configuration_is_valid(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert _init(target, "--today", "2026-11-22")[0] == 0
    done = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert [hook["entry"] for hook in hooks] == ["prodops validate --codeowners"]


CADENCES = {
    "fiscal": ["--calendar", "fiscal", "--fiscal-start", "april"],
    "half": ["--calendar", "half"],
    "trimester": ["--calendar", "trimester"],
    "cycles": ["--calendar", "cycles", "--cycle-weeks", "6"],
}


@pytest.mark.parametrize("cadence", sorted(CADENCES))
def test_make_site_and_make_test_pass_in_every_cadence(tmp_path: Path, cadence: str) -> None:
    target = tmp_path / "ops"
    code, _, err = _init(target, "--today", "2026-12-02", *CADENCES[cadence])
    assert (code, err) == (0, ""), err
    env = {k: v for k, v in os.environ.items() if k not in {"PRODOPS", "MAKEFLAGS", "VIRTUAL_ENV"}}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for goal in ("site", "test"):
        done = subprocess.run(["make", goal], cwd=target, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "build" / "public" / "index.html").is_file()


@pytest.mark.parametrize("cadence", sorted(CADENCES))
@pytest.mark.parametrize("today", ["2026-01-01", "2026-03-31", "2026-12-31", "2028-02-29"])
def test_the_example_is_clean_whatever_the_day_in_every_cadence(tmp_path: Path, cadence: str, today: str) -> None:
    target = tmp_path / "new"
    code, _, err = _init(target, "--today", today, *CADENCES[cadence])
    assert (code, err) == (0, ""), err
    result = CliRunner().invoke(cli, ["validate", "--root", str(target), "--strict", "--today", today, "--no-cache"])
    assert (result.exit_code, result.stdout) == (0, "5 files checked: no problems\n")


@pytest.mark.parametrize("today", ["2026-10-01", "2026-12-10", "2026-12-31", "2027-01-01", "2027-03-31", "2028-02-29"])
def test_the_example_is_clean_whatever_the_day(tmp_path: Path, today: str) -> None:
    target = tmp_path / "new"
    code, _, err = _init(target, "--today", today)
    assert (code, err) == (0, ""), err
    result = CliRunner().invoke(cli, ["validate", "--root", str(target), "--strict", "--today", today, "--no-cache"])
    assert (result.exit_code, result.stdout) == (0, "5 files checked: no problems\n")


def test_a_folder_that_is_not_empty_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "notes.txt").write_text("keep me\n")
    code, out, err = _init(target)
    assert (code, out) == (1, "")
    assert err == (
        f"prodops: {target}: the folder is not empty; prodops init writes a new repository only into a new or "
        "empty folder\n"
    )
    assert _tree(target) == {"notes.txt": b"keep me\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]  # no staging folder left behind


def test_an_empty_folder_is_filled_and_a_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _init(empty, "--today", "2026-11-22")[0] == 0
    assert (empty / "schemas" / "team.schema.json").is_file()
    plain = tmp_path / "file"
    plain.write_text("x")
    code, _, err = _init(plain)
    assert code == 1 and "exists and is not a folder" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--repo", "not a repo"], "--repo 'not a repo': give the repository as OWNER/NAME, e.g. acme/product-ops"),
        (["--name", "Acme\nInc"], "give the organisation's name in one line of up to 80 characters"),
        (["--install", "prodops\n--index-url http://x"], "give one pip requirement on one line"),
    ],
)
def test_bad_names_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = _init(tmp_path / "new", *args)
    assert code == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "new").exists()


def test_a_name_that_means_something_in_yaml_is_written_safely(tmp_path: Path) -> None:
    target = tmp_path / "new"
    code, _, err = _init(target, "--name", "Acme: #1 'Billing'", "--repo", "acme/ops", "--today", "2026-11-22")
    assert (code, err) == (0, "")
    result = CliRunner().invoke(cli, ["validate", "--root", str(target), "--strict", "--today", "2026-11-22"])
    assert result.exit_code == 0, result.stdout
    mkdocs = yaml.safe_load((target / "mkdocs.yml").read_text())
    assert mkdocs["site_name"] == "Acme: #1 'Billing' product operations"
    assert tomllib.loads((target / "pyproject.toml").read_text())["tool"]["prodops"]["public"]["title"] == (
        "Acme: #1 'Billing' product roadmap"
    )


def test_the_package_data_is_the_repositorys_own_files() -> None:
    """data/shared/ links to the repository's files (one copy): a copy put in place of a link would drift."""
    shared = REPO_ROOT / "tooling" / "prodops" / package_data.SHARED
    for source, target in scaffold.SHARED.items():
        entry = shared / source
        # A folder of links when only some of the repository's files are shared (not lock-refresh.yml).
        links = (
            {entry: REPO_ROOT / target}
            if entry.is_symlink()
            else {child: REPO_ROOT / target / child.name for child in entry.iterdir()}
        )
        assert links
        for link, points_to in links.items():
            assert link.is_symlink(), f"{link} must be a link to {points_to}, not a copy"
            assert link.resolve() == points_to.resolve()


def test_a_built_wheel_carries_everything_init_writes(tmp_path: Path) -> None:
    """A non-editable install (the wheel, unpacked) writes the same repository as this checkout."""
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("prodops-*.whl")
    unpacked = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    assert not any(p.is_symlink() for p in unpacked.rglob("*"))
    args = ["--name", "Acme", "--repo", "acme/ops", "--today", "2026-11-22", "--install", "prodops==0.1.0"]
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    from_wheel = tmp_path / "from-wheel"
    code = "import sys; from prodops.cli import main; sys.argv = sys.argv[1:]; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "prodops", "init", str(from_wheel), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import prodops; print(prodops.__file__)"], env=env, capture_output=True, text=True
    )
    assert probe.stdout.startswith(str(unpacked))
    here = tmp_path / "from-checkout"
    assert _init(here, *args)[0] == 0
    assert _tree(from_wheel) == _tree(here)


def test_today_defaults_to_the_date_of_the_run(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert _init(target)[0] == 0
    assert f"on {date.today().isoformat()}." in (target / "README.md").read_text()

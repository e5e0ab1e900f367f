"""Acceptance tests: the prodops command as a PM and CI use it."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT_TODAY, FIXTURES, REPO_ROOT, TODAY, all_commands, assemble

from prodops import __version__, pipeline
from prodops.cli import COMMANDS, REPORTS, cli
from prodops.codes import CHECKS
from prodops.rules import REGISTRY


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.example
def test_example_repository_validates_clean() -> None:
    """On the repository's own content on purpose: whatever organisation it holds validates with no problems."""
    code, output = invoke(
        "validate", "--root", str(REPO_ROOT), "--today", CONTENT_TODAY.isoformat(), "--strict", "--no-cache"
    )
    assert output.endswith("checked: no problems\n"), output
    assert code == 0


def test_problems_exit_1_and_name_file_line_column(base_repo: Path) -> None:
    item = base_repo / "roadmap" / "quick-setup.yaml"
    item.write_text(item.read_text().replace("horizon: now", "horizon: noww"))
    code, output = invoke("validate", "--root", str(base_repo), "--today", TODAY.isoformat())
    assert code == 1
    assert output.splitlines()[0] == (
        "roadmap/quick-setup.yaml:6:10: error PO204 horizon: 'noww' is not one of: now, next, later (did you mean 'now'?)"
    )


def test_strict_fails_on_warnings(base_repo: Path) -> None:
    playbook = base_repo / "processes" / "launch-readiness.yaml"
    playbook.write_text(playbook.read_text().replace("last_reviewed: 2026-10-01", "last_reviewed: 2025-01-01"))
    args = ("validate", "--root", str(base_repo), "--today", TODAY.isoformat())
    assert invoke(*args)[0] == 0
    assert invoke(*args, "--strict")[0] == 1


def test_paths_limit_the_report_but_references_resolve_globally(base_repo: Path) -> None:
    (base_repo / "roadmap" / "setup-api.yaml").write_text("id: [broken\n")
    item = base_repo / "roadmap" / "quick-setup.yaml"
    code, output = invoke("validate", "--root", str(base_repo), "--today", TODAY.isoformat(), str(item))
    assert output == (
        "1 file checked: no problems (process rules were not run: other files have errors; "
        "`prodops validate` lists them)\n"
    )
    assert code == 0
    code, output = invoke("validate", "--root", str(base_repo), str(base_repo / "roadmap" / "setup-api.yaml"))
    assert code == 1 and "PO101" in output


def test_path_outside_the_repository_is_a_usage_error(base_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("id: x\n")
    code, output = invoke("validate", "--root", str(base_repo), str(outside))
    assert code == 2
    assert "is outside the repository" in output


def test_missing_path_is_reported(base_repo: Path) -> None:
    code, output = invoke("validate", "--root", str(base_repo), str(base_repo / "roadmap" / "nope.yaml"))
    assert code == 1
    assert output.startswith("roadmap/nope.yaml: error PO109 no such file")


def test_unknown_option_is_a_usage_error() -> None:
    assert invoke("validate", "--no-such-option")[0] == 2


def test_json_format(base_repo: Path) -> None:
    item = base_repo / "roadmap" / "quick-setup.yaml"
    item.write_text(item.read_text().replace("owner: ana-pm", "owner: nobody"))
    code, output = invoke("validate", "--root", str(base_repo), "--today", TODAY.isoformat(), "--format", "json")
    assert code == 1
    assert json.loads(output) == [
        {
            "file": "roadmap/quick-setup.yaml",
            "line": 8,
            "column": 8,
            "severity": "error",
            "code": "PO410",
            "message": "owner: 'nobody' is not a member of any team",
            "hint": "use the Git host handle of a member listed in processes/teams/, or add the person to their team",
        }
    ]


def test_github_format_escapes_workflow_commands(base_repo: Path) -> None:
    item = base_repo / "roadmap" / "quick-setup.yaml"
    item.write_text(item.read_text().replace("status: in-progress", "status: 'a,b:%'"))
    code, output = invoke("validate", "--root", str(base_repo), "--format", "github")
    assert code == 1
    first = output.splitlines()[0]
    assert first.startswith("::error file=roadmap/quick-setup.yaml,line=5,col=9,title=PO204::status: 'a,b:%25'")
    assert "%0A" in first  # the hint is on a second line of the same annotation


def test_configuration_changes_severity(base_repo: Path) -> None:
    (base_repo / "prodops.toml").write_text('[severity]\nPO411 = "error"\n')
    playbook = base_repo / "processes" / "launch-readiness.yaml"
    playbook.write_text(playbook.read_text().replace("last_reviewed: 2026-10-01", "last_reviewed: 2025-01-01"))
    code, output = invoke("validate", "--root", str(base_repo), "--today", TODAY.isoformat())
    assert code == 1
    assert "error PO411" in output


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[severity]\nPO999 = "error"\n', "prodops: prodops.toml: unknown rule 'PO999' in severity"),
        ('[severity]\nPO101 = "off"\n', "prodops: prodops.toml: PO101 is a structural check"),
        (
            '[severity]\nPO411 = "loud"\n',
            "prodops: prodops.toml: severity of PO411 must be one of error, warning, info, off",
        ),
        ("playbook-review-days = 0\n", "prodops: prodops.toml: 'playbook-review-days' must be a whole number of days"),
        ("colour = true\n", "prodops: prodops.toml: unknown setting 'colour'"),
        ("[broken\n", "prodops: prodops.toml: cannot read the configuration"),
    ],
)
def test_bad_configuration_is_a_clear_error(base_repo: Path, config: str, message: str) -> None:
    (base_repo / "prodops.toml").write_text(config)
    code, output = invoke("validate", "--root", str(base_repo))
    assert code == 1
    assert output.startswith(message)


def _explode(message: str) -> Callable[..., None]:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(message)

    return explode


def test_internal_error_is_short_and_logged_in_the_cache_folder(
    base_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "build", _explode("boom"))
    result = CliRunner().invoke(cli, ["validate", "--root", str(base_repo), "--format", "json"])
    assert result.exit_code == 3
    log = base_repo / ".prodops-cache" / "prodops.log"
    assert result.output == (
        "prodops: internal error (a bug in prodops, not in your files): RuntimeError; "
        f"please report it with the log; details in {log}\n"
    )
    text = log.read_text()
    assert text.startswith(
        f"### version information\n\nprodops version: {__version__}\nPython version: {sys.version.split()[0]}"
    )
    assert f"platform: {platform.platform()}" in text
    assert f"### command line\n\ncli validate --root {base_repo} --format json\n" in text
    assert "An unexpected error has occurred: RuntimeError: boom\n" in text
    assert "Traceback (most recent call last):" in text and text.endswith("RuntimeError: boom\n")
    assert (base_repo / ".prodops-cache" / ".gitignore").read_text().endswith("*\n")  # never committed
    # The next crash replaces the log: one stable place to look.
    monkeypatch.setattr(pipeline, "build", _explode("bang"))
    assert CliRunner().invoke(cli, ["validate", "--root", str(base_repo)]).exit_code == 3
    assert "RuntimeError: bang" in log.read_text() and "boom" not in log.read_text()
    assert sorted(p.name for p in log.parent.iterdir()) == [".gitignore", "prodops.log"]


def test_crash_log_masks_urls_nobody_named_as_secret(base_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = "https://hooks.slack.com/services/T0CANARY1/B0CANARY2/s3cr3tCanaryToken"
    monkeypatch.setattr(pipeline, "build", _explode(f"cannot reach {hook} nor smtp://bot:canary-Pa55@mail.example:587"))
    assert CliRunner().invoke(cli, ["validate", "--root", str(base_repo)]).exit_code == 3
    text = (base_repo / ".prodops-cache" / "prodops.log").read_text()
    assert text.endswith("RuntimeError: cannot reach https://hooks.slack.com/*** nor smtp://bot:***@mail.example:587\n")
    assert "CANARY" not in text and "s3cr3t" not in text and "Pa55" not in text


def test_crash_log_goes_to_the_user_cache_when_the_repository_is_not_writable(
    base_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (base_repo / ".prodops-cache").write_text("a file where the cache folder would be\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(pipeline, "build", _explode("boom"))
    result = CliRunner().invoke(cli, ["validate", "--root", str(base_repo)])
    assert result.exit_code == 3
    log = tmp_path / "xdg" / "prodops" / "prodops.log"
    assert result.output.endswith(f"details in {log}\n")
    assert "RuntimeError: boom" in log.read_text()


WITHIN_REFUSED = [
    ("99999999999999d", "99999999999999d reaches past the last date there is (9999-12-31); give fewer days"),
    ("2912118d", "2912118d reaches past the last date there is (9999-12-31); give fewer days"),
    ("9" * 5000 + "d", "reaches past the last date there is (9999-12-31); give fewer days"),
    ("30dd", "'30dd' is not a number of days; write it like 30d"),
    ("-5d", "'-5d' is not a number of days; write it like 30d"),
]


def test_report_launches_within_too_far_or_not_days_is_a_usage_error(base_repo: Path) -> None:
    def report(within: str) -> tuple[int, str]:
        return invoke("report", "launches", "--root", str(base_repo), "--today", TODAY.isoformat(), "--within", within)

    for within, message in WITHIN_REFUSED:
        code, output = report(within)
        assert code == 2, output
        assert "Invalid value for '--within': " in output and message in output
    for within in ("30", "30d", "2912117d"):  # the last one reaches 9999-12-31, the last date there is
        code, output = report(within)
        assert code == 0, output
        assert output.startswith("# Launches from 2026-11-22 to ")


def test_not_in_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("validate")
    assert code == 1
    assert "not inside an ops repository" in output


def test_rules_lists_every_check() -> None:
    code, output = invoke("rules")
    assert code == 0
    for check in [*CHECKS, *REGISTRY]:
        assert f"\n{check}  " in f"\n{output}"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "prodops", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "validate" in result.stdout


def test_the_console_script_passes_on_exit_codes_and_all_output(tmp_path: Path) -> None:
    """`main` ends the process without tearing it down; what was printed must still arrive."""
    repo = assemble(FIXTURES / "invalid" / "PO203-wrong-types", tmp_path / "repo")
    run = [sys.executable, "-m", "prodops", "validate", "--today", TODAY.isoformat(), "--no-cache"]
    bad = subprocess.run(run, capture_output=True, text=True, check=False, cwd=repo)
    assert bad.returncode == 1
    assert bad.stdout.endswith(
        "8 files checked: 3 errors, 0 warnings (process rules run once these errors are fixed)\n"
    )
    assert "PO203" in bad.stdout
    usage = subprocess.run([*run, "--format", "nope"], capture_output=True, text=True, check=False, cwd=repo)
    assert usage.returncode == 2 and "Invalid value for '--format'" in usage.stderr
    alone = subprocess.run([*run, "roadmap/setup-api.yaml"], capture_output=True, text=True, check=False, cwd=repo)
    assert (alone.returncode, alone.stdout) == (
        0,
        "1 file checked: no problems (process rules were not run: other files have errors; "
        "`prodops validate` lists them)\n",
    )


def test_the_command_tables_are_the_one_registry_of_commands() -> None:
    import importlib

    import click

    assert [name for name, _ in all_commands()] == sorted(COMMANDS)
    named = {**COMMANDS, **{f"report {name}": target for name, target in REPORTS.items()}}
    defined = {id(cli)}  # the group itself
    for name, target in named.items():
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), name
        assert command.name == name.split()[-1], (name, command.name)
        defined.add(id(command))
    for module in sorted({target.partition(":")[0] for target in named.values()}):
        loaded = importlib.import_module(module)
        inner = {id(sub) for v in vars(loaded).values() if isinstance(v, click.Group) for sub in v.commands.values()}
        for attribute, value in vars(loaded).items():
            if isinstance(value, click.Command) and id(value) not in defined | inner:
                raise AssertionError(f"{module}:{attribute} is a command missing from COMMANDS or REPORTS")
    package = REPO_ROOT / "tooling" / "prodops"
    for path in [package / "cli.py", *sorted((package / "commands").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        for added_elsewhere in ("@cli.command", "@cli.group", ".add_command("):
            assert added_elsewhere not in text, f"{path.name} adds a command outside the tables: {added_elsewhere}"


@pytest.mark.parametrize(
    "words", [[name] for name in sorted(COMMANDS)] + [["report", name] for name in sorted(REPORTS)]
)
def test_every_command_in_the_tables_has_help_and_the_readme_names_it(words: list[str]) -> None:
    result = CliRunner().invoke(cli, [*words, "--help"], prog_name="prodops")
    assert result.exit_code == 0, result.output
    assert f"Usage: prodops {' '.join(words)} " in result.output
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"prodops {words[0]}" in readme, f"the README does not name `prodops {words[0]}`"


def test_validate_does_not_import_the_site_or_writing_code() -> None:
    code = (
        "import sys; from prodops.cli import cli; "
        "cli.main(['validate', '--help'], standalone_mode=False); "
        "print(sorted(m for m in sys.modules if m.startswith(('jinja2', 'prodops.commands', 'prodops.render'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_help_with_an_example() -> None:
    assert isinstance(cli, __import__("click").Group)
    for name, command in all_commands():
        assert command.help and "Example:" in command.help, name


class _Terminal:
    def __init__(self) -> None:
        self.written = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.written += text

    def flush(self) -> None:
        pass


def test_progress_shows_on_a_terminal_after_the_delay_and_is_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from prodops.report import Progress

    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = _Terminal()
    with Progress(terminal, "checking", delay=0.01):  # type: ignore[arg-type]
        time.sleep(0.2)
    assert terminal.written == "checking…\r\033[K"
    quick = _Terminal()
    with Progress(quick, "checking", delay=5):  # type: ignore[arg-type]
        pass
    assert quick.written == ""
    monkeypatch.setenv("NO_COLOR", "1")
    quiet = _Terminal()
    with Progress(quiet, "checking", delay=0.01):  # type: ignore[arg-type]
        time.sleep(0.1)
    assert quiet.written == ""


def test_a_broken_schema_is_a_clear_error(base_repo: Path) -> None:
    schema = base_repo / "schemas" / "team.schema.json"
    schema.write_text(schema.read_text().replace('"type": "object",', '"type": 12,', 1))
    code, output = invoke("validate", "--root", str(base_repo))
    assert code == 1
    assert output.startswith("prodops: schemas/team.schema.json: not a valid JSON Schema:")

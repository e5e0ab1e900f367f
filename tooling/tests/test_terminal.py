"""Text from Git and from imported files cannot drive the terminal: every command writes through ``terminal.echo``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY
from test_feedback_import import small_repo
from test_history import build, commit, git, item

from prodops import terminal
from prodops.cli import cli

ERASE = "\x1b[2K\r"
LINK = "\x1b]8;;https://evil.example/\x07"
RTL = "\u202e"
HOSTILE = f"Eve{ERASE}{LINK}Ana\x01Admin{RTL}"  # \x01: what the history log once split on
# What must never reach a terminal raw: ESC, BEL, a lone carriage return, C1, the bidi overrides.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def test_clean_writes_controls_as_visible_escapes() -> None:
    assert terminal.clean(f"a{ERASE}b") == "a\\u001b[2K\\u000db"
    assert terminal.clean(f"{LINK}x") == "\\u001b]8;;https://evil.example/\\u0007x"
    assert terminal.clean(f"{RTL}fdp.exe\x9b\x7f") == "\\u202efdp.exe\\u009b\\u007f"
    assert terminal.clean("two\nlines\tand a CRLF\r\n") == "two\nlines\tand a CRLF\r\n"


def test_styled_text_keeps_only_colours() -> None:
    runner = CliRunner()
    with runner.isolation(color=True) as (out, _, _):
        terminal.echo(f"\x1b[31merror\x1b[0m {ERASE}", styled=True, nl=False)
        assert out.getvalue().decode() == "\x1b[31merror\x1b[0m \\u001b[2K\\u000d"


def test_no_module_but_terminal_writes_to_the_terminal() -> None:
    package = REPO_ROOT / "tooling" / "prodops"
    writers = re.compile(r"click\.(echo|secho)\(|\bprint\(|sys\.std(out|err)\.write\(")
    found = [
        f"{path.relative_to(package)}:{n}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "terminal.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writers.search(line)
    ]
    assert found == []


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_git_author_names_and_subjects_cannot_drive_the_terminal(tmp_path: Path) -> None:
    repo = build(tmp_path)
    base = git(repo, "rev-parse", "HEAD").strip()
    plain = item("alpha", "payments", "shipped", "now", "2026-11-30")
    alpha = plain.replace("title: Alpha", 'title: "Alpha\\e[2K\\r\\u202e"')  # YAML's escapes: a valid file
    assert alpha != plain
    commit(repo, "2026-10-05", HOSTILE, {"roadmap/alpha.yaml": alpha})
    git(repo, "commit", "-q", "--amend", "-m", f"Replan{ERASE}{LINK}ok{RTL}", day="2030-01-01", author=HOSTILE)
    outputs = {
        "history": run("history", "alpha", "--root", str(repo)),
        "digest": run("digest", "--since", "2026-10-01", "--root", str(repo)),
        "diff": run("diff", base, "--root", str(repo)),
        "check-dates": run("check-dates", f"{base}..HEAD", "--root", str(repo)),
    }
    for name, (_, out) in outputs.items():
        assert RAW.search(out) is None, f"{name}: {out!r}"
    assert "Eve\\u001b[2K\\u000d\\u001b]8;;https://evil.example/\\u0007Ana\\u0001Admin\\u202e" in outputs["history"][1]
    assert "Eve\\u001b\\[2K \\u001b\\]8;;" in outputs["digest"][1]  # Markdown-escaped too
    assert "Alpha\\u001b[2K \\u202e" in outputs["diff"][1]
    assert "Replan\\u001b[2K\\u000d\\u001b]8;;" in outputs["check-dates"][1]


def test_an_import_error_quoting_a_cell_cannot_drive_the_terminal(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    export = tmp_path / "export.csv"
    export.write_text(
        f"body{LINK}{RTL}{ERASE},date,account\nSplit the invoice,2026-10-02,Brightwave\n", encoding="utf-8"
    )
    code, out = run(
        "feedback", "import", str(export), "--source", "generic", "--root", str(repo), "--today", TODAY.isoformat()
    )
    assert code == 1 and RAW.search(out) is None, out
    assert "body\\u001b]8;;https://evil.example/\\u0007\\u202e\\u001b[2K" in out  # CSV ends the row at CR
    metrics = tmp_path / "metrics.csv"
    metrics.write_text(f"metric,date,value\nactivation{LINK}{RTL}\x9b2K,2026-11-20,36\n", encoding="utf-8")
    code, out = run("metrics", "import", str(metrics), "--root", str(repo), "--today", TODAY.isoformat())
    assert code == 1 and RAW.search(out) is None, out
    assert "activation\\x1b]8;;https://evil.example/\\x07\\u202e\\x9b2K" in out  # as diagnostics write it


def test_exact_data_is_exact_in_a_pipe_and_clean_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    with runner.isolation() as (out, _, _):
        terminal.echo(f"a,{ERASE}", exact=True, nl=False)
        assert out.getvalue().decode() == f"a,{ERASE}"  # --raw-csv into a pipe: the cells as they are
    monkeypatch.setattr(terminal, "_is_terminal", lambda stream: True)
    with runner.isolation() as (out, _, _):
        terminal.echo(f"a,{ERASE}", exact=True, nl=False)
        assert out.getvalue().decode() == "a,\\u001b[2K\\u000d"

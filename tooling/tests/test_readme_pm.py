"""The README's PM section works as written: every `prodops` command in its blocks runs on a copy of the example."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_TODAY, REPO_ROOT, copy_example

PRODOPS = str(Path(sys.executable).parent / "prodops")
TOOLING = str(Path(__file__).resolve().parents[1])
SECTION = "## Changing the roadmap (for PMs)"

# What a person types at the commands that ask (one answer a line); the rest ask nothing.
ANSWERS = {
    "new roadmap-item": "Faster refunds\n\nRefunds take a week because finance approves each one.\nidea\nlater\n"
    "payments\nkavya-iyer\n\n\n\n",
    "checkin --team payments": "45\n0.6\nDecember is slow\n" + "\n" * 12,
}
# The files the commands read, as the PM would have written them.
FILES = {"checkins.csv": "kr,value,confidence,note\n2026-q4-payments-usage-billing.kr1,21,0.7,Three more partners\n"}


def commands(readme: str) -> list[list[str]]:
    """Every `prodops …` line of the section's fenced blocks, as arguments (comments dropped)."""
    start = readme.index(SECTION)
    end = readme.index("\n## ", start + len(SECTION))
    found: list[list[str]] = []
    inside = False
    for line in readme[start:end].splitlines():
        if line.startswith("```"):
            inside = not inside
            continue
        words = shlex.split(line, comments=True) if inside else []
        if words and words[0] == "prodops":
            found.append(words[1:])
    return found


COMMANDS = commands((REPO_ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_section_shows_the_week() -> None:
    shown = {" ".join(args[:2]) for args in COMMANDS}
    assert {
        "checkin --team",
        "checkin --owner",
        "new roadmap-item",
        "add dunning-for-smb",
        "move dunning-for-smb",
    } <= shown
    assert ["freshness", "--out", "build/freshness"] in COMMANDS


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[str], subprocess.CompletedProcess[str]]]:
    repo = copy_example(tmp_path_factory.mktemp("readme") / "ops")
    for name, text in FILES.items():
        (repo / name).write_text(text, encoding="utf-8")
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(repo.parent), "PYTHONPATH": TOOLING}
    ran = []
    for args in COMMANDS:
        # Run in the repository, as a PM would, in order: each command sees what the ones before wrote.
        result = subprocess.run(
            [PRODOPS, *args, "--today", EXAMPLE_TODAY.isoformat()],
            cwd=repo,
            input=ANSWERS.get(" ".join(args), ""),
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        ran.append((args, result))
    return ran


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=[" ".join(a)[:60] for a in COMMANDS])
def test_each_command_of_the_section_runs(
    outcomes: list[tuple[list[str], subprocess.CompletedProcess[str]]], index: int
) -> None:
    args, result = outcomes[index]
    shown = f"prodops {shlex.join(args)}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in shown and "Usage:" not in shown, shown
    assert result.returncode == 0, shown


def test_the_week_does_what_the_section_says(
    outcomes: list[tuple[list[str], subprocess.CompletedProcess[str]]],
) -> None:
    said = {" ".join(args[:2]): result.stdout for args, result in outcomes}
    assert (
        "okrs/2026-Q4/2026-q4-payments-faster-collections.yaml: checked in "
        "2026-q4-payments-faster-collections.kr1: 45 at confidence 0.6\n1 check-in written to 1 file\n"
    ) in said["checkin --team"]
    assert "checked in 2026-q4-payments-usage-billing.kr1: 21 at confidence 0.7\n" in said["checkin --owner"]
    assert said["new roadmap-item"].count("wrote roadmap/") == 1
    assert "roadmap/insights/manual-payment-matching.yaml: addressed_by: added dunning-for-smb\n" in "".join(
        result.stdout for args, result in outcomes if args[:2] == ["new", "roadmap-item"]
    )
    assert (
        said["add dunning-for-smb"] == "roadmap/insights/gentler-reminders.yaml: addressed_by: added dunning-for-smb\n"
    )
    assert said["remove gentler-reminders"] == (
        "roadmap/insights/gentler-reminders.yaml: addressed_by: removed dunning-for-smb\n"
    )
    assert said["move dunning-for-smb"] == "roadmap/dunning-for-smb.yaml: moved to next\n"

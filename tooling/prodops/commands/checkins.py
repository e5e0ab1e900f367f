"""`prodops checkin --team/--owner/--mine/--from`: a whole check-in session written as one change."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from prodops import authoring, pipeline, report, teamcheckin, terminal, values
from prodops.cli import EXIT_PROBLEMS
from prodops.diagnostics import ProdopsError
from prodops.suggest import did_you_mean


def session(
    repo: Path,
    team: str | None,
    owner: str | None,
    mine: bool,
    answers_file: Path | None,
    author: str,
    when: date | None,
    today: date | None,
) -> None:
    """Walk the key results due (asking, or reading ``answers_file``), then write every answer as one change."""
    day = today or date.today()
    catalog = pipeline.build(repo, today=day, use_cache=True).catalog
    if team is not None and team not in catalog.teams:
        raise ProdopsError(f"no team '{team}'{did_you_mean(team, sorted(catalog.teams))}")
    if owner is not None and owner not in catalog.people:
        raise ProdopsError(f"'{owner}' is no team member{did_you_mean(owner, sorted(catalog.people))}")
    me = author or authoring.git_author(repo) or ""
    if mine:
        if not me:
            name, email = authoring.git_user(repo)
            who = " ".join(p for p in (name, f"<{email}>" if email else "") if p) or "(not set)"
            raise ProdopsError(
                f"--mine: the Git user {who} is no team member\n"
                "    hint: add yourself to a team's members (processes/teams/) with your handle or name, "
                "or pass --owner HANDLE"
            )
        owner = me
    dues = teamcheckin.due(catalog, day, team, owner)
    whose = " and ".join(w for w in (f"team {team}" if team else "", f"{owner}" if owner else "") if w)
    if answers_file is None and not dues:
        terminal.echo(f"no key results of {whose or 'anyone'} in a period that contains {day}; nothing to check in")
        return
    if answers_file is not None:
        answers = teamcheckin.read_answers(answers_file, answers_file.name, [d.ref for d in dues])
    else:
        answers = [_ask(d, index, len(dues)) for index, d in enumerate(dues, 1)]
        terminal.echo("")
    edits, recorded = teamcheckin.transforms(dues, answers, when or day, me)
    if not edits:
        terminal.echo("nothing to record; nothing was written")
        return
    outcome = authoring.apply_many(repo, edits, today)
    if outcome.problems:
        terminal.echo(report.render_lines(outcome.problems), nl=False, err=True)
        terminal.echo(
            f"prodops: nothing was written: the check-ins would add the problems above ({len(outcome.problems)})",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    for found, answer in recorded:
        value = answer.value if answer.value is not None else teamcheckin.number(found.kr.current)
        confidence = answer.confidence if answer.confidence is not None else found.kr.confidence
        shown = f" at confidence {confidence:g}" if confidence is not None else ""
        terminal.echo(f"{found.objective.file}: checked in {found.ref}: {value:g}{shown}")
    files = len({found.objective.file for found, _ in recorded})
    terminal.echo(
        f"{len(recorded)} check-in{'s' if len(recorded) != 1 else ''} written to {files} file{'s' if files != 1 else ''}"
    )
    if outcome.caused:
        terminal.echo(report.caused(outcome.caused), nl=False)


def _ask(found: teamcheckin.Due, index: int, total: int) -> teamcheckin.Answer:
    kr = found.kr
    confidence = f"{kr.confidence:g}" if kr.confidence is not None else "none"
    terminal.echo(f"\n[{index}/{total}] {found.ref}: {kr.title}")
    terminal.echo(
        f"    last {found.last}; target {values.number_text(kr.target)} {kr.unit}; "
        f"progress {kr.progress:.0%} at pace {found.pace:.0%}; confidence {confidence}"
    )
    value = _prompt("value", teamcheckin.check_value, f"{teamcheckin.number(kr.current):g}")
    conf = _prompt("confidence", teamcheckin.check_confidence, confidence)
    note = _prompt("note", teamcheckin.check_note, "")
    return teamcheckin.Answer(found.ref, value, conf, note or "")


def _prompt(name: str, check: Callable[[str], Any], current: str) -> Any:
    def proc(text: str) -> Any:
        try:
            return check(text)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None

    hint = f"Enter keeps {current}" if current else "Enter to skip"
    result: Any = click.prompt(f"  {name} [{hint}]", default="", show_default=False, value_proc=proc)
    return None if result == "" else result

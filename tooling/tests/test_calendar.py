"""The planning calendar: period arithmetic, its declaration in the schemas, and repositories in other cadences."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT
from test_history import commit, git
from test_reviews import pages

from prodops import calendar as cal
from prodops import recadence
from prodops.catalog import Catalog
from prodops.cli import cli

PACKAGE = REPO_ROOT / "tooling" / "prodops"


# -- the arithmetic ------------------------------------------------------------------------------


def test_quarters_are_the_default_and_parse_in_any_case() -> None:
    q = cal.DEFAULT.parse("2026-q4")
    assert q is not None and str(q) == "2026-Q4" and (q.start, q.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert cal.DEFAULT.containing(date(2026, 2, 28)) == cal.DEFAULT.parse("2026-Q1")
    assert str(cal.DEFAULT.next(q)) == "2027-Q1" and str(cal.DEFAULT.previous(q)) == "2026-Q3"
    assert cal.DEFAULT.parse("2025-H2") is None and cal.DEFAULT.parse("Q3") is None
    assert cal.DEFAULT.pattern == "^[1-9][0-9]{3}-Q[1-4]$"  # the shipped schema's pattern, unchanged


def test_half_years_and_years_nest() -> None:
    halves = cal.Calendar(("half", "year"))
    h2 = halves.parse("2025-h2")
    assert h2 is not None and (h2.start, h2.end) == (date(2025, 7, 1), date(2025, 12, 31))
    year = halves.parse("2026")
    assert year is not None and (year.start, year.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert [str(p) for p in halves.all_containing(date(2026, 12, 2))] == ["2026-H2", "2026"]
    assert re.fullmatch(halves.pattern.strip("^$"), "2025-H2") and re.fullmatch(halves.pattern.strip("^$"), "2026")
    assert halves.parse("2026-Q4") is None  # not a kind this calendar declares


def test_fiscal_years_are_named_by_the_year_they_end_in() -> None:
    fiscal = cal.Calendar(("quarter", "year"), fiscal_start=4)
    q1 = fiscal.parse("fy27-q1")
    assert q1 is not None and str(q1) == "FY27-Q1" and (q1.start, q1.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert str(fiscal.containing(date(2027, 3, 31))) == "FY27-Q4"
    assert str(fiscal.containing(date(2027, 4, 1), "year")) == "FY28"
    assert fiscal.parse("2026-Q1") is None  # a fiscal calendar writes FYnn
    assert [str(p) for p in fiscal.between(date(2026, 3, 1), date(2026, 7, 1))] == ["FY26-Q4", "FY27-Q1", "FY27-Q2"]


def test_cycles_count_weeks_from_the_first_cycle() -> None:
    cycles = cal.Calendar(("cycle",), cycle_weeks=6, first_cycle=date(2026, 1, 5))
    c1 = cycles.parse("c1")
    assert c1 is not None and (c1.start, c1.end) == (date(2026, 1, 5), date(2026, 2, 15))
    assert str(cycles.containing(date(2026, 12, 2))) == "C8"
    assert str(cycles.next(c1)) == "C2"
    # No cycle before the first one is listed (a quarter spanning the start would otherwise show C0).
    assert [str(p) for p in cycles.between(date(2025, 12, 1), date(2026, 3, 1))] == ["C1", "C2"]


@pytest.mark.parametrize(
    ("declared", "problem"),
    [
        ({"periods": ["month"]}, "'periods' must be a non-empty list"),
        ({"periods": ["quarter"], "fiscal-year-start": "aprl"}, "'fiscal-year-start' must be a month's name"),
        ({"periods": ["cycle"], "first-cycle": "2026-01-05"}, "'cycle-weeks' must be a whole number"),
        ({"periods": ["quarter"], "cycle-weeks": 6}, "need \"cycle\" in 'periods'"),
        ({"period": ["quarter"]}, "unknown key 'period'"),
        (["quarter"], "must be a mapping"),
    ],
)
def test_a_bad_declaration_says_what_is_wrong(declared: object, problem: str) -> None:
    found, problems = cal.from_declaration(declared)
    assert found == cal.DEFAULT and any(problem in p for p in problems), problems


def test_declare_changes_only_the_period_definition() -> None:
    shipped = (REPO_ROOT / "schemas" / "common.schema.json").read_text(encoding="utf-8")
    halves = cal.Calendar(("half", "year"))
    written = cal.declare(shipped, halves)
    assert written is not None
    assert written[: shipped.index('"period"')] == shipped[: shipped.index('"period"')]
    assert written[written.index('"person"') :] == shipped[shipped.index('"person"') :]
    assert (
        f'"pattern": "{halves.pattern}"' in written and '"x-prodops-calendar": {"periods": ["half", "year"]}' in written
    )
    defs = json.loads(written)["$defs"]
    assert defs["period"]["examples"] == ["2026-H2", "2026"] and defs.keys() == json.loads(shipped)["$defs"].keys()


# -- no period arithmetic outside the calendar -----------------------------------------------------

# Quarter labels put together by hand, months divided by three, periods of the default calendar
# parsed where the repository's calendar should be asked.
_ARITHMETIC = re.compile(
    r"""-Q\{|-Q["'\[(]|f["'][^"'\n]*-Q|month\s*-\s*1\)\s*//\s*3|//\s*3\b|\*\s*3\s*[-+]|Period\.(parse|containing)\("""
)


def test_no_period_arithmetic_outside_the_calendar_module() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "calendar.py" and path.parent == PACKAGE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _ARITHMETIC.search(line.split("#", 1)[0]):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not found, "period arithmetic belongs in prodops/calendar.py:\n" + "\n".join(found)


# -- repositories in other cadences ----------------------------------------------------------------

CASES = {
    # cadence: (init options, today, the periods the home page shows, the objective's period)
    "half": (["--calendar", "half"], "2026-12-02", ["2026-H2", "2026"], "2026-H2"),
    "fiscal": (["--calendar", "fiscal", "--fiscal-start", "april"], "2026-05-12", ["FY27-Q1"], "FY27-Q1"),
    "cycles": (
        ["--calendar", "cycles", "--cycle-weeks", "6", "--first-cycle", "2026-01-05"],
        "2026-12-02",
        ["C8"],
        "C8",
    ),
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), (args, result.output, result.exception)
    return result.exit_code, result.output


def cadence_repo(tmp_path: Path, cadence: str) -> Path:
    """A new repository in ``cadence``, committed; the half-year one also has a yearly objective."""
    options, today, _, label = CASES[cadence]
    root = tmp_path / cadence
    assert run("init", str(root), "--name", "Acme", "--today", today, *options)[0] == 0
    objective = label.lower() + "-activation"
    if cadence == "half":  # a yearly goal beside the half-year one, as an organisation planning both has
        text = (root / "okrs" / f"{objective}.yaml").read_text(encoding="utf-8")
        yearly = text.replace(objective, "2026-growth").replace(f"period: {label}", 'period: "2026"')
        (root / "okrs" / "2026-growth.yaml").write_text(yearly, encoding="utf-8")
        _records_no_confidence_and_an_objective_status(root)
    git(root, "init", "-q", "-b", "main", day=today)
    git(root, "add", "-A", day=today)
    git(root, "commit", "-q", "-m", "Start", day=today)
    return root


def _records_no_confidence_and_an_objective_status(root: Path) -> None:
    """As the organisation that plans in halves and years does: no key result records a confidence, and each
    objective carries a status of its own (proposed, accepted, not-accepted)."""
    schema = root / "schemas" / "objective.schema.json"
    text = schema.read_text(encoding="utf-8")
    assert text.count(', "confidence"]') == 2  # the key results' and the check-ins' required lists
    text = text.replace(', "confidence"]', "]")
    status = (
        '"status": {"type": "string", "enum": ["proposed", "accepted", "not-accepted"], '
        '"description": "Whether the goal was accepted at planning."}, '
    )
    text = text.replace('"properties": {', '"properties": {' + status, 1)
    schema.write_text(text, encoding="utf-8")
    for path in (root / "okrs").glob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.lstrip().startswith("confidence:")]
        at = next(i for i, line in enumerate(kept) if line.startswith("level:"))
        kept.insert(at + 1, "status: accepted\n" if "2026-growth" not in path.name else "status: proposed\n")
        path.write_text("".join(kept), encoding="utf-8")


@pytest.mark.parametrize("cadence", sorted(CASES))
def test_every_command_reads_the_repository_in_its_cadence(cadence: str, tmp_path: Path) -> None:
    _, today, shown, label = CASES[cadence]
    root = cadence_repo(tmp_path, cadence)
    objective = label.lower() + "-activation"
    common = ["--root", str(root), "--today", today]
    code, out = run("validate", *common)
    assert (code == 0 and " 0 errors" in out) or out.endswith("checked: no problems\n"), out
    # --period in the repository's own notation, in any case
    out = run("list", "objective", "--period", label.lower(), *common)[1]
    assert objective in out
    assert run("report", "okrs", "--period", label.lower(), *common)[1].startswith(f"# OKR review {label}\n")
    assert run("report", "okrs", *common)[1].startswith(f"# OKR review {shown[0]}\n")
    wrong = CliRunner().invoke(cli, ["report", "okrs", "--period", "1999-Q9", *common])
    assert wrong.exit_code == 2 and "is not a" in wrong.output  # a usage error naming the notation
    for args in (
        ["show", objective, *common],
        ["show", objective, "--as-of", today, "--root", str(root)],
        ["list", "roadmap-item", "--as-of", today, "--root", str(root)],
        ["list", "objective", "--as-of", today, "--period", label.lower(), "--root", str(root)],
        ["trace", f"{objective}.kr1", *common],
        ["history", "guided-setup", "--root", str(root)],
        ["digest", *common],
        ["diff", "HEAD", *common],
        ["report", "quarter", *common],
        ["report", "calibration", *common],
        ["report", "launches", *common],
        ["export", "--format", "json", "--out", str(tmp_path / "out.json"), *common],
        ["export", "--format", "csv", "--out", str(tmp_path / "csv"), *common],
    ):
        assert run(*args)[0] == 0, args
    assert run("render", "--out", str(tmp_path / "site"), *common)[0] == 0
    docs = tmp_path / "site" / "docs"
    home = (docs / "index.md").read_text(encoding="utf-8")
    assert f"## Objectives for {' and '.join(shown)}" in home
    assert f'href="objective/{objective}.html"' in home
    if cadence == "half":
        assert 'href="objective/2026-growth.html"' in home  # the yearly goal is current too
        # No confidence recorded: said so, never invented; the adopter's objective status shown and filtered.
        assert "no confidence" in run("show", objective, *common)[1]
        accepted = run("list", "objective", "--where", "status=accepted", *common)[1]
        assert objective in accepted and "2026-growth" not in accepted
        proposed = run("list", "objective", "--status", "proposed", *common)[1]
        assert "2026-growth" in proposed and objective not in proposed
        assert "accepted" in run("show", objective, *common)[1]
        page = (docs / "objective" / f"{objective}.md").read_text(encoding="utf-8")
        assert "More fields" in page and "accepted" in page
    for period in shown if cadence == "half" else [label]:
        page = (docs / "okrs" / f"{period}.md").read_text(encoding="utf-8")
        assert f'title: "OKRs {period}"' in page
    index = (docs / "okrs" / "index.md").read_text(encoding="utf-8")
    assert f'<a href="{label}.html">{label}</a> (current ' in index
    timeline = (docs / "roadmap" / "timeline.md").read_text(encoding="utf-8")
    assert f">{label.rpartition('-')[2]}</span>" in timeline  # the axis is labelled in the calendar's periods
    noun = {"half": "Period", "fiscal": "Quarter", "cycles": "Cycle"}[cadence]
    assert f"      - {noun} reviews: history/index.md\n" in (root / "mkdocs.yml").read_text(encoding="utf-8")


# -- reviews of a roadmap without objectives -------------------------------------------------------


def _item(status: str, end: str, quarter: str) -> str:
    return (
        "id: invoices\ntitle: Invoices\nproblem: Slow.\n"
        f"status: {status}\nhorizon: now\nteam: billing\ntarget:\n  quarter: {quarter}\n  end: {end}\n"
    )


def test_a_roadmap_without_objectives_has_period_reviews(tmp_path: Path) -> None:
    """An organisation with a roadmap and no OKRs gets a review of every past quarter its history covers."""
    root = tmp_path / "ops"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2026-06-20", "Ana", {"roadmap/invoices.yaml": _item("planned", "2026-08-15", "2026-Q3")})
    commit(root, "2026-07-20", "Ana", {"roadmap/invoices.yaml": _item("in-progress", "2026-09-10", "2026-Q3")})
    commit(root, "2026-09-05", "Ana", {"roadmap/invoices.yaml": _item("shipped", "2026-09-10", "2026-Q3")})
    site = pages(root, date(2026, 12, 1), Catalog())
    assert {"history/2026-Q2.md", "history/2026-Q3.md"} <= set(site)
    assert "history/2026-Q4.md" not in site  # not over yet
    index = site["history/index.md"]
    assert "No past quarter is in the history yet" not in index
    assert '<a href="2026-Q3.html">2026-Q3</a></td><td>0</td>' in index
    review = site["history/2026-Q3.md"]
    assert "<td>billing</td>" in review and "100%" in review  # in now on July 1st, shipped by September 30th
    out = run("report", "quarter", "--period", "2026-q3", "--root", str(root))[1]
    assert "| billing | 1 | 1 | 100% | 1 | 26 |" in out


def test_reviews_follow_the_declared_calendar(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    common = root / "schemas" / "common.schema.json"
    declared = cal.declare(common.read_text(encoding="utf-8"), cal.Calendar(("half", "year")))
    assert declared is not None
    common.write_text(declared, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit(root, "2026-01-10", "Ana", {"roadmap/invoices.yaml": _item("planned", "2026-05-15", "2026-H1")})
    commit(root, "2026-06-05", "Ana", {"roadmap/invoices.yaml": _item("shipped", "2026-06-01", "2026-H1")})
    site = pages(root, date(2026, 12, 1), Catalog())
    assert "history/2026-H1.md" in site and "history/2026-H2.md" not in site
    assert "2026-Q1" not in site["history/index.md"]
    assert "# Period reviews" in site["history/index.md"] and "All period reviews" in site["history/2026-H1.md"]


# -- moving a repository to another cadence ---------------------------------------------------------


def test_migrate_moves_periods_with_the_same_days_byte_exactly(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    assert run("init", str(root), "--name", "Acme", "--today", "2026-05-12")[0] == 0
    before = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    code, out = run(
        "migrate", "--root", str(root), "--today", "2026-05-12", "--calendar", "fiscal", "--fiscal-start", "april"
    )
    assert code == 0, out
    assert "okrs/2026-q2-activation.yaml:5:9: 2026-Q2 → FY27-Q1\n" in out and out.endswith("no problems\n")
    after = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".prodops-cache" not in p.parts}
    changed = {p.relative_to(root).as_posix() for p in after if after[p] != before.get(p)}
    assert changed == {"okrs/2026-q2-activation.yaml", "roadmap/guided-setup.yaml", "schemas/common.schema.json"}
    objective = root / "okrs" / "2026-q2-activation.yaml"
    assert after[objective] == before[objective].replace(b"period: 2026-Q2\n", b"period: FY27-Q1\n")
    fiscal = tmp_path / "fiscal"
    assert run("init", str(fiscal), "--today", "2026-05-12", "--calendar", "fiscal", "--fiscal-start", "april")[0] == 0
    common = "schemas/common.schema.json"  # the same declaration init writes
    assert (root / common).read_bytes() == (fiscal / common).read_bytes()


def test_migrate_lists_periods_the_new_calendar_cannot_hold_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    assert run("init", str(root), "--name", "Acme", "--today", "2026-05-12")[0] == 0
    before = {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    result = CliRunner().invoke(cli, ["migrate", "--root", str(root), "--calendar", "cycles", "--cycle-weeks", "6"])
    assert result.exit_code == 1
    assert "okrs/2026-q2-activation.yaml:5:9: error '2026-Q2': 2026-Q2 (2026-04-01 to 2026-06-30) is no single" in (
        result.stderr
    )
    assert "nothing was written" in result.stderr
    assert {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()} == before


def test_init_refuses_a_first_cycle_that_has_not_begun(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["init", str(tmp_path / "ops"), "--today", "2026-03-01", "--calendar", "cycles", "--first-cycle", "2026-04-06"],
    )
    assert result.exit_code == 1 and "--first-cycle 2026-04-06 is after today (2026-03-01)" in result.stderr
    assert not (tmp_path / "ops").exists()


def test_a_roadmap_only_organisation_reads_and_builds_with_its_history(tmp_path: Path) -> None:
    """No objectives at all: every read command works, and the site has a review of each past quarter."""
    root = tmp_path / "ops"
    assert run("init", str(root), "--name", "Acme", "--today", "2026-06-20")[0] == 0
    shutil.rmtree(root / "okrs")
    item = root / "roadmap" / "guided-setup.yaml"
    text = re.sub(r"key_results:\n(?:  - .*\n)+", "", item.read_text(encoding="utf-8"))
    git(root, "init", "-q", "-b", "main", day="2026-06-20")
    commit(root, "2026-06-20", "Ana", {"roadmap/guided-setup.yaml": text})
    commit(root, "2026-08-03", "Ana", {"roadmap/guided-setup.yaml": text.replace("end: 2026-09-23", "end: 2026-09-28")})
    shipped = text.replace("end: 2026-09-23", "end: 2026-09-28").replace("status: in-progress", "status: shipped")
    commit(root, "2026-09-28", "Ana", {"roadmap/guided-setup.yaml": shipped})
    common = ["--root", str(root), "--today", "2026-12-01"]
    assert run("validate", *common)[0] == 0
    for args in (
        ["list", "objective", "--period", "2026-q3", *common],
        ["report", "okrs", *common],
        ["history", "guided-setup", "--root", str(root)],
        ["show", "guided-setup", "--as-of", "2026-08-01", "--root", str(root)],
        ["digest", "--since", "2026-06-01", *common],
        ["report", "calibration", *common],
        ["export", "--format", "json", "--out", str(tmp_path / "out.json"), *common],
    ):
        assert run(*args)[0] == 0, args
    out = run("report", "quarter", "--period", "2026-Q3", *common)[1]
    assert "| onboarding | 1 | 1 | 100% | 1 | 5 |" in out
    assert run("render", "--out", str(tmp_path / "site"), *common)[0] == 0
    history = tmp_path / "site" / "docs" / "history"
    index = (history / "index.md").read_text(encoding="utf-8")
    assert "No past quarter is in the history yet" not in index
    assert '<a href="2026-Q3.html">2026-Q3</a>' in index and '<a href="2026-Q2.html">2026-Q2</a>' in index
    review = (history / "2026-Q3.md").read_text(encoding="utf-8")
    assert "<td>onboarding</td>" in review and "No objective for 2026-Q3" in review
    for audience in ("internal", "public"):  # both site builds, through MkDocs
        assert run("build", "--root", str(root), "--audience", audience)[0] == 0, audience
    assert (root / "build" / "site" / "history" / "2026-Q3.html").is_file()


def test_a_half_year_team_goal_may_serve_a_yearly_company_goal(tmp_path: Path) -> None:
    root = cadence_repo(tmp_path, "half")
    text = (root / "okrs" / "2026-h2-activation.yaml").read_text(encoding="utf-8")
    team = text.replace("2026-h2-activation", "2026-h2-team").replace(
        "level: company\n", "level: team\nteam: onboarding\nparents:\n  - objective: 2026-growth\n"
    )
    (root / "okrs" / "2026-h2-team.yaml").write_text(team, encoding="utf-8")
    out = run("validate", "--root", str(root), "--today", "2026-12-02")[1]
    assert "PO414" not in out, out
    # The other way round, a yearly team goal under a half-year company goal, is not aligned.
    yearly = team.replace("period: 2026-H2", 'period: "2026"').replace(
        "objective: 2026-growth", "objective: 2026-h2-activation"
    )
    (root / "okrs" / "2026-h2-team.yaml").write_text(yearly, encoding="utf-8")
    code, out = run("validate", "--root", str(root), "--today", "2026-12-02")
    assert code == 1 and "parent '2026-h2-activation' belongs to 2026-H2, this objective to 2026" in out


def test_migrate_renames_the_reviews_in_the_navigation_and_keeps_a_label_of_ones_own(tmp_path: Path) -> None:
    root = tmp_path / "ops"
    assert run("init", str(root), "--name", "Acme", "--today", "2026-05-12")[0] == 0
    for path in [*(root / "okrs").glob("*.yaml"), *(root / "roadmap").glob("*.yaml"), *(root / "launches").glob("*")]:
        path.unlink()  # no period to move: only the declaration and the navigation change
    nav = root / "mkdocs.yml"
    before = nav.read_bytes()
    assert b"      - Quarter reviews: history/index.md\n" in before
    code, out = run("migrate", "--root", str(root), "--calendar", "cycles", "--cycle-weeks", "6")
    assert code == 0, out
    assert nav.read_bytes() == before.replace(b"- Quarter reviews:", b"- Cycle reviews:")
    own = before.replace(b"- Quarter reviews:", b"- QBR <script>x</script>:")
    assert recadence.renamed_reviews(own, cal.Calendar(("half",))) == own
    crlf = before.replace(b"\n", b"\r\n")
    assert recadence.renamed_reviews(crlf, cal.Calendar(("half",))) == crlf.replace(
        b"- Quarter reviews:", b"- Half-year reviews:"
    )


def test_messages_and_reports_name_the_declared_periods(tmp_path: Path) -> None:
    root = cadence_repo(tmp_path, "half")
    item = root / "roadmap" / "guided-setup.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("end: 2026-12-24", "end: 2027-01-20"), encoding="utf-8")
    out = run("validate", "--root", str(root), "--today", "2026-12-02")[1]
    assert (
        "roadmap/guided-setup.yaml:16:8: warning PO420 due 2027-01-20, after the end of its target half-year "
        "2026-H2 (2026-12-31)\n    hint: set target.quarter to the half-year of 2027-01-20, or bring target.end "
        "into 2026-H2\n"
    ) in out
    assert "quarter" not in out.replace("target.quarter", "")
    report = run("report", "calibration", "--root", str(root), "--today", "2026-12-02")[1]
    assert report.startswith("# Forecast calibration\n\nPast periods: none (history from 2026-12-02). Each check-in")
    assert "inside a past period is a forecast" in report and "quarter" not in report
    assert run("render", "--out", str(tmp_path / "site"), "--root", str(root), "--today", "2026-12-02")[0] == 0
    timeline = (tmp_path / "site" / "docs" / "roadmap" / "timeline.md").read_text(encoding="utf-8")
    lede = next(line for line in timeline.splitlines() if line.startswith('<p class="po-lede">'))
    assert "(last period) to " in lede and "(four periods ahead)" in lede and "quarter" not in lede


def test_move_takes_a_period_of_the_calendar_and_a_wrong_one_lists_those_near_today(tmp_path: Path) -> None:
    root = cadence_repo(tmp_path, "half")
    item = root / "roadmap" / "guided-setup.yaml"
    before = item.read_bytes()
    common = ["--root", str(root), "--today", "2026-12-02"]
    near = "periods near today: 2026-H1, 2026-H2, 2027-H1, 2027-H2, 2028-H1, 2026, 2027"
    for given, meant in (
        ("2027-Q1", " (did you mean '2027-H1'?)"),
        ("2026-H3", " (did you mean '2026-H2'?)"),
        ("<b>\x1b", ""),
    ):
        wrong = CliRunner().invoke(cli, ["move", "guided-setup", *common, "--period", given])
        assert wrong.exit_code == 2
        assert f"Invalid value for '--period': {given!r} is not a period such as 2026-H2 or 2026{meant}; {near}\n" in (
            wrong.output
        )
    assert item.read_bytes() == before
    assert "\x1b" not in CliRunner().invoke(cli, ["move", "guided-setup", *common, "--period", "\x1b[2J"]).output
    neither = CliRunner().invoke(cli, ["move", "guided-setup", *common])
    assert neither.exit_code == 2 and "--horizon (now, next, later) and/or --period" in neither.output
    code, out = run("move", "guided-setup", *common, "--period", "2027-h1", "--horizon", "next")
    assert code == 0 and "roadmap/guided-setup.yaml: moved to next, target.quarter set to 2027-H1\n" in out
    assert item.read_bytes() == before.replace(b"horizon: now\n", b"horizon: next\n").replace(
        b"  quarter: 2026-H2\n", b"  quarter: 2027-H1\n"
    )
    assert "2026-Q4, FY27-Q1, 2026-H2, 2026-T3, 2026 or C14" in " ".join(run("move", "--help")[1].split())

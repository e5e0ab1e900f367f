"""`prodops feedback import`: row accounting, idempotent re-import, personal data kept out, hostile inputs.

Each hostile export under fixtures/feedback/hostile/ has a golden file next to it
(NAME.expected) pinning the command's output, the insight's demand block and the
unmatched report, so a change in any message or in what is written is a reviewed diff.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, TODAY, assemble, check_golden, copy_example
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from prodops.cli import cli
from prodops.feedback import scrub

EXPORTS = FIXTURES / "feedback"
HOSTILE = EXPORTS / "hostile"
# (export, mapping, records read, matched, unmatched, rejected): the fixture exports the example's demand comes from.
SOURCES = [
    ("support-desk.csv", "support-desk", 241, 217, 23, 1),
    ("idea-board.csv", "idea-board", 60, 60, 0, 0),
    ("nps-survey.csv", "nps-survey", 120, 85, 3, 32),
    ("generic.csv", "generic", 30, 30, 0, 0),
    ("feedback-tool.json", "feedback-tool", 90, 90, 0, 0),
]
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"\+1 \(415\) 555-\d{4}")

INSIGHT = """\
# yaml-language-server: $schema=../../schemas/insight.schema.json
id: payment-plans
title: Agree a payment plan with a buyer
problem: |
  A good buyer with a cash crunch wants to split an invoice over three months.
owner: ana-pm  # the PM who triages it
status: triaged
match:
  keywords:
    - payment plan
    - instalment
    - split the invoice
"""


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["feedback", "import", *args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def small_repo(tmp_path: Path) -> Path:
    repo = assemble(None, tmp_path / "repo")
    (repo / "roadmap" / "insights").mkdir()
    (repo / "roadmap" / "insights" / "payment-plans.yaml").write_text(INSIGHT)
    return repo


def snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted((repo / "roadmap").rglob("*.yaml"))}


@pytest.mark.parametrize(("export", "source", "read", "matched", "unmatched", "rejected"), SOURCES)
def test_every_record_is_counted_once(
    tmp_path: Path, export: str, source: str, read: int, matched: int, unmatched: int, rejected: int
) -> None:
    repo = copy_example(tmp_path / "repo")
    out = tmp_path / "unmatched.csv"
    code, output = run(
        repo,
        str(EXPORTS / export),
        "--source",
        source,
        "--accounts",
        str(EXPORTS / "accounts.csv"),
        "--unmatched",
        str(out),
        "--dry-run",
    )
    assert code == 0, output
    assert matched + unmatched + rejected == read
    assert f"{read:,} records read: {matched:,} matched, {unmatched:,} unmatched, {rejected:,} rejected\n" in output
    assert output.count(": rejected: ") == min(rejected, 20)
    assert not out.exists()  # a dry run writes nothing
    assert "would update 0 insight files" in output  # the example's demand is what these exports say


def test_example_demand_is_what_the_fixture_exports_give(tmp_path: Path) -> None:
    """Import every fixture into a copy whose insights have no demand: the files come out as committed, byte for byte."""
    repo = copy_example(tmp_path / "repo")
    committed = snapshot(repo)
    counted = {p.name: p.read_bytes() for p in sorted((repo / "roadmap" / "insights" / "counted").glob("*.tsv"))}
    assert counted  # the example's records are counted, each once
    shutil.rmtree(repo / "roadmap" / "insights" / "counted")
    for path in sorted((repo / "roadmap" / "insights").glob("*.yaml")):
        text = path.read_text()
        path.write_text(text[: text.index("\ndemand:\n") + 1] if "\ndemand:\n" in text else text)
    for export, source, *_ in SOURCES:
        code, output = run(repo, str(EXPORTS / export), "--source", source, "--accounts", str(EXPORTS / "accounts.csv"))
        assert code == 0, output
    assert snapshot(repo) == committed
    assert {
        p.name: p.read_bytes() for p in sorted((repo / "roadmap" / "insights" / "counted").glob("*.tsv"))
    } == counted


def test_importing_the_same_export_twice_changes_nothing(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    code, first = run(repo, str(EXPORTS / "support-desk.csv"), "--source", "support-desk")
    assert code == 0 and "updated 1 insight file\n  roadmap/insights/payment-plans.yaml" in first, first
    after_first = snapshot(repo)
    assert "# the PM who triages it" in after_first["roadmap/insights/payment-plans.yaml"].decode()
    code, second = run(repo, str(EXPORTS / "support-desk.csv"), "--source", "support-desk")
    assert code == 0
    assert second.endswith("no insight file changed: their demand already says what this export says\n")
    assert snapshot(repo) == after_first


GENERIC = """\
text,date,account,segment,source
Payment plan: a buyer wants to split the invoice over three months.,2026-11-03,Orchid Bay Clinics,smb,qbr
Instalment: can we agree a payment plan with one buyer?,2026-11-09,Garrison Pike LLP,smb,qbr
Payment plan please: split the invoice for our biggest buyer.,2026-11-12,Dana Whitfield,smb,qbr
Another payment plan: split the invoice in two.,2026-11-14,Bell Corp,smb,qbr
Payment plan for a buyer who always pays late.,2026-11-16,Kestrel Farms,smb,qbr
"""
ACCOUNTS = """\
Account ID,Account Name,ARR,Segment
ACC-1042,Orchid Bay Clinics,12000,smb
<script>alert(1)</script>,Garrison Pike LLP,8000,smb
dana@example.com,Dana Whitfield,1000,smb
"bell\x07corp",Bell Corp,1000,smb
"""


def test_an_import_writes_account_ids_and_a_reimport_changes_nothing(tmp_path: Path) -> None:
    """Ids from the accounts export (not names: the generic mapping keeps none); an address or a control character is no id."""
    repo = small_repo(tmp_path)
    export, accounts = tmp_path / "generic.csv", tmp_path / "accounts.csv"
    export.write_text(GENERIC)
    accounts.write_text(ACCOUNTS.replace("\\x07", "\x07"))
    code, output = run(repo, str(export), "--source", "generic", "--accounts", str(accounts))
    assert code == 0, output
    insight = (repo / "roadmap" / "insights" / "payment-plans.yaml").read_text()
    assert (
        "    count: 5\n    accounts: 5\n    arr: 22000\n    segments:\n      - smb\n"
        "    account_ids:\n      - <script>alert(1)</script>\n      - ACC-1042\n    first_seen: 2026-11-03\n"
    ) in insight, insight
    for absent in ("Orchid", "Garrison", "Dana", "dana@", "bell", "Kestrel", "\x07"):
        assert absent not in insight
    after_first = snapshot(repo)
    code, second = run(repo, str(export), "--source", "generic", "--accounts", str(accounts))
    assert code == 0
    assert second.endswith("no insight file changed: their demand already says what this export says\n"), second
    assert snapshot(repo) == after_first


def test_crlf_and_bom_of_an_insight_file_are_kept(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    path = repo / "roadmap" / "insights" / "payment-plans.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + INSIGHT.replace("\n", "\r\n").encode())
    code, output = run(repo, str(HOSTILE / "utf8-bom.csv"), "--source", "generic")
    assert code == 0, output
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + INSIGHT.replace("\n", "\r\n").encode())
    assert b"\r\ndemand:\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_no_email_address_or_phone_number_reaches_the_repository_or_the_site(tmp_path: Path) -> None:
    inputs = "".join((EXPORTS / name).read_text(encoding="utf-8") for name, *_ in SOURCES)
    emails = set(EMAIL.findall(inputs))
    phones = set(PHONE.findall(inputs))
    assert len(emails) > 50 and len(phones) > 20  # the exports are full of them
    repo = tmp_path / "repo"
    copy_example(repo, site=True)
    reports = []
    for export, source, *_ in SOURCES:
        for suffix in (".csv", ".md"):
            out = tmp_path / f"{source}{suffix}"
            assert run(repo, str(EXPORTS / export), "--source", source, "--unmatched", str(out))[0] == 0
            reports.append(out)
    site = tmp_path / "site"
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(site)))
    assert (site / "index.html").is_file()
    written = [*sorted(repo.rglob("*.yaml")), *reports, *sorted(p for p in site.rglob("*") if p.is_file())]
    assert len(written) > 100
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        leaked = [e for e in emails if e in text] + [p for p in phones if p in text]
        assert not leaked, f"{path}: {leaked[:3]}"


HOSTILE_CASES = sorted(p.name for p in HOSTILE.glob("*.csv"))


@pytest.mark.parametrize("name", HOSTILE_CASES)
def test_hostile_export_matches_golden(tmp_path: Path, name: str) -> None:
    repo = small_repo(tmp_path)
    export = tmp_path / name
    shutil.copy(HOSTILE / name, export)
    report_csv, report_md = tmp_path / "unmatched.csv", tmp_path / "unmatched.md"
    code, output = run(repo, str(export), "--source", "generic", "--unmatched", str(report_csv))
    if code == 0:
        assert run(repo, str(export), "--source", "generic", "--unmatched", str(report_md))[0] == 0
    insight = (repo / "roadmap" / "insights" / "payment-plans.yaml").read_text()
    parts = [
        f"exit code {code}",
        output.replace(str(tmp_path), "<tmp>"),
        "--- demand ---",
        insight[insight.index("demand:") :] if "demand:" in insight else "(none)\n",
        "--- unmatched.csv ---",
        report_csv.read_text() if report_csv.exists() else "(not written)\n",
        "--- unmatched.md ---",
        report_md.read_text() if report_md.exists() else "(not written)\n",
    ]
    assert "Traceback" not in output
    check_golden(HOSTILE / (name.removesuffix(".csv") + ".expected"), "\n".join(parts))


def test_a_formula_stays_inert_text() -> None:
    golden = (HOSTILE / "formula.expected").read_text()
    csv_part = golden.split("--- unmatched.csv ---")[1].split("--- unmatched.md ---")[0]
    assert "\"'=HYPERLINK(" in csv_part and "'@SUM(A1)" not in csv_part  # account names are not kept
    assert "\n      - +1+1 and a payment plan please\n" in golden  # a quote in the insight file is a YAML string


def test_a_missing_column_names_the_column_and_the_mapping(tmp_path: Path) -> None:
    code, output = run(small_repo(tmp_path), str(HOSTILE / "missing-column.csv"), "--source", "generic")
    assert code == 1
    assert "no column 'text' (the 'text' of the shipped generic mapping)" in output


def test_an_unknown_source_is_named_with_the_known_ones(tmp_path: Path) -> None:
    code, output = run(small_repo(tmp_path), str(EXPORTS / "generic.csv"), "--source", "support-dsk")
    assert code == 1
    assert "--source support-dsk: no such source mapping (did you mean 'support-desk'?)" in output


def test_a_configured_source_extends_a_shipped_one(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    (repo / "prodops.toml").write_text('[feedback.sources.helpdesk]\nextends = "generic"\ntext = "body"\n')
    code, output = run(repo, str(HOSTILE / "missing-column.csv"), "--source", "helpdesk")
    assert code == 0, output
    assert "3 records read: 2 matched, 1 unmatched, 0 rejected" in output
    assert "source: sales-call" in (repo / "roadmap" / "insights" / "payment-plans.yaml").read_text()


@pytest.mark.parametrize(
    ("text", "people", "expected"),
    [
        ("Mail dana.w@brightwave.io today", (), "Mail (email) today"),
        ("Call me on +1 (415) 555-0199 or 020 7946 0958", (), "Call me on (phone) or (phone)"),
        ("Due 2026-10-02, amount 48,000", (), "Due 2026-10-02, amount 48,000"),
        ("Thanks, Dana Whitfield", (), "Thanks, (name)"),
        ("dana said the portal is slow", ("Dana Whitfield",), "(name) said the portal is slow"),
    ],
)
def test_scrub(text: str, people: tuple[str, ...], expected: str) -> None:
    assert scrub.scrub(text, people) == expected


@pytest.mark.example
def test_the_repository_example_has_no_personal_data() -> None:
    for path in sorted((REPO_ROOT / "roadmap" / "insights").glob("*.yaml")):
        text = path.read_text()
        assert not EMAIL.search(text) and not PHONE.search(text), path


def test_a_configured_source_s_mistakes_name_its_table(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    (repo / "prodops.toml").write_text('[feedback.sources.helpdesk]\nextends = "generic"\ntexts = "body"\n')
    code, output = run(repo, str(HOSTILE / "missing-column.csv"), "--source", "helpdesk")
    assert code == 1
    assert output.startswith(
        "prodops: prodops.toml [feedback.sources.helpdesk]: unknown setting 'texts' (did you mean 'text'?)"
    ), output


def test_the_progress_bar_shows_only_on_a_terminal_after_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import time

    from prodops.commands import feedback as command

    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    quiet = command._Progress(1000)
    clock[0] += 5
    quiet(500)
    assert quiet.bar is None  # not a terminal: never
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    clock[0] = 100.0
    progress = command._Progress(1000)
    progress(100)
    assert progress.bar is None  # under a second: not yet
    clock[0] += 1.5
    progress(600)
    assert progress.bar is not None and progress.shown == 600
    progress.close()

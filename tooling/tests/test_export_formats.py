"""Real tools' exports import as the tools write them: the shipped zendesk, jira and accounts mappings.

The exports under fixtures/exports/<tool>/ follow each vendor's documented layout (their README.md
names the page): Zendesk's all-quoted CSV without descriptions and its JSON ticket export, Jira's
CSV with a column repeated once per value, HubSpot's and Salesforce's accounts with 'Annual Revenue'
beside the ARR column. Each imports unchanged into the example organisation, every record accounted for.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, FIXTURES, copy_example
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from prodops.cli import cli
from prodops.feedback import cells, columns, mapping
from prodops.feedback.read import RawRecord, open_export

EXPORTS = FIXTURES / "exports"
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"\+1 \(415\) 555-\d{4}")
PEOPLE = ("Maria Kowalski", "Tomás Díaz", "Ingrid Halvorsen", "Dev Patel", "Aiko Tanaka", "Łukasz Nowak", "Grace Lee")
# (export, mapping, read, matched, unmatched, rejected, the rejection as printed)
VENDOR_EXPORTS = [
    (
        "zendesk/tickets.csv",
        "zendesk",
        13,
        11,
        1,
        1,
        "line 14: rejected: 'yesterday' in 'Created at' is not a date in the form %Y-%m-%d %H:%M or %Y-%m-%d %H:%M:%S",
    ),
    ("zendesk/tickets.json", "zendesk", 12, 11, 1, 0, ""),
    (
        "jira/issues.csv",
        "jira",
        13,
        11,
        1,
        1,
        "line 38: rejected: 'sometime' in 'Created' is not a date in the form %d/%b/%y %I:%M %p or %d/%b/%y %H:%M "
        "or %d/%b/%Y %I:%M %p or %d/%b/%Y %H:%M or %Y-%m-%d %H:%M",
    ),
    (
        "intercom/conversations.csv",
        "intercom",
        13,
        11,
        1,
        1,
        "line 14: rejected: '14/11/2026' in 'conversation_created_at' is not a date in the form %Y-%m-%d %H:%M:%S",
    ),
    (
        "productboard/notes.json",
        "productboard",
        13,
        11,
        1,
        1,
        "record 13: rejected: no feedback text in 'title' or 'content'",
    ),
    ("canny/posts.json", "canny", 13, 11, 1, 1, "record 13: rejected: 'lots' in 'score' is not a number of votes"),
]
HUBSPOT = """
[tool.prodops.feedback.sources.our-hubspot]
extends = "hubspot-companies"
arr = "ARR"
segment = "Customer tier"

[tool.prodops.feedback.sources.our-salesforce]
extends = "salesforce-accounts"
arr = "ARR"
segment = "Segment"
"""


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["feedback", "import", *args, "--root", str(repo), "--today", EXAMPLE_TODAY.isoformat()]
    )
    return result.exit_code, result.output


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted((repo / "roadmap").rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(("export", "source", "read", "matched", "unmatched", "rejected", "why"), VENDOR_EXPORTS)
def test_a_vendor_export_imports_unchanged_and_twice_changes_no_byte(
    tmp_path: Path, export: str, source: str, read: int, matched: int, unmatched: int, rejected: int, why: str
) -> None:
    repo = copy_example(tmp_path / "repo")
    before = snapshot(repo)
    code, output = run(repo, str(EXPORTS / export), "--source", source)
    assert code == 0, output
    assert matched + unmatched + rejected == read
    assert f"{read} records read: {matched} matched, {unmatched} unmatched, {rejected} rejected\n" in output
    if why:
        assert f"{EXPORTS / export}: {why}\n" in output
    assert "updated 9 insight files" in output, output
    first = snapshot(repo)
    assert first != before and f"roadmap/insights/counted/{source}.tsv" in first
    code, output = run(repo, str(EXPORTS / export), "--source", source)
    assert code == 0 and output.endswith("no insight file changed: their demand already says what this export says\n")
    assert snapshot(repo) == first


def test_zendesk_csv_and_json_exports_count_each_ticket_once(tmp_path: Path) -> None:
    """The JSON export's tickets are the CSV's, known by the same ids: importing both adds nothing twice."""
    repo = copy_example(tmp_path / "repo")
    assert run(repo, str(EXPORTS / "zendesk/tickets.csv"), "--source", "zendesk")[0] == 0
    after_csv = snapshot(repo)
    code, output = run(repo, str(EXPORTS / "zendesk/tickets.json"), "--source", "zendesk")
    assert code == 0, output
    assert ": zendesk 2026-10: 0 added, 1 already counted, 0 removed" in output
    assert snapshot(repo) == after_csv


def test_no_person_reaches_the_repository_or_the_site_and_html_stays_text(tmp_path: Path) -> None:
    inputs = "".join((EXPORTS / name).read_text(encoding="utf-8") for name, *_ in VENDOR_EXPORTS)
    emails, phones = set(EMAIL.findall(inputs)), set(PHONE.findall(inputs))
    assert len(emails) >= 12 and len(phones) >= 12 and "<script>" in inputs
    repo = copy_example(tmp_path / "repo", site=True)
    reports = []
    for export, source, *_ in VENDOR_EXPORTS:
        out = tmp_path / f"{Path(export).stem}-{source}.md"
        code, output = run(repo, str(EXPORTS / export), "--source", source, "--unmatched", str(out))
        assert code == 0, output
        reports.append(out)
    site = tmp_path / "site"
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(site)))
    pages = sorted(p for p in site.rglob("*.html"))
    assert any("Cash flow forecast please &lt;script&gt;" in p.read_text(encoding="utf-8") for p in pages)
    written = [*sorted(repo.rglob("*.yaml")), *sorted(repo.rglob("*.tsv")), *reports, *pages]
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        leaked = [e for e in emails if e in text] + [p for p in phones if p in text] + [n for n in PEOPLE if n in text]
        assert not leaked, f"{path}: {leaked[:3]}"
        if path.suffix == ".html":
            assert "<script>alert(" not in text, path


def _renamed(tmp_path: Path, export: str, old: str, new: str) -> Path:
    path = tmp_path / Path(export).name
    text = (EXPORTS / export).read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    path.write_text(header.replace(old, new, 1) + "\n" + rest, encoding="utf-8", newline="")
    return path


def test_an_export_that_does_not_match_its_mapping_gets_one_error_with_the_closest_columns(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    path = _renamed(tmp_path, "zendesk/tickets.csv", '"Subject"', '"Subjct"')
    path.write_text(path.read_text(encoding="utf-8").replace('"Created at",', '"Opened",', 1), encoding="utf-8")
    code, output = run(repo, str(path), "--source", "zendesk")
    assert code == 1
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].strip()
    found = header.replace('"', "").replace(",", ", ").replace(" [list]", "").replace(" [txt]", "")  # read bare
    assert output == (
        f"prodops: {path}:1:126: the export does not match the shipped zendesk mapping: "
        "no column 'Subject' (the 'text' of the shipped zendesk mapping); the closest found is 'Subjct'; "
        "no column 'Created at' (the 'date' of the shipped zendesk mapping); the closest found is 'Updated at'\n"
        "    expected: Subject, Created at, Id, Requester email, Tags, Priority, Status, Via, Requester, Submitter, Assignee\n"
        f"    found: {found}\n"
        "    hint: rename the column in the export (is it the right mapping?), or declare a source of your own: "
        '[tool.prodops.feedback.sources.my-zendesk] with extends = "zendesk" and text = "THE COLUMN"\n'
    )
    assert snapshot(repo) == snapshot(copy_example(tmp_path / "untouched"))


def test_an_export_read_with_the_wrong_mapping_names_what_it_expected(tmp_path: Path) -> None:
    code, output = run(copy_example(tmp_path / "repo"), str(EXPORTS / "zendesk/tickets.csv"), "--source", "jira")
    assert code == 1
    assert output.startswith(
        f"prodops: {EXPORTS / 'zendesk/tickets.csv'}:1:183: the export does not match the shipped jira mapping: "
        "no column 'Summary' (the 'text' of the shipped jira mapping); none found is close; "
        "no column 'Description' (the 'text' of the shipped jira mapping); none found is close; "
        "no column 'Created' (the 'date' of the shipped jira mapping); the closest found is 'Created at'; "
    ), output
    # Jira's repeated columns, read with a mapping that does not declare them, name the first of them.
    code, output = run(copy_example(tmp_path / "other"), str(EXPORTS / "jira/issues.csv"), "--source", "zendesk")
    assert code == 1
    assert output.startswith(
        f"prodops: {EXPORTS / 'jira/issues.csv'}:1:167: the header names column 'Component/s' twice;"
    )


def test_a_repeated_column_the_mapping_does_not_declare_is_an_error_naming_it(tmp_path: Path) -> None:
    path = _renamed(tmp_path, "zendesk/tickets.csv", '"Group"', '"Tags"')
    code, output = run(copy_example(tmp_path / "repo"), str(path), "--source", "zendesk")
    assert code == 1
    assert output == (
        f"prodops: {path}:1:118: the header names column 'Tags' twice; rename one of them, or, when the tool "
        "repeats it once per value, declare it multi-valued (the mapping's 'multi')\n"
    )


def test_jira_repeated_columns_are_lists_and_custom_fields_are_named_bare(tmp_path: Path) -> None:
    multi = frozenset(mapping.DEFAULTS["jira"].multi)
    export = open_export(EXPORTS / "jira/issues.csv", multi=multi)
    assert export.columns.count("Sprint") == 1 and "Organizations" in export.columns
    assert export.custom == {"Organizations", "Request Type", "Story Points"}
    first = next(export.records)
    assert isinstance(first, RawRecord)
    assert first.fields["Labels"] == ["payment-plans", "customer"]
    assert first.fields["Sprint"] == ["SUP Sprint 1"]
    assert first.fields["Watchers"] == ["Maria Kowalski", "Pat Support"]
    assert first.fields["Comment"] == [
        "2/Oct/26 9:07 AM;557058:agent-1;Customer Maria Kowalski wrote: can buyers agree a payment plan and "
        "split the invoice?; see maria.kowalski@brightwave.io",
        "2/Oct/26 9:07 AM;5b10ac8d82e05b22cc7d4ef5;Linked to the roadmap item",
    ]
    record = mapping.normalise(first, mapping.DEFAULTS["jira"], ("smb", "mid-market", "enterprise"))
    assert isinstance(record, mapping.Record)
    assert record.tags == {"payment-plans", "customer"} and record.votes == 1
    assert record.account_name == "Brightwave Logistics" and record.day == date(2026, 10, 2)
    assert "557058:agent-1" in record.people and "Maria Kowalski" in record.people
    assert record.text.endswith("— Linked to the roadmap item")


def test_zendesk_custom_fields_are_fields_for_matching_rules(tmp_path: Path) -> None:
    header = columns.read_header(["Id", "Product area [list]", "Plan [txt]", "Plan"], "", frozenset())
    assert isinstance(header, columns.Header)
    assert header.names == ("Id", "Product area", "Plan [txt]", "Plan")  # 'Plan' is taken: the decorated one stays
    assert header.custom == {"Product area"}
    export = open_export(EXPORTS / "zendesk/tickets.json", "tickets")
    first = next(export.records)
    assert isinstance(first, RawRecord)
    record = mapping.normalise(first, mapping.DEFAULTS["zendesk"].json or mapping.DEFAULTS["zendesk"], ())
    assert isinstance(record, mapping.Record)
    assert record.fields["custom-360011"] == "payments" and record.fields["custom-360012"] == ""
    assert record.fields["channel"] == "web" and record.account_id == "360001"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("3/Nov/20 12:17 PM", date(2020, 11, 3)),
        ("03/Nov/20 12:17", date(2020, 11, 3)),
        ("03/Nov/2020 00:05", date(2020, 11, 3)),
        ("2020-11-03 12:17", date(2020, 11, 3)),
        ("Nov 3, 2020", None),
        ("31/Feb/20 10:00 AM", None),
    ],
)
def test_jira_dates_are_tried_in_the_declared_formats(text: str, day: date | None) -> None:
    assert mapping.parse_date(text, *mapping.DEFAULTS["jira"].formats) == day


def test_comments_are_read_as_date_author_body(tmp_path: Path) -> None:
    assert cells.comments(["1/Nov/26 9:00 AM;abc;a; b; c", "", "no semicolons"]) == (
        ("a; b; c", "no semicolons"),
        ("abc",),
    )


def test_a_crm_mapping_without_an_arr_column_is_refused(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    code, output = run(
        repo,
        str(EXPORTS / "zendesk/tickets.csv"),
        "--source",
        "zendesk",
        "--accounts",
        str(EXPORTS / "hubspot-companies/companies.csv"),
        "--accounts-mapping",
        "hubspot-companies",
    )
    assert code == 1
    assert output == (
        "prodops: the shipped hubspot-companies mapping names no ARR column: a CRM's 'Annual Revenue' is the "
        "customer's own revenue, not the ARR they pay you, so no column is taken for ARR unless named\n"
        "    hint: declare [tool.prodops.feedback.sources.my-hubspot-companies] with extends = "
        '"hubspot-companies" and arr = "THE COLUMN HOLDING ARR"\n'
    )


def test_an_accounts_export_with_only_annual_revenue_is_not_read_as_arr(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    path = tmp_path / "companies.csv"
    text = (EXPORTS / "hubspot-companies/companies.csv").read_text(encoding="utf-8")
    path.write_text(text.replace(",ARR,", ",Plan,", 1), encoding="utf-8")
    code, output = run(repo, str(EXPORTS / "zendesk/tickets.csv"), "--source", "zendesk", "--accounts", str(path))
    assert code == 1
    assert "\n    hint: 'Annual Revenue' is the customer's own revenue, not the ARR they pay you;" in output, output


@pytest.mark.parametrize(
    ("export", "name"),
    [("hubspot-companies/companies.csv", "our-hubspot"), ("salesforce-accounts/accounts.csv", "our-salesforce")],
)
def test_crm_accounts_join_with_their_named_arr_column(tmp_path: Path, export: str, name: str) -> None:
    repo = copy_example(tmp_path / "repo")
    with (repo / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(HUBSPOT)
    code, output = run(
        repo,
        str(EXPORTS / "zendesk/tickets.csv"),
        "--source",
        "zendesk",
        "--accounts",
        str(EXPORTS / export),
        "--accounts-mapping",
        name,
    )
    assert code == 0, output
    assert "warning: " not in output  # every account row was read
    demand = (repo / "roadmap/insights/audit-log-in-siem.yaml").read_text(encoding="utf-8")
    block = demand[demand.index("- source: zendesk") :]
    assert "arr: 210000" in block.split("- source:", 2)[1], block  # Halvorsen's ARR, not its 820 million revenue
    assert "enterprise" in block.split("- source:", 2)[1]


def test_a_crm_export_missing_a_named_column_gets_the_closest(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    with (repo / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(HUBSPOT)
    path = tmp_path / "companies.csv"
    shutil.copy(EXPORTS / "hubspot-companies/companies.csv", path)
    path.write_text(path.read_text(encoding="utf-8").replace("Company Domain Name", "Domain name", 1), encoding="utf-8")
    code, output = run(
        repo,
        str(EXPORTS / "zendesk/tickets.csv"),
        "--source",
        "zendesk",
        "--accounts",
        str(path),
        "--accounts-mapping",
        "our-hubspot",
    )
    assert code == 1
    assert output.startswith(
        f"prodops: {path}:1:1: the accounts export does not match pyproject.toml [tool.prodops.feedback.sources.our-hubspot]: "
        "no column 'Company Domain Name' (the 'domain' of pyproject.toml [tool.prodops.feedback.sources.our-hubspot]); "
        "the closest found is 'Company name'\n"
    ), output


def test_productboard_rich_text_and_canny_objects_are_read_as_text(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    for export, source in (("productboard/notes.json", "productboard"), ("canny/posts.json", "canny")):
        assert run(repo, str(EXPORTS / export), "--source", source)[0] == 0
    text = (repo / "roadmap/insights/audit-log-in-siem.yaml").read_text(encoding="utf-8")
    productboard = text[text.index("- source: productboard") :].split("- source:", 2)[1]
    assert (
        "quotes:\n      - We need the audit log in our SIEM (Splunk) — We need the audit log in our SIEM (Splunk) — (email), (phone)\n"
        in productboard
    ), productboard
    canny = text[text.index("- source: canny") :].split("- source:", 2)[1]
    assert "votes: 9\n" in canny and "accounts: 1\n" in canny
    record = mapping.normalise(
        RawRecord(
            "record 1",
            {
                "title": "x",
                "details": "",
                "created": "2026-10-01T00:00:00Z",
                "id": "p",
                "score": 2,
                "board.name": "Ideas",
                "status": "open",
                "tags": ['{"id": "t", "name": "Audit-Log"}'],
                "author.companies": ['{"id": "c", "name": "Halvorsen Industrial"}'],
            },
        ),
        mapping.DEFAULTS["canny"],
        (),
    )
    assert isinstance(record, mapping.Record)
    assert record.tags == {"audit-log"} and record.account_name == "Halvorsen Industrial" and record.votes == 2


def test_zendesk_json_lines_read_as_the_json_document(tmp_path: Path) -> None:
    tickets = json.loads((EXPORTS / "zendesk/tickets.json").read_text(encoding="utf-8"))["tickets"]
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tickets), encoding="utf-8")
    code, output = run(copy_example(tmp_path / "repo"), str(path), "--source", "zendesk", "--dry-run")
    assert code == 0, output
    assert "12 records read: 11 matched, 1 unmatched, 0 rejected\n" in output


def test_hostile_values_in_every_new_field_stay_text(tmp_path: Path) -> None:
    """Script payloads, control characters, a huge cell and a path in a custom field's name, in every column the
    new mappings read (repeated columns, comments and their authors, custom fields, organisations)."""
    from payloads import PAYLOADS, scan

    header = ["Summary", "Issue key", "Created", "Description", "Labels", "Labels", "Watchers", "Sprint", "Sprint",
              "Custom field (Organizations)", "Custom field (../../etc/passwd)", "Comment", "Comment", "Issue Type",
              "Status", "Assignee", "Reporter"]  # fmt: skip
    rows = [header]
    for n, payload in enumerate(PAYLOADS):
        rows.append([
            f"payment plan {payload}", f"SUP-{n}", "3/Nov/26 12:17 PM", f"split the invoice \x00\x07\x1b[31m {payload}",
            payload, "\u202eevil\u202c", payload, payload, "", payload, payload,
            f"3/Nov/26 12:17 PM;{payload};{payload}", "x" * 100_000, payload, payload, payload, payload,
        ])  # fmt: skip
    export = tmp_path / "hostile.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    repo = copy_example(tmp_path / "repo", site=True)
    code, output = run(repo, str(export), "--source", "jira")
    assert code == 0, output
    assert f"{len(PAYLOADS)} records read: {len(PAYLOADS)} matched, 0 unmatched, 0 rejected\n" in output
    assert not (tmp_path / "etc").exists() and not list(repo.rglob("*passwd*"))
    written = (repo / "roadmap/insights/payment-plans-for-buyers.yaml").read_text(encoding="utf-8")
    assert "\x00" not in written and "\x07" not in written and "\x1b" not in written
    site = tmp_path / "site"
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(site)))
    pages = [p for p in site.rglob("*.html") if "payment-plans-for-buyers" in p.as_posix()]
    assert pages
    for page in pages:
        findings, _ = scan(page.read_text(encoding="utf-8"))
        assert findings == [], (page, findings[:3])


def test_jira_service_management_people_columns_are_scrubbed() -> None:
    columns = ("Summary", "Custom field (Request participants)", "Custom field (Approvers)", "Project lead")
    header = columns_module_read(columns)
    found = mapping.person_columns(mapping.DEFAULTS["jira"], header)
    assert found == ("Assignee", "Reporter", "Creator", "Watchers", "Request participants", "Approvers")


def columns_module_read(raw: tuple[str, ...]) -> tuple[str, ...]:
    header = columns.read_header(raw, "", frozenset())
    assert isinstance(header, columns.Header)
    return ("Assignee", "Reporter", "Creator", "Watchers", *header.names)

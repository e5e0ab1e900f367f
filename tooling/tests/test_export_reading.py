"""Exports are read whole or refused with their position: stray quotes, cells past the size limit, hostile JSON and numbers.

Each case drives the CLI. A file that cannot be read to its end (a broken quote, a cell or a
JSON document past its limit, JSON too deep to parse) is refused whole: exit code 1, a message
naming where, and nothing written. A hostile record (a number in other scripts' digits or too
long, nesting past the limit) is rejected with its line or record number, like any record that
cannot be used, and the rest are imported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble

from prodops import tabular
from prodops.cli import cli
from prodops.feedback import read

INSIGHT = """\
id: payment-plans
title: Agree a payment plan with a buyer
problem: |
  A good buyer with a cash crunch wants to split an invoice over three months.
owner: ana-pm
status: triaged
match:
  keywords:
    - payment plan
"""
KPI_CASE = FIXTURES / "valid" / "PO442-kr-in-step-with-its-kpi"  # KPI 'activation'
HEADER = "text,date,account,segment,source\n"


def feedback_repo(tmp_path: Path) -> Path:
    repo = assemble(None, tmp_path / "repo")
    (repo / "roadmap" / "insights").mkdir()
    (repo / "roadmap" / "insights" / "payment-plans.yaml").write_text(INSIGHT)
    return repo


def snapshot(repo: Path) -> dict[str, bytes]:
    files = (p for p in sorted(repo.rglob("*")) if p.is_file() and ".prodops-cache" not in p.parts)
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in files}


def where(repo: Path) -> list[str]:
    return ["--root", str(repo), "--today", TODAY.isoformat()]


def feedback_import(repo: Path, export: Path, source: str = "generic") -> tuple[int, str]:
    unmatched = export.parent / "unmatched.csv"
    result = CliRunner().invoke(
        cli,
        ["feedback", "import", str(export), "--source", source, "--unmatched", str(unmatched), *where(repo)],
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 0 or not unmatched.exists()
    return result.exit_code, result.output.replace(str(export), "EXPORT")


def refused(tmp_path: Path, name: str, content: str | bytes, source: str = "generic") -> str:
    """The message of an import that must be refused whole: exit 1 and not a byte written."""
    repo = feedback_repo(tmp_path)
    export = tmp_path / name
    if isinstance(content, str):
        export.write_text(content, encoding="utf-8")
    else:
        export.write_bytes(content)
    before = snapshot(repo)
    code, output = feedback_import(repo, export, source)
    assert code == 1, output
    assert snapshot(repo) == before
    return output


def record(n: int) -> str:
    return f"We need a payment plan {n},2026-10-{n % 28 + 1:02d},Acme {n},smb,support\n"


def test_an_unclosed_quote_names_the_lines_it_swallows(tmp_path: Path) -> None:
    body = [record(n) for n in range(501)]
    body[10] = '"' + body[10]  # line 12 of the file
    output = refused(tmp_path, "stray.csv", HEADER + "".join(body))
    assert "EXPORT:12: an opening quote is never closed; it swallows lines 12–502 (490 more records)" in output
    assert "records read" not in output


def test_a_quote_that_closes_lines_later_mid_cell_is_refused(tmp_path: Path) -> None:
    body = [record(n) for n in range(20)]
    body[2] = '"' + body[2]  # line 4
    body[9] = 'said "no" to ' + body[9]  # line 11: the quote closes here, with text after it
    output = refused(tmp_path, "two-quotes.csv", HEADER + "".join(body))
    assert "EXPORT:4: a quote opened in the record on this line closes on line 11" in output
    assert "lines 4–11 (7 more records)" in output


def test_a_quote_that_swallows_lines_and_closes_cleanly_is_refused_by_the_cell_count(tmp_path: Path) -> None:
    body = [record(n) for n in range(20)]
    body[2] = '"' + body[2]  # line 4
    body[5] = body[5].rstrip("\n") + '"\n'  # line 7: the quote closes at the end of the line
    output = refused(tmp_path, "count.csv", HEADER + "".join(body))
    assert "EXPORT:4: the record on this line runs to line 7" in output
    assert "3 more records" in output


def test_a_cell_over_the_size_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    body = [record(n) for n in range(10_000)]
    body[6_972] = "x" * 200_000 + body[6_972]  # line 6,974
    output = refused(tmp_path, "huge-cell.csv", HEADER + "".join(body))
    assert "EXPORT:6974: a cell is longer than 131,072 characters" in output


def test_an_unclosed_quote_that_reaches_the_size_limit_is_named_as_such(tmp_path: Path) -> None:
    body = [record(n) for n in range(10_000)]
    body[10] = '"' + body[10]  # line 12
    output = refused(tmp_path, "stray-big.csv", HEADER + "".join(body))
    assert "EXPORT:12: a quote opened in the record on this line is still open on line" in output
    assert "never closed" in output


def test_quoted_line_breaks_are_still_one_record(tmp_path: Path) -> None:
    repo = feedback_repo(tmp_path)
    export = tmp_path / "ok.csv"
    export.write_text(HEADER + '"We need a payment plan\n\nsoon, please",2026-10-02,Acme,smb,support\n' + record(3))
    result = CliRunner().invoke(
        cli, ["feedback", "import", str(export), "--source", "generic", "--root", str(repo), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "2 records read: 2 matched" in result.output


def test_the_reader_reports_the_physical_lines_of_each_record() -> None:
    rows = list(tabular.read(["a,b\n", '"x\n', 'y",1\n', "\n", "z,2\n"]))
    assert rows == [
        tabular.Row(1, 1, ["a", "b"]),
        tabular.Row(2, 3, ["x\ny", "1"]),
        tabular.Row(4, 4, []),
        tabular.Row(5, 5, ["z", "2"]),
    ]


def metrics_repo(tmp_path: Path) -> Path:
    return assemble(KPI_CASE, tmp_path / "repo")


def metrics_import(tmp_path: Path, text: str) -> tuple[int, str]:
    repo = metrics_repo(tmp_path)
    export = tmp_path / "export.csv"
    export.write_text(text, encoding="utf-8")
    before = snapshot(repo)
    result = CliRunner().invoke(
        cli, ["metrics", "import", str(export), "--root", str(repo), "--today", TODAY.isoformat()]
    )
    assert "Traceback" not in result.output
    assert snapshot(repo) == before
    return result.exit_code, result.output.replace(str(export), "EXPORT")


def test_a_metrics_export_with_an_unclosed_quote_names_the_lines(tmp_path: Path) -> None:
    rows = [f"activation,2026-11-{day:02d},{20 + day}\n" for day in range(12, 22)]
    rows[1] = 'activation,"2026-11-13,31\n'  # line 3
    code, output = metrics_import(tmp_path, "metric,date,value\n" + "".join(rows))
    assert code == 1, output
    assert "1 problem;" in output
    assert "EXPORT:3:1: error PO125 an opening quote is never closed; it swallows lines 3–11 (8 more records)" in output


def test_a_metrics_export_with_a_cell_past_the_limit_names_its_line(tmp_path: Path) -> None:
    rows = [f"activation,2026-11-{day:02d},{20 + day}\n" for day in range(12, 22)]
    rows[4] = "activation,2026-11-16," + "9" * 140_000 + "\n"  # line 6
    code, output = metrics_import(tmp_path, "metric,date,value\n" + "".join(rows))
    assert code == 1, output
    assert "1 problem;" in output
    assert "EXPORT:6:1: error PO125 a cell is longer than 131,072 characters" in output


def imported(tmp_path: Path, name: str, content: str, source: str = "generic") -> str:
    """The output of an import that goes through (exit 0)."""
    repo = feedback_repo(tmp_path)
    export = tmp_path / name
    export.write_text(content, encoding="utf-8")
    code, output = feedback_import(repo, export, source)
    assert code == 0, output
    return output


IDEA_COLUMNS = "Title,Details,Votes,Created At,Company Name,Company Domain,Author Email,Tags,Board,Category,Status"
IDEA_COLUMNS += ",Author Name,Owner Name"


def idea(votes: str, day: int) -> str:
    return f"Payment plan,We need a payment plan,{votes},2026-10-{day:02d},Acme,acme.example,,,,,,,\n"


@pytest.mark.parametrize(
    ("votes", "reason"),
    [
        ("²", "'²' in 'Votes' is not a number of votes"),
        ("١٢", "'١٢' in 'Votes' is not a number of votes"),
        ("7" * 5000, "'Votes' has 5,000 digits; a number of votes has at most 12"),
    ],
)
def test_a_votes_cell_that_is_not_ascii_digits_rejects_its_record(tmp_path: Path, votes: str, reason: str) -> None:
    output = imported(tmp_path, "ideas.csv", f"{IDEA_COLUMNS}\n{idea('3', 2)}{idea(votes, 3)}", source="idea-board")
    assert "EXPORT: line 3: rejected: " in output and reason in output
    assert "2 records read: 1 matched, 0 unmatched, 1 rejected" in output


def test_a_json_number_of_5000_digits_rejects_its_record(tmp_path: Path) -> None:
    fields = {name: "" for name in IDEA_COLUMNS.split(",")} | {"Title": "Payment plan", "Created At": "2026-10-02"}
    good = json.dumps(fields | {"Votes": 3})
    bad = json.dumps(fields | {"Votes": 0}).replace('"Votes": 0', '"Votes": ' + "9" * 5000)
    output = imported(tmp_path, "ideas.json", f"[{good},\n{bad}]\n", source="idea-board")
    assert "EXPORT: record 2: rejected: " in output and "5,000 digits" in output
    assert "2 records read: 1 matched, 0 unmatched, 1 rejected" in output


def test_a_json_document_nested_100000_deep_is_refused_with_its_position(tmp_path: Path) -> None:
    deep = '{"a": ' * 100_000 + "1" + "}" * 100_000
    text = (
        '[{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""},\n '
        + deep
        + "]\n"
    )
    output = refused(tmp_path, "deep.json", text)
    assert "EXPORT:2:599996: the JSON nests 100,001 levels deep here, too deep to read" in output


def test_a_json_record_nested_too_deep_is_rejected(tmp_path: Path) -> None:
    deep = '{"a": ' * 100 + "1" + "}" * 100
    good = '{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""}'
    output = imported(tmp_path, "deep.json", f'[{good}, {good[:-1]}, "n": {deep}}}]')
    assert f"EXPORT: record 2: rejected: the record is nested more than {read.MAX_DEPTH} levels deep" in output


def test_a_json_lines_record_nested_100000_deep_is_rejected_with_its_line(tmp_path: Path) -> None:
    good = '{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""}\n'
    deep = '{"a": ' * 100_000 + "1" + "}" * 100_000 + "\n"
    output = imported(tmp_path, "deep.jsonl", good + good + deep)
    assert f"EXPORT: line 3: rejected: the record is nested more than {read.MAX_DEPTH} levels deep" in output
    assert "3 records read: 2 matched, 0 unmatched, 1 rejected" in output


def test_a_json_document_over_the_size_limit_is_read_a_record_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_JSON_BYTES", 1024)
    records = ",\n".join(
        '{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""}'
        for _ in range(40)
    )
    (tmp_path / "array").mkdir()
    (tmp_path / "object").mkdir()
    assert "40 records read: 40 matched" in imported(tmp_path / "array", "big.json", f"[{records}]\n")
    wrapped = f'{{"count": 40, "meta": {{"a": [1, 2]}}, "records": [{records}], "next_page": null}}'
    assert "40 records read: 40 matched" in imported(tmp_path / "object", "wrapped.json", wrapped)


def test_a_streamed_json_document_that_breaks_is_refused_naming_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_JSON_BYTES", 1024)
    good = '{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""}'
    (tmp_path / "broken").mkdir()
    (tmp_path / "nolist").mkdir()
    output = refused(tmp_path / "broken", "broken.json", "[" + ",".join([good] * 20) + ', {"text": "x" "date"}]')
    assert (
        "EXPORT: record 21 is not valid JSON (Expecting ',' delimiter, at character 1,875); nothing was imported"
        in output
    ), output
    output = refused(tmp_path / "nolist", "nolist.json", '{"count": 3, "name": "' + "x" * 2000 + '"}')
    assert "EXPORT: the JSON object has no list of records" in output, output


def test_json_lines_are_read_as_a_stream_past_the_document_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_JSON_BYTES", 1024)
    lines = "".join(
        '{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""}\n'
        for _ in range(40)
    )
    assert "40 records read: 40 matched" in imported(tmp_path, "big.jsonl", lines)


def test_a_json_line_over_the_size_limit_is_refused_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "MAX_JSON_LINE", 1024)
    good = '{"text": "a payment plan", "date": "2026-10-02", "account": "", "segment": "", "source": ""}\n'
    output = refused(tmp_path, "long.jsonl", good + good + '{"text": "' + "x" * 2000 + '", "date": "2026-10-02"}\n')
    assert "EXPORT:3: the line is longer than 1,024 characters" in output


def test_a_quote_that_swallows_records_and_closes_at_a_cell_end_is_refused(tmp_path: Path) -> None:
    body = [record(n) for n in range(20)]
    body[2] = '"' + body[2]  # line 4
    body[5] = body[5].replace(",2026", '",2026', 1)  # line 7: closes at a cell's end, the width comes out right
    output = refused(tmp_path, "width.csv", HEADER + "".join(body))
    assert "EXPORT:4: the record on this line runs to line 7, and 2 of the lines inside its quoted cell" in output


def test_a_multi_line_cell_with_commas_is_text_not_swallowed_records() -> None:
    text = 'a,b,c\n"Hi, we use A, B,\nand C, D daily\n\nthanks",2026-10-02,x\n'
    rows = list(tabular.read(text.splitlines(keepends=True)))
    assert rows[-1] == tabular.Row(2, 5, ["Hi, we use A, B,\nand C, D daily\n\nthanks", "2026-10-02", "x"])


@pytest.mark.parametrize("arr", ["nan", "inf", "1e999", "١٢٠٠٠", "1_000", "9" * 5000])
def test_an_arr_that_is_not_a_plain_amount_is_named_and_left_out(tmp_path: Path, arr: str) -> None:
    repo = feedback_repo(tmp_path)
    export = tmp_path / "feedback.csv"
    export.write_text(HEADER + record(1))
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(f"name,arr,segment\nAcme 1,{arr},smb\nBeta,1200,smb\n")
    result = CliRunner().invoke(
        cli,
        ["feedback", "import", str(export), "--source", "generic", "--accounts", str(accounts), *where(repo)],
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {accounts}: line 2: {arr[:20]!r} in 'arr' is not an amount" in result.output
    assert "arr:" not in (repo / "roadmap" / "insights" / "payment-plans.yaml").read_text()


@pytest.mark.parametrize("day", ["٢٠٢٦-١٠-٠٢", "１７９００００００"])
def test_a_date_in_other_digits_rejects_its_record(tmp_path: Path, day: str) -> None:
    line = f"We need a payment plan,{day},Acme,smb,support\n"
    output = imported(tmp_path, "dates.csv", HEADER + record(1) + line)
    assert f"EXPORT: line 3: rejected: {day!r} in 'date' is not a date" in output


def test_a_kpi_history_with_an_unclosed_quote_names_the_lines_it_swallows(tmp_path: Path) -> None:
    repo = metrics_repo(tmp_path)
    (repo / "okrs/kpis/activation.csv").write_text('date,value\n2026-11-04,31\n"2026-11-11,33\n2026-11-18,34\n')
    result = CliRunner().invoke(cli, ["validate", *where(repo)])
    assert result.exit_code == 1, result.output
    assert (
        "okrs/kpis/activation.csv:3:1: error PO125 an opening quote is never closed; "
        "it swallows lines 3–4 (1 more record)"
    ) in result.output

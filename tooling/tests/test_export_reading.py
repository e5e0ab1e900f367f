"""Exports are read whole or refused with their position: stray quotes, cells past the size limit, hostile JSON and numbers.

Each case drives the CLI and checks three things: exit code 1 (a user's mistake, never a
traceback), a message naming where the problem is, and nothing written to the repository.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, TODAY, assemble

from prodops import tabular
from prodops.cli import cli

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
    assert not unmatched.exists()
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


# --- CSV: a stray quote, a cell past the limit ---------------------------------------------------------


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

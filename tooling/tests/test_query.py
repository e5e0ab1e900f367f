"""`prodops list` and `prodops graph`: CSV that a spreadsheet opens safely, and a graph walk linear in its edges."""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, copy_example

from prodops import pipeline, query, terminal
from prodops.cli import cli


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


@pytest.mark.parametrize("title", ["=1+41", "+SUM(A1:A2)", "-2+3-4", "@SUM(A1)", "\tTABS", "\rCR LF"])
def test_list_csv_neutralises_formulas_unless_raw(base_repo: Path, title: str) -> None:
    path = base_repo / "roadmap" / "quick-setup.yaml"
    path.write_text(path.read_text().replace("title: Quick setup wizard", f"title: {json.dumps(title)}"))
    code, output = run(base_repo, "list", "roadmap-item", "--format", "csv")
    assert code == 0, output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(output, newline=""))}
    assert rows["quick-setup"]["title"] == "'" + terminal.clean(title)  # a lone CR is shown, not obeyed
    assert rows["quick-setup"]["rice"] == "266.7"  # a number is left as it is
    code, output = run(base_repo, "list", "roadmap-item", "--format", "csv", "--raw-csv")
    assert code == 0, output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(output, newline=""))}
    assert rows["quick-setup"]["title"] == title


def test_list_csv_without_matches_still_has_its_header(base_repo: Path) -> None:
    # A value the schema allows but no launch has: an empty answer, not a typo.
    code, output = run(base_repo, "list", "launch", "--format", "csv", "--status", "cancelled")
    assert code == 0
    assert output.splitlines() == ["id,title,tier,status,ga,owner,team,readiness"]
    assert run(base_repo, "list", "launch", "--status", "cancelled")[1] == "no matching entities\n"


class _CountingList(list):  # type: ignore[type-arg]
    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def _reference_graph(edges: list[tuple[str, str, str]], start: str, depth: int) -> set[str]:
    """The neighbourhood by the definition: every node within ``depth`` links, either way."""
    keep = {start}
    frontier = deque([(start, 0)])
    while frontier:
        node, d = frontier.popleft()
        if d < depth:
            for a, b, _ in edges:
                for here, there in ((a, b), (b, a)):
                    if here == node and there not in keep:
                        keep.add(there)
                        frontier.append((there, d + 1))
    return keep


def test_graph_walks_the_edges_a_fixed_number_of_times_not_once_per_node(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    catalog = pipeline.build(copy_example(tmp_path / "repo"), today=TODAY).catalog
    edges = query._edges(catalog)
    expected = _reference_graph(edges, "usage-based-billing", 3)
    assert len(expected) > 20
    monkeypatch.setattr(query, "_edges", lambda catalog: _CountingList(edges))
    text = query.graph(catalog, "usage-based-billing", 3, "dot")
    assert _CountingList.walks <= 2
    nodes = {line.split('"')[1] for line in text.splitlines() if "[label=" in line and "->" not in line}
    assert nodes == expected


def test_show_prints_nested_values_as_an_outline(base_repo: Path) -> None:
    code, output = run(base_repo, "show", "quick-setup")
    assert code == 0
    assert "target:\n  quarter: 2026-Q4\n  start: 2026-10-01\n  end: 2026-12-11\n" in output
    assert "key_results:\n  - 2026-q4-company.kr1\n  - 2026-q4-core.kr1\n" in output
    assert "{" not in output and '"' not in output  # no JSON fragments


def test_report_launches_calls_out_a_launch_past_its_date(base_repo: Path) -> None:
    path = base_repo / "launches" / "activation-emails-launch.yaml"
    path.write_text(path.read_text().replace("status: launched", "status: ready"))
    code, output = run(base_repo, "report", "launches", "--within", "30d")
    assert code == 0, output
    assert "## Past their GA date, not launched" in output
    assert "- **Activation emails** (`activation-emails-launch`): GA 2026-09-30, 53 days ago, still ready" in output

"""The meaning-level diff: lists by identity, text as word diffs, and a summary that fits a comment."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from conftest import FIXTURES, TODAY, bench_generator, check_golden, copy_example
from markdown_it import MarkdownIt

from prodops import diff, diffreport
from prodops.pipeline import build

GOLDEN = FIXTURES / "diff"


def _report(before: Path, after: Path) -> diff.Report:
    old, new = build(before, today=TODAY), build(after, today=TODAY)
    return diff.compare(old.catalog, new.catalog, "main", "branch", old.diagnostics, new.diagnostics)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    before = copy_example(tmp_path / "before")
    after = tmp_path / "after"
    shutil.copytree(before, after)
    return before, after


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_text_change_shows_the_words_that_changed(pair: tuple[Path, Path]) -> None:
    before, after = pair
    _edit(
        after / "roadmap" / "usage-based-billing.yaml",
        "rate it by hand and paste totals into invoices every month",
        "rate it by hand in a second tool and paste totals into invoices every week",
    )
    report = _report(before, after)
    [change] = report.changes
    [field] = change.fields
    assert field.path == "problem"
    text = diffreport.markdown(report)
    assert (
        "`problem`: … to spreadsheets, rate it by hand **in a second tool** and paste totals into invoices every "
        "~~month;~~ **week;** it is our most-cited reason in …" in text
    )
    check_golden(GOLDEN / "text-change.md", text)


def test_a_member_added_at_the_top_of_a_team_is_one_change(pair: tuple[Path, Path]) -> None:
    before, after = pair
    _edit(
        after / "processes" / "teams" / "payments.yaml",
        "members:\n",
        "members:\n  - handle: noor-haddad\n    name: Noor Haddad\n    role: Product Designer\n",
    )
    report = _report(before, after)
    [change] = report.changes
    assert [(f.path, f.old) for f in change.fields] == [("members[noor-haddad]", None)]
    assert [n.text for n in change.notes] == ["member `noor-haddad` added"]
    check_golden(GOLDEN / "member-added.md", diffreport.markdown(report))


def test_a_list_insertion_at_the_top_is_one_change(pair: tuple[Path, Path]) -> None:
    before, after = pair
    _edit(
        after / "roadmap" / "usage-based-billing.yaml",
        "evidence:\n",
        "evidence:\n  - source: sales\n    summary: Lost a 40-seat deal to a competitor with usage pricing\n"
        "    account: Northwind Logistics\n    date: 2026-11-20\n",
    )
    report = _report(before, after)
    [change] = report.changes
    assert [f.path for f in change.fields] == [
        "evidence[sales · Lost a 40-seat deal to a competitor with usage pricing]"
    ]
    check_golden(GOLDEN / "list-insertion.md", diffreport.markdown(report))


def test_a_check_in_added_is_one_change(pair: tuple[Path, Path]) -> None:
    before, after = pair
    path = after / "okrs" / "2026-Q4" / "2026-q4-payments-usage-billing.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    checkins:\n"
    index = text.index(marker) + len(marker)
    text = text[:index] + "      - date: 2026-11-30\n        value: 21\n        confidence: 0.7\n" + text[index:]
    path.write_text(text, encoding="utf-8")
    report = _report(before, after)
    [change] = report.changes
    assert [(f.path, f.old, f.new) for f in change.fields] == [
        ("key_results[kr1].checkins[2026-11-30]", None, {"date": "2026-11-30", "value": 21, "confidence": 0.7})
    ]
    check_golden(GOLDEN / "checkin-added.md", diffreport.markdown(report))


def test_a_reordered_list_of_plain_values_is_no_change(pair: tuple[Path, Path]) -> None:
    before, after = pair
    path = after / "roadmap" / "usage-based-billing.yaml"
    data = path.read_text(encoding="utf-8")
    match = re.search(r"key_results:\n((?:  - .*\n)+)", data)
    assert match is not None and match.group(1).count("\n") >= 2
    lines = match.group(1).splitlines(keepends=True)
    path.write_text(data.replace(match.group(1), "".join(reversed(lines))), encoding="utf-8")
    assert _report(before, after).changes == []


# -- at scale --------------------------------------------------------------------------------------


def _generator() -> ModuleType:
    return bench_generator()


def test_a_thousand_changes_fit_one_comment_and_the_json_keeps_them_all(tmp_path: Path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    _generator().generate(before, 2_000, seed=3)
    shutil.copytree(before, after)
    edited = _generator().mutate(after, 1_000, seed=5)
    report = _report(before, after)
    text = diffreport.markdown(
        report, max_chars=diffreport.COMMENT_LIMIT, full_report="[the full report](https://ci/run/1)"
    )
    assert len(text) <= diffreport.COMMENT_LIMIT
    for group in diffreport._groups(report):
        title = diffreport._text(group.title, 60)
        assert f"#### {title} — {group.counts()}" in text or f"- **{title}**: {group.counts()}" in text, title
    assert "[the full report](https://ci/run/1)" in text
    as_json = json.loads(diffreport.as_json(report))
    assert {c["id"] for c in as_json["changes"] if c["status"] == "changed"} == edited
    full = diffreport.markdown(report)
    assert len(full) > diffreport.COMMENT_LIMIT  # the cut was needed: the test is not vacuous


# -- the summary as GitHub renders it --------------------------------------------------------------

# Titles that would end a comment, an element or a table cell early, or smuggle a link in.
HOSTILE_TITLES = {
    "payment-plans": "Plans <!-- everything after this hides",
    "ach-direct-debit": "Direct debit --> closes a comment",
    "audit-log-export": "Export <details><summary>nested</summary>",
    "card-payments-page": "Card page </summary> early end",
    "erp-sync-v2": "ERP sync </details> outside",
    "mobile-approvals": "Approvals `code` and ``two`` ticks",
    "netsuite-connector": "NetSuite | pipe | in a table",
    "public-api-v2": "API *not emphasised* _nor this_",
    "invoice-import-wizard": "Import [x](javascript:alert(1)) link",
    "churn-risk-alerts": "Alerts <img src=x onerror=alert(1)> & &amp; @someone",
}
# What the summary's own Markdown and HTML may produce; anything else came from a title.
_SUMMARY_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "ul", "li", "strong", "em", "s", "del", "code", "details", "summary"}
    | {"table", "thead", "tbody", "tr", "th", "td", "blockquote", "br"}
)


class _Rendered(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _rendered(markdown: str) -> _Rendered:
    """The summary as a CommonMark renderer with GitHub's tables and strikethrough shows it."""
    html = MarkdownIt("gfm-like").disable("linkify").render(markdown)
    parser = _Rendered()
    parser.feed(html)
    parser.close()
    return parser


def test_hostile_titles_are_shown_as_text_and_hide_nothing(pair: tuple[Path, Path]) -> None:
    before, after = pair
    for entity_id, title in HOSTILE_TITLES.items():
        path = after / "roadmap" / f"{entity_id}.yaml"
        text = path.read_text(encoding="utf-8")
        old_title = re.search(r"^title: (.*)$", text, re.MULTILINE)
        assert old_title is not None
        path.write_text(text.replace(old_title.group(0), f"title: {json.dumps(title)}", 1), encoding="utf-8")
    report = _report(before, after)
    assert {c.id for c in report.changes} >= set(HOSTILE_TITLES)
    rendered = _rendered(diffreport.markdown(report))
    shown = " ".join("".join(rendered.text).split()).replace("\u200b", "")
    for change in report.changes:
        assert change.id in shown, change.id
    for title in HOSTILE_TITLES.values():
        assert title in shown, title
    assert set(rendered.tags) <= _SUMMARY_TAGS, set(rendered.tags) - _SUMMARY_TAGS
    assert rendered.comments == [" prodops-diff "]
    assert rendered.tags.count("details") == rendered.tags.count("summary") == len(report.changes)

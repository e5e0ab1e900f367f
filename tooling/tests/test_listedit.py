"""List edits: the splices of ``listedit`` on every list field of every kind, and ``prodops add`` / ``remove``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, TODAY, assemble, copy_example

from prodops import listedit, yamlparse
from prodops.builtin_kinds import BUILTIN
from prodops.cli import cli
from prodops.schemas import load_schemas

SCHEMAS = load_schemas(REPO_ROOT / "schemas")
LIST_FIELDS = [
    (kind, name)
    for kind, ks in sorted(SCHEMAS.kinds.items())
    if kind in BUILTIN
    for name, prop in ks.schema.get("properties", {}).items()
    if SCHEMAS.expand(ks.file, prop)[0].get("type") == "array"
]
DECISION = FIXTURES / "kinds" / "decision"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_example(tmp_path_factory.mktemp("example") / "ops")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ops")


def run(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--root", str(repo), "--today", TODAY.isoformat()])
    return result.exit_code, result.output


def _one_insertion(before: str, after: str) -> str:
    """The text ``after`` inserted into ``before`` in one place (fails if anything else changed)."""
    prefix = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before))
    inserted = len(after) - len(before)
    assert inserted > 0 and after[:prefix] + after[prefix + inserted :] == before
    return after[prefix : prefix + inserted]


def _example_value(kind: str, field: str) -> Any:
    ks = SCHEMAS.kinds[kind]
    node = SCHEMAS.expand(ks.file, ks.schema["properties"][field])[0]
    return node["examples"][0][0]


@pytest.mark.parametrize(("kind", "field"), LIST_FIELDS, ids=[f"{k}-{f}" for k, f in LIST_FIELDS])
def test_add_then_remove_on_every_list_field_of_every_builtin_kind(example: Path, kind: str, field: str) -> None:
    files = sorted(p for p in example.rglob("*.yaml") if SCHEMAS.kind_for(p.relative_to(example).as_posix()))
    of_kind = [p for p in files if (SCHEMAS.kind_for(p.relative_to(example).as_posix()) or BUILTIN).kind == kind]  # type: ignore[union-attr]
    assert of_kind, kind
    holding = [p for p in of_kind if yamlparse.parse(p.read_text()).data.get(field)]
    path = holding[0] if holding else of_kind[0]
    before = path.read_text(encoding="utf-8")
    old = yamlparse.parse(before).data.get(field) or []
    value = old[0] if old else _example_value(kind, field)
    after = listedit.add_values(before, (field,), [value])
    _one_insertion(before, after)
    assert yamlparse.parse(after).data[field] == [*old, value]
    if old:  # an item added to an existing list comes out again byte for byte
        assert listedit.remove_values(after, (field,), [len(old)]) == before


def test_add_keeps_comments_and_crlf(repo: Path) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    original = path.read_bytes()
    assert b"# RICE reviewed" in original
    path.write_bytes(original.replace(b"\n", b"\r\n"))
    code, output = run(repo, "add", "usage-based-billing", "tags", "billing-v2")
    assert code == 0, output
    after = path.read_bytes()
    assert b"\r\n" in after and b"\n" not in after.replace(b"\r\n", b"")
    assert after.replace(b"\r\n", b"\n").replace(b"  - billing-v2\n", b"", 1) == original
    code, output = run(repo, "remove", "usage-based-billing", "tags", "billing-v2")
    assert code == 0, output
    assert path.read_bytes() == original.replace(b"\n", b"\r\n")


def test_add_a_key_result_and_a_member(repo: Path) -> None:
    code, output = run(repo, "add", "usage-based-billing", "key_results", "2026-q4-payments-usage-billing.kr2")
    assert (code, output) == (
        0,
        "roadmap/usage-based-billing.yaml: key_results: added 2026-q4-payments-usage-billing.kr2\n",
    )
    team = repo / "processes" / "teams" / "payments.yaml"
    code, output = run(repo, "add", "payments", "members", "handle=ana-silva", "name=Ana Silva", "role=PM")
    assert code == 0, output
    assert team.read_text().endswith("  - handle: ana-silva\n    name: Ana Silva\n    role: PM\n")
    code, output = run(repo, "remove", "payments", "members", "ana-silva")
    assert code == 0, output
    assert "ana-silva" not in team.read_text()


def test_an_inverse_relation_is_edited_from_either_side(repo: Path) -> None:
    insight = repo / "roadmap" / "insights" / "approval-for-credit-notes.yaml"
    item = repo / "roadmap" / "payment-plans.yaml"
    before, item_before = insight.read_text(), item.read_text()
    code, output = run(repo, "add", "payment-plans", "addresses", "approval-for-credit-notes")
    assert code == 0, output
    assert insight.read_text() == before.replace(
        "  - approval-workflows-for-credits\n", "  - approval-workflows-for-credits\n  - payment-plans\n"
    )
    code, output = run(repo, "add", "approval-for-credit-notes", "addressed_by", "payment-plans")
    assert code == 0 and "already has payment-plans, not added again" in output
    code, output = run(repo, "remove", "payment-plans", "addresses", "approval-for-credit-notes")
    assert code == 0, output
    assert insight.read_text() == before and item.read_text() == item_before
    code, output = run(repo, "remove", "approval-for-credit-notes", "addressed_by", "payment-plans")
    assert code == 0 and "has no payment-plans, nothing to remove" in output
    assert insight.read_text() == before


def test_refused_when_it_would_add_an_error_anywhere(repo: Path) -> None:
    path = repo / "roadmap" / "usage-based-billing.yaml"
    before = path.read_bytes()
    code, output = run(repo, "add", "usage-based-billing", "key_results", "2026-q4-payments-usage-billing.kr9")
    assert code == 1 and "was not changed" in output
    assert path.read_bytes() == before
    team = repo / "processes" / "teams" / "payments.yaml"
    members = yamlparse.parse(team.read_text()).data["members"]
    team_before = team.read_bytes()
    code, output = run(repo, "remove", "payments", "members", *(m["handle"] for m in members))
    assert code == 1 and "members" in output and "was not changed" in output
    assert team.read_bytes() == team_before


def test_did_you_mean_on_ids_and_fields(repo: Path) -> None:
    code, output = run(repo, "add", "payment-plan", "depends_on", "x")
    assert code == 1 and "did you mean 'payment-plans'?" in output
    code, output = run(repo, "add", "payment-plans", "depend_on", "x")
    assert code == 1 and "did you mean 'depends_on'?" in output
    code, output = run(repo, "add", "payment-plans", "depends_on", "card-payment-page")
    assert code == 1 and "did you mean 'card-payments-page'?" in output
    code, output = run(repo, "add", "payment-plans", "addresses", "approval-for-credit-note")
    assert code == 1 and "did you mean 'approval-for-credit-notes'?" in output


def test_set_names_add_for_lists(repo: Path) -> None:
    code, output = run(repo, "set", "usage-based-billing", "key_results", "2026-q4-payments-usage-billing.kr2")
    assert code == 1 and "prodops add usage-based-billing key_results" in output
    code, output = run(repo, "set", "usage-based-billing", "key_results.7", "x")
    assert code == 1 and "prodops add" in output


HINTED = [
    FIXTURES / "invalid" / case
    for case in ("PO401-now-without-owner-or-kr", "PO401-in-progress-in-later", "PO402-kr-without-work")
]


@pytest.mark.parametrize("case", HINTED, ids=[c.name for c in HINTED])
def test_every_command_a_hint_names_works(tmp_path: Path, case: Path) -> None:
    """Each ``prodops ...`` command quoted in a hint, its placeholders filled in, runs and fixes its finding."""
    expected = (case / "expected.txt").read_text()
    hints = [line.split("hint: ", 1)[1] for line in expected.splitlines() if "hint: prodops " in line]
    # Each alternative of a hint ("A, or B and C") is a sequence of commands that fixes the finding.
    ways = [way.split(" and ") for hint in hints for way in hint.split(", or ")]
    assert ways
    for number, way in enumerate(ways):
        repo = assemble(case, tmp_path / str(number))
        kr = f"{sorted((repo / 'okrs').rglob('*.yaml'))[0].stem}.kr1"
        for command in way:
            command = command.split(" (", 1)[0]
            filled = (
                command.replace("OBJECTIVE-ID.KR-ID", kr).replace("HANDLE", "bo-eng").replace("ITEM", "quick-setup")
            )
            code, output = run(repo, *filled.split()[1:])
            assert code == 0, f"{command}: {output}"
        assert run(repo, "validate")[1].count("PO40") < expected.count("PO40"), way


def test_add_and_remove_on_a_generic_kind(tmp_path: Path) -> None:
    repo = assemble(DECISION, tmp_path / "repo")
    path = repo / "processes" / "decisions" / "public-setup-api.yaml"
    before = path.read_text()
    code, output = run(repo, "add", "public-setup-api", "items", "quick-setup")
    assert code == 0, output
    assert path.read_text() == before.replace("  - setup-api\n", "  - setup-api\n  - quick-setup\n")
    code, output = run(repo, "remove", "public-setup-api", "items", "quick-setup")
    assert code == 0 and path.read_text() == before
    code, output = run(repo, "remove", "public-setup-api", "items", "setup-api")
    assert code == 1 and "was not changed" in output and path.read_text() == before


def _cli_value(item: Any) -> list[str] | None:
    """A list item as VALUE arguments, or None when the command line cannot write it (nested values)."""
    if isinstance(item, dict):
        if not all(isinstance(v, (str, int, float, bool)) for v in item.values()):
            return None
        return [f"{k}={v}" for k, v in item.items()]
    return [str(item)] if isinstance(item, (str, int, float)) else None


# Lists whose items hold lists or mappings of their own: KEY=VALUE arguments cannot write such an item, so
# the command line edits them by hand (test_add_then_remove_on_every_list_field_of_every_builtin_kind covers
# their splicing).
NESTED = {("objective", "key_results"), ("playbook", "checklist_template"), ("playbook", "feedback_rules")}
CLI_FIELDS = [pair for pair in LIST_FIELDS if pair not in NESTED]


@pytest.mark.parametrize(("kind", "field"), CLI_FIELDS, ids=[f"{k}-{f}" for k, f in CLI_FIELDS])
def test_remove_and_add_back_through_the_cli(example: Path, kind: str, field: str) -> None:
    """On every list field that holds a value the command line can write: removed, then added back, checked each time."""
    files = [p for p in sorted(example.rglob("*.yaml")) if SCHEMAS.kind_for(p.relative_to(example).as_posix())]
    for path in files:
        if SCHEMAS.kind_for(path.relative_to(example).as_posix()).kind != kind:  # type: ignore[union-attr]
            continue
        data = yamlparse.parse(path.read_text()).data
        items = data.get(field)
        if isinstance(items, list) and items and (args := _cli_value(items[-1])) is not None:
            break
    else:
        pytest.fail(f"no {kind} of the snapshot holds a {field} value the command line can write")
    before = path.read_bytes()
    code, output = run(example, "remove", path.stem, field, *args)
    if code == 1:  # refused: it would add an error somewhere (a required list emptied, a rule broken)
        assert "was not changed" in output and path.read_bytes() == before
        return
    assert code == 0, output
    removed = path.read_text()
    code, output = run(example, "add", path.stem, field, *args)
    assert code == 0, output
    _one_insertion(removed, path.read_text())
    assert yamlparse.parse(path.read_text()).data == data
    path.write_bytes(before)


def test_an_inverse_add_across_several_files_writes_all_of_them_or_none(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insights = repo / "roadmap" / "insights"
    files = [insights / "approval-for-credit-notes.yaml", insights / "proration-disputes.yaml"]
    before = [f.read_bytes() for f in files]
    real = Path.replace
    calls: list[Path] = []

    def failing(self: Path, target: str | Path) -> Path:
        # The second file's rename fails (a full disk, a crash) after the first one was renamed.
        calls.append(Path(target))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    args = ("add", "payment-plans", "addresses", "approval-for-credit-notes", "proration-disputes")
    code, _ = run(repo, *args)
    monkeypatch.setattr(Path, "replace", real)
    assert code != 0 and len(calls) >= 2
    assert [f.read_bytes() for f in files] == before
    code, output = run(repo, *args)
    assert (code, output) == (
        0,
        "roadmap/insights/approval-for-credit-notes.yaml: addressed_by: added payment-plans\n"
        "roadmap/insights/proration-disputes.yaml: addressed_by: added payment-plans\n",
    )
    assert [f.read_bytes() for f in files] == [
        b.replace(b"addressed_by:\n", b"addressed_by:\n", 1).replace(
            b"segments:\n", b"  - payment-plans\nsegments:\n", 1
        )
        for b in before
    ]

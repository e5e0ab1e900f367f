"""Several repositories: units' contracts, UNIT:ID references checked against pinned revisions, pins moved.

Three units are generated organisations, each a Git repository in tmp; the company repository is the frozen
example, declaring two units by path and pinned revision and one by a published contract file.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_TODAY, bench_generator, copy_example

from prodops.cli import cli

TODAY = EXAMPLE_TODAY.isoformat()
ITEM = "roadmap/usage-based-billing.yaml"  # in progress, due 2027-01-15
ITEM_DUE = "2027-01-15"
OBJECTIVE = "okrs/2026-Q4/2026-q4-payments-usage-billing.yaml"


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
    return done.stdout.decode().strip()


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


@dataclass
class Company:
    root: Path
    units: dict[str, Path]
    pins: dict[str, str]
    contracts: dict[str, dict[str, Any]]  # unit -> its contract at the pin

    def records(self, unit: str, kind: str) -> list[dict[str, Any]]:
        return list(self.contracts[unit]["entities"][kind])

    def validate(self) -> tuple[int, str]:
        return _run("validate", "--root", str(self.root), "--today", TODAY, "--no-cache")


def _unit(base: Path, name: str, seed: int) -> tuple[Path, str, dict[str, Any]]:
    repo = base / name
    bench_generator().generate(repo, 60, seed=seed, today=EXAMPLE_TODAY)
    (repo / "pyproject.toml").write_text(f'[tool.prodops.federation]\nname = "{name}"\n')
    _git(repo, "init", "-q", "-b", "main")
    rev = _commit(repo, f"{name}: its plan")
    code, output = _run("contract", "--root", str(repo), "--today", TODAY, "--out", str(base / f"{name}.json"))
    assert code == 0, output
    return repo, rev, json.loads((base / f"{name}.json").read_text())


@pytest.fixture
def company(tmp_path: Path) -> Company:
    units: dict[str, Path] = {}
    pins: dict[str, str] = {}
    contracts: dict[str, dict[str, Any]] = {}
    for seed, name in enumerate(("payments", "billing", "ledger"), start=1):
        units[name], pins[name], contracts[name] = _unit(tmp_path / "units", name, seed)
    root = copy_example(tmp_path / "company")
    (root / "contracts").mkdir()
    (root / "contracts" / "ledger.json").write_bytes((tmp_path / "units" / "ledger.json").read_bytes())
    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[tool.prodops.federation]\nname = "company"\n'
            f'\n[[tool.prodops.federation.units]]\nname = "payments"\npath = "../units/payments"\nrev = "{pins["payments"]}"\n'
            f'\n[[tool.prodops.federation.units]]\nname = "billing"\npath = "../units/billing"\nrev = "{pins["billing"]}"\n'
            '\n[[tool.prodops.federation.units]]\nname = "ledger"\ncontract = "contracts/ledger.json"\n'
        )
    return Company(root, units, pins, contracts)


def _due(record: dict[str, Any]) -> str:
    return str(record.get("due", ""))


def _open_item(company: Company, unit: str, *, later: bool) -> str:
    """An item of the unit, not done or dropped, due before (or, with ``later``, after) the company's item."""
    for record in company.records(unit, "roadmap-item"):
        due = _due(record)
        if due and record.get("meaning") not in ("done", "dropped") and (due > ITEM_DUE) == later:
            return str(record["id"])
    raise AssertionError(f"no such item in {unit}")


def _depend(company: Company, *targets: str) -> None:
    path = company.root / ITEM
    text = path.read_text(encoding="utf-8")
    added = "".join(f"  - {t}\n" for t in targets)
    path.write_text(
        text.replace("depends_on:\n  - usage-meter-imports\n", f"depends_on:\n  - usage-meter-imports\n{added}")
    )


def _parent(company: Company, target: str) -> None:
    path = company.root / OBJECTIVE
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "  - objective: 2026-q4-grow-net-revenue-retention\n    weight: 1.0\n",
            f"  - objective: 2026-q4-grow-net-revenue-retention\n    weight: 0.5\n  - objective: {target}\n    weight: 0.5\n",
        )
    )


def _federation_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if any(f" PO21{n} " in line for n in range(10))]


def test_references_to_three_units_validate(company: Company) -> None:
    before, _ = company.validate()
    _depend(
        company,
        f"payments:{_open_item(company, 'payments', later=False)}",
        f"ledger:{_open_item(company, 'ledger', later=False)}",
    )
    _parent(company, f"billing:{company.records('billing', 'objective')[0]['id']}")
    code, output = company.validate()
    assert _federation_lines(output) == []
    assert code == before


def test_broken_references_name_the_unit_and_suggest(company: Company) -> None:
    item = _open_item(company, "payments", later=False)
    objective = company.records("billing", "objective")[0]["id"]
    _depend(
        company,
        f"paymnts:{item}",
        f"payments:{item}x",
        f"billing:{objective}",
        f"payments:{_open_item(company, 'payments', later=True)}",
    )
    billing_item = company.records("billing", "roadmap-item")[0]["id"]
    _parent(company, f"billing:{billing_item}")
    code, output = company.validate()
    late = _open_item(company, "payments", later=True)
    late_due = next(_due(r) for r in company.records("payments", "roadmap-item") if r["id"] == late)
    assert code == 1
    assert _federation_lines(output) == [
        f"{OBJECTIVE}:13:16: error PO212 parents.objective: 'billing:{billing_item}' is of kind 'roadmap-item' in unit 'billing', not an objective",
        f"{ITEM}:29:5: error PO210 depends_on: 'paymnts:{item}' names unit 'paymnts', which is not declared (did you mean 'payments'?)",
        f"{ITEM}:30:5: error PO211 depends_on: '{item}x' is not a roadmap item in the contract of unit 'payments' (did you mean '{item}'?)",
        f"{ITEM}:31:5: error PO212 depends_on: 'billing:{objective}' is of kind 'objective' in unit 'billing', not a roadmap item",
        f"{ITEM}:32:5: error PO213 depends_on: depends on 'payments:{late}' of unit 'payments', due {late_due}, "
        f"{(date.fromisoformat(late_due) - date.fromisoformat(ITEM_DUE)).days} "
        f"days after this item is due ({ITEM_DUE})",
    ]


def test_a_unit_is_read_at_its_pin_not_its_working_tree(company: Company) -> None:
    item = _open_item(company, "payments", later=False)
    _depend(company, f"payments:{item}")
    (company.units["payments"] / "roadmap" / f"{item}.yaml").unlink()  # not committed: the pin still has it
    _, output = company.validate()
    assert _federation_lines(output) == []


def test_a_contract_is_byte_stable_and_keeps_customers_out(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    (root / "roadmap" / "payment-plans.yaml").write_text(
        (root / "roadmap" / "payment-plans.yaml").read_text().replace("title: ", "title: <script>alert(1)</script> ", 1)
    )
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        code, output = _run("contract", "--root", str(root), "--today", TODAY, "--name", "company", "--out", str(out))
        assert code == 0, output
    raw = outs[0].read_bytes()
    assert raw == outs[1].read_bytes()
    data = json.loads(raw)
    assert (data["format"], data["format_version"], data["unit"]) == ("prodops-contract", 1, "company")
    items = data["entities"]["roadmap-item"]
    assert items and all("title" in r for r in items)
    assert not any("evidence" in r for r in items)  # confidential: customers' names and revenue at stake
    assert b"1900000" not in raw  # an ARR figure of the example's evidence
    assert b"<script>alert(1)</script>" in raw  # data, as written: JSON is no page; a site escapes it


def test_no_name_no_contract(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    code, output = _run(
        "contract", "--root", str(root), "--today", TODAY, "--name", "<b>x</b>", "--out", str(tmp_path / "c.json")
    )
    assert code == 2 and "lower-case letters, digits and hyphens (got '<b>x</b>')" in output
    assert not (tmp_path / "c.json").exists()


def test_federate_shows_the_pins(company: Company) -> None:
    code, output = _run("federate", "--root", str(company.root))
    assert (code, output) == (
        0,
        f"payments: ../units/payments @ {company.pins['payments'][:12]}\n"
        f"billing: ../units/billing @ {company.pins['billing'][:12]}\n"
        "ledger: contract contracts/ledger.json\n",
    )


def test_update_moves_pins_says_what_changed_and_what_breaks(company: Company) -> None:
    payments = company.units["payments"]
    texts = [p.read_text() for p in payments.rglob("*.yaml") if "schemas" not in p.parts]
    # payments drops an item this repository names and no entity of its own names: a breaking change.
    item = next(
        str(r["id"])
        for r in company.records("payments", "roadmap-item")
        if _due(r)
        and _due(r) <= ITEM_DUE
        and r.get("meaning") not in ("done", "dropped")
        and sum(str(r["id"]) in text for text in texts) == 1
    )
    _depend(company, f"payments:{item}")
    config = company.root / "pyproject.toml"
    before = config.read_bytes()
    (payments / "roadmap" / f"{item}.yaml").unlink()
    new_payments = _commit(payments, "payments: drop an item")
    # billing renames an item's title: a change, nothing breaks.
    billing = company.units["billing"]
    first = sorted((billing / "roadmap").glob("*.yaml"))[0]
    first.write_text(first.read_text().replace("title: ", "title: Renamed ", 1))
    new_billing = _commit(billing, "billing: rename an item")

    code, output = _run("federate", "--root", str(company.root))
    assert (code, output.splitlines()[0]) == (
        0,
        f"payments: ../units/payments @ {company.pins['payments'][:12]} "
        f"(HEAD is {new_payments[:12]}: `prodops federate --update` moves the pin)",
    )
    code, output = _run("federate", "--update", "--root", str(company.root), "--today", TODAY)
    lines = output.splitlines()
    assert code == 1, output
    assert f"payments: {company.pins['payments'][:12]} -> {new_payments[:12]}" in lines
    assert f"  removed: {item}" in lines
    assert f"billing: {company.pins['billing'][:12]} -> {new_billing[:12]}" in lines
    assert f"  changed: {first.stem}" in lines
    assert any(
        line.startswith(
            f"breaks {ITEM}:29:5: PO211 depends_on: '{item}' is not a roadmap item in the contract of unit 'payments'"
        )
        for line in lines
    ), output
    expected = before.replace(company.pins["payments"].encode(), new_payments.encode())
    expected = expected.replace(company.pins["billing"].encode(), new_billing.encode())
    assert config.read_bytes() == expected  # only the two pins moved, byte for byte

    code, output = _run("federate", "--update", "--root", str(company.root), "--today", TODAY)
    assert (code, output) == (0, "every pin is at its unit's HEAD\n")


HOSTILE = [
    ('name = "<script>x</script>"\npath = "../u"\nrev = "{rev}"', "'name' must be a unit name"),
    ('name = "pay\\u0000ments"\npath = "../u"\nrev = "{rev}"', "'name' must be a unit name"),
    ('name = "u"\npath = "/etc"\nrev = "{rev}"', "'path' must be a relative path to the unit's repository"),
    ('name = "u"\npath = "a/../../../etc"\nrev = "{rev}"', "'path' must be a relative path"),
    ('name = "u"\npath = "../u\\u001b[31m"\nrev = "{rev}"', "'path' must be a relative path"),
    ('name = "u"\ncontract = "../outside.json"', "'contract' must be a relative path inside this repository"),
    ('name = "u"\ncontract = "/etc/passwd"', "'contract' must be a relative path inside this repository"),
    ('name = "u"\npath = "../u"\nrev = "HEAD"', "'rev' must be a full commit id"),
    ('name = "u"\npath = "../u"\nrev = "--upload-pack=touch"', "'rev' must be a full commit id"),
    ('name = "u"\npath = "../u"', "'rev' must be a full commit id"),
    ('name = "u"\npath = "../u"\ncontract = "c.json"', "give either 'path'"),
    ('name = "u"\ncontrat = "c.json"', "unknown setting 'contrat' (did you mean 'contract'?)"),
]


@pytest.mark.parametrize(("body", "message"), HOSTILE, ids=[m for _, m in HOSTILE])
def test_hostile_unit_declarations_are_refused_with_their_line(tmp_path: Path, body: str, message: str) -> None:
    root = copy_example(tmp_path / "ops")
    config = root / "pyproject.toml"
    lines = config.read_text().count("\n")
    with config.open("a", encoding="utf-8") as out:
        out.write("\n[[tool.prodops.federation.units]]\n" + body.format(rev="0" * 40) + "\n")
    code, output = _run("validate", "--root", str(root), "--today", TODAY, "--no-cache")
    assert code == 1
    assert f"pyproject.toml:{lines + 2}: units[1]" in output, output
    assert message in output, output


def test_a_unit_declared_twice(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as out:
        out.write('\n[[tool.prodops.federation.units]]\nname = "u"\ncontract = "a.json"\n' * 2)
    code, output = _run("validate", "--root", str(root), "--today", TODAY, "--no-cache")
    assert code == 1 and "unit 'u' is declared twice" in output


def test_a_unit_reference_without_units(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    company = Company(root, {}, {}, {})
    _depend(company, "payments:card-vault")
    code, output = company.validate()
    assert code == 1
    assert _federation_lines(output) == [
        f"{ITEM}:29:5: error PO210 depends_on: 'payments:card-vault' names unit 'payments', which is not declared"
    ]
    assert "units declared: none" in output


HOSTILE_CONTRACTS = [
    (b"\xff\xfe{", "is not UTF-8 JSON"),
    (b"[1, 2]", "is not a prodops contract"),
    (
        b'{"format": "prodops-contract", "format_version": 99, "unit": "ledger", "entities": {}}',
        "has format_version 99",
    ),
    (
        b'{"format": "prodops-contract", "format_version": 1, "unit": "<script>x</script>", "entities": {}}',
        "is the contract of unit '<script>x</script>', not of 'ledger'",
    ),
    (
        b'{"format": "prodops-contract", "format_version": 1, "unit": "ledger", '
        b'"entities": {"roadmap-item": [{"id": "anything\\u001b[2J<b>"}]}}',
        "has an entity whose kind or id is not lower-case words joined by hyphens ('anything\\x1b[2J<b>')",
    ),
    (
        b'{"format": "prodops-contract", "format_version": 1, "unit": "ledger", "entities": {"x": [1]}}',
        "has a 'x' entity without a text id",
    ),
]


@pytest.mark.parametrize(("raw", "message"), HOSTILE_CONTRACTS, ids=[m for _, m in HOSTILE_CONTRACTS])
def test_a_contract_file_that_is_not_one_is_named(company: Company, raw: bytes, message: str) -> None:
    (company.root / "contracts" / "ledger.json").write_bytes(raw)
    _depend(company, "ledger:anything")
    code, output = company.validate()
    assert code == 1
    lines = _federation_lines(output)
    assert len(lines) == 1 and lines[0].startswith("pyproject.toml:"), output
    assert " error PO214 unit 'ledger': its contract contracts/ledger.json " + message in lines[0]


def test_a_contract_file_that_is_a_link_is_refused(company: Company, tmp_path: Path) -> None:
    contract = company.root / "contracts" / "ledger.json"
    outside = tmp_path / "outside.json"
    outside.write_bytes(contract.read_bytes())
    contract.unlink()
    contract.symlink_to(outside)
    _depend(company, f"ledger:{_open_item(company, 'ledger', later=False)}")
    code, output = company.validate()
    assert code == 1 and "its contract contracts/ledger.json is not a regular file" in output


def test_a_contract_leaves_out_what_the_unit_hides(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('\n[tool.prodops.federation]\nname = "ledgerline"\nhide = ["roadmap-item.problem"]\n')
    code, output = _run("contract", "--root", str(root), "--today", TODAY, "--out", str(tmp_path / "c.json"))
    assert code == 0, output
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["unit"] == "ledgerline"
    assert not any("problem" in r for r in data["entities"]["roadmap-item"])
    assert all("title" in r for r in data["entities"]["roadmap-item"])


def test_hiding_a_field_that_does_not_exist(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ops")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('\n[tool.prodops.federation]\nname = "ledgerline"\nhide = ["roadmap-item.problme"]\n')
    code, output = _run("contract", "--root", str(root), "--today", TODAY, "--out", str(tmp_path / "c.json"))
    assert code == 1
    assert (
        "[tool.prodops.federation] hide: 'roadmap-item.problme' is not a field (did you mean 'roadmap-item.problem'?)"
        in output
    )
    assert not (tmp_path / "c.json").exists()


def test_update_keeps_line_endings_comments_and_everything_else(company: Company) -> None:
    config = company.root / "pyproject.toml"
    text = config.read_text(encoding="utf-8").replace(
        f'rev = "{company.pins["billing"]}"', f'rev = "{company.pins["billing"]}"  # pinned for the Q1 plan'
    )
    config.write_bytes(text.replace("\n", "\r\n").encode())
    before = config.read_bytes()
    billing = company.units["billing"]
    (billing / "roadmap" / "item-new-0.yaml").write_bytes(
        sorted((billing / "roadmap").glob("*.yaml"))[0]
        .read_bytes()
        .replace(b"\nid: ", b"\nid: item-new-0\nold_id: ", 1)
    )
    # The copy keeps its old id as a field the schema does not know: drop it, so the unit stays valid.
    copy = billing / "roadmap" / "item-new-0.yaml"
    copy.write_text(
        "".join(line for line in copy.read_text().splitlines(keepends=True) if not line.startswith("old_id:"))
    )
    new_billing = _commit(billing, "billing: a new item")
    code, output = _run("federate", "--update", "--root", str(company.root), "--today", TODAY)
    assert code == 0, output
    assert "  added: item-new-0" in output.splitlines()
    assert config.read_bytes() == before.replace(company.pins["billing"].encode(), new_billing.encode())


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'path = "../units/payments"\nrev = "{rev}"',
            'path = "../units/payments"\nrev = "' + "0" * 40 + '"',
            "is not a commit in",
        ),
        ('path = "../units/payments"', 'path = "../units/nowhere"', "'../units/nowhere' is not a Git repository"),
    ],
    ids=["unknown-rev", "not-a-repository"],
)
def test_a_unit_that_cannot_be_read_at_its_pin(company: Company, old: str, new: str, message: str) -> None:
    config = company.root / "pyproject.toml"
    old = old.format(rev=company.pins["payments"])
    config.write_text(config.read_text().replace(old, new))
    _depend(company, f"payments:{_open_item(company, 'payments', later=False)}")
    code, output = company.validate()
    assert code == 1
    lines = _federation_lines(output)
    assert len(lines) == 1 and lines[0].startswith("pyproject.toml:"), output
    assert " error PO214 unit 'payments': its contract, read from ../units/" in lines[0]
    assert message in lines[0]


def _moves(company: Company, *krs: str) -> None:
    path = company.root / ITEM
    text = path.read_text(encoding="utf-8")
    added = "".join(f"  - {kr}\n" for kr in krs)
    path.write_text(text.replace("key_results:\n", f"key_results:\n{added}", 1))


def test_an_item_moves_another_units_key_result(company: Company) -> None:
    before, _ = company.validate()
    objective = company.records("billing", "objective")[0]
    kr = objective["key_results"][0]["id"]
    _moves(company, f"billing:{objective['id']}.{kr}")
    code, output = company.validate()
    assert _federation_lines(output) == []
    assert code == before

    _moves(company, f"billing:{objective['id']}.{kr}x", f"billing:{objective['id']}x.{kr}")
    code, output = company.validate()
    krs = ", ".join(k["id"] for k in objective["key_results"])
    assert code == 1
    assert [line.strip() for line in output.splitlines() if "PO211" in line or "hint: its key results" in line] == [
        f"{ITEM}:24:5: error PO211 key_results: objective '{objective['id']}' of unit 'billing' has no key result "
        f"'{kr}x' (did you mean '{kr}'?)",
        f"hint: its key results are: {krs}",
        f"{ITEM}:25:5: error PO211 key_results: '{objective['id']}x.{kr}' names no objective '{objective['id']}x' "
        f"in the contract of unit 'billing' (did you mean '{objective['id']}'?)",
    ]

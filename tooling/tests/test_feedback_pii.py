"""No personal data of a feedback export reaches the repository, the rendered Markdown or either site.

The corpus, fixtures/feedback/pii/support-desk-pii.csv, carries international, hostile personal
data in every column: addresses with accented and full-width characters, phone numbers written
with non-breaking hyphens, dashes, full-width digits and thin spaces, two numbers run together,
greetings of people whose names are not ASCII, and the names of other people of the export
(third parties) in the text. Every address, number and name it holds is looked for afterwards.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, TODAY, copy_example
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from prodops.cli import cli
from prodops.commands.site import public_mkdocs_config
from prodops.feedback import scrub

CORPUS = FIXTURES / "feedback" / "pii" / "support-desk-pii.csv"
PERSON_COLUMNS = ("Requester", "Assignee", "Submitter", "Contact", "Customer")
PARTICLES = {"ní", "ó", "thị"}


def fold(text: str) -> str:
    """Text as compared: compatibility forms, no accents, no case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def corpus() -> tuple[set[str], set[str], set[str]]:
    """The corpus's addresses, phone numbers and name parts."""
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 30
    emails = {r["Requester email"] for r in rows}
    phones = {r["Category"].removeprefix("billing ") for r in rows}
    names: set[str] = set()
    for row in rows:
        for column in PERSON_COLUMNS:
            names.update(p for p in row[column].split() if len(p) >= 3 and p.lower() not in PARTICLES)
    return emails, phones, names


def leaks(text: str, emails: set[str], phones: set[str], names: set[str]) -> list[str]:
    folded = fold(text)
    found = [e for e in emails if e in text or fold(e) in folded]
    for phone in phones:
        # Each number's last two groups, however they are separated: written another way, it still leaks.
        tails = [re.findall(r"\d+", unicodedata.normalize("NFKC", piece))[-2:] for piece in phone.split("/")]
        if phone in text or any(re.search(rf"(?<!\d){a}\D{{0,3}}{b}(?!\d)", folded) for a, b in tails):
            found.append(phone)
    for name in names:
        part = fold(name)
        wordless = any("CJK" in unicodedata.name(c, "") for c in part)  # written without spaces between words
        pattern = re.escape(part) if wordless else rf"(?<!\w){re.escape(part)}(?!\w)"
        if re.search(pattern, folded):
            found.append(name)
    return found


def test_the_corpus_is_full_of_personal_data() -> None:
    emails, phones, names = corpus()
    assert len(emails) >= 5 and len(phones) >= 10 and len(names) >= 40
    text = CORPUS.read_text(encoding="utf-8")
    assert len(leaks(text, emails, phones, names)) == len(emails) + len(phones) + len(names)


@pytest.mark.parametrize(
    ("text", "people", "expected"),
    [
        ("mail zoë@acme.com now", (), "mail (email) now"),
        ("mail dana\uff20acme.com now", (), "mail (email) now"),
        ("mail dana@ácme-bank.com now", (), "mail (email) now"),
        ("call 020 7946 0958 / 020 7946 0959 today", (), "call (phone) / (phone) today"),
        ("call 020\u20117946\u20110961 today", (), "call (phone) today"),
        ("call 020\u20147946\u20140963 today", (), "call (phone) today"),
        ("card 4929 1234 5678 9012 3456 please", (), "card (phone) please"),
        ("Hi Łukasz, it fails", (), "Hi (name), it fails"),
        ("Dear Αλέξανδρος: it fails", (), "Dear (name): it fails"),
        ("as zoe told NAKAMURA-ORTIZ", ("Zoë Nakamura-Ortiz",), "as (name) told (name)"),
        ("王秀英说不工作", ("王秀英",), "(name)说不工作"),
        ("Due 2026-10-02 / 2026-10-05, amount 48,000", (), "Due 2026-10-02 / 2026-10-05, amount 48,000"),
        ("Thanks for the fix", (), "Thanks for the fix"),
    ],
)
def test_scrub_is_unicode_aware(text: str, people: tuple[str, ...], expected: str) -> None:
    assert scrub.scrub(text, people) == expected


def test_no_personal_data_of_the_corpus_reaches_the_repository_render_or_sites(tmp_path: Path) -> None:
    emails, phones, names = corpus()
    repo = copy_example(tmp_path / "repo", site=True)
    before = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(repo.rglob("*")) if p.is_file())
    assert not leaks(before, emails, phones, names)  # the example holds none of them to begin with
    reports = [tmp_path / "unmatched.csv", tmp_path / "unmatched.md"]
    for report in reports:
        result = CliRunner().invoke(
            cli,
            [
                "feedback",
                "import",
                str(CORPUS),
                "--source",
                "support-desk",
                "--unmatched",
                str(report),
                "--root",
                str(repo),
                "--today",
                TODAY.isoformat(),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "32 records read: 28 matched, 4 unmatched, 0 rejected" in result.output
        assert not leaks(result.output, emails, phones, names)
    rendered = tmp_path / "render"
    result = CliRunner().invoke(
        cli, ["render", "--out", str(rendered), "--root", str(repo), "--today", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    internal, public = tmp_path / "site", tmp_path / "public"
    mkdocs_build(load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(internal)))
    mkdocs_build(public_mkdocs_config(repo, strict=False, site_dir=public))
    written = [
        *sorted(p for p in repo.rglob("*") if p.is_file()),
        *reports,
        *sorted(p for folder in (rendered, internal, public) for p in folder.rglob("*") if p.is_file()),
    ]
    # The theme's search stemmers hold the words of whole languages ("eze" among them), never content.
    written = [p for p in written if "lunr" not in p.parts]
    assert len(written) > 200
    quotes = 0
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        quotes += text.count("(name)")
        found = leaks(text, emails, phones, names)
        assert not found, f"{path}: {found[:5]}"
    assert quotes > 30  # the quotes are there, scrubbed


def test_person_columns_are_the_declared_ones_and_those_named_like_people() -> None:
    from prodops.feedback.mapping import DEFAULTS, person_columns

    columns = (
        *DEFAULTS["support-desk"].columns,
        "Submitter",
        "Contact name",
        "Customer",
        "Full Name",
        "CC",
        "Feature name",
        "Company Name",
        "Customer ID",
        "Agent email",
        "Comment",
    )
    found = person_columns(DEFAULTS["support-desk"], tuple(sorted(columns)))
    assert set(found) == {"Requester", "Assignee", "Submitter", "Contact name", "Customer", "Full Name", "CC"}

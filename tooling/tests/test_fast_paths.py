"""The fast paths (yaml-rs, jsonschema-rs) and the reference paths agree on every input we have."""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml_rs
from conftest import EXAMPLE, FIXTURES, REPO_ROOT, TODAY, assemble, copy_example
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from prodops import pipeline, schemas, sources, yamlparse
from prodops.diagnostics import Diagnostic, ProdopsError
from prodops.schemas import load_schemas

SUITE = FIXTURES / "yaml-test-suite"


def _texts() -> list[tuple[str, str]]:
    out = []
    sources = [
        *sorted(p for p in FIXTURES.rglob("*.yaml") if SUITE not in p.parents),
        *sorted(SUITE.glob("*/*.yaml")),
    ]
    for path in sources:
        try:
            out.append((str(path.relative_to(REPO_ROOT.parent)), path.read_bytes().decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return out


TEXTS = _texts()


def _same(fast: Any, strict: Any) -> bool:
    """Equal values of equal types (``1 == 1.0 == True`` in Python; not here), NaN equal to NaN."""
    if type(fast) is not type(strict):
        return False
    if isinstance(fast, dict):
        return [(type(k), k) for k in fast] == [(type(k), k) for k in strict] and all(
            _same(fast[k], strict[k]) for k in fast
        )
    if isinstance(fast, list):
        return len(fast) == len(strict) and all(_same(a, b) for a, b in zip(fast, strict, strict=True))
    if isinstance(fast, float):
        if math.isnan(fast) or math.isnan(strict):
            return math.isnan(fast) and math.isnan(strict)
        return fast == strict and math.copysign(1, fast) == math.copysign(1, strict)
    return bool(fast == strict)


# Texts the fast parser must leave to the strict one: the strict parser refuses them, or yaml-rs
# reads them differently.
MUST_DECLINE = {
    "anchor and alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "YAML 1.1 underscores": "a: 1_000\n",
    "YAML 1.1 binary": "a: 0b101\n",
    "upper-case hex prefix": "reach: 0X12C\n",
    "upper-case octal prefix": "a: 0O17\n",
    "signed hex": "a: +0x1F\n",
    "signed octal": "a: -0o17\n",
    "upper-case binary prefix": "a: 0B101\n",
    "double underscore": "a: 1__0\n",
    "underscore in hex": "a: 0x1F_2\n",
    "leading underscore": "a: _1\n",
    "underscore in a float": "a: 1.5_0\n",
    "mixed-case infinity": "a: .iNf\n",
    "mixed-case NaN": "a: .nAn\n",
    "upper-case hex in a flow": "a: [x, 0X1F]\n",
    "integer key": "1: one\n",
    "boolean key": "true: yes\n",
    "null key": "~: nothing\n",
    "float key": "1.5: x\n",
    "folded indicator in a flow": "a: [>]\n",
    "literal indicator in a flow": "a: [|]\n",
    "indicator as a later flow item": "a: [b, >]\n",
    "reserved indicators": "a: [@x, `y]\n",
    "empty flow item": "a: [b,, c]\n",
    "control character": "a: x\x01y\n",
    "line separator": "a: x\u2028y\n",
    "compact nesting deeper than the cap": "- " * 30000 + "x\n",
    "tab indentation": "a:\n\t- 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "empty folded scalar": ">\n",  # found by the loader fuzz test
}
# Texts on which the fast parser may decide either way, but must agree if it does.
AGREE_OR_DECLINE = [
    "a: 2026-1-3\n",
    "[" * 40 + "]" * 40 + "\n",
    "a: |+\n  x\n   \n",
    "{a: 1, b: [x, y]}\n",
    "a: |\nb: 1\n",
    "a: 12#3\nb: 0x1F:20\nc: [1:20]\n",
]
# Ordinary texts the fast parser must accept (else the agreement tests would test nothing).
MUST_ACCEPT = [
    "a: 0x1F\nb: 0o17\nc: 1.5e3\nd: -12\ne: 0755\nf: +.inf\ng: .NaN\nh: 5.\n",
    "a: Null\nb: ~\nc: TRUE\nd: no\ne: On\nf: y\n",
    "a: 2026-11-03\nb: 12:30\nc: 1:20:30\nd: 2001-12-14 21:59:43.10\ne: 2026-q4\n",
    "a: '0X12C'\nb: \"1_000\"\nc: 3+ weeks\nd: 2-4 days\ne: [billing, q4-launch, 12]\n",
    "notes: |\n  Step 1. Ship in 2 weeks, not 3+ -- see the 2026-q4 plan (50%).\n",
]


def _raw_fast(text: str) -> Any:
    try:
        return yaml_rs.loads(text, parse_datetime=False)
    except Exception as exc:
        return exc


@pytest.mark.parametrize("text", MUST_DECLINE.values(), ids=MUST_DECLINE.keys())
def test_fast_parser_declines_what_it_must(text: str) -> None:
    strict = yamlparse.parse(text)
    assert strict.error is not None or not _same(_raw_fast(text), strict.data), "not a trap: both read it alike"
    assert yamlparse.parse_fast(text) is None


@pytest.mark.parametrize("text", MUST_ACCEPT)
def test_fast_parser_accepts_ordinary_forms_and_reads_them_as_the_strict_parser_does(text: str) -> None:
    fast = yamlparse.parse_fast(text)
    strict = yamlparse.parse(text)
    assert fast is not None and strict.error is None
    assert _same(fast.data, strict.data)


def test_fast_parser_is_used_for_ordinary_files() -> None:
    example = [t for name, t in TEXTS if "/fixtures/" not in name and "yaml-test-suite" not in name]
    assert sum(yamlparse.parse_fast(t) is not None for t in example) >= len(example) - 2


def test_the_yaml_test_suite_is_compared_in_full() -> None:
    """No case is silently left out: every case (all are UTF-8) is in TEXTS."""
    compared = [name for name, _ in TEXTS if "/yaml-test-suite/" in name]
    assert len(compared) == len(list(SUITE.glob("*/*.yaml"))) == 402


@pytest.mark.parametrize(
    "text",
    [t for _, t in TEXTS] + AGREE_OR_DECLINE,
    ids=[n for n, _ in TEXTS] + [f"either-{i}" for i in range(len(AGREE_OR_DECLINE))],
)
def test_fast_parser_declines_or_agrees_with_the_strict_parser(text: str) -> None:
    fast = yamlparse.parse_fast(text)
    strict = yamlparse.parse(text)
    if fast is not None:  # declining is always allowed: the strict parser then decides alone
        assert strict.error is None, strict.error
        assert _same(fast.data, strict.data)


# --- Scalars in every YAML 1.1 and 1.2 form: the fast path declines, or reads them as the strict one does ---

DIGITS = "0123456789"


def _cased(word: str) -> st.SearchStrategy[str]:
    flips = st.lists(st.booleans(), min_size=len(word), max_size=len(word))
    return flips.map(lambda up: "".join(c.upper() if u else c for c, u in zip(word, up, strict=True)))


@st.composite
def _numbers(draw: st.DrawFn) -> str:
    """Integers, prefixed integers, floats, infinities and NaNs, sexagesimals, with signs and underscores."""
    form = draw(st.sampled_from(["int", "prefixed", "float", "special", "sexagesimal"]))
    if form == "int":
        body = draw(st.text(DIGITS, min_size=1, max_size=8))
    elif form == "prefixed":
        prefix = draw(st.sampled_from(["0x", "0X", "0o", "0O", "0b", "0B"]))
        body = prefix + draw(st.text(DIGITS + "abcdefABCDEF", max_size=6))
    elif form == "float":
        body = draw(st.text(DIGITS, max_size=4)) + draw(st.sampled_from(["", "."])) + draw(st.text(DIGITS, max_size=4))
        if draw(st.booleans()):
            body += (
                draw(st.sampled_from("eE")) + draw(st.sampled_from(["", "+", "-"])) + draw(st.text(DIGITS, max_size=3))
            )
    elif form == "special":
        body = draw(st.sampled_from(["", "."])) + draw(st.sampled_from(["inf", "nan", "infinity"]).flatmap(_cased))
    else:
        parts = draw(st.lists(st.text(DIGITS, min_size=1, max_size=3), min_size=2, max_size=3))
        body = ":".join(parts) + draw(st.sampled_from(["", ".5", ".15"]))
    for at in sorted(draw(st.lists(st.integers(0, len(body)), max_size=2)), reverse=True):
        body = body[:at] + draw(st.sampled_from(["_", "__"])) + body[at:]
    return draw(st.sampled_from(["", "", "+", "-"])) + body


_WORDS = st.sampled_from(["null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"]).flatmap(_cased)


@st.composite
def _dates(draw: st.DrawFn) -> str:
    """Dates and timestamps in the YAML 1.1 timestamp forms (and near misses)."""
    year = draw(st.sampled_from(["2026", "2001", "926"]))
    text = f"{year}-{draw(st.sampled_from(['1', '01', '12', '13']))}-{draw(st.sampled_from(['3', '03', '31']))}"
    if draw(st.booleans()):
        text += draw(st.sampled_from(["T", "t", " ", "  "])) + draw(st.sampled_from(["21:59:43", "1:02:03", "21:59"]))
        text += draw(st.sampled_from(["", ".10", ".1234"])) + draw(st.sampled_from(["", "Z", "-05:00", " +1"]))
    return text


_YAMLISH_WORD = st.text(alphabet="0123456789abefxXoObB_+-.:~eEiInN ", min_size=1, max_size=10)
SCALARS = st.one_of(_numbers(), _WORDS, _dates(), _YAMLISH_WORD)
QUOTED = st.one_of(SCALARS.map(lambda s: f"'{s}'"), SCALARS.map(lambda s: f'"{s}"'))
# Where a scalar can stand: mapping value, list item, flow item, mapping key, nested, with a comment.
CONTEXTS = [
    "a: @\n",
    "- @\n",
    "a: [@]\n",
    "a: [x, @]\n",
    "@: 1\n",
    "a:\n  @: b\n  c: @\n",
    "{a: @}\n",
    "a: @ # Q and A\n",
    "a: @\nb: x\n",
]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scalar=st.one_of(SCALARS, QUOTED), context=st.sampled_from(CONTEXTS))
@example(scalar="0X12C", context="reach: @\n")
@example(scalar="0O17", context="a: @\n")
@example(scalar="+0x1F", context="a: @\n")
@example(scalar="0B101", context="a: @\n")
@example(scalar="1__0", context="a: @\n")
@example(scalar="0x1F_2", context="a: @\n")
def test_fast_parser_declines_or_reads_every_scalar_form_as_the_strict_parser_does(scalar: str, context: str) -> None:
    text = context.replace("@", scalar)
    fast = yamlparse.parse_fast(text)
    if fast is not None:  # declining is always allowed
        strict = yamlparse.parse(text)
        assert strict.error is None, strict.error
        assert _same(fast.data, strict.data), (fast.data, strict.data)


def test_fast_schema_validator_agrees_with_python_jsonschema() -> None:
    registry = load_schemas(REPO_ROOT / "schemas")
    checked = 0
    for path in sorted(FIXTURES.rglob("*.yaml")) + sorted((EXAMPLE / "roadmap").glob("*.yaml")):
        rel = "/".join(path.parts[-2:]) if path.parent.name != "teams" else "/".join(path.parts[-3:])
        kind = registry.kind_for(rel)
        if kind is None or kind.fast is None:
            continue
        try:
            parsed = yamlparse.parse(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if parsed.error is not None or not isinstance(parsed.data, dict):
            continue
        reference_valid = not list(kind.validator.iter_errors(parsed.data))
        assert kind.fast.is_valid(parsed.data) == reference_valid, path
        checked += 1
    assert checked > 100


def _outcome(build: Callable[[], pipeline.Result]) -> list[Diagnostic] | str:
    """A build's diagnostics, or the message of the error that refused the repository whole."""
    try:
        return build().diagnostics
    except ProdopsError as exc:
        return str(exc)


CASES = sorted(p for kind in ("valid", "invalid") for p in (FIXTURES / kind).iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_pipeline_gives_the_same_diagnostics_without_fast_paths(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = assemble(case, tmp_path / "repo")
    with_fast = _outcome(lambda: pipeline.build(repo, today=TODAY))
    monkeypatch.setattr(yamlparse, "_yaml_rs", None)
    real_load = schemas.load_schemas

    def without_fast(schema_dir: Path) -> schemas.SchemaSet:
        loaded = real_load(schema_dir)
        kinds = {k: dataclasses.replace(v, fast=None) for k, v in loaded.kinds.items()}
        return dataclasses.replace(loaded, kinds=kinds)

    monkeypatch.setattr(sources, "load_schemas", without_fast)
    reference = _outcome(lambda: pipeline.build(repo, today=TODAY))
    assert with_fast == reference


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.mark.parametrize("git", [False, True], ids=["folder", "git"])
@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_a_warm_cache_gives_the_same_diagnostics_as_no_cache(case: Path, tmp_path: Path, git: bool) -> None:
    """Each shortcut (outlines, problems and positions kept per file content; in a Git work tree,
    the files Git's index vouches for not read) against a cold run."""
    repo = assemble(case, tmp_path / "repo")
    if git:
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "case")
    later = date(2027, 2, 20)  # findings in valid cases too, to be placed from what the cache kept
    for today in (TODAY, later):
        reference = _outcome(lambda: pipeline.build(repo, today=today))  # noqa: B023
        for _ in range(3):  # cold cache, cache with outlines, cache with positions
            assert _outcome(lambda: pipeline.build(repo, today=today, use_cache=True)) == reference  # noqa: B023


def _at_revision(repo: Path, name: str, cache: bool) -> list[Diagnostic] | str:
    try:
        with sources.revision(repo, name, cache=cache) as revision:
            return [*revision.problems, *pipeline.run(revision.source, today=TODAY).diagnostics]
    except ProdopsError as exc:
        return str(exc)


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_a_revision_read_through_the_cache_gives_the_same_diagnostics(case: Path, tmp_path: Path) -> None:
    """The base of ``diff`` takes the files it holds alike with the working tree from the repository's cache."""
    repo = assemble(case, tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "case")
    edited = sorted(repo.glob("roadmap/*.yaml"))[:1]
    for path in edited:  # the working tree differs from the revision in one file, the same size
        path.write_bytes(path.read_bytes().replace(b"status: ", b"status:\t", 1))
    _outcome(lambda: pipeline.build(repo, today=TODAY, use_cache=True))
    _outcome(lambda: pipeline.build(repo, today=TODAY, use_cache=True))
    cache_file = repo / ".prodops-cache" / "files.sqlite"
    before = cache_file.read_bytes() if cache_file.exists() else None
    assert _at_revision(repo, "HEAD", cache=True) == _at_revision(repo, "HEAD", cache=False)
    assert (cache_file.read_bytes() if cache_file.exists() else None) == before  # only read


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_one_file_alone_gets_the_same_diagnostics_as_in_a_full_run(case: Path, tmp_path: Path) -> None:
    """`validate FILE` builds models only around FILE; its verdict must equal the full run's."""
    repo = assemble(case, tmp_path / "repo")
    try:
        full = pipeline.build(repo, today=TODAY)
    except ProdopsError as refused:  # schemas that are refused whole: so is every file alone
        for rel in sorted(p.relative_to(case).as_posix() for p in case.rglob("*.yaml")):
            assert _outcome(functools.partial(pipeline.build, repo, today=TODAY, only=[rel])) == str(refused)
        return
    pipeline.build(repo, today=TODAY, use_cache=True)  # from here on, other files' outlines come from the cache
    overlay = sorted(p.relative_to(case).as_posix() for p in case.rglob("*.yaml"))
    for rel in [*overlay, "roadmap/quick-setup.yaml", "okrs/2026-q4-company.yaml"]:
        expected = [d for d in full.diagnostics if d.file == rel]
        assert pipeline.build(repo, today=TODAY, only=[rel]).diagnostics == expected, rel
        assert pipeline.build(repo, today=TODAY, only=[rel], use_cache=True).diagnostics == expected, rel


def test_every_example_file_alone_agrees_with_the_full_run(tmp_path: Path) -> None:
    later = date(2027, 2, 20)  # launch dates passed, playbooks due for review: some findings to agree on
    repo = copy_example(tmp_path / "repo")
    full = pipeline.build(repo, today=later)
    assert full.diagnostics
    for rel in full.files[::4] + sorted({d.file for d in full.diagnostics}):
        assert pipeline.build(repo, today=later, only=[rel]).diagnostics == [
            d for d in full.diagnostics if d.file == rel
        ], rel

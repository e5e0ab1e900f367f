"""Hostile input and data safety: whatever arrives, a diagnostic (never a crash), and no lost bytes."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, assemble, copy_example
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from prodops import edit, loader, yamlparse
from prodops.cli import cli
from prodops.pipeline import build
from prodops.schemas import load_schemas

PRODOPS = str(Path(sys.executable).parent / "prodops")


def test_a_50_megabyte_file_is_refused_without_reading_it_all(base_repo: Path) -> None:
    with (base_repo / "roadmap" / "big.yaml").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    messages = [(d.file, d.code) for d in build(base_repo, today=TODAY).diagnostics]
    assert messages == [("roadmap/big.yaml", "PO107")]


def test_a_folder_of_100000_files(base_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crowd = base_repo / "roadmap" / "crowd"
    crowd.mkdir()
    for i in range(100_000):
        (crowd / f"f{i:06d}.txt").touch()  # not content: discovery walks past them
    assert build(base_repo, today=TODAY).diagnostics == []
    monkeypatch.setattr(loader, "MAX_FILES", 1_000)  # the cap, at a size a test can afford to fill
    for i in range(1_100):
        (crowd / f"y{i:06d}.yaml").touch()
    result = build(base_repo, today=TODAY)
    assert any(d.code == "PO107" and "more than 1000 files" in d.message for d in result.diagnostics)


def test_new_refuses_an_id_that_is_a_path(base_repo: Path) -> None:
    result = CliRunner().invoke(
        cli, ["new", "roadmap-item", "--root", str(base_repo), "--no-input", "--title", "x", "--id", "../../escape"]
    )
    assert result.exit_code == 2 and "is not an id" in result.output
    assert not (base_repo.parent / "escape.yaml").exists()


def test_an_interrupted_write_leaves_the_old_or_the_new_file(base_repo: Path) -> None:
    """Kill `prodops set` at random moments: the file is always one of the two versions, never half."""
    path = base_repo / "roadmap" / "quick-setup.yaml"
    old = path.read_bytes()
    new = old.replace(b"  end: 2026-12-11", b"  end: 2026-12-12")
    rng = random.Random(7)
    for _ in range(12):
        process = subprocess.Popen(
            [
                PRODOPS,
                "set",
                "quick-setup",
                "target.end",
                "2026-12-12",
                "--root",
                str(base_repo),
                "--today",
                TODAY.isoformat(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 0.9))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert path.read_bytes() in (old, new)
        path.write_bytes(old)
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    assert all(name.endswith(".tmp") for name in leftovers)  # at worst a stray temporary file, never a damaged one


def test_two_writers_at_once_lose_neither_change(base_repo: Path) -> None:
    path = base_repo / "okrs" / "2026-q4-company.yaml"
    for round_ in range(3):
        common = ["--root", str(base_repo), "--today", TODAY.isoformat(), "--date", "2026-11-2" + str(round_)]
        first = subprocess.Popen(
            [PRODOPS, "checkin", "2026-q4-company.kr1", "--value", "7", "--confidence", "0.6", *common],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        second = subprocess.Popen(
            [PRODOPS, "checkin", "2026-q4-company.kr2", "--value", "35", "--confidence", "0.7", *common],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        outputs = [p.communicate()[0].decode() for p in (first, second)]
        assert first.returncode == 0 and second.returncode == 0, outputs
    data = yamlparse.parse(path.read_text()).data
    assert len(data["key_results"][0]["checkins"]) == 1 + 3
    assert len(data["key_results"][1]["checkins"]) == 1 + 3


# --- Property-based: valid entities generated from the schema, written, edited, read back -----------

SCHEMAS = load_schemas(REPO_ROOT / "schemas")
ITEM = SCHEMAS.kinds["roadmap-item"]
SAFE_TEXT = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


def _resolved(node: dict[str, Any], file: str) -> tuple[dict[str, Any], str]:
    return SCHEMAS.expand(file, node)


def value_for(node: dict[str, Any], file: str, depth: int = 0) -> st.SearchStrategy[Any]:
    node, file = _resolved(node, file)
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "string":
        if node.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True).filter(
                lambda s: len(s) <= node.get("maxLength", 2000)
            )
        low = node.get("minLength", 1)
        return (
            SAFE_TEXT.filter(lambda s: len(s) >= low)
            if low <= 5
            else st.text(alphabet="abcdefghij klmnop:#'\"-", min_size=low, max_size=low + 30).map(
                lambda s: "x" + s.strip() + "x"
            )
        )
    if kind == "integer":
        return st.integers(min_value=node.get("minimum", 0), max_value=100_000)
    if kind == "number":
        low = node.get("minimum", node.get("exclusiveMinimum", 0))
        high = node.get("maximum", 1_000_000)
        return (
            st.floats(min_value=low, max_value=high, allow_nan=False, exclude_min="exclusiveMinimum" in node)
            .map(lambda f: round(f, 3))
            .filter(lambda f: f > low if "exclusiveMinimum" in node else True)
        )
    if kind == "array" and depth < 2:
        return st.lists(value_for(node["items"], file, depth + 1), max_size=2, unique_by=lambda v: repr(v))
    if kind == "object" and depth < 2:
        props = node.get("properties", {})
        required = set(node.get("required", ()))
        fixed = {k: value_for(v, file, depth + 1) for k, v in props.items() if k in required}
        optional = {k: value_for(v, file, depth + 1) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(fixed, optional=optional)
    return st.none()


def roadmap_items() -> st.SearchStrategy[dict[str, Any]]:
    props = {
        k: v
        for k, v in ITEM.schema["properties"].items()
        if k not in ("id", "team", "owner", "key_results", "depends_on", "status")
    }
    return st.fixed_dictionaries(
        {
            "title": value_for(props["title"], ITEM.file),
            "problem": value_for(props["problem"], ITEM.file),
            "horizon": st.sampled_from(["next", "later"]),
        },
        optional={
            k: value_for(v, ITEM.file)
            for k, v in props.items()
            if k not in ("title", "problem", "horizon", "cancelled_reason")
        },
    ).filter(
        lambda d: (
            d.get("target") != {}
            and ITEM.validator.is_valid({"id": "generated", **d, "status": "idea", "team": "core"})
        )
    )


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(item=roadmap_items(), comment=SAFE_TEXT.map(lambda s: s.replace("\n", " ")), new_title=SAFE_TEXT)
def test_written_entities_read_back_as_meant_and_edits_keep_comments(
    tmp_path_factory: pytest.TempPathFactory, item: dict[str, Any], comment: str, new_title: str
) -> None:
    repo = assemble(None, tmp_path_factory.mktemp("prop") / "repo")
    data = {"id": "generated", **item, "status": "idea", "team": "core"}
    rel = "roadmap/generated.yaml"
    body = edit.emit(data)
    lines = body.splitlines(keepends=True)
    lines.insert(1, f"# {comment}\n")  # a comment the edit must keep
    text = loader.expected_modeline(rel, ITEM) + "\n" + "".join(lines)
    (repo / rel).write_text(text, encoding="utf-8")
    parsed = yamlparse.parse(text)
    assert parsed.error is None and parsed.data == data, "what is read back is what was written"
    assert not list(ITEM.validator.iter_errors(parsed.data))
    result = CliRunner().invoke(
        cli,
        ["set", "--string", "--root", str(repo), "--today", TODAY.isoformat(), "--", "generated", "title", new_title],
    )
    after = (repo / rel).read_text(encoding="utf-8")
    if result.exit_code == 0:
        assert yamlparse.parse(after).data == {**data, "title": new_title}
        assert f"# {comment}\n" in after
        assert [line for line in after.splitlines() if not line.startswith("title:")] == [
            line for line in text.splitlines() if not line.startswith("title:")
        ]
    else:
        assert after == text and "was not changed" in result.output  # e.g. a title too short for the schema


# --- Fuzzing the loader: any bytes end in data or a diagnostic, in bounded time -----------------------

YAMLISH = st.text(alphabet=st.sampled_from(list("ab:- \n\t\"'#&*!|>[]{},?%@`\\0\x00\x85\u2028é𝄞")), max_size=120)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.one_of(st.binary(max_size=200), YAMLISH.map(lambda s: s.encode("utf-8", "surrogatepass"))))
@example(raw=b'>\n "')  # a block scalar to the end of a text with no final line break
def test_loader_fuzz(raw: bytes) -> None:
    kind = ITEM
    doc, problems = loader.load_bytes("roadmap/fuzz.yaml", kind, raw, SCHEMAS)
    assert doc is not None or problems
    for problem in problems:
        assert problem.message and problem.file == "roadmap/fuzz.yaml"
    text = raw.decode("utf-8", "replace")
    fast = yamlparse.parse_fast(text)
    if fast is not None:
        strict = yamlparse.parse(text)
        assert strict.error is None and strict.data == fast.data


def test_edit_scalar_round_trips_awkward_strings() -> None:
    for value in [
        "no",
        "on",
        "12:30",
        "1.10",
        "0755",
        "2026-11-03",
        "- x",
        "a: b",
        "# c",
        "'q'",
        '"d"',
        "x #y",
        "",
        " lead",
        "ünï",
    ]:
        rendered = edit.scalar(value)
        assert yamlparse.parse(f"v: {rendered}\n").data == {"v": value}, (value, rendered)


def test_copy_of_example_repository_survives_every_command_without_traceback(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "ops")
    (repo / "roadmap" / "broken.yaml").write_bytes(b"\xff\xfe\x00garbage")
    for args in (
        ["validate"],
        ["show", "usage-based-billing"],
        ["list", "roadmap-item"],
        ["export", "--format", "json", "--out", str(tmp_path / "x.json")],
    ):
        result = CliRunner().invoke(cli, [*args, "--root", str(repo)])
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
    assert (repo / "roadmap" / "broken.yaml").read_bytes() == b"\xff\xfe\x00garbage"  # reading never changes a file

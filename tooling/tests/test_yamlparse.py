"""Strict YAML: YAML 1.2 scalars, refusals with positions, and positions of values and keys."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
import yaml._yaml
import yaml.scanner

from prodops.yamlparse import parse, resolve_plain


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("no", "no"),
        ("NO", "NO"),
        ("on", "on"),
        ("yes", "yes"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("12", 12),
        ("-3", -3),
        ("0o17", 15),
        ("0x1F", 31),
        ("0755", 755),
        ("1.10", 1.1),
        ("1e3", 1000.0),
        ("12:30", "12:30"),
        ("2026-11-03", "2026-11-03"),
        ("2023-14-05", "2023-14-05"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("+.inf", float("inf")),
        ("-.INF", float("-inf")),
        ("Nope", "Nope"),
    ],
)
def test_plain_scalars_follow_yaml_1_2_core_schema(text: str, value: Any) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


def test_quoted_scalars_stay_strings() -> None:
    assert parse("a: '12'\nb: \"true\"\nc: 'null'\n").data == {"a": "12", "b": "true", "c": "null"}


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "PO102", 3, 1, "duplicate key 'a' (first defined on line 1)"),
        ("a:\n  b: 1\n  b: 2\n", "PO102", 3, 3, "duplicate key 'b' (first defined on line 2)"),
        ("a: &x 1\n", "PO103", 1, 4, "anchor '&x' is not allowed"),
        ("a: 1\nb: *x\n", "PO103", 2, 4, "alias '*x' is not allowed"),
        (
            "a: !!python/object/apply:os.system [ls]\n",
            "PO104",
            1,
            4,
            "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        ),
        ("a: !custom x\n", "PO104", 1, 4, "tag '!custom' is not allowed"),
        ("a: 1\n---\nb: 2\n", "PO105", 2, 1, "more than one YAML document in this file"),
        ("a: b: c\n", "PO101", 1, 5, "YAML syntax error: mapping values are not allowed in this context"),
        ("a:\n\t- 1\n", "PO101", 2, 1, "YAML syntax error: a tab character is used for indentation"),
        ('a: "x"# c\n', "PO101", 1, 7, "a '#' directly after a quoted value is not a comment"),
        ("? [a]\n: 1\n", "PO101", 1, 3, "a mapping key must be a plain word, not a list or mapping"),
        ("? \n: 1\n", "PO101", 1, 2, "empty mapping key"),
        ("a: x\x00y\n", "PO106", 1, 5, "control character U+0000 is not allowed in YAML"),
        (
            'a: "\\ud800"\n',
            "PO101",
            1,
            7,
            "YAML syntax error: found invalid Unicode character escape code (while parsing a quoted scalar)",
        ),
    ],
)
def test_refusals_are_pinned(text: str, code: str, line: int, column: int, message: str) -> None:
    error = parse(text).error
    assert error is not None
    assert (error.code, error.line, error.column, error.message) == (code, line, column, message)
    assert error.hint


def test_alias_bomb_is_refused_at_the_first_anchor() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    error = parse(bomb).error
    assert error is not None and error.code == "PO103" and error.line == 1


@pytest.mark.parametrize(("opener", "line", "column"), [("[", 1, 65), ("{a: ", 1, 257), ("- ", 65, 129)])
def test_deep_nesting_is_refused_without_recursion(opener: str, line: int, column: int) -> None:
    depth = 200_000
    text = opener * depth if opener != "- " else "".join("  " * i + "-\n" for i in range(100)) + "x"
    error = parse(text).error
    assert error is not None
    assert (error.code, error.line, error.column, error.message) == (
        "PO108",
        line,
        column,
        "nesting is deeper than 64 levels",
    )


_REAL_CPARSER = yaml._yaml.CParser


def _libyaml_with_a_depth_limit(limit: int, lookahead: int) -> type:
    """A libyaml whose scanner stops at ``limit`` flow levels, ``lookahead`` characters ahead of its events.

    That is how libyaml 0.2.6 and later (PyYAML 6.0.3 and later) behave, with limit 1,000 and
    a look-ahead of up to 1,024 characters; PyYAML 6.0.1 and 6.0.2 bundle a libyaml with no limit.
    """

    class Limited:
        def __init__(self, text: str) -> None:
            self._inner = _REAL_CPARSER(text)
            level, self._fails_at = 0, None
            for index, char in enumerate(text):
                level += (char in "[{") - (char in "]}")
                if level >= limit:
                    self._fails_at = index
                    break
            self._text = text

        def get_event(self) -> Any:
            event = self._inner.get_event()
            if (
                self._fails_at is not None
                and event is not None
                and event.start_mark is not None
                and event.start_mark.index + lookahead >= self._fails_at
            ):
                line = self._text.count("\n", 0, self._fails_at)
                column = self._fails_at - (self._text.rfind("\n", 0, self._fails_at) + 1)
                mark = yaml.Mark("<unicode string>", self._fails_at, line, column, None, None)  # type: ignore[arg-type]
                raise yaml.scanner.ScannerError(
                    "while increasing flow level", mark, "exceeded maximum nesting depth", mark
                )
            return event

        def dispose(self) -> None:
            self._inner.dispose()

    return Limited


DEEP_TEXTS = {
    "flow sequences": ("id: deep\nx: " + "[" * 100_000 + "\n", 2, 67),
    "flow mappings": ("id: deep\nx: " + "{a: " * 50_000 + "\n", 2, 256),
    "block, then flow": (
        "id: deep\nx:\n" + "".join("  " * i + "- \n" for i in range(1, 40)) + " " * 80 + "- " + "[" * 5000,
        42,
        106,
    ),
    "after non-ASCII text": ("id: déjà\nx: [ééé, " + "[" * 100_000 + "\n", 2, 72),
}


@pytest.mark.parametrize(("limit", "lookahead"), [(None, 0), (1000, 1024), (1000, 0), (200, 1024), (66, 1024), (66, 0)])
@pytest.mark.parametrize("case", DEEP_TEXTS)
def test_deep_nesting_gives_the_same_diagnostic_whatever_libyaml_limits(
    case: str, limit: int | None, lookahead: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PO108 where our cap is first exceeded, with or without libyaml's own depth limit, however far it reads ahead."""
    text, line, column = DEEP_TEXTS[case]
    if limit is not None:
        monkeypatch.setattr(yaml._yaml, "CParser", _libyaml_with_a_depth_limit(limit, lookahead))
    error = parse(text).error
    assert error is not None
    assert (error.code, error.line, error.column, error.message) == (
        "PO108",
        line,
        column,
        "nesting is deeper than 64 levels",
    )


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert parse("[" * 64 + "]" * 64, max_depth=64).error is None
    assert parse("[" * 65 + "]" * 65, max_depth=64).error is not None


def test_positions_of_values_and_keys() -> None:
    parsed = parse("id: x\nrice:\n  reach: 5\nlist:\n  - a\n  - {b: 1}\n", positions=True)
    assert parsed.values[("id",)] == (1, 5)
    assert parsed.values[("rice", "reach")] == (3, 10)
    assert parsed.keys[("rice", "reach")] == (3, 3)
    assert parsed.values[("list", 1)] == (6, 5)
    assert parsed.values[("list", 1, "b")] == (6, 9)


def test_positions_are_not_collected_unless_asked() -> None:
    parsed = parse("a: 1\n")
    assert parsed.data == {"a": 1} and parsed.values == {} and parsed.keys == {}


def test_empty_and_comment_only_documents_have_no_data() -> None:
    for text in ("", "# just a comment\n", "---\n"):
        parsed = parse(text)
        assert parsed.error is None and parsed.data is None

"""Strict YAML: text in, plain JSON-like data (and optionally source positions) out.

The operating-system files are data, so this parser accepts a deliberately small
subset of YAML and refuses the rest with a clear message:

* one document per file; no anchors, aliases or explicit tags;
* YAML 1.2 core-schema scalars: ``yes``/``no``/``on``/``off`` stay strings,
  dates stay strings (the schemas check them with ``format``), ``0o17`` and
  ``0x1F`` are integers, ``12:30`` is a string;
* mapping keys are plain strings; duplicate keys are errors;
* nesting is capped, so hostile input cannot exhaust the stack.

It drives libyaml's event parser (through PyYAML's C binding) and builds the
data itself with an explicit stack: nothing recurses, and no Python object is
ever constructed from a tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from prodops.diagnostics import JsonPath

MAX_DEPTH = 64

Position = tuple[int, int]  # 1-based line, 1-based column

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# A plain scalar can only be a non-string if it starts with one of these.
_SPECIAL_START = frozenset("-+.0123456789~nNtTfF")


def resolve_plain(text: str) -> Any:
    """Resolve a plain (unquoted) scalar with the YAML 1.2 core schema."""
    if text and text[0] not in _SPECIAL_START:
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


@dataclass(frozen=True)
class ParseError:
    """Why a text is not acceptable, and where (1-based line and column)."""

    code: str
    message: str
    line: int
    column: int
    hint: str = ""


@dataclass
class Parsed:
    """The data of one document; positions are filled only when asked for."""

    data: Any = None
    error: ParseError | None = None
    values: dict[JsonPath, Position] = field(default_factory=dict)
    keys: dict[JsonPath, Position] = field(default_factory=dict)
    # Character offsets [start, end) of each value and each key, for edits that change only those bytes.
    spans: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)
    key_spans: dict[JsonPath, tuple[int, int]] = field(default_factory=dict)


def _pos(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


class _Frame:
    __slots__ = ("items", "key", "mapping", "path", "seen", "start")

    def __init__(self, mapping: dict[str, Any] | None, items: list[Any] | None) -> None:
        self.mapping = mapping
        self.items = items
        self.path: JsonPath = ()  # with the start offset below, filled only when positions are asked for
        self.start = 0
        self.key: str | None = None  # pending mapping key, None when a key is expected
        # The start mark of each key seen so far (its line is worked out only for a duplicate).
        self.seen: dict[str, Any] | None = {} if mapping is not None else None


def parse(text: str, *, positions: bool = False, max_depth: int = MAX_DEPTH) -> Parsed:
    """Parse one YAML document strictly. Never raises for bad input."""
    import yaml  # imported when first needed: a run that takes every file from the cache never is

    result = Parsed()
    try:
        _parse_into(text, result, positions, max_depth)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and _LIBYAML_DEPTH in str(exc.problem):
            return _too_deep(text, mark, positions, max_depth)
        line, column = _pos(mark) if mark is not None else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        hint = "check indentation, colons and quotes on this line and the one above"
        if mark is not None and _char_at(text, mark) == "\t":
            problem, context = "a tab character is used for indentation", ""
            hint = "YAML indents with spaces; replace the tab with spaces"
        result.error = ParseError("PO101", f"YAML syntax error: {problem}{context}", line, column, hint)
    except yaml.reader.ReaderError as exc:
        line, column = _index_to_pos(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        result.error = ParseError(
            "PO106",
            f"control character U+{char:04X} is not allowed in YAML",
            line,
            column,
            "remove the control character or write it as an escape in a double-quoted string",
        )
    except yaml.YAMLError as exc:
        result.error = ParseError("PO101", f"YAML error: {exc}", 1, 1)
    if result.error is not None:
        result.data = None
    return result


# Newer libyaml releases (bundled with PyYAML 6.0.3 and later) stop at 1,000 levels themselves,
# and their scanner reads up to 1,024 characters ahead of the events we see: in "[[[[..." it
# fails at the 1,000th "[" before we are handed the level at which MAX_DEPTH is exceeded.
_LIBYAML_DEPTH = "exceeded maximum nesting depth"


def _too_deep(text: str, mark: Any, positions: bool, max_depth: int) -> Parsed:
    """PO108 where our own depth cap is first exceeded, whichever libyaml found the nesting first.

    The text before the point where libyaml gave up holds fewer levels than its limit, so
    parsing only that prefix runs into our cap at the same event as a libyaml without a limit
    would. (libyaml counts block levels too, so a prefix may need cutting once more.)
    """
    import yaml

    end = int(mark.index)
    for _ in range(_DEPTH_RETRIES):
        if not 0 < end < len(text):
            break
        prefix = Parsed()
        try:
            _parse_into(text[:end], prefix, positions, max_depth)
        except yaml.MarkedYAMLError as exc:
            again = exc.problem_mark
            if again is None or _LIBYAML_DEPTH not in str(exc.problem) or int(again.index) >= end:
                break  # the cut text ends inside a construct: not a finding about the file
            end = int(again.index)
            continue
        except yaml.YAMLError:
            break
        if prefix.error is not None and prefix.error.code == "PO108":
            return Parsed(error=prefix.error)
        break
    # Our cap is below libyaml's, so the nesting is too deep for us at this point too.
    return Parsed(error=_refuse("PO108", f"nesting is deeper than {max_depth} levels", mark, _DEPTH_HINT))


_DEPTH_RETRIES = 4
_DEPTH_HINT = "flatten the structure; operating-system files never need this depth"


def _index(mark: Any) -> int:
    return int(mark.index) if mark is not None else 0


def _char_at(text: str, mark: Any) -> str:
    index = getattr(mark, "index", -1)
    return text[index] if 0 <= index < len(text) else ""


def _index_to_pos(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return (line, column)


def _refuse(code: str, message: str, mark: Any, hint: str) -> ParseError:
    line, column = _pos(mark)
    return ParseError(code, message, line, column, hint)


def _parse_into(text: str, result: Parsed, positions: bool, max_depth: int) -> None:
    """Build the data from libyaml's events with an explicit stack.

    This loop runs once per event (up to one per byte of a hostile file), so it dispatches on
    the event's exact class, most frequent first, and builds paths only when positions are asked for.
    """
    from yaml import events
    from yaml._yaml import CParser  # libyaml, bundled with PyYAML's wheels

    scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
    mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    document_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent

    parser = CParser(text)
    get_event = parser.get_event
    has_escapes = "\\" in text  # once: asking for each double-quoted scalar would read the text again each time
    values, spans, keys, key_spans = result.values, result.spans, result.keys, result.key_spans
    stack: list[_Frame] = []
    parent: _Frame | None = None  # the innermost open collection: stack[-1]
    documents = 0
    root: Any = None
    has_root = False
    try:
        while True:
            event: Any = get_event()
            cls = type(event)
            if cls is scalar_event:
                if event.anchor is not None:
                    result.error = _anchor(event)
                    return
                tag = event.tag
                plain = event.implicit[0]
                if tag is not None and (tag != "!" or plain):
                    result.error = _tag(event)
                    return
                if parent is not None and parent.key is None and parent.seen is not None:
                    # A mapping key.
                    key = event.value
                    if plain and key in _NULLS:
                        result.error = _refuse("PO101", "empty mapping key", event.start_mark, "give the key a name")
                        return
                    first = parent.seen.get(key)
                    if first is not None:
                        line, column = _pos(event.start_mark)
                        result.error = ParseError(
                            "PO102",
                            f"duplicate key '{key}' (first defined on line {first.line + 1})",
                            line,
                            column,
                            "remove one of the two; YAML would silently keep only the last",
                        )
                        return
                    parent.seen[key] = event.start_mark
                    parent.key = key
                    if positions:
                        key_path = (*parent.path, key)
                        keys[key_path] = _pos(event.start_mark)
                        key_spans[key_path] = (event.start_mark.index, event.end_mark.index)
                    continue
                value: Any
                if plain and tag is None:
                    value = resolve_plain(event.value)
                else:
                    value = event.value
                    style = event.style
                    if style == '"' and has_escapes and not _encodable(value):
                        result.error = _refuse(
                            "PO106",
                            "string contains a lone surrogate escape, which is not valid Unicode",
                            event.start_mark,
                            "remove the '\\uD8xx'-style escape or write the character itself",
                        )
                        return
                    if (style == '"' or style == "'") and _char_at(text, event.end_mark) == "#":
                        result.error = _refuse(
                            "PO101",
                            "a '#' directly after a quoted value is not a comment",
                            event.end_mark,
                            "put a space before '#' to start a comment, or move the '#' inside the quotes",
                        )
                        return
                child: _Frame | None = None
            elif cls is mapping_end or cls is sequence_end:
                closed = stack.pop()
                parent = stack[-1] if stack else None
                if positions:
                    spans[closed.path] = (closed.start, event.end_mark.index)
                continue
            elif cls is mapping_start or cls is sequence_start:
                if event.anchor is not None:
                    result.error = _anchor(event)
                    return
                if event.tag is not None:
                    result.error = _tag(event)
                    return
                if parent is not None and parent.key is None and parent.seen is not None:
                    result.error = _refuse(
                        "PO101",
                        "a mapping key must be a plain word, not a list or mapping",
                        event.start_mark,
                        "use a simple key such as 'title:'",
                    )
                    return
                if cls is mapping_start:
                    value = {}
                    child = _Frame(value, None)
                else:
                    value = []
                    child = _Frame(None, value)
            elif cls is document_start:
                documents += 1
                if documents > 1:
                    result.error = _refuse(
                        "PO105",
                        "more than one YAML document in this file",
                        event.start_mark,
                        "keep one entity per file; remove the '---' line and move the rest to its own file",
                    )
                    return
                continue
            elif cls is alias_event:
                result.error = _refuse(
                    "PO103",
                    f"alias '*{event.anchor}' is not allowed",
                    event.start_mark,
                    "write the value out in full; anchors and aliases are refused so every value is visible where it is used",
                )
                return
            elif event is None or cls is stream_end:
                break
            else:  # the stream's start and a document's end
                continue

            # Put the node where it goes: the root, a mapping value, or a list item.
            if positions:
                path: JsonPath
                if parent is None:
                    path = ()
                elif parent.key is not None:
                    path = (*parent.path, parent.key)
                else:
                    assert parent.items is not None
                    path = (*parent.path, len(parent.items))
                start_mark = event.start_mark
                values[path] = (start_mark.line + 1, start_mark.column + 1)
                if child is None:
                    spans[path] = (start_mark.index, event.end_mark.index)
                else:  # a collection's span is written when it ends
                    child.path = path
                    child.start = start_mark.index
            if parent is None:
                root = value
                has_root = True
            elif parent.mapping is not None:
                assert parent.key is not None
                parent.mapping[parent.key] = value
                parent.key = None
            else:
                assert parent.items is not None
                parent.items.append(value)
            if child is not None:
                if len(stack) >= max_depth:
                    result.error = _refuse(
                        "PO108", f"nesting is deeper than {max_depth} levels", event.start_mark, _DEPTH_HINT
                    )
                    return
                stack.append(child)
                parent = child
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    result.data = root if has_root else None


def _anchor(event: Any) -> ParseError:
    return _refuse(
        "PO103",
        f"anchor '&{event.anchor}' is not allowed",
        event.start_mark,
        "remove the anchor and write values out in full",
    )


def _tag(event: Any) -> ParseError:
    return _refuse(
        "PO104",
        f"tag '{event.tag}' is not allowed",
        event.start_mark,
        "remove the tag; values are plain strings, numbers, booleans, lists and mappings",
    )


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- Fast path ---------------------------------------------------------------------------------
#
# yaml-rs (a Rust YAML 1.2 parser) builds the same data about ten times faster, but it
# resolves anchors and aliases, ignores tags, reads a few YAML 1.1 forms (1_000, 0b101) and
# turns keys such as 1 or true into numbers and booleans. So it is used only for texts in which none of those can
# occur, with bounded nesting (it recurses), and its result is checked before it is trusted.
# Anything else, and every file with a problem, takes the strict parser above, which is the
# reference: the test suite runs every fixture and YAML test-suite case through both.

_FAST_CHARS = re.compile(
    r"[&*!\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]"
)  # anchors, aliases, tags, odd characters
_FAST_ESCAPES = re.compile(r"\\[uUxN0-9]")  # numeric escapes (surrogates and control characters)
# A word that yaml-rs may read as a number: it starts a scalar (after white space or a flow
# indicator) with a sign, digit, dot, underscore or "~", and holds only characters that its
# number forms use (yaml-rs also reads 0X12C, 0B101, +0x1F, 1__0, 0x1F_2 and .iNf as numbers).
# A word followed by any other character ("12%", "2026-q4") is part of a longer string.
# (A dash and a space, the list indicator, is no word.)
_FAST_NUMBERISH = re.compile(r"(?<![^\s\[\]{},])(?!-\s)[-+._0-9~][-+._0-9a-fA-FiInNoOtTxXyY~]*+(?=[\s\[\]{},:]|\Z)")
# The words both parsers read alike: YAML 1.2 core-schema numbers and "~"; and strings to both:
# a lone sign, and a word with a sign that is neither its first character nor after an exponent
# ("2026-11-03", "3+", "--note"), which is not a number in any YAML schema.
_FAST_AGREED = re.compile(
    r"[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|[-+]|.*[^eE][-+].*"
)
_FAST_COMPACT = re.compile(r"(?:[-?]\s+){4}")  # compact nesting such as "- - - -"
# One-line flow collections without nesting; each item a plain word-like scalar ("[billing, q4-launch]").
# Anything else in a flow (mappings, quotes, indicators such as "[>]", empty items) goes to the strict parser.
_FAST_FLOW = re.compile(r"[\[{]([^\[\]{}\n]*)[\]}]")
_FAST_FLOW_ITEM = re.compile(r"\s*[\w.][\w ./+-]*")
_FAST_BLANK = re.compile(r"^ +$", re.MULTILINE)  # whitespace-only lines: libyaml and the spec disagree on block scalars
_DEEP_INDENT = "\n" + " " * 48
# A block scalar header ("key: |", "- >-", "|2"); one with no content below it reads differently.
_FAST_BLOCK_HEADER = re.compile(r"(?:^|[ :-])[|>][-+0-9]*[ \t]*(?:#.*)?$", re.MULTILINE)
_FAST_ALLOWED_ASCII = bytes(b for b in range(0x20, 0x7F) if b not in b"&*!") + b"\n"
_MAX_FAST_FLOW = 32

_yaml_rs: Any
try:
    import yaml_rs as _yaml_rs
except ImportError:  # pragma: no cover - the accelerator is a dependency, but optional at run time
    _yaml_rs = None


def parse_fast(text: str) -> Parsed | None:
    """Data for ``text`` through the fast parser, or None when only the strict parser may decide."""
    if _yaml_rs is None or not _fast_allowed(text):
        return None
    try:
        data = _yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # any complaint is worded and positioned by the strict parser
        return None
    try:
        _check_keys(data)
    except _Unsure:
        return None
    return Parsed(data=data)


def _fast_allowed(text: str) -> bool:
    """Cheap checks first; each regex runs only when its trigger character is present."""
    if text.isascii():
        # One pass in C: whatever is left after deleting the allowed bytes is a reason to refuse.
        if text.encode("ascii").translate(None, _FAST_ALLOWED_ASCII):
            return False
    elif _FAST_CHARS.search(text):
        return False
    if _DEEP_INDENT in text:
        return False
    # A block scalar that runs to the end of a text with no final line break: the fast parser drops the
    # line break that clip chomping keeps (">\n \"" reads '"', not '"\n').
    if not text.endswith("\n") and ("|" in text or ">" in text):
        return False
    if text.startswith(("---", "...", "%")) or "\n---" in text or "\n..." in text or "\n%" in text:
        return False
    if "\\" in text and _FAST_ESCAPES.search(text):
        return False
    if ("- -" in text or "? " in text or "-\n" in text) and _FAST_COMPACT.search(text):
        return False
    flows = text.count("[") + text.count("{")
    if flows > _MAX_FAST_FLOW or (flows and not _plain_flows(text, flows)):
        return False
    if (" \n" in text or text.endswith(" ")) and _FAST_BLANK.search(text):
        return False
    if ("|" in text or ">" in text) and _empty_block_scalar(text):
        return False
    agreed = _FAST_AGREED.fullmatch  # last: it looks at every number-like word
    return all(agreed(word) for word in _FAST_NUMBERISH.findall(text))


def _plain_flows(text: str, flows: int) -> bool:
    """True if every "[" and "{" opens a one-line, unnested flow collection of plain word-like items."""
    found = 0
    for match in _FAST_FLOW.finditer(text):
        found += 1
        content = match.group(1)
        if content.strip() and not all(_FAST_FLOW_ITEM.fullmatch(item) for item in content.split(",")):
            return False
    return found == flows


_SPACES = re.compile(r" *")


def _after_spaces(text: str, index: int) -> int:
    match = _SPACES.match(text, index)
    assert match is not None  # " *" matches everywhere
    return match.end()


def _empty_block_scalar(text: str) -> bool:
    """True if some block scalar header has no more-indented line after it.

    Linear in the text: a header is matched at most once per line, and the blank lines
    after a header are read only until the next line with content.
    """
    size = len(text)
    for match in _FAST_BLOCK_HEADER.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        header_indent = _after_spaces(text, line_start) - line_start
        following = match.end() + 1  # the header's pattern ends at the end of its line
        while following < size:
            content = _after_spaces(text, following)
            if content < size and text[content] != "\n":
                break  # a line with content (tabs and other white space never reach this check)
            following = content + 1
        else:
            return True
        if content - following <= header_indent:
            return True
    return False


class _Unsure(Exception):
    """The fast parser's data cannot be trusted to equal the strict parser's."""


def _check_keys(value: Any) -> None:
    """Raise _Unsure if a mapping key is not a plain string (the strict parser reads keys as text)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for key, item in node.items():
                if type(key) is not str or key in _NULLS:
                    raise _Unsure
                if type(item) is dict or type(item) is list:
                    stack.append(item)
        elif type(node) is list:
            stack.extend(item for item in node if type(item) is dict or type(item) is list)


def parse_document_text(text: str) -> Parsed:
    """The fast path when it can decide, the strict parser otherwise."""
    fast = parse_fast(text)
    return fast if fast is not None else parse(text)

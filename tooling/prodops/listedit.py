"""Add values to a list field of a YAML file, or remove them, by changing only their bytes.

The companion of ``edit.set_value`` for lists: a block list gets new ``- item`` lines with
the indentation of its items, or loses the lines of the removed ones; an inline list
(``[a, b]``) is rewritten inside its brackets, keeping the text of the items that stay; an
absent list is added as its mapping's last key. Every other byte stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prodops import edit
from prodops.diagnostics import JsonPath


def add_values(text: str, path: JsonPath, values: Sequence[Any]) -> str:
    """Append ``values`` (scalars or mappings) to the list at ``path``, creating the list if it is absent."""
    doc = edit.locate(text)
    current = edit.value_at(doc.parsed.data, path)
    if current is None:
        return _new_list(doc, path, values)
    if not isinstance(current, list):
        raise edit.EditError(f"{edit._show(path)} is not a list; use prodops set to change it")
    start = doc.parsed.spans[path][0]
    if not current or text[start] == "[":
        return _rewrite_inline(doc, path, [*_item_texts(doc, path, range(len(current))), *map(_flow, values)])
    line_start = edit._line_start(text, doc.parsed.spans[(*path, 0)][0])
    dash_column = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
    insert_at = edit._insert_point(text, doc.parsed.spans[(*path, len(current) - 1)][1])
    prefix = "" if text[insert_at - 1 : insert_at] == "\n" else "\n"
    return text[:insert_at] + prefix + "".join(_block(value, dash_column) for value in values) + text[insert_at:]


def remove_values(text: str, path: JsonPath, indices: Sequence[int]) -> str:
    """Remove the items at ``indices`` from the list at ``path`` (an emptied block list is written ``[]``)."""
    doc = edit.locate(text)
    current = edit.value_at(doc.parsed.data, path)
    if not isinstance(current, list):
        raise edit.EditError(f"{edit._show(path)} is not a list")
    gone = set(indices)
    start, _ = doc.parsed.spans[path]
    if text[start] == "[":
        kept = [i for i in range(len(current)) if i not in gone]
        return _rewrite_inline(doc, path, _item_texts(doc, path, kept))
    # The lines to cut are found in the original text, then cut from the last backwards.
    cuts = []
    for index in sorted(gone):
        item_start, item_end = doc.parsed.spans[(*path, index)]
        cuts.append((edit._line_start(text, item_start), edit._insert_point(text, item_end)))
    for cut_from, cut_to in reversed(cuts):
        text = text[:cut_from] + text[cut_to:]
    if len(gone) == len(current):
        key_end = doc.parsed.key_spans[path][1]
        colon = text.index(":", key_end) + 1
        text = text[:colon] + " []" + text[colon:]
    return text


def _new_list(doc: edit.Located, path: JsonPath, values: Sequence[Any]) -> str:
    parent, key = path[:-1], path[-1]
    if not isinstance(key, str) or not isinstance(edit.value_at(doc.parsed.data, parent), dict):
        raise edit.EditError(f"cannot add a list at {edit._show(path)}")
    siblings = [p for p in doc.parsed.key_spans if p[:-1] == parent and len(p) == len(parent) + 1]
    if not siblings:
        raise edit.EditError(f"{edit._show(parent)} is empty; add '{key}' by hand")
    indent = edit._column(doc.text, min(doc.parsed.key_spans[p][0] for p in siblings))
    block = "".join(_block(value, indent + 2) for value in values)
    with_key = edit._add_key(doc, parent, key, "__PRODOPS_BLOCK__")
    return with_key.replace(" __PRODOPS_BLOCK__\n", "\n" + block, 1)


def _item_texts(doc: edit.Located, path: JsonPath, indices: Sequence[int] | range) -> list[str]:
    spans = doc.parsed.spans
    return [doc.text[spans[(*path, i)][0] : spans[(*path, i)][1]].strip() for i in indices]


def _rewrite_inline(doc: edit.Located, path: JsonPath, items: list[str]) -> str:
    start, end = doc.parsed.spans[path]
    old = doc.text[start:end]
    trailing = old[len(old.rstrip()) :]
    return doc.text[:start] + "[" + ", ".join(items) + "]" + trailing + doc.text[end:]


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {edit.scalar(v)}" for k, v in value.items()) + "}"
    return edit.scalar(value)


def _block(value: Any, dash_column: int) -> str:
    if not isinstance(value, dict) or not value:
        return f"{' ' * dash_column}- {_flow(value)}\n"
    lines = []
    for i, (key, item) in enumerate(value.items()):
        lead = " " * dash_column + "- " if i == 0 else " " * (dash_column + 2)
        lines.append(f"{lead}{key}: {edit.scalar(item)}\n")
    return "".join(lines)

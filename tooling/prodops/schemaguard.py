"""What a schema set may name: content folders inside the repository, references within the set.

A schema is content like any other file of the repository: whoever can open a pull request can
write one. Its ``x-prodops-folder`` decides which folder is walked and read, and its ``$ref``
values which documents a validator loads. Both are checked here before anything is read or
compiled, so no schema can make prodops walk a folder outside the repository (``..``, ``/etc``)
or load a document from the machine (``file:///etc/passwd``) or the network (``https://...``).
A problem is a ``SchemaError`` pinned to the line of the offending key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from prodops.diagnostics import Diagnostic, ProdopsError, excerpt

FOLDER_KEY = "x-prodops-folder"
KIND_KEY = "x-prodops-kind"
# Keywords whose value is a reference another document is loaded through.
REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
_KIND_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


class SchemaError(ProdopsError):
    """A schema prodops refuses to use; the message is the diagnostic, as the text report prints it."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        d = diagnostic
        lines = [f"{d.file}:{d.line}:{d.column}: {d.severity} {d.code} {d.message}"]
        lines.extend(f"    {row}" for row in d.excerpt)
        if d.hint:
            lines.append(f"    hint: {d.hint}")
        super().__init__("\n".join(lines))


def folder_problem(folder: object) -> str:
    """Why ``folder`` cannot be a kind's folder ("" when it can): a relative path of plain names."""
    if not isinstance(folder, str) or not folder:
        return "must be a folder of the repository, such as 'processes/decisions'"
    if "\\" in folder:
        return "must use '/' between folder names, not '\\'"
    if folder.startswith("/") or re.match(r"[A-Za-z]:", folder):
        return "must be a folder inside the repository, not an absolute path"
    if any(part in ("", ".", "..") for part in folder.split("/")):
        return "must be folder names joined by '/', without '.', '..' or empty parts"
    if any(ord(c) < 0x20 for c in folder):
        return "must not hold control characters"
    return ""


def kind_problem(kind: object) -> str:
    """Why ``kind`` cannot name a kind ("" when it can): it names the kind's pages and tables too."""
    if not isinstance(kind, str) or not _KIND_NAME.match(kind):
        return "must be a lowercase name of letters, digits, '-' and '_', such as 'decision'"
    return ""


def ref_problem(ref: str, documents: Mapping[str, Any]) -> str:
    """Why ``ref`` cannot be followed ("" when it can): only this file or another file of ``schemas/``."""
    target, _, _pointer = ref.partition("#")
    if not target:
        return ""
    if ":" in target or target.startswith("/") or "\\" in target:
        return "points outside the schema set; only '#/...' and other files of schemas/ can be referenced"
    if "/" in target or target not in documents:
        known = ", ".join(sorted(documents))
        return f"names no file of schemas/ (files: {known})"
    return ""


def pointer_problem(ref: str, file: str, documents: Mapping[str, Any]) -> str:
    """Why the part of ``ref`` after '#' leads to no schema in its file ("" when it leads to one)."""
    target, _, pointer = ref.partition("#")
    if pointer and not pointer.startswith("/"):
        return "names an anchor; write a JSON pointer such as '#/$defs/name'"
    found = resolve_pointer(documents[target or file], pointer)
    if not isinstance(found, Mapping):
        return f"leads to no schema: {target or file} has no object at '#{pointer}'"
    return ""


def resolve_pointer(doc: Any, pointer: str) -> Any:
    """The value a JSON pointer ('/$defs/name', '' for the whole) leads to in ``doc``; None when it leads nowhere."""
    out: Any = doc
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(out, Mapping) and part in out:
            out = out[part]
        elif isinstance(out, list) and part.isdigit() and int(part) < len(out):
            out = out[int(part)]
        else:
            return None
    return out


def check(name: str, text: str, doc: Mapping[str, Any], documents: Mapping[str, Any]) -> None:
    """Raise a ``SchemaError`` for the first annotation or reference of ``doc`` that reaches outside."""
    if KIND_KEY in doc:
        why = kind_problem(doc[KIND_KEY])
        if why:
            raise _error(name, text, KIND_KEY, doc[KIND_KEY], f"{KIND_KEY} {_shown(doc[KIND_KEY])} {why}", _KIND_HINT)
        if FOLDER_KEY not in doc:
            raise _error(name, text, KIND_KEY, doc[KIND_KEY], f"the kind declares no {FOLDER_KEY}", _FOLDER_HINT)
        why = folder_problem(doc[FOLDER_KEY])
        if why:
            raise _error(
                name, text, FOLDER_KEY, doc[FOLDER_KEY], f"{FOLDER_KEY} {_shown(doc[FOLDER_KEY])} {why}", _FOLDER_HINT
            )
    for keyword, ref in _refs(doc):
        why = ref_problem(ref, documents) or (pointer_problem(ref, name, documents) if keyword != "$id" else "")
        if why:
            raise _error(name, text, keyword, ref, f"{keyword} {_shown(ref)} {why}", _REF_HINT, code="PO132")


_FOLDER_HINT = f'write "{FOLDER_KEY}": "folder/inside/the/repository", relative to its root, e.g. "processes/decisions"'
_KIND_HINT = f'name the kind in lowercase letters, digits and "-", e.g. "{KIND_KEY}": "decision"; it names its pages'
_REF_HINT = 'reference a definition of this file ("#/$defs/name") or of another schema ("common.schema.json#/$defs/id")'


def _refs(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in REF_KEYWORDS and isinstance(value, str):
                yield key, value
            elif key == "$id" and isinstance(value, str):
                yield key, value  # a base URI of its own would make every relative $ref below it leave the set
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=True)[:120]


def _error(name: str, text: str, key: str, value: object, message: str, hint: str, code: str = "PO131") -> SchemaError:
    line, column = locate(text, key, value)
    rel = f"schemas/{name}"
    return SchemaError(
        Diagnostic("error", code, message, rel, line, column, hint=hint, excerpt=excerpt(text, line, column))
    )


def locate(text: str, key: str, value: object) -> tuple[int, int]:
    """Line and column of ``"key": value`` in a schema's JSON text (of the key alone, else 1:1)."""
    quoted = re.escape(json.dumps(key))
    candidates = [re.compile(quoted + r"\s*:\s*" + re.escape(json.dumps(value, ensure_ascii=False)))]
    if isinstance(value, str):
        candidates.append(re.compile(quoted + r"\s*:\s*" + re.escape(json.dumps(value))))
    candidates.append(re.compile(quoted + r"\s*:"))
    for pattern in candidates:
        found = pattern.search(text)
        if found is not None:
            index = found.start()
            return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    return 1, 1

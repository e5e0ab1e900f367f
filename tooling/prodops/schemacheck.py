"""Check loaded documents against their kind's schema; turn each failure into a pinned diagnostic."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from prodops.diagnostics import Diagnostic, JsonPath, format_json_path
from prodops.loader import Document
from prodops.schemas import SchemaSet, field_schema
from prodops.suggest import did_you_mean

if TYPE_CHECKING:
    import jsonschema

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "nothing",
}


def check_document(doc: Document, schemas: SchemaSet) -> list[Diagnostic]:
    """Every schema problem of one document, sorted by position."""
    fast = doc.kind.fast
    if fast is not None and fast.is_valid(doc.data):
        return []
    out: list[Diagnostic] = []
    for error in doc.kind.validator.iter_errors(doc.data):
        out.extend(_diagnostics(doc, schemas, error))
    if not out and fast is not None:
        # The two validators disagree; never let that pass silently.
        for fast_error in fast.iter_errors(doc.data):
            path = tuple(fast_error.instance_path)
            line, column = doc.locate(path)
            out.append(Diagnostic("error", "PO207", f"{_where(path)}{fast_error.message}", doc.rel, line, column, path))
    return sorted(_one_per_mistake(out), key=lambda d: d.sort_key)


# When several keywords fail on one value ('2023-9-18' breaks both the date pattern and the date
# format), the most specific says it best; the others would only repeat it.
_PRIORITY = {"PO201": 0, "PO202": 0, "PO203": 1, "PO204": 2, "PO205": 3, "PO206": 4, "PO207": 5}


def _one_per_mistake(found: list[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.line, d.column, d.message): d for d in found}  # if/then + required can say one thing twice
    best: dict[JsonPath, int] = {}
    for d in unique.values():
        rank = _PRIORITY.get(d.code, 9)
        best[d.path] = min(rank, best.get(d.path, rank))
    return [d for d in unique.values() if _PRIORITY.get(d.code, 9) == best[d.path]]


def _describe(value: Any) -> str:
    if isinstance(value, str):
        # Mistakes hide at the end as often as at the start (a stray quote after a URL): keep both.
        text = value if len(value) <= 60 else value[:24] + "…" + value[-32:]
        return f"'{text}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return json.dumps(value)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "nothing (an empty value)"
    return "a list" if isinstance(value, list) else "a mapping"


def _field_hint(doc: Document, schemas: SchemaSet, path: JsonPath) -> str:
    node = field_schema(schemas, doc.kind, path)
    if node is None:
        return ""
    parts = []
    if isinstance(node.get("description"), str):
        parts.append(str(node["description"]).rstrip("."))
    examples = node.get("examples")
    if isinstance(examples, list) and examples and not isinstance(examples[0], (dict, list)):
        parts.append(f"for example: {json.dumps(examples[0])}")
    return "; ".join(parts)


def _diagnostics(doc: Document, schemas: SchemaSet, error: jsonschema.ValidationError) -> Iterator[Diagnostic]:
    path: JsonPath = tuple(error.absolute_path)
    validator = str(error.validator)
    value: Any = error.validator_value
    instance: Any = error.instance
    if validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        chosen = best_match(error.context)
        if chosen.validator != "required":
            yield from _diagnostics(doc, schemas, chosen)
            return
        options = sorted({str(_any(e.validator_value)[0]) for e in error.context if e.validator == "required"})
        line, column = doc.locate_key(path) if path else doc.locate(path)
        yield Diagnostic(
            "error",
            "PO201",
            f"{_where(path)}needs one of: {', '.join(options)}",
            doc.rel,
            line,
            column,
            path,
            hint="add one of these fields",
        )
        return
    where = _where(path)
    hint = ""
    if validator == "required":
        missing = str(error.message.split("'")[1]) if "'" in error.message else str(value)
        line, column = doc.locate_key(path) if path else doc.locate(path)
        hint = _field_hint(doc, schemas, (*path, missing))
        yield Diagnostic(
            "error",
            "PO201",
            f"{where}missing required field '{missing}'",
            doc.rel,
            line,
            column,
            path,
            hint=f"add '{missing}:'" + (f" — {hint}" if hint else ""),
        )
        return
    if validator == "additionalProperties" and isinstance(instance, dict):
        schema: Any = error.schema
        allowed = sorted((schema.get("properties") or {}).keys())
        for extra in sorted(k for k in instance if k not in allowed):
            line, column = doc.locate_key((*path, extra))
            suggestion = did_you_mean(extra, allowed)
            yield Diagnostic(
                "error",
                "PO202",
                f"{where}unknown field '{extra}'{suggestion}",
                doc.rel,
                line,
                column,
                (*path, extra),
                hint=f"allowed fields: {', '.join(allowed)}",
            )
        return
    line, column = doc.locate(path)
    if validator == "type":
        expected = value
        names = [_TYPE_NAMES.get(str(t), str(t)) for t in (expected if isinstance(expected, list) else [expected])]
        message = f"{where}expected {' or '.join(names)}, got {_type_of(instance)}"
        if isinstance(instance, str) and ("number" in str(expected) or "integer" in str(expected)):
            hint = "write the number without quotes or units"
        elif expected == "string" and instance is not None:
            hint = f'put the value in quotes: "{instance}"'
        else:
            hint = _field_hint(doc, schemas, path)
        yield Diagnostic("error", "PO203", message, doc.rel, line, column, path, hint=hint)
        return
    if validator in ("enum", "const"):
        options = value if validator == "enum" else [value]
        shown = ", ".join(str(o) for o in options)
        suggestion = did_you_mean(str(instance), [str(o) for o in options])
        yield Diagnostic(
            "error",
            "PO204",
            f"{where}{_describe(instance)} is not one of: {shown}{suggestion}",
            doc.rel,
            line,
            column,
            path,
            hint=_field_hint(doc, schemas, path),
        )
        return
    if validator == "format":
        yield Diagnostic(
            "error",
            "PO205",
            f"{where}{_describe(instance)} is not a valid {value}{_offending(instance, value)}",
            doc.rel,
            line,
            column,
            path,
            hint="write dates as YYYY-MM-DD with a real month and day, e.g. 2026-11-03"
            if value == "date"
            else _field_hint(doc, schemas, path),
        )
        return
    if validator == "pattern":
        yield Diagnostic(
            "error",
            "PO206",
            f"{where}{_describe(instance)} is not in the expected form",
            doc.rel,
            line,
            column,
            path,
            hint=_field_hint(doc, schemas, path),
        )
        return
    yield Diagnostic(
        "error",
        "PO207",
        f"{where}{_plain_message(error)}",
        doc.rel,
        line,
        column,
        path,
        hint=_field_hint(doc, schemas, path),
    )


# Characters no URL may hold unescaped (RFC 3986): the usual reason a pasted link is refused.
_NOT_IN_URLS = frozenset(' "<>\\^`{|}')


def _offending(instance: Any, fmt: object) -> str:
    """Where a value breaks its format, when one character can be named."""
    if not isinstance(instance, str) or fmt not in ("uri", "uri-reference", "iri"):
        return ""
    for index, char in enumerate(instance):
        if char in _NOT_IN_URLS or ord(char) < 0x20:
            shown = repr(char)[1:-1] if ord(char) < 0x20 else char
            return f": character {index + 1} ('{shown}') is not allowed in a {fmt}"
    return ""


def _any(value: object) -> Any:
    return value


def _where(path: JsonPath) -> str:
    return f"{format_json_path(path)}: " if path else ""


def _plain_message(error: jsonschema.ValidationError) -> str:
    v, value, instance = str(error.validator), _any(error.validator_value), _any(error.instance)
    messages: Mapping[str, str] = {
        "minItems": f"needs at least {value} item{'s' if value != 1 else ''}",
        "maxItems": f"has more than {value} items",
        "uniqueItems": "lists the same value more than once",
        "minLength": f"is too short (at least {value} characters)",
        "maxLength": f"is too long (at most {value} characters)",
        "minimum": f"{_describe(instance)} is below the minimum of {value}",
        "maximum": f"{_describe(instance)} is above the maximum of {value}",
        "exclusiveMinimum": f"{_describe(instance)} must be greater than {value}",
        "exclusiveMaximum": f"{_describe(instance)} must be less than {value}",
    }
    return messages.get(str(v), error.message)

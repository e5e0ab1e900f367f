"""The questions `prodops new` asks: what the schema requires, and what the process rules will ask for.

Answers are checked as they are typed: a choice that is not one of the allowed values (an enum
of the schema, an id of the right kind, a team member) is asked again with the closest match
proposed, dates must be YYYY-MM-DD, and nested objects (a launch's owners and dates) are asked
field by field. With ``--no-input`` nothing is asked: required fields come from ``--set`` or
a default, and the rules' extra fields only when given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from prodops import edit, kinds, model, terminal
from prodops.schemas import KindSchema, SchemaSet
from prodops.suggest import did_you_mean


@dataclass(frozen=True)
class Known:
    """What answers may name: ids by kind, team members, key results and playbooks."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)
    key_results: list[str] = field(default_factory=list)
    playbooks: dict[str, model.Playbook] = field(default_factory=dict)

    @classmethod
    def of(cls, repo: Path) -> Known:
        from prodops import pipeline

        catalog = pipeline.build(repo, use_cache=True).catalog
        ids: dict[str, list[str]] = {}
        for entity_id, doc in catalog.documents.items():
            ids.setdefault(doc.kind.kind, []).append(entity_id)
        return cls(
            {k: sorted(v) for k, v in ids.items()},
            sorted(catalog.people),
            sorted(catalog.key_results),
            dict(catalog.playbooks),
        )


# (the new entity's fields so far, what its status means) -> whether the rules need the field
Condition = Callable[[Mapping[str, Any], str | None], bool]


def _always(data: Mapping[str, Any], meaning: str | None) -> bool:
    return True


def _in_now(data: Mapping[str, Any], meaning: str | None) -> bool:
    return data.get("horizon") == "now" or meaning == "active"


def _committed(data: Mapping[str, Any], meaning: str | None) -> bool:
    return _in_now(data, meaning) or meaning == "committed"


def _tier1(data: Mapping[str, Any], meaning: str | None) -> bool:
    return data.get("tier") == 1


# Optional fields the process rules require, asked after the schema's required ones:
# PO401 (work in now has an owner and moves a key result), planned work has a date (what PO416 and
# the timeline read), PO405 (a tier-1 launch has its plans).
RULE_FIELDS: dict[str, list[tuple[tuple[str, ...], Condition]]] = {
    "roadmap-item": [
        (("owner",), _always),
        (("target", "quarter"), _committed),
        (("target", "end"), _committed),
        (("key_results",), _in_now),
    ],
    "launch": [
        (("rollback_plan",), _tier1),
        (("communications", "internal"), _tier1),
        (("communications", "external"), _tier1),
    ],
}


class Asker:
    """Asks for one new entity's fields, building nested objects and lists from the schema."""

    def __init__(self, schemas: SchemaSet, kind: KindSchema, known: Known, no_input: bool, day: date) -> None:
        self.schemas, self.kind, self.known, self.no_input, self.day = schemas, kind, known, no_input, day

    def fill(self, data: dict[str, Any], given: dict[str, Any]) -> None:
        """Every required field (from ``given``, a default or a question), then what the rules need."""
        root, file = self.schemas.expand(self.kind.file, self.kind.schema)
        for name in root.get("required", ()):
            if name in data:
                continue
            if name in given:
                data[name] = given.pop(name)
                continue
            node, node_file = self.schemas.expand(file, root["properties"][name])
            data[name] = self.derived(name, data) or self.value(name, node, node_file)
        spec = kinds.registry(self.schemas)[self.kind.kind]
        meaning = spec.meaning(spec.status(data))
        for path, needed in RULE_FIELDS.get(self.kind.kind, ()):
            if (
                self.no_input
                or not needed(data, meaning)
                or _get(data, path) is not None
                or _get(given, path) is not None
            ):
                continue
            found, found_file = self._node(path)
            if found is not None:
                _put(data, path, self.value(".".join(path), found, found_file, required=False))
        for name, value in given.items():
            data[name] = value

    def derived(self, name: str, data: Mapping[str, Any]) -> Any:
        """A launch's readiness list is the checklist its playbook requires for its tier."""
        if self.kind.kind != "launch" or name != "readiness":
            return None
        playbook = self.known.playbooks.get(str(data.get("playbook")))
        if playbook is None:
            return None
        owners, tier = data.get("owners"), data.get("tier")
        if not isinstance(tier, int) or isinstance(tier, bool):
            return None  # a tier the schema will refuse, with its own message: no checklist to derive
        owner = owners.get("product", "") if isinstance(owners, dict) else ""
        items = [{"id": c.id, "title": c.title, "owner": owner, "status": "todo"} for c in playbook.required_for(tier)]
        if items and not self.no_input:
            terminal.echo(
                f"readiness: {len(items)} checklist items from playbook '{playbook.id}' for tier {data.get('tier')}"
            )
        return items or None

    def _node(self, path: tuple[str, ...]) -> tuple[dict[str, Any] | None, str]:
        node, file = self.schemas.expand(self.kind.file, self.kind.schema)
        for part in path:
            child = (node.get("properties") or {}).get(part)
            if not isinstance(child, Mapping):
                return None, file
            node, file = self.schemas.expand(file, child)
        return node, file

    def value(self, name: str, node: Mapping[str, Any], file: str, *, required: bool = True) -> Any:
        kind = node.get("type")
        if kind == "object" and isinstance(node.get("properties"), Mapping):
            out: dict[str, Any] = {}
            for sub in node.get("required", ()):
                sub_node, sub_file = self.schemas.expand(file, node["properties"][sub])
                out[sub] = self.value(f"{name}.{sub}", sub_node, sub_file)
            return out
        if kind == "array":
            items, items_file = self.schemas.expand(file, node.get("items") or {})
            if items.get("type") == "object":
                return [self.value(f"{name}.0", items, items_file)]
            return self.many(name, items, node.get("description", ""), required)
        return self.one(name, node, required)

    def _options(self, node: Mapping[str, Any]) -> list[str] | None:
        if "enum" in node:
            return [str(v) for v in node["enum"]]
        target = node.get("x-ref")
        if target == "person":
            return self.known.people
        if target == "key-result":
            return self.known.key_results
        if isinstance(target, str):
            return self.known.ids.get(target, [])
        return None

    def _default(self, name: str, node: Mapping[str, Any]) -> Any:
        if "default" in node:
            return node["default"]
        if "enum" in node:
            return {"horizon": "later"}.get(name, node["enum"][0])
        # A period field (its schema is the shared period definition, so it has the calendar's pattern).
        if node.get("pattern") == self.schemas.calendar.pattern or name.endswith("quarter") or name == "period":
            return str(self.schemas.calendar.containing(self.day))
        return None

    def one(self, name: str, node: Mapping[str, Any], required: bool = True) -> Any:
        default = self._default(name.rsplit(".", 1)[-1], node)
        if self.no_input:
            if default is None:
                raise click.UsageError(f"{name} is required: pass --set {name}=VALUE")
            return default
        options = self._options(node)
        description = str(node.get("description", "")).rstrip(".")
        label = f"{name} ({description})" if description else name
        if options is not None:
            shown = ", ".join(options[:12]) + (" …" if len(options) > 12 else "")
            terminal.echo(f"{name}: one of {shown}")
        answer = click.prompt(
            label,
            default=None if default is None else str(default),
            show_default=default is not None,
            value_proc=lambda text: _check(text, node, options, name),
        )
        return answer

    def many(self, name: str, node: Mapping[str, Any], description: str, required: bool) -> list[Any]:
        if self.no_input:
            raise click.UsageError(f"{name} is required: pass --set {name}.0=VALUE")
        options = self._options(node)
        if options is not None:
            shown = ", ".join(options[:12]) + (" …" if len(options) > 12 else "")
            terminal.echo(f"{name}: one or more of {shown} (separated by commas)")
        label = f"{name} ({str(description).rstrip('.')})" if description else name

        def check(text: str) -> list[Any]:
            parts = [p.strip() for p in text.split(",") if p.strip()]
            if not parts:
                raise click.UsageError(f"{name} needs at least one value")
            return [_check(p, node, options, name) for p in parts]

        answer: list[Any] = click.prompt(label, value_proc=check)
        return answer


def _check(text: str, node: Mapping[str, Any], options: list[str] | None, name: str) -> Any:
    """One answer as the schema wants it; a click.UsageError makes click ask again, showing the message."""
    value = text.strip()
    if options is not None:
        if value in options:
            return edit.parse_value(value) if "enum" in node else value
        shown = ", ".join(options) if len(options) <= 12 else f"{len(options)} known values"
        raise click.UsageError(f"'{value}' is not one of {shown}{did_you_mean(value, options)}")
    if node.get("format") == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise click.UsageError(f"'{value}' is not a date: write YYYY-MM-DD, e.g. 2027-03-31") from None
    if node.get("type") in ("number", "integer"):
        parsed = edit.parse_value(value)
        if isinstance(parsed, bool) or not isinstance(parsed, (int, float)):
            raise click.UsageError(f"'{value}' is not a number")
        return parsed
    if not value:
        raise click.UsageError(f"{name} cannot be empty")
    return value


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value

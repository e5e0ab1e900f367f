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


def _never(data: Mapping[str, Any], meaning: str | None) -> bool:
    return False


# Optional fields asked after the schema's required ones, each (path, asked when, required when):
# what the rules will require (PO401: work in now has an owner and moves a key result; planned work
# has a date, what PO416 and the timeline read; PO405: a tier-1 launch has its rollback,
# communications and go/no-go with approvers, and PO415/PO418 its go/no-go date), and what makes
# an item useful (the key results it moves and its RICE inputs), which may be left empty.
RULE_FIELDS: dict[str, list[tuple[tuple[str, ...], Condition, Condition]]] = {
    "roadmap-item": [
        (("owner",), _always, _always),
        (("target", "quarter"), _committed, _committed),
        (("target", "end"), _committed, _committed),
        (("key_results",), _always, _in_now),
        (("rice",), _always, _never),
    ],
    "launch": [
        (("go_no_go",), _tier1, _tier1),
        (("go_no_go", "date"), _tier1, _tier1),
        (("rollback_plan",), _tier1, _tier1),
        (("communications", "internal"), _tier1, _tier1),
        (("communications", "external"), _tier1, _tier1),
    ],
}


# What an optional question returns when it is left empty: the field is not written.
SKIP: Any = object()


class Asker:
    """Asks for one new entity's fields, building nested objects and lists from the schema."""

    def __init__(self, schemas: SchemaSet, kind: KindSchema, known: Known, no_input: bool, day: date) -> None:
        self.schemas, self.kind, self.known, self.no_input, self.day = schemas, kind, known, no_input, day
        self._lead: dict[str, Any] | None = None

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
        for path, asked, needed in RULE_FIELDS.get(self.kind.kind, ()):
            if (
                self.no_input
                or not asked(data, meaning)
                or _get(data, path) is not None
                or _get(given, path) is not None
            ):
                continue
            found, found_file = self._node(path)
            if found is None:
                continue
            answer = self.value(".".join(path), found, found_file, required=needed(data, meaning))
            if answer is not SKIP:
                _put(data, path, answer)
        for name, value in given.items():
            data[name] = value

    def derived(self, name: str, data: Mapping[str, Any]) -> Any:
        """What follows from earlier answers: a launch's checklist, a first team's lead as its member."""
        if self.kind.kind == "team":
            return self._first_team(name, data)
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

    def _first_team(self, name: str, data: Mapping[str, Any]) -> Any:
        """With no team members anywhere yet, the lead is asked by handle and name and becomes a member.

        A lead must be a team member (rule PO404), and without any team there is nobody to choose:
        the new team's lead is its first member instead of a dead end.
        """
        if self.known.people or self.no_input:
            return None
        root, file = self.schemas.expand(self.kind.file, self.kind.schema)
        members, members_file = self.schemas.expand(file, root["properties"].get("members") or {})
        item, item_file = self.schemas.expand(members_file, members.get("items") or {})
        fields = item.get("properties") or {}
        if name == "lead" and "handle" in fields and "name" in fields:
            terminal.echo("lead: nobody is in a team yet; the lead becomes this team's first member")
            handle_node, _ = self.schemas.expand(item_file, fields["handle"])
            handle = self.one("lead", handle_node)
            name_node, _ = self.schemas.expand(item_file, fields["name"])
            self._lead = {"handle": handle, "name": self.one("lead's name", name_node)}
            return handle
        if name == "members" and self._lead is not None:
            return [dict(self._lead)]
        return None

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
            for index, sub in enumerate(node.get("required", ())):
                sub_node, sub_file = self.schemas.expand(file, node["properties"][sub])
                # An optional object is left out when its first field is left empty.
                answer = self.value(f"{name}.{sub}", sub_node, sub_file, required=required or index > 0)
                if answer is SKIP:
                    return SKIP
                out[sub] = answer
            return out
        if kind == "array":
            items, items_file = self.schemas.expand(file, node.get("items") or {})
            if items.get("type") == "object":
                first = self.value(f"{name}.0", items, items_file, required=required)
                return SKIP if first is SKIP else [first]
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
            if default is None and not required:
                return SKIP
            if default is None:
                raise click.UsageError(f"{name} is required: pass --set {name}=VALUE")
            return default
        options = self._options(node)
        description = str(node.get("description", "")).rstrip(".")
        label = f"{name} ({description})" if description else name
        if not required:
            label += " [Enter to skip]"
            default = None
        if options is not None:
            shown = ", ".join(options[:12]) + (" …" if len(options) > 12 else "")
            terminal.echo(f"{name}: one of {shown}")
        answer = click.prompt(
            label,
            default=("" if not required else None) if default is None else str(default),
            show_default=default is not None,
            value_proc=lambda text: self.check(text, node, options, name, required),
        )
        return answer

    def many(self, name: str, node: Mapping[str, Any], description: str, required: bool) -> Any:
        if self.no_input and not required:
            return SKIP
        if self.no_input:
            raise click.UsageError(f"{name} is required: pass --set {name}.0=VALUE")
        options = self._options(node)
        if options is not None:
            shown = ", ".join(options[:12]) + (" …" if len(options) > 12 else "")
            terminal.echo(f"{name}: one or more of {shown} (separated by commas)")
        label = f"{name} ({str(description).rstrip('.')})" if description else name
        if not required:
            label += " [Enter to skip]"

        def check(text: str) -> Any:
            parts = list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
            if not parts:
                if not required:
                    return SKIP
                raise click.UsageError(f"{name} needs at least one value")
            return [self.check(p, node, options, name) for p in parts]

        answer: Any = click.prompt(label, value_proc=check, default="" if not required else None, show_default=False)
        return answer

    def check(
        self, text: str, node: Mapping[str, Any], options: list[str] | None, name: str, required: bool = True
    ) -> Any:
        """One answer as the schema wants it; a click.UsageError makes click ask again, showing the message.

        Case is forgiven where it names one value only (``2026-q4`` is the calendar's ``2026-Q4``,
        ``In-Progress`` the status ``in-progress``); the answer is then checked against the field's
        own schema (pattern, bounds, format), so what the schema would refuse after the last
        answer is refused now, while it can still be typed again.
        """
        value = text.strip()
        if not value and not required:
            return SKIP
        if options is not None:
            return self._choice(value, node, options)
        calendar = self.schemas.calendar
        if node.get("pattern") == calendar.pattern:
            period = calendar.parse(value)
            if period is None:
                raise click.UsageError(f"'{value}' is not {calendar.describe()}")
            return str(period)
        if node.get("format") == "date":
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise click.UsageError(f"'{value}' is not a date: write YYYY-MM-DD, e.g. 2027-03-31") from None
        parsed: Any = value
        if node.get("type") in ("number", "integer"):
            parsed = edit.parse_value(value)
            if isinstance(parsed, bool) or not isinstance(parsed, (int, float)):
                raise click.UsageError(f"'{value}' is not a number")
        elif not value:
            raise click.UsageError(f"{name} cannot be empty")
        self._schema_check(parsed, node)
        return parsed

    def _choice(self, value: str, node: Mapping[str, Any], options: list[str]) -> Any:
        if not options:
            raise click.UsageError("there is nothing to choose from yet")
        matches = [o for o in options if o == value] or [o for o in options if o.casefold() == value.casefold()]
        if "enum" in node and not matches:
            # A number typed another way (1 for 1.0, .5 for 0.5) is the same value.
            number = edit.parse_value(value)
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                matches = [o for o, v in zip(options, node["enum"], strict=True) if v == number]
        if len(matches) == 1:
            chosen = matches[0]
            return edit.parse_value(chosen) if "enum" in node else chosen
        shown = ", ".join(options) if len(options) <= 12 else f"{len(options)} known values"
        raise click.UsageError(f"'{value}' is not one of {shown}{did_you_mean(value, options)}")

    def _schema_check(self, value: Any, node: Mapping[str, Any]) -> None:
        errors = list(self.kind.validator.evolve(schema=dict(node)).iter_errors(value))
        if errors:
            raise click.UsageError(f"'{value}' {_reason(errors[0].message, value)}")


def _reason(message: str, value: Any) -> str:
    """jsonschema's message without the value it repeats: "does not match '^…$'", "is less than 0"."""
    shown = repr(value)
    return message[len(shown) :].strip() if message.startswith(shown) else message


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

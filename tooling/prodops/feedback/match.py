"""Assign feedback records to insights by matching rules: keywords, tags and field matches.

The rules come from two places, both data: the ``feedback_rules`` of the
``feedback-triage`` playbook, and each insight's own ``match``. A record goes to every
insight one of whose rules it meets; an insight's ``exclude`` words keep it out again.
Keywords match whole words in any case ("sso" does not match "lasso"). Every keyword of
every insight is one regular expression, so a record's text is scanned once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prodops.feedback.mapping import Record

TRIAGE_PLAYBOOK = "feedback-triage"


@dataclass(frozen=True)
class FieldMatch:
    field: str
    equals: str | None = None
    contains: str | None = None

    def holds(self, record: Record) -> bool:
        value = _field(record, self.field)
        if self.equals is not None:
            return value == self.equals.lower()
        return self.contains is not None and self.contains.lower() in value


@dataclass(frozen=True)
class Rule:
    insight: str
    keywords: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    fields: tuple[FieldMatch, ...] = ()
    origin: str = ""  # where the rule is declared


def _field(record: Record, name: str) -> str:
    if name == "text":
        return record.text.lower()
    if name == "account":
        return record.account_name.lower()
    if name == "segment":
        return record.segment
    if name == "source":
        return record.source
    if name == "tags":
        return " ".join(sorted(record.tags))
    return record.fields.get(name, "")


def rule_from(insight: str, data: Mapping[str, Any], origin: str) -> Rule:
    return Rule(
        insight,
        tuple(str(k) for k in data.get("keywords") or ()),
        frozenset(str(t).lower() for t in data.get("tags") or ()),
        tuple(
            FieldMatch(str(f["field"]).lower(), f.get("equals"), f.get("contains")) for f in data.get("fields") or ()
        ),
        origin,
    )


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({w.lower().strip() for w in words if w.strip()}, key=lambda w: (-len(w), w))
    if not unique:
        return None
    body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in unique)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def _canonical(word: str) -> str:
    return " ".join(word.lower().split())


class Matcher:
    """Every rule compiled once; ``match`` gives the insights a record belongs to, sorted."""

    def __init__(self, rules: Iterable[Rule], excludes: Mapping[str, Iterable[str]] | None = None) -> None:
        self.rules = list(rules)
        self._by_keyword: dict[str, set[str]] = defaultdict(set)
        self._by_tag: dict[str, set[str]] = defaultdict(set)
        self._field_rules = [r for r in self.rules if r.fields]
        for rule in self.rules:
            for word in rule.keywords:
                self._by_keyword[_canonical(word)].add(rule.insight)
            for tag in rule.tags:
                self._by_tag[tag].add(rule.insight)
        self._keywords = _pattern(self._by_keyword)
        self._excludes = {insight: p for insight, words in (excludes or {}).items() if (p := _pattern(words))}

    @property
    def insights(self) -> set[str]:
        return {r.insight for r in self.rules}

    def match(self, record: Record) -> list[str]:
        found: set[str] = set()
        text = record.text.lower()
        if self._keywords is not None:
            for hit in self._keywords.finditer(text):
                found |= self._by_keyword[_canonical(hit.group(0))]
        for tag in record.tags:
            hits = self._by_tag.get(tag)
            if hits:
                found |= hits
        for rule in self._field_rules:
            if rule.insight not in found and all(f.holds(record) for f in rule.fields):
                found.add(rule.insight)
        if self._excludes:
            found = {i for i in found if (p := self._excludes.get(i)) is None or p.search(text) is None}
        return sorted(found)


def matcher_for(insights: Mapping[str, Mapping[str, Any]], playbook: Mapping[str, Any] | None) -> Matcher:
    """The rules of the triage playbook (``feedback_rules``) and of every insight (``match``)."""
    rules: list[Rule] = []
    excludes: dict[str, list[str]] = {}
    for insight_id, data in sorted(insights.items()):
        own = data.get("match")
        if isinstance(own, dict):
            rules.append(rule_from(insight_id, own, f"insight {insight_id}"))
            if own.get("exclude"):
                excludes[insight_id] = [str(w) for w in own["exclude"]]
    for number, data in enumerate((playbook or {}).get("feedback_rules") or (), start=1):
        rules.append(rule_from(str(data["insight"]), data, f"{TRIAGE_PLAYBOOK} feedback_rules[{number}]"))
    return Matcher(rules, excludes)

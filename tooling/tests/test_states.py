"""States as data: what each status value means is declared in the schemas (``x-prodops-states``).

The registry answers what a value means; no module compares a status with a word. An adopter's
statuses (``paused``, ``beta``, ``ended``, ``released`` in place of ``shipped``) then work
everywhere by meaning: validate, rules, say/do and slips, the public roadmap, the board and diff.
"""

from __future__ import annotations

import json
import re

from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "tooling" / "prodops"
# The places status values may be written: the schemas (package data) and the registry.
REGISTRY_MODULES = {"states.py"}
# Status values that are also ordinary words of the tool: not a status there.
OTHER_USES = {
    "new": "the `prodops new` command and the new side of a diff",
}
# A status value written in one module for another field of the same name, and why.
ELSEWHERE = {
    ("model.py", "beta"): "the stages of a launch's dates (alpha, beta, ga), not its status",
}


def _status_values() -> set[str]:
    values: set[str] = set()
    for path in (REPO_ROOT / "schemas").glob("*.schema.json"):
        status = json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get("status", {})
        values.update(str(v) for v in status.get("enum", ()))
    return values - set(OTHER_USES)


def test_no_status_value_is_written_outside_the_schemas_and_the_registry() -> None:
    values = _status_values()
    assert {"shipped", "in-progress", "cancelled", "launched", "planned", "declined"} <= values
    alternatives = "|".join(re.escape(v) for v in sorted(values))
    pattern = re.compile(rf"""["']({alternatives})["']""")
    found = []
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in REGISTRY_MODULES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                if (rel, match.group(1)) not in ELSEWHERE:
                    found.append(f"{rel}:{number}: {match.group(0)}")
    assert found == [], "a status value outside the schemas and the registry (ask kinds.registry):\n" + "\n".join(found)

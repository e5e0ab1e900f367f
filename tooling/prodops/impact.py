"""What a change to some files would break anywhere in the repository, checked through the cache.

A change is checked by building the repository as it is and as it would be, and comparing
every error of the two. Load, schema and reference problems (dangling or duplicate ids,
cycles) are found for every file in every run, from the cache's outlines. Process rules
are run only where a change can move their findings: a rule judges an entity by the entity
itself, the entities it names, those that name it and the people of the teams (see
``catalog.link``), so a change can only move the findings of the changed files and of the
files they name or that name them, before or after the change. A changed team file
changes who the people are, which any file may name: then every file is judged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prodops import loader, pipeline
from prodops.diagnostics import Diagnostic


@dataclass
class Impact:
    """The errors a change adds, and the repository before it (its catalog has the changed files' neighbours).

    ``warnings`` are the warnings the change adds anywhere: not a reason to refuse it, but what the
    writer should hear about (a due date after the target quarter, a value that disagrees with its KPI).
    """

    added: list[Diagnostic]
    before: pipeline.Result
    warnings: list[Diagnostic] = field(default_factory=list)


def check(root: Path, changes: Mapping[str, str | None], today: date | None = None) -> Impact:
    """Build the repository with and without ``changes`` and return the errors they add anywhere.

    ``changes`` maps repository-relative paths to their new text, or to None for a file removed.
    """
    # Judged around the content files changed; other files (a KPI's history) are read through them.
    rels: list[str] | None = sorted(rel for rel in changes if rel.endswith(loader.YAML_SUFFIX))
    if not rels and changes:
        rels = None  # only other files: the whole repository is judged
    overrides = dict(changes)
    before = pipeline.build(root, today=today, only=rels, use_cache=True, neighbours=True)
    after = pipeline.build(root, today=today, only=rels, overrides=overrides, use_cache=True, neighbours=True)
    # The neighbours differ when the change names other files or changes ids: judge the files
    # of both in both. (Rules run only on a repository without errors: if the change leaves
    # one, no finding is computed after it, and the errors found so far are all there is.)
    if after.rules_checked and before.only != after.only:
        wanted = None if before.only is None or after.only is None else sorted(before.only | after.only)
        before = pipeline.build(root, today=today, only=wanted, use_cache=True)
        after = pipeline.build(root, today=today, only=wanted, overrides=overrides, use_cache=True)
    return Impact(
        _added(before.everywhere, after.everywhere),
        before,
        _added(before.everywhere, after.everywhere, "warning"),
    )


def _key(d: Diagnostic) -> tuple[str, str, str]:
    # Not the position: an edit moves the lines below it, and the problems there stay the same problems.
    return (d.file, d.code, d.message)


def _added(before: list[Diagnostic], after: list[Diagnostic], severity: str = "error") -> list[Diagnostic]:
    """The problems of ``severity`` in ``after`` that ``before`` does not have (counted: a second copy is new)."""
    known = Counter(_key(d) for d in before if d.severity == severity)
    added: list[Diagnostic] = []
    for d in after:
        if d.severity != severity:
            continue
        key = _key(d)
        if known[key]:
            known[key] -= 1
        else:
            added.append(d)
    return added

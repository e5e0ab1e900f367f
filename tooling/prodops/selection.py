"""What ``prodops validate PATH...`` checks for the paths it is given, as the kind registry decides.

The pre-commit hooks select files broadly (every ``.yaml``/``.yml``/``.csv`` file and ``schemas/``)
rather than copying the content folders into a pattern, so a kind whose schema declares a new
folder is checked with no change to the hook. Each given path is then one of:

* in a kind's folder with a YAML suffix, or missing: checked as before (a ``.yml`` file there is
  PO110, a missing one PO109);
* in a kind's folder with another suffix (a KPI's ``ID.csv`` history): its own problems are
  reported, and the entity beside it (``ID.yaml``) is checked with it;
* a schema: a schema change can break any file, so the whole repository is checked;
* anything else that exists (``mkdocs.yml``, a workflow, ``.pre-commit-config.yaml``): not
  content, skipped without a problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from prodops.schemas import deepest_kind

YAML_SUFFIXES = (".yaml", ".yml")
# The pre-commit hooks' ``files:`` (.pre-commit-config.yaml, .pre-commit-hooks.yaml and the starter's
# copy; a test keeps them equal to these): broad, so that every kind's folder is in, whatever its name.
VALIDATE_FILES = r"^schemas/.*\.json$|\.(ya?ml|csv)$"
CODEOWNERS_FILES = r"^schemas/.*\.json$|\.ya?ml$|^(pyproject|prodops)\.toml$"


@dataclass(frozen=True)
class Selection:
    """The given paths, sorted by what validation does with them."""

    checked: tuple[str, ...]  # files the pipeline judges (``only``)
    beside: tuple[str, ...]  # files of a kind's folder that are not entities, whose own problems are reported
    skipped: tuple[str, ...]  # files that belong to no kind
    everything: bool = False  # a schema was given: the whole repository is checked

    @property
    def only(self) -> list[str] | None:
        """What to hand ``pipeline.build`` as ``only`` (None: the whole repository)."""
        return None if self.everything else list(self.checked)

    @property
    def nothing(self) -> bool:
        """Whether no given path is content: there is nothing to check."""
        return not (self.everything or self.checked or self.beside)


def select(root: Path, folders: Mapping[str, str], schema_dir: str, rels: Iterable[str]) -> Selection:
    """Sort repository-relative ``rels`` by the kinds' folders (kind -> folder, ``schemas.declared_kinds``)."""
    checked: dict[str, None] = {}
    beside: dict[str, None] = {}
    skipped: dict[str, None] = {}
    everything = False
    for rel in rels:
        exists = os.path.lexists(root / rel)
        if rel.startswith(f"{schema_dir}/") and exists:
            everything = True
        elif (root / rel).is_dir():
            checked[rel] = None  # not a file: the pipeline says so
        elif deepest_kind(folders, rel) is None:
            (skipped if exists else checked)[rel] = None  # a path that is not there is still PO109
        elif rel.endswith(YAML_SUFFIXES) or not exists:
            checked[rel] = None
        else:
            beside[rel] = None
            entity = rel.rsplit(".", 1)[0] + YAML_SUFFIXES[0]
            if os.path.lexists(root / entity):
                checked[entity] = None
    return Selection(tuple(checked), tuple(beside), tuple(skipped), everything)

"""The metrics stage of the build: every KPI with its history, read from the files beside it.

It runs after linking, on the KPIs that passed their schema; a history file with no KPI of
its name is a problem too (a renamed KPI whose values were left behind).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prodops import loader
from prodops.diagnostics import Diagnostic
from prodops.metrics import history
from prodops.metrics.model import Kpi, Series

KIND = "kpi"
HISTORY_SUFFIX = ".csv"
# Ten years of daily values with segments stay well below this; a larger file is a mistake.
MAX_HISTORY_BYTES = 16 * 1024 * 1024


@dataclass
class Metrics:
    """Every valid KPI by id, and its series (an empty series when it has no history yet)."""

    kpis: dict[str, Kpi] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)

    def of(self, kpi_id: str) -> Series:
        return self.series.get(kpi_id, Series())


def load(
    root: Path,
    kpis: Mapping[str, Kpi],
    files: Iterable[str],
    folder: str | None,
    texts: Mapping[str, str] | None = None,
) -> tuple[Metrics, list[Diagnostic]]:
    """Read the history of each of the catalog's ``kpis`` (those that passed their schema) under ``root``.

    ``files`` are every content file found (loaded or not), so a KPI file with an error of its
    own does not make its history an orphan; ``folder`` is the KPI kind's folder (None when
    the schemas have no KPI kind). ``texts`` are histories as an edit would leave them (an
    import checked before it is written), read instead of the files.
    """
    metrics = Metrics(dict(kpis))
    problems: list[Diagnostic] = []
    if folder is None:
        return metrics, problems
    prefix = folder + "/"
    stems = {
        rel[len(prefix) :].removesuffix(loader.YAML_SUFFIX)
        for rel in files
        if rel.startswith(prefix) and "/" not in rel[len(prefix) :]
    }
    for kpi in kpis.values():
        rel = kpi.history_file
        location = root / rel
        if texts is not None and rel in texts:
            series, found = history.parse(texts[rel], rel, kpi)
            metrics.series[kpi.id] = series
            problems.extend(found)
            continue
        if not os.path.lexists(location):
            metrics.series[kpi.id] = Series()
            continue
        text, problem = loader.read_text(location, rel, MAX_HISTORY_BYTES)
        if text is None:
            if problem is not None:
                problems.append(problem)
            continue
        series, found = history.parse(text, rel, kpi)
        metrics.series[kpi.id] = series
        problems.extend(found)
    problems.extend(_orphans(root, folder, stems))
    return metrics, problems


def _orphans(root: Path, folder: str, stems: set[str]) -> list[Diagnostic]:
    """History files in the KPI folder that no KPI file names."""
    try:
        entries = sorted(os.scandir(root / folder), key=lambda e: e.name)
    except OSError:
        return []
    return [
        Diagnostic(
            "error",
            "PO125",
            f"history file without a KPI: there is no {folder}/{entry.name.removesuffix(HISTORY_SUFFIX)}.yaml",
            f"{folder}/{entry.name}",
            hint="rename the file to the KPI's id, or add the KPI it belongs to",
        )
        for entry in entries
        if entry.name.endswith(HISTORY_SUFFIX)
        and not entry.name.startswith(".")
        and entry.name.removesuffix(HISTORY_SUFFIX) not in stems
    ]

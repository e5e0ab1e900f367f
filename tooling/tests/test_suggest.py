"""The one did-you-mean: close matches only, a unique prefix, any case."""

from __future__ import annotations

import pytest

from prodops.suggest import closest, did_you_mean


@pytest.mark.parametrize(
    ("typo", "candidates", "expected"),
    [
        ("in-progres", ["planned", "in-progress", "shipped"], "in-progress"),
        ("stage", ["status", "target", "tags", "team", "title"], None),  # 'target' is too far to propose
        ("payment", ["payments", "platform", "core"], "payments"),
        ("mateo", ["mateo-garcia", "maria-lopez"], "mateo-garcia"),  # a unique prefix
        ("mateo-garcia", ["mateo-g", "maria-lopez"], "mateo-g"),  # a handle that was shortened
        ("ma", ["mateo-garcia", "maria-lopez"], None),
        ("2026-q4", ["2026-Q3", "2026-Q4"], "2026-Q4"),  # case folds
        ("xyz", [], None),
    ],
)
def test_closest(typo: str, candidates: list[str], expected: str | None) -> None:
    assert closest(typo, candidates) == expected


def test_did_you_mean_wording() -> None:
    assert did_you_mean("reech", ["reach", "impact"]) == " (did you mean 'reach'?)"
    assert did_you_mean("zzz", ["reach"]) == ""

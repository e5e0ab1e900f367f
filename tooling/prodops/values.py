"""Computed domain values that need more than one entity, each computed once from the catalog.

Objective progress rolls up: an objective's own key results each count 1, and each child
objective (an objective that names it in ``parents``) counts the ``weight`` it gives that link,
so the rolled-up progress is the weighted mean

    P(o) = (sum of o's key results' progress + sum over children c of w_c * P(c)) / (n_o + sum of w_c)

where ``n_o`` is the number of o's key results. An objective with neither key results nor children
has progress 0. The site's schema reference and OKR pages state the same formula.
"""

from __future__ import annotations

from collections import defaultdict

from prodops.catalog import Catalog
from prodops.config import Config

# The confidence bands, lowest first, as ``confidence_band`` names them.
BANDS = ("at risk", "watch", "on track")


def confidence_band(confidence: float, config: Config) -> str:
    """'at risk', 'watch' or 'on track', by the repository's bands (``at-risk-below``, ``on-track-from``)."""
    if confidence < config.at_risk_below:
        return "at risk"
    return "on track" if confidence >= config.on_track_from else "watch"


def at_risk(confidence: float, config: Config) -> bool:
    return confidence < config.at_risk_below


FORMULA = (
    "Progress rolls up: each of an objective's own key results counts 1 and each child objective counts "
    "the weight it gives its link to the parent; the objective's progress is the weighted mean of them."
)


def rolled_up_progress(catalog: Catalog) -> dict[str, float]:
    """Every objective's progress including its child objectives (see the module's formula)."""
    children: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for objective in catalog.objectives.values():
        for link in objective.parents:
            if link.objective in catalog.objectives and link.objective != objective.id:
                children[link.objective].append((objective.id, link.weight))
    done: dict[str, float] = {}
    for start in sorted(catalog.objectives):
        # Depth-first without recursion; an alignment cycle (reported as PO305) counts a child once.
        stack: list[tuple[str, bool]] = [(start, False)]
        visiting: set[str] = set()
        while stack:
            oid, expanded = stack.pop()
            if oid in done:
                continue
            if not expanded:
                visiting.add(oid)
                stack.append((oid, True))
                stack.extend((c, False) for c, _ in children[oid] if c not in done and c not in visiting)
                continue
            objective = catalog.objectives[oid]
            total = sum(kr.progress for kr in objective.key_results)
            weight = float(len(objective.key_results))
            for child, w in children[oid]:
                if child in done:
                    total += w * done[child]
                    weight += w
            done[oid] = total / weight if weight else 0.0
            visiting.discard(oid)
    return done

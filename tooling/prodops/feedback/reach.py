"""RICE reach derived from customer demand, for repositories that opt in.

With ``derive-reach = true`` in ``[tool.prodops.feedback]``, a roadmap item with RICE inputs
whose ``rice.reach`` is replaced by the accounts of the insights that name it in
``addressed_by``: the sum of each insight's peak-month accounts (RICE reach counts accounts a
quarter; the peak month is the most of them seen asking in one month, a floor for the
quarter). An item no insight addresses keeps the reach its file declares. The derivation is
kept so pages and ``show`` can say where the number came from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from prodops.catalog import Catalog
from prodops.feedback.insight import addressing


@dataclass(frozen=True)
class Derivation:
    item: str
    declared: int  # the reach the item's file says
    reach: int  # what the demand says
    parts: tuple[tuple[str, int], ...]  # (insight id, its peak-month accounts)

    def explain(self) -> str:
        terms = " + ".join(f"{accounts} ({insight})" for insight, accounts in self.parts)
        return f"reach {self.reach} = {terms}: accounts of the insights it addresses, in each one's busiest month (the file says {self.declared})"


def derivations(catalog: Catalog) -> dict[str, Derivation]:
    """For every item with RICE inputs that insights address: the reach their demand gives."""
    out: dict[str, Derivation] = {}
    for item_id, item in sorted(catalog.items.items()):
        if item.rice is None:
            continue
        parts = tuple((i.id, i.demand().accounts) for i in addressing(catalog, item_id) if i.demand().accounts)
        if parts:
            declared = catalog.documents[item_id].data["rice"]["reach"]  # the file's value, also after ``apply``
            out[item_id] = Derivation(item_id, int(declared), sum(a for _, a in parts), parts)
    return out


def apply(catalog: Catalog) -> dict[str, Derivation]:
    """Replace each addressed item's reach by the derived one (every value computed from RICE follows)."""
    found = derivations(catalog)
    for item_id, derivation in found.items():
        item = catalog.items[item_id]
        assert item.rice is not None
        catalog.items[item_id] = replace(item, rice=replace(item.rice, reach=derivation.reach))
    return found

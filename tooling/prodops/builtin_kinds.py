"""The behaviour of the five built-in kinds, registered in one place (``BUILTIN``) for the kind registry.

What a schema cannot say of a built-in kind: its model, its table on the ``Catalog``, its list
row and order, its section page, who owns it and what export computes for it. Everything else
about a kind (folder, title field, references, enums) comes from its schema (see ``kinds.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from prodops import model
from prodops.calendar import Calendar
from prodops.metrics.model import Kpi, build_kpi

if TYPE_CHECKING:
    from prodops.loader import Document
    from prodops.metrics.store import Metrics


class RowContext(Protocol):
    """What a list row may look up beyond its entity; the linked ``Catalog`` is one, so kinds need not know it."""

    @property
    def people(self) -> Mapping[str, tuple[model.Member, str]]: ...  # handle -> (member, team id)

    @property
    def metrics(self) -> Metrics: ...  # KPIs with their histories

    @property
    def documents(self) -> Mapping[str, Document]: ...  # every loaded file by entity id


# What a built-in kind's list row is made of: (catalog, entity) -> the row's values by column.
RowFunction = Callable[[RowContext, Any], dict[str, Any]]


@dataclass(frozen=True)
class Builtin:
    """What the code knows of a built-in kind beyond its schema."""

    attribute: str  # the Catalog's table of this kind: catalog.items, catalog.objectives...
    build: Callable[[dict[str, Any], str, Calendar], Any]  # a schema-valid document, its file, the calendar
    list_columns: tuple[str, ...]
    row: RowFunction
    sort: Callable[[Any], Any]
    index_page: str  # the section page listing the kind
    label: str  # how a reader names one, shorter than the schema's title ("launch", not "launch plan")
    plural: str
    owner: Callable[[Any], str]  # the accountable person's handle ("" when none)
    teams: Callable[[Any], tuple[str, ...]]  # the teams that own it directly
    computed: tuple[str, ...] = ()  # the computed fields export adds (see ``compute``)
    compute: Callable[[Any], dict[str, Any]] | None = None
    # Whether the pages of the entities it names show the relation themselves (the objective page
    # lists the items that move it); if not, they get the generic "Named by ..." section for it.
    inverse_shown: bool = True
    # The columns of ``prodops list KIND --as-of DATE``, from the fields the Git history keeps of it
    # (``history.py``); a kind without them has no history kept.
    history_columns: tuple[str, ...] = ()
    # The day an entity was done (a roadmap item shipped), from which the public site keeps it only
    # ``shipped-within-days``; None: it stays while it is public.
    done_on: Callable[[Any], date | None] | None = None


def tracked() -> tuple[str, ...]:
    """The kinds whose history Git is asked for (``history_columns``), in ``BUILTIN`` order."""
    return tuple(kind for kind, builtin in BUILTIN.items() if builtin.history_columns)


def _item_row(catalog: RowContext, i: model.RoadmapItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "title": i.title,
        "team": i.team,
        "owner": i.owner,
        "status": i.status,
        "horizon": i.horizon,
        "due": i.due.isoformat() if i.due else "",
        "rice": round(i.rice.score, 1) if i.rice else None,
    }


def _objective_row(catalog: RowContext, o: model.Objective) -> dict[str, Any]:
    return {
        "id": o.id,
        "title": o.title,
        "period": str(o.period) if o.period is not None else "",
        "level": o.level,
        "team": o.team,
        "owner": o.owner,
        "progress": round(o.progress, 3),
    }


def _launch_row(catalog: RowContext, launch: model.Launch) -> dict[str, Any]:
    product = _product_owner(launch)
    team_of = catalog.people.get(product)
    return {
        "id": launch.id,
        "title": launch.title,
        "tier": launch.tier,
        "status": launch.status,
        "ga": launch.ga.isoformat() if launch.ga else "",
        "owner": product,
        "team": team_of[1] if team_of else "",
        "readiness": round(launch.readiness_done, 3),
    }


def _playbook_row(catalog: RowContext, p: model.Playbook) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "owner": p.owner,
        "cadence": p.cadence or p.trigger,
        "last_reviewed": p.last_reviewed.isoformat() if p.last_reviewed else None,
    }


def _team_row(catalog: RowContext, t: model.Team) -> dict[str, Any]:
    return {"id": t.id, "title": t.name, "lead": t.lead, "handle": t.handle, "members": len(t.members), "team": t.id}


def _kpi_row(catalog: RowContext, k: Kpi) -> dict[str, Any]:
    latest = catalog.metrics.of(k.id).latest()
    return {
        "id": k.id,
        "title": k.name,
        "team": k.team,
        "owner": k.owner,
        "unit": k.unit,
        "cadence": k.cadence,
        "latest": latest.value if latest is not None else None,
        "status": k.status_of(latest.value if latest is not None else None),
    }


def _product_owner(launch: model.Launch) -> str:
    """A launch's accountable person: its product owner."""
    return dict(launch.owners).get("product", "")


def _item_computed(item: model.RoadmapItem) -> dict[str, Any]:
    return {
        "rice_score": round(item.rice.score, 3) if item.rice else None,
        "due": item.due.isoformat() if item.due else None,
    }


def _objective_computed(objective: model.Objective) -> dict[str, Any]:
    return {
        "progress": round(objective.progress, 4),
        "own_progress": round(objective.own_progress, 4),
        "key_results": {kr.id: {"progress": round(kr.progress, 4)} for kr in objective.key_results},
    }


def _launch_computed(launch: model.Launch) -> dict[str, Any]:
    return {"readiness": round(launch.readiness_done, 4)}


def _rice_order(i: model.RoadmapItem) -> tuple[float, str]:
    return (-(i.rice.score if i.rice else -1), i.id)


# Kind -> its behaviour. One entry per built-in kind, in the order lists and reports show kinds.
BUILTIN: dict[str, Builtin] = {
    "roadmap-item": Builtin(
        attribute="items",
        build=model.build_item,
        list_columns=("id", "title", "team", "owner", "status", "horizon", "due", "rice"),
        row=_item_row,
        sort=_rice_order,
        index_page="roadmap/index.md",
        label="roadmap item",
        plural="roadmap items",
        owner=lambda i: i.owner,
        teams=lambda i: i.teams,
        computed=("rice_score", "due"),
        compute=_item_computed,
        history_columns=("id", "title", "team", "status", "horizon", "due", "changed"),
        done_on=lambda i: i.due if i.done else None,
    ),
    "objective": Builtin(
        attribute="objectives",
        build=model.build_objective,
        list_columns=("id", "title", "period", "level", "team", "owner", "progress"),
        row=_objective_row,
        sort=lambda o: (str(o.period), o.id),
        index_page="okrs/index.md",
        label="objective",
        plural="objectives",
        owner=lambda o: o.owner,
        teams=lambda o: (o.team,) if o.team else (),
        computed=("progress", "own_progress", "key_results"),
        compute=_objective_computed,
        history_columns=("id", "title", "period", "team", "changed"),
    ),
    "launch": Builtin(
        attribute="launches",
        build=lambda data, file, _calendar: model.build_launch(data, file),
        list_columns=("id", "title", "tier", "status", "ga", "owner", "team", "readiness"),
        row=_launch_row,
        sort=lambda launch: (launch.ga, launch.id),  # the id breaks ties: launches share GA dates
        index_page="launches/index.md",
        label="launch",
        plural="launches",
        owner=_product_owner,
        teams=lambda launch: (),
        computed=("readiness",),
        compute=_launch_computed,
        history_columns=("id", "title", "status", "ga", "changed"),
    ),
    "playbook": Builtin(
        attribute="playbooks",
        build=lambda data, file, _calendar: model.build_playbook(data, file),
        list_columns=("id", "title", "owner", "cadence", "last_reviewed"),
        row=_playbook_row,
        sort=lambda p: p.id,
        index_page="playbooks/index.md",
        label="playbook",
        plural="playbooks",
        owner=lambda p: p.owner,
        teams=lambda p: (),
    ),
    "team": Builtin(
        attribute="teams",
        build=lambda data, file, _calendar: model.build_team(data, file),
        list_columns=("id", "title", "lead", "handle", "members", "team"),
        row=_team_row,
        sort=lambda t: t.id,
        index_page="teams/index.md",
        label="team",
        plural="teams",
        owner=lambda t: t.lead,
        teams=lambda t: (t.id,),
    ),
    "kpi": Builtin(
        attribute="kpis",
        build=lambda data, file, _calendar: build_kpi(data, file),
        list_columns=("id", "title", "team", "owner", "unit", "cadence", "latest", "status"),
        row=_kpi_row,
        sort=lambda k: k.id,
        index_page="kpis/index.md",
        label="KPI",
        plural="KPIs",
        owner=lambda k: k.owner,
        teams=lambda k: (k.team,),
        inverse_shown=False,  # an objective's page charts the KPIs its key results track, not those that name it
    ),
}

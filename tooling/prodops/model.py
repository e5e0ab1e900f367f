"""Small frozen dataclasses, built only from documents that passed their schema.

Computed values (key-result progress, RICE score) live here as properties, so
they are never typed in by hand and every consumer computes them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from prodops.calendar import DEFAULT, Calendar, Period
from prodops.states import CLOSED, COMMITTED, DEFAULTS, Meaning

Horizon = Literal["now", "next", "later"]


def parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Member:
    handle: str
    name: str
    role: str
    email: str = ""  # optional: where e-mailed updates and reminders go


@dataclass(frozen=True)
class Team:
    id: str
    file: str
    name: str
    lead: str
    handle: str
    mission: str
    channel: str
    members: tuple[Member, ...]

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class CheckIn:
    date: date
    value: float
    confidence: float | None  # None: the schema does not require one and the check-in gives none
    note: str
    author: str


def progress(baseline: float | None, target: float | None, current: float) -> float:
    """A key result's share of the way from baseline to target, clamped to 0..1 (either direction).

    Without a baseline or a target (the adopter's schema does not require them) there is no way
    to measure, so no progress: 0.
    """
    if baseline is None or target is None:
        return 0.0
    span = target - baseline
    if span == 0:
        return 1.0 if current == target else 0.0
    return max(0.0, min(1.0, (current - baseline) / span))


@dataclass(frozen=True)
class KeyResult:
    objective: str
    id: str
    index: int
    title: str
    metric: str
    unit: str
    direction: Literal["increase", "decrease"]
    baseline: float | None  # None: the adopter's schema does not require one and the file gives none
    target: float | None  # likewise
    current: float
    confidence: float | None  # None: the schema does not require one and the file gives none
    owner: str
    checkins: tuple[CheckIn, ...]
    kpi: str = ""  # the KPI it tracks, if any (its current value is the KPI's latest value)

    @property
    def ref(self) -> str:
        return f"{self.objective}.{self.id}"

    @property
    def progress(self) -> float:
        """Share of the way from baseline to target, clamped to 0..1."""
        return progress(self.baseline, self.target, self.current)


@dataclass(frozen=True)
class ParentLink:
    objective: str
    weight: float


@dataclass(frozen=True)
class Objective:
    id: str
    file: str
    title: str
    period: Period | None  # None: the adopter's schema does not require one and the file gives none
    level: Literal["company", "team"]
    team: str
    owner: str
    description: str
    parents: tuple[ParentLink, ...]
    key_results: tuple[KeyResult, ...]
    tags: tuple[str, ...]
    # The progress with the child objectives rolled in (``roll_up``); None: it has no children.
    rolled_up: float | None = field(default=None, compare=False)

    @property
    def own_progress(self) -> float:
        """The mean progress of the objective's own key results (its children left out)."""
        if not self.key_results:
            return 0.0
        return sum(kr.progress for kr in self.key_results) / len(self.key_results)

    @property
    def progress(self) -> float:
        """The objective's progress, its child objectives included: the one number every page and report shows."""
        return self.rolled_up if self.rolled_up is not None else self.own_progress


def roll_up(objectives: Mapping[str, Objective]) -> dict[str, Objective]:
    """The objectives, each with a child (an objective naming it in ``parents``) given its rolled-up progress.

    An objective's own key results each count 1 and each child counts the weight it gives its
    link, so the progress is the weighted mean
    ``(sum of own key results' progress + sum of w_c * P(c)) / (n_o + sum of w_c)``;
    an objective with neither key results nor children has progress 0.
    """
    children: dict[str, list[tuple[str, float]]] = {}
    for objective in objectives.values():
        for link in objective.parents:
            if link.objective in objectives and link.objective != objective.id:
                children.setdefault(link.objective, []).append((objective.id, link.weight))
    done: dict[str, float] = {}
    for start in sorted(objectives):
        # Depth-first without recursion; an alignment cycle (reported as PO305) counts a child once.
        stack: list[tuple[str, bool]] = [(start, False)]
        visiting: set[str] = set()
        while stack:
            oid, expanded = stack.pop()
            if oid in done:
                continue
            below = children.get(oid, ())
            if not expanded:
                visiting.add(oid)
                stack.append((oid, True))
                stack.extend((c, False) for c, _ in below if c not in done and c not in visiting)
                continue
            objective = objectives[oid]
            total = sum(kr.progress for kr in objective.key_results)
            weight = float(len(objective.key_results))
            for child, w in below:
                if child in done:
                    total += w * done[child]
                    weight += w
            done[oid] = total / weight if weight else 0.0
            visiting.discard(oid)
    return {
        oid: replace(objective, rolled_up=done[oid]) if oid in children else objective
        for oid, objective in objectives.items()
    }


@dataclass(frozen=True)
class Rice:
    reach: int
    impact: float
    confidence: float
    effort: float

    @property
    def score(self) -> float:
        return self.reach * self.impact * self.confidence / self.effort


@dataclass(frozen=True)
class Evidence:
    source: str
    summary: str
    account: str
    segment: str
    count: int | None
    arr: float | None
    link: str
    date: date | None


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Delivery:
    """What the trackers said of an item's delivery work when last imported (``prodops delivery import``)."""

    source: str
    tickets_done: int
    tickets_total: int
    points_done: float
    points_total: float
    last_activity: date | None

    @property
    def all_done(self) -> bool:
        return self.tickets_total > 0 and self.tickets_done >= self.tickets_total

    @property
    def open_tickets(self) -> int:
        return max(self.tickets_total - self.tickets_done, 0)

    @property
    def share(self) -> float:
        """The share of tickets done (0 with no tickets)."""
        return self.tickets_done / self.tickets_total if self.tickets_total else 0.0


class _Stated:
    """What an entity's status means (``meaning``, from the schema's ``x-prodops-states``), asked by name."""

    meaning: Meaning | None

    @property
    def done(self) -> bool:
        return self.meaning == "done"

    @property
    def dropped(self) -> bool:
        return self.meaning == "dropped"


@dataclass(frozen=True)
class RoadmapItem(_Stated):
    id: str
    file: str
    title: str
    problem: str
    description: str
    status: str  # a value of the schema's enum; what it means is ``meaning``
    horizon: Horizon | None  # None: the adopter's schema does not require one and the file gives none
    team: str
    owner: str
    quarter: Period | None
    start: date | None
    end: date | None
    key_results: tuple[str, ...]
    depends_on: tuple[str, ...]
    rice: Rice | None
    evidence: tuple[Evidence, ...]
    launch_exempt_reason: str
    cancelled_reason: str
    links: tuple[Link, ...]
    tags: tuple[str, ...]
    contributing_teams: tuple[str, ...] = ()
    # What the status means (``states.py``); the kind registry sets it from the schema.
    meaning: Meaning | None = None
    # The tracker references of the delivery work, and what their last import found.
    delivery: tuple[str, ...] = ()
    progress: Delivery | None = None

    def __post_init__(self) -> None:
        if self.meaning is None:  # built without a schema: the built-in words' meanings
            object.__setattr__(self, "meaning", DEFAULTS.get(self.status))

    @property
    def teams(self) -> tuple[str, ...]:
        """The owning team first, then the teams that contribute."""
        return (self.team, *(t for t in self.contributing_teams if t != self.team))

    @property
    def due(self) -> date | None:
        """The date the item is due: its end date, or the end of its target quarter."""
        if self.end is not None:
            return self.end
        return self.quarter.end if self.quarter is not None else None

    @property
    def active(self) -> bool:
        """Open: neither done nor dropped."""
        return self.meaning not in CLOSED

    @property
    def committed(self) -> bool:
        """Committed to and not finished (what due dates and say/do count)."""
        return self.meaning in COMMITTED


@dataclass(frozen=True)
class ReadinessItem:
    id: str
    title: str
    owner: str
    status: str  # the checklist's own states (todo, in progress, done, not applicable), not the launch's
    evidence: str
    note: str

    @property
    def open(self) -> bool:
        """Still to do: neither done nor not applicable."""
        return self.status not in ("done", "not-applicable")


@dataclass(frozen=True)
class GoNoGo:
    date: date | None
    decision: Literal["pending", "go", "no-go"]
    approvers: tuple[str, ...]
    notes: str


@dataclass(frozen=True)
class Communications:
    internal: str
    external: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Launch(_Stated):
    id: str
    file: str
    title: str
    summary: str
    tier: int | None  # None: the adopter's schema does not require one and the file gives none
    status: str  # a value of the schema's enum; what it means is ``meaning``
    items: tuple[str, ...]
    playbook: str
    owners: tuple[tuple[str, str], ...]  # (function, handle), in schema order
    dates: tuple[tuple[str, date], ...]  # (stage, date), in stage order
    readiness: tuple[ReadinessItem, ...]
    go_no_go: GoNoGo | None
    rollback_plan: str
    communications: Communications | None
    success_metrics: tuple[str, ...]
    post_launch_review: date | None
    tags: tuple[str, ...]
    release_note: str = ""  # the customer-facing summary for the release notes (Markdown)
    # What the status means (``states.py``); the kind registry sets it from the schema.
    meaning: Meaning | None = None

    def __post_init__(self) -> None:
        if self.meaning is None:  # built without a schema: the built-in words' meanings
            object.__setattr__(self, "meaning", DEFAULTS.get(self.status))

    @property
    def open(self) -> bool:
        """Not launched, rolled back or cancelled yet."""
        return self.meaning not in CLOSED

    @property
    def ga(self) -> date | None:
        """The GA date; None when the adopter's schema does not require one and the file gives none."""
        return dict(self.dates).get("ga")

    @property
    def readiness_done(self) -> float:
        """Share of applicable checklist items that are done."""
        applicable = [r for r in self.readiness if r.status != "not-applicable"]
        if not applicable:
            return 1.0
        return sum(r.status == "done" for r in applicable) / len(applicable)


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Step:
    title: str
    owner_role: str
    description: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    done_when: str


@dataclass(frozen=True)
class ServiceLevel:
    name: str
    target: str
    measure: str


@dataclass(frozen=True)
class ChecklistTemplateItem:
    id: str
    title: str
    owner_role: str
    tiers: tuple[int, ...]
    evidence_required: bool


@dataclass(frozen=True)
class Playbook:
    id: str
    file: str
    title: str
    purpose: str
    owner: str
    cadence: str
    trigger: str
    roles: tuple[Role, ...]
    steps: tuple[Step, ...]
    service_levels: tuple[ServiceLevel, ...]
    checklist_template: tuple[ChecklistTemplateItem, ...]
    last_reviewed: date | None  # None: not required by the adopter's schema, and not recorded
    tags: tuple[str, ...]
    go_no_go_working_days: int | None = None

    def required_for(self, tier: int | None) -> tuple[ChecklistTemplateItem, ...]:
        """The checklist items the playbook requires for ``tier``; a launch without a tier has none it can be held to."""
        return tuple(c for c in self.checklist_template if tier is not None and tier in c.tiers)


def working_days_before(day: date, count: int) -> date:
    """The date ``count`` working days (Monday to Friday) before ``day``."""
    current = day
    while count > 0:
        current = date.fromordinal(current.toordinal() - 1)
        if current.weekday() < 5:
            count -= 1
    return current


@dataclass(frozen=True)
class Record:
    """An entity of a kind the code has no model for: a kind declared only by its schema.

    ``data`` is the schema-valid document as written; what a page, a list or an export shows
    of it comes from the kind's schema annotations (see ``kinds.py``).
    """

    id: str
    kind: str
    title: str
    data: dict[str, Any]
    file: str


Entity = Team | Objective | RoadmapItem | Launch | Playbook | Record

_STAGE_ORDER = ("alpha", "beta", "ga")
_OWNER_ORDER = ("product", "engineering", "marketing", "sales_enablement", "support", "docs")


def _s(data: dict[str, Any], key: str) -> str:
    # Only schema-valid documents reach the model, so an optional text field is a str when present.
    value: str = data.get(key, "")
    return value


def _t(data: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(data.get(key) or ())


def _direction(kr: dict[str, Any]) -> Literal["increase", "decrease"]:
    # Without a declared direction, the target says it: below the baseline means the metric should go down.
    baseline, target = kr.get("baseline"), kr.get("target")
    if isinstance(baseline, (int, float)) and isinstance(target, (int, float)) and target < baseline:
        return "decrease"
    return "increase"


def _current(kr: dict[str, Any]) -> float:
    # Without a current value (the adopter's schema allows it), the latest check-in's value is the latest
    # measurement; with none either, nothing has moved yet: the baseline (0 when it is not given either).
    if "current" in kr:
        value: float = kr["current"]
        return value
    dated = [c for c in kr.get("checkins") or () if "date" in c and "value" in c]
    latest: float = max(dated, key=lambda c: str(c["date"]))["value"] if dated else kr.get("baseline", 0)
    return latest


def build_team(data: dict[str, Any], file: str) -> Team:
    return Team(
        id=data["id"],
        file=file,
        name=_s(data, "name") or data["id"],
        lead=_s(data, "lead"),
        handle=_s(data, "handle"),
        mission=_s(data, "mission"),
        channel=_s(data, "channel"),
        members=tuple(
            Member(_s(m, "handle"), _s(m, "name"), _s(m, "role"), _s(m, "email")) for m in data.get("members") or ()
        ),
    )


def _period(calendar: Calendar, text: str) -> Period:
    # The schema's period pattern is the calendar's (``schemas._calendar``), so a valid file's period parses.
    found = calendar.parse(text)
    if found is None:
        raise ValueError(f"{text!r} is not a period of the declared calendar")
    return found


def build_objective(data: dict[str, Any], file: str, calendar: Calendar = DEFAULT) -> Objective:
    oid = data["id"]
    krs = tuple(
        KeyResult(
            objective=oid,
            id=kr["id"],
            index=i,
            title=_s(kr, "title") or kr["id"],
            metric=_s(kr, "metric"),
            unit=_s(kr, "unit"),
            direction=kr.get("direction") or _direction(kr),
            baseline=kr.get("baseline"),
            target=kr.get("target"),
            current=_current(kr),
            confidence=kr.get("confidence"),
            owner=_s(kr, "owner") or _s(data, "owner"),
            checkins=tuple(
                CheckIn(date.fromisoformat(c["date"]), c["value"], c.get("confidence"), _s(c, "note"), _s(c, "author"))
                for c in kr.get("checkins") or ()
                if "date" in c and "value" in c  # a check-in is a dated value; without either it says nothing
            ),
            kpi=_s(kr, "kpi"),
        )
        for i, kr in enumerate(data.get("key_results") or ())
    )
    return Objective(
        id=oid,
        file=file,
        title=_s(data, "title") or oid,
        period=_period(calendar, data["period"]) if "period" in data else None,
        level=data.get("level") or ("team" if data.get("team") else "company"),
        team=_s(data, "team"),
        owner=_s(data, "owner"),
        description=_s(data, "description"),
        parents=tuple(
            ParentLink(p["objective"], float(p.get("weight", 1))) for p in data.get("parents") or () if "objective" in p
        ),
        key_results=krs,
        tags=_t(data, "tags"),
    )


def build_item(data: dict[str, Any], file: str, calendar: Calendar = DEFAULT) -> RoadmapItem:
    target = data.get("target") or {}
    rice = data.get("rice")
    return RoadmapItem(
        id=data["id"],
        file=file,
        title=_s(data, "title") or data["id"],
        problem=_s(data, "problem"),
        description=_s(data, "description"),
        status=data.get("status", ""),  # "": the adopter's schema does not require one and the file gives none
        horizon=data.get("horizon"),
        team=_s(data, "team"),
        contributing_teams=_t(data, "contributing_teams"),
        owner=_s(data, "owner"),
        quarter=_period(calendar, target["quarter"]) if "quarter" in target else None,
        start=parse_date(target.get("start")),
        end=parse_date(target.get("end")),
        key_results=_t(data, "key_results"),
        depends_on=_t(data, "depends_on"),
        # A score needs all four factors; with one left out (the adopter's schema allows it) there is none.
        rice=Rice(rice["reach"], rice["impact"], rice["confidence"], rice["effort"])
        if rice and all(k in rice for k in ("reach", "impact", "confidence", "effort"))
        else None,
        evidence=tuple(
            Evidence(
                e["source"],
                e["summary"],
                _s(e, "account"),
                _s(e, "segment"),
                e.get("count"),
                e.get("arr"),
                _s(e, "link"),
                parse_date(e.get("date")),
            )
            for e in data.get("evidence") or ()
        ),
        launch_exempt_reason=_s(data, "launch_exempt_reason"),
        cancelled_reason=_s(data, "cancelled_reason"),
        links=tuple(Link(x["title"], x["url"]) for x in data.get("links") or ()),
        tags=_t(data, "tags"),
        delivery=_t(data, "delivery"),
        progress=_delivery(data.get("progress")),
    )


def _delivery(data: Any) -> Delivery | None:
    if not isinstance(data, dict) or "tickets_total" not in data:
        return None
    return Delivery(
        source=_s(data, "source"),
        tickets_done=int(data.get("tickets_done") or 0),
        tickets_total=int(data.get("tickets_total") or 0),
        points_done=float(data.get("points_done") or 0),
        points_total=float(data.get("points_total") or 0),
        last_activity=parse_date(data.get("last_activity")),
    )


def build_launch(data: dict[str, Any], file: str) -> Launch:
    gng = data.get("go_no_go")
    comms = data.get("communications")
    owners = data.get("owners") or {}
    dates = data.get("dates") or {}
    return Launch(
        id=data["id"],
        file=file,
        title=_s(data, "title") or data["id"],
        summary=_s(data, "summary"),
        tier=data.get("tier"),
        status=data.get("status", ""),  # "": the adopter's schema does not require one and the file gives none
        items=_t(data, "items"),
        playbook=_s(data, "playbook"),
        owners=tuple((f, owners[f]) for f in _OWNER_ORDER if f in owners),
        dates=tuple((s, date.fromisoformat(dates[s])) for s in _STAGE_ORDER if s in dates),
        readiness=tuple(
            ReadinessItem(
                r["id"],
                _s(r, "title") or r["id"],
                _s(r, "owner"),
                r.get("status") or "todo",
                _s(r, "evidence"),
                _s(r, "note"),
            )
            for r in data.get("readiness") or ()
        ),
        go_no_go=GoNoGo(
            parse_date(gng.get("date")), gng.get("decision") or "pending", _t(gng, "approvers"), _s(gng, "notes")
        )
        if gng
        else None,
        rollback_plan=_s(data, "rollback_plan"),
        communications=Communications(_s(comms, "internal"), _s(comms, "external"), _t(comms, "channels"))
        if comms
        else None,
        success_metrics=_t(data, "success_metrics"),
        post_launch_review=parse_date(data.get("post_launch_review")),
        tags=_t(data, "tags"),
        release_note=_s(data, "release_note"),
    )


def build_playbook(data: dict[str, Any], file: str) -> Playbook:
    return Playbook(
        id=data["id"],
        file=file,
        title=_s(data, "title") or data["id"],
        go_no_go_working_days=data.get("go_no_go_working_days"),
        purpose=_s(data, "purpose"),
        owner=_s(data, "owner"),
        cadence=_s(data, "cadence"),
        trigger=_s(data, "trigger"),
        roles=tuple(Role(r["id"], _s(r, "title") or r["id"], _s(r, "description")) for r in data.get("roles") or ()),
        steps=tuple(
            Step(
                _s(s, "title"),
                _s(s, "owner_role"),
                _s(s, "description"),
                _t(s, "inputs"),
                _t(s, "outputs"),
                _s(s, "done_when"),
            )
            for s in data.get("steps") or ()
        ),
        service_levels=tuple(
            ServiceLevel(s["name"], s["target"], _s(s, "measure")) for s in data.get("service_levels") or ()
        ),
        checklist_template=tuple(
            ChecklistTemplateItem(
                c["id"],
                _s(c, "title") or c["id"],
                _s(c, "owner_role"),
                tuple((c.get("applies_when") or {}).get("tier") or ()),
                bool(c.get("evidence_required", False)),
            )
            for c in data.get("checklist_template") or ()
        ),
        last_reviewed=parse_date(data.get("last_reviewed")),
        tags=_t(data, "tags"),
    )

"""Write a complete, valid ops repository of N entities, deterministic from a seed.

    python tooling/bench/generate.py --out DIR --count N [--seed S] [--calendar half]

The repository has the real schemas, a team registry, objectives with key results
and check-ins, roadmap items with RICE inputs, evidence and dependencies, launch
plans that follow the launch playbook, and playbooks: every reference resolves
and every process rule passes (with ``--today 2026-11-22`` or any later date), freshness
warnings aside: like real public roadmaps, some planned and in-progress work of past quarters
is still open, which rule PO416 reports as overdue. ``mutate`` makes meaningful edits for the
diff benchmark.

``--organisation quayside`` writes another believable organisation instead of the benchmark's
numbered teams: Quayside, a freight-forwarding platform, with its own teams, people, words and ids,
dated around ``--today`` (past quarters shipped, the current one in progress and checked in, the next
ones planned) so that it validates with no errors and no warnings on that day. It is the content
``tooling/ci/adopter_check.py`` puts in place of the example organisation's.

``--calendar`` plans in another cadence (``prodops.calendar``): ``quarter`` (the default),
``half`` (half-years), ``trimester``, ``fiscal-MONTH`` (fiscal quarters of a year starting in that
month, ``fiscal-april``) or ``cycles-N`` (N-week cycles from 2023-01-02). The schemas' period
definition declares it, and every period, file name and date follows it.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from prodops.calendar import DEFAULT, MONTHS, Calendar, Period, declare

REPO_ROOT = Path(__file__).resolve().parents[2]
# Undated content: periods from 2023 that end by this day, so no check-in is after the reference date.
FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2026, 9, 30)
FIRST_CYCLE = date(2023, 1, 2)
WORDS = [
    "invoice",
    "payment",
    "ledger",
    "reconciliation",
    "billing",
    "usage",
    "forecast",
    "approval",
    "export",
    "import",
    "sync",
    "connector",
    "portal",
    "dashboard",
    "report",
    "workflow",
    "reminder",
    "dispute",
    "credit",
    "refund",
    "mandate",
    "audit",
    "permission",
    "onboarding",
    "checklist",
    "template",
    "integration",
    "webhook",
    "schedule",
    "currency",
    "tax",
    "revenue",
    "schedule",
    "alert",
    "digest",
    "search",
]
VERBS = [
    "improve",
    "automate",
    "simplify",
    "accelerate",
    "secure",
    "unify",
    "streamline",
    "extend",
    "rebuild",
    "localise",
]
SOURCES = ["sales", "support", "success", "research", "analytics", "community", "partner"]
SEGMENTS = ["smb", "mid-market", "enterprise"]
TEMPLATE = [
    ("release-notes", "Release notes published", [1, 2, 3], False),
    ("docs-updated", "Help centre articles updated", [1, 2], True),
    ("support-training", "Support trained", [1, 2], True),
    ("rollback-tested", "Rollback tested in staging", [1, 2], True),
    ("sales-enablement", "Sales enabled", [1], True),
]


class Organisation(NamedTuple):
    """Who the generated repository belongs to: its teams, the words of its titles, its handles."""

    name: str
    handle_prefix: str  # Git host organisation of the team handles: "@bench/"
    teams: tuple[tuple[str, str], ...] = ()  # (id, name); empty: numbered teams, as many as the size needs
    words: tuple[str, ...] = tuple(WORDS)
    playbook: str = "launch-readiness"  # the launch playbook's id
    ids: str = "numbered"  # "numbered" (item-WORD-WORD-00001) or "words" (WORD-WORD-1)


QUAYSIDE = Organisation(
    name="Quayside",
    handle_prefix="@quayside/",
    teams=(
        ("bookings", "Bookings"),
        ("customs", "Customs & Compliance"),
        ("visibility", "Shipment Visibility"),
        ("carrier-network", "Carrier Network"),
    ),
    words=(
        "shipment",
        "carrier",
        "booking",
        "quote",
        "customs",
        "manifest",
        "container",
        "pallet",
        "tracking",
        "dock",
        "warehouse",
        "freight",
        "rate",
        "lane",
        "tender",
        "consignment",
        "declaration",
        "tariff",
        "milestone",
        "exception",
        "delivery",
        "pickup",
        "invoice",
        "surcharge",
        "vessel",
        "terminal",
        "broker",
        "document",
        "eta",
        "alert",
        "portal",
        "api",
    ),
    playbook="release-readiness",
    ids="words",
)
BENCH = Organisation(name="Bench", handle_prefix="@bench/")
ORGANISATIONS = {"bench": BENCH, "quayside": QUAYSIDE}


def calendar_named(name: str) -> Calendar:
    """The calendar ``--calendar`` names: quarter, half, trimester, fiscal-MONTH or cycles-N."""
    kind, _, rest = name.partition("-")
    if kind in ("quarter", "half", "trimester") and not rest:
        return Calendar((kind,))
    if kind == "fiscal" and rest.lower() in MONTHS[1:]:
        return Calendar(("quarter",), MONTHS.index(rest.lower()) + 1)
    if kind == "cycles" and rest.isdigit() and 1 <= int(rest) <= 26:
        return Calendar(("cycle",), 1, int(rest), FIRST_CYCLE)
    raise ValueError(f"{name!r} is not quarter, half, trimester, fiscal-MONTH (fiscal-april) or cycles-N (cycles-6)")


def _periods(calendar: Calendar, today: date | None) -> list[Period]:
    """Undated: every period from 2023 to the reference date; dated: three past, the current one and two ahead."""
    if today is None:
        return [p for p in calendar.between(FIRST_DAY, LAST_DAY) if p.end <= LAST_DAY and p.start >= FIRST_DAY]
    here = calendar.containing(today)
    out = [here]
    for _ in range(3):
        out.insert(0, calendar.previous(out[0]))
    while len(out) < 6:
        out.append(calendar.next(out[-1]))
    return out


class _Dumper(yaml.SafeDumper):
    """Block style, no quotes around dates (the loader reads YAML 1.2, where dates are strings)."""


_Dumper.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


FIRST_NAMES = [
    "Amara",
    "Bruno",
    "Chen",
    "Dalia",
    "Emeka",
    "Freya",
    "Goran",
    "Hana",
    "Ines",
    "Jonas",
    "Kofi",
    "Leila",
    "Marek",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
]
LAST_NAMES = ["Okafor", "Silva", "Novak", "Haddad", "Larsen", "Mehta", "Costa", "Weber", "Tanaka", "Moreau", "Kowalski"]


def _person_name(index: int) -> str:
    """Distinct, readable names: people are searched for by first name."""
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
    return f"{first} {last}" + (f" {index // (len(FIRST_NAMES) * len(LAST_NAMES)) + 1}" if index >= 253 else "")


class Generator:
    def __init__(
        self,
        count: int,
        seed: int,
        org: Organisation = BENCH,
        today: date | None = None,
        calendar: Calendar = DEFAULT,
    ) -> None:
        self.rng = random.Random(seed)
        self.count = max(count, 12)
        self.org = org
        # Dated around ``today``: three past periods, the current one and two ahead.
        self.today = today
        self.periods = [str(p) for p in _periods(calendar, today)]
        self.bounds = {str(p): (p.start, p.end) for p in _periods(calendar, today)}
        self.files: dict[str, tuple[str, dict[str, Any]]] = {}  # rel path -> (schema, data)

    def phrase(self, n: int = 3) -> str:
        return " ".join(self.rng.choice(self.org.words) for _ in range(n))

    def slug(self, prefix: str, index: int) -> str:
        words = "-".join(self.rng.sample(self.org.words, 2))
        return f"{words}-{index}" if self.org.ids == "words" else f"{prefix}-{words}-{index:05d}"

    def sentence(self, words: int) -> str:
        text = " ".join(self.rng.choice(self.org.words) for _ in range(words))
        return text[0].upper() + text[1:] + "."

    def run(self) -> dict[str, tuple[str, dict[str, Any]]]:
        n = self.count
        n_teams = len(self.org.teams) or max(3, n // 250)
        n_playbooks = max(1, n // 200)
        n_objectives = max(4, n * 15 // 100)
        n_launches = max(2, n * 12 // 100)
        n_items = n - n_teams - n_playbooks - n_objectives - n_launches
        teams = self.teams(n_teams)
        people = [m for t in teams for m in t["members"]]
        self.playbooks(n_playbooks, people)
        krs_by_period = self.objectives(n_objectives, teams)
        items = self.items(n_items, teams, krs_by_period)
        self.launches(n_launches, items, people)
        return self.files

    def teams(self, count: int) -> list[dict[str, Any]]:
        out = []
        for t in range(count):
            tid, name = self.org.teams[t] if self.org.teams else (f"team-{t:03d}", f"Team {t}")
            members = [
                {
                    "handle": self._handle(tid, t * 6 + m, m),
                    "name": _person_name(t * 6 + m),
                    "role": "Product Manager",
                }
                for m in range(6)
            ]
            data = {
                "id": tid,
                "name": name,
                "mission": self.sentence(12),
                "lead": members[0]["handle"],
                "handle": f"{self.org.handle_prefix}{tid}",
                "channel": f"#{tid}",
                "members": members,
            }
            self.files[f"processes/teams/{tid}.yaml"] = ("team", data)
            out.append(data)
        return out

    def _handle(self, team: str, person: int, member: int) -> str:
        if self.org.teams:  # people of a real organisation are known by name
            return _person_name(person).lower().replace(" ", "-")
        return f"{team}-person-{member}"

    def playbooks(self, count: int, people: list[dict[str, Any]]) -> None:
        for p in range(count):
            pid = self.org.playbook if p == 0 else f"playbook-{p:04d}"
            data: dict[str, Any] = {
                "id": pid,
                "title": f"Playbook {p}: {self.phrase()}",
                "purpose": self.sentence(20),
                "owner": self.rng.choice(people)["handle"],
                "cadence": "per-launch" if p == 0 else self.rng.choice(["weekly", "monthly", "quarterly"]),
                "roles": [{"id": "owner", "title": "Owner", "description": self.sentence(8)}],
                "steps": [
                    {
                        "title": f"Step {s}: {self.phrase()}",
                        "owner_role": "owner",
                        "inputs": [self.phrase(2)],
                        "done_when": self.sentence(8),
                    }
                    for s in range(5)
                ],
                "service_levels": [{"name": "Timely", "target": "Within 5 working days"}],
                "last_reviewed": "2026-10-01",
            }
            if p == 0:
                data["checklist_template"] = [
                    {
                        "id": i,
                        "title": t,
                        "owner_role": "owner",
                        "applies_when": {"tier": tiers},
                        "evidence_required": ev,
                    }
                    for i, t, tiers, ev in TEMPLATE
                ]
            self.files[f"processes/{pid}.yaml"] = ("playbook", data)

    def objectives(self, count: int, teams: list[dict[str, Any]]) -> dict[str, list[str]]:
        krs_by_period: dict[str, list[str]] = {p: [] for p in self.periods}
        company: dict[str, list[str]] = {p: [] for p in self.periods}
        for o in range(count):
            period = self.periods[o % len(self.periods)]
            is_company = not company[period] or self.rng.random() < 0.2
            team = self.rng.choice(teams)
            oid = f"{period.lower()}-{self.slug('objective', o)}"
            start, end = self.bounds[period]
            krs = []
            for k in range(self.rng.randint(2, 4)):
                baseline = self.rng.randint(10, 80)
                increase = self.rng.random() < 0.6
                target = baseline + self.rng.randint(5, 20) * (1 if increase else -1)
                checkins = []
                day = start + timedelta(days=7)
                value = baseline
                last_day = end if self.today is None else min(end, self.today)
                while day <= last_day:
                    value = value + (1 if increase else -1) * self.rng.randint(0, 3)
                    checkins.append(
                        {
                            "date": day.isoformat(),
                            "value": value,
                            "confidence": round(self.rng.uniform(0.3, 0.9), 1),
                            "note": self.sentence(10),
                        }
                    )
                    day += timedelta(days=14)
                krs.append(
                    {
                        "id": f"kr{k + 1}",
                        "title": f"Move {self.phrase(2)} from {baseline} to {target}",
                        "metric": self.phrase(4),
                        "unit": "%",
                        "direction": "increase" if increase else "decrease",
                        "baseline": baseline,
                        "target": target,
                        "current": value,
                        "confidence": checkins[-1]["confidence"] if checkins else 0.5,
                        "checkins": checkins,
                    }
                )
            data: dict[str, Any] = {
                "id": oid,
                "title": f"{self.rng.choice(VERBS).capitalize()} {self.phrase()}",
                "period": period,
                "level": "company" if is_company else "team",
            }
            if not is_company:
                data["team"] = team["id"]
            data["owner"] = team["members"][1]["handle"]
            data["description"] = self.sentence(25)
            if not is_company:
                data["parents"] = [{"objective": self.rng.choice(company[period]), "weight": 1.0}]
            data["key_results"] = krs
            if is_company:
                company[period].append(oid)
            krs_by_period[period].extend(f"{oid}.{kr['id']}" for kr in krs)
            self.files[f"okrs/{period}/{oid}.yaml"] = ("objective", data)
        return krs_by_period

    def items(
        self, count: int, teams: list[dict[str, Any]], krs_by_period: dict[str, list[str]]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(count):
            period = self.periods[i % len(self.periods)]
            start, end = self.bounds[period]
            if self.today is None:
                due = start + timedelta(days=self.rng.randint(20, (end - start).days))
                team = self.rng.choice(teams)
                status = self.rng.choice(["idea", "discovery", "planned", "in-progress", "in-progress", "shipped"])
            else:
                due, status = self._dated(start, end)
                team = self.rng.choice(teams)
            horizon = {"idea": "later", "discovery": "next", "planned": "next"}.get(status, "now")
            iid = self.slug("item", i)
            data: dict[str, Any] = {
                "id": iid,
                "title": f"{self.rng.choice(VERBS).capitalize()} {self.phrase()}",
                "problem": self.sentence(30),
                "description": self.sentence(25),
                "status": status,
                "horizon": horizon,
                "team": team["id"],
                "owner": self.rng.choice(team["members"])["handle"],
                "target": {"quarter": period, "start": start.isoformat(), "end": due.isoformat()},
                "key_results": self._key_results(krs_by_period[period], i),
            }
            # Dependencies only on earlier items due no later than this one: no cycles, no late dependencies.
            earlier = [
                o for o in out[-40:] if o["target"]["end"] <= data["target"]["end"] and o["status"] != "cancelled"
            ]
            if earlier and self.rng.random() < 0.5:
                data["depends_on"] = sorted({o["id"] for o in self.rng.sample(earlier, min(2, len(earlier)))})
            data["rice"] = {
                "reach": self.rng.randint(10, 3000),
                "impact": self.rng.choice([0.25, 0.5, 1, 2, 3]),
                "confidence": self.rng.choice([0.5, 0.8, 1.0]),
                "effort": self.rng.choice([0.5, 1, 2, 3, 5, 8]),
            }
            data["evidence"] = [
                {
                    "source": self.rng.choice(SOURCES),
                    "summary": self.sentence(10),
                    "account": f"Account {self.rng.randint(1, 5000)}",
                    "segment": self.rng.choice(SEGMENTS),
                    "count": self.rng.randint(1, 200),
                    "link": f"https://tickets.example.com/{self.rng.randint(1000, 99999)}",
                }
                for _ in range(self.rng.randint(1, 3))
            ]
            if status == "shipped":
                data["launch_exempt_reason"] = "Shipped with the quarterly release notes."
            data["links"] = [{"title": "Spec", "url": f"https://docs.example.com/specs/{iid}"}]
            data["tags"] = sorted(set(self.rng.sample(self.org.words, 2)))
            self.files[f"roadmap/{iid}.yaml"] = ("roadmap-item", data)
            out.append(data)
        return out

    def _dated(self, start: date, end: date) -> tuple[date, str]:
        """A due date in the period and a status that is true of it on ``today``."""
        assert self.today is not None
        earliest = max(start + timedelta(days=20), self.today + timedelta(days=1))
        if earliest > end:  # a past period: its work shipped
            return start + timedelta(days=self.rng.randint(20, (end - start).days)), "shipped"
        due = earliest + timedelta(days=self.rng.randint(0, (end - earliest).days))
        if start <= self.today:  # the current period: committed work
            return due, self.rng.choice(["planned", "in-progress", "in-progress"])
        return due, self.rng.choice(["idea", "discovery", "planned"])

    def _key_results(self, pool: list[str], index: int) -> list[str]:
        """Two key results of the period; dated content moves every key result at least once."""
        if self.today is None:
            return sorted(set(self.rng.sample(pool, min(2, len(pool)))))
        turn = index // len(self.periods)  # this item's place among its period's items
        return sorted({pool[(2 * turn) % len(pool)], pool[(2 * turn + 1) % len(pool)]})

    def launches(self, count: int, items: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
        shipped = [i for i in items if i["status"] == "shipped"] or items[:1]
        # Dated content also plans launches of the work under way: one in three, a week after it is due.
        upcoming = [i for i in items if i["status"] == "in-progress"] if self.today is not None else []
        for n in range(count):
            lid = self.slug("launch", n)
            planned = bool(upcoming) and n % 3 == 2
            pool = upcoming if planned else shipped
            shipping = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 2)))
            tier = self.rng.choice([1, 2, 3])
            ga = date.fromisoformat(max(i["target"]["end"] for i in shipping)) + timedelta(days=7)
            if self.today is not None and not planned:  # launched: by today, never before the work was due
                ga = min(ga, self.today)
            owner = self.rng.choice(people)["handle"]
            # Done before GA: launched, or planned and within the readiness lead of GA (PO421's default, 14 days).
            ready = not planned or (self.today is not None and (ga - self.today).days <= 14)
            data: dict[str, Any] = {
                "id": lid,
                "title": f"Launch {n}: {self.phrase()}",
                "summary": self.sentence(20),
                "tier": tier,
                "status": "planned" if planned else "launched",
                "items": sorted(i["id"] for i in shipping),
                "playbook": self.org.playbook,
                "owners": {
                    "product": owner,
                    "engineering": self.rng.choice(people)["handle"],
                    "support": self.rng.choice(people)["handle"],
                },
                "dates": {"beta": (ga - timedelta(days=21)).isoformat(), "ga": ga.isoformat()},
                "readiness": [
                    {
                        "id": cid,
                        "title": title,
                        "owner": self.rng.choice(people)["handle"],
                        "status": "done" if ready else "todo",
                        **({"evidence": f"https://wiki.example.com/launch/{lid}/{cid}"} if ready else {}),
                    }
                    for cid, title, tiers, _ in TEMPLATE
                    if tier in tiers
                ],
                "go_no_go": {
                    "date": (ga - timedelta(days=2)).isoformat(),
                    "decision": "pending" if planned else "go",
                    "approvers": [owner],
                },
                "rollback_plan": self.sentence(15),
                "communications": {
                    "internal": self.sentence(8),
                    "external": self.sentence(8),
                    "channels": ["blog", "email"],
                },
                "post_launch_review": (ga + timedelta(days=30)).isoformat(),
            }
            self.files[f"launches/{lid}.yaml"] = ("launch", data)


def generate(
    out: Path,
    count: int,
    seed: int = 1,
    org: Organisation = BENCH,
    today: date | None = None,
    calendar: Calendar = DEFAULT,
) -> int:
    """Write the repository, planning in ``calendar``; returns the number of entity files written."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "schemas", out / "schemas")
    if calendar != DEFAULT:
        common = out / "schemas" / "common.schema.json"
        declared = declare(common.read_text(encoding="utf-8"), calendar)
        if declared is None:
            raise SystemExit(f"{common}: no $defs/period to declare the calendar on")
        common.write_text(declared, encoding="utf-8")
    files = Generator(count, seed, org, today, calendar).run()
    for rel, (schema, data) in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_render(rel, schema, data), encoding="utf-8")
    return len(files)


def mutate(root: Path, count: int, seed: int) -> set[str]:
    """``count`` meaningful, schema-valid edits spread over the repository; returns the ids edited."""
    rng = random.Random(seed)
    files = sorted(p for p in root.rglob("*.yaml") if "schemas" not in p.parts)
    edited: set[str] = set()
    for path in rng.sample(files, count):
        first, _, body = path.read_text(encoding="utf-8").partition("\n")
        data: dict[str, Any] = yaml.load(body, Loader=yaml.CSafeLoader)
        if "horizon" in data:
            choice = rng.randrange(4)
            if choice == 0:
                data["horizon"] = rng.choice([h for h in ("now", "next", "later") if h != data["horizon"]])
            elif choice == 1 and isinstance(data.get("target"), dict) and "end" in data["target"]:
                end = date.fromisoformat(str(data["target"]["end"]))
                data["target"]["end"] = (end + timedelta(days=rng.randint(7, 90))).isoformat()
            elif choice == 2:
                data["problem"] = str(data["problem"]) + " Customers also raised it in the last review."
            else:
                data["title"] = str(data["title"]) + " (revised)"
        elif "key_results" in data and isinstance(data["key_results"], list) and data["key_results"]:
            kr = data["key_results"][0]
            kr["target"] = kr["target"] + 1 if isinstance(kr["target"], int) else kr["target"] * 1.1
        elif "members" in data:
            data["members"].insert(0, {"handle": f"new-person-{len(edited)}", "name": "New Person", "role": "Analyst"})
        elif "dates" in data:
            ga = date.fromisoformat(str(data["dates"]["ga"]))
            data["dates"]["ga"] = (ga + timedelta(days=rng.randint(1, 30))).isoformat()
        else:
            data["title"] = str(data["title"]) + " (revised)"
        path.write_text(
            first + "\n" + yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        edited.add(str(data["id"]))
    return edited


def _render(rel: str, schema: str, data: dict[str, Any]) -> str:
    depth = rel.count("/")
    head = f"# yaml-language-server: $schema={'../' * depth}schemas/{schema}.schema.json\n"
    return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the repository into (new or empty)")
    parser.add_argument("--count", type=int, required=True, help="number of entities")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--organisation", choices=sorted(ORGANISATIONS), default="bench", help="whose content (default bench)"
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="date the content around this day, valid with no warnings on it"
    )
    parser.add_argument(
        "--calendar",
        type=calendar_named,
        default=DEFAULT,
        help="the planning cadence: quarter (default), half, trimester, fiscal-MONTH (fiscal-april) or cycles-N",
    )
    args = parser.parse_args()
    written = generate(args.out, args.count, args.seed, ORGANISATIONS[args.organisation], args.today, args.calendar)
    print(f"wrote {written} entities to {args.out}")


if __name__ == "__main__":
    main()

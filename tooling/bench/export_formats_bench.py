"""`prodops feedback import` of vendor-sized exports: time and peak memory.

    python tooling/bench/export_formats_bench.py [--tickets 200000] [--issues 50000] [--runs 1]

Writes a Zendesk JSON export of ``--tickets`` tickets in the incremental export's shape
(``{"tickets": [...], "count": …}``, one document: Zendesk advises its JSON export above 200,000
tickets, and such a document is over the size read whole, so it is read a record at a time) and a
Jira CSV export of ``--issues`` issues with Jira's repeated columns (16 Sprint, 3 Comment,
2 Labels, 2 Watchers), then imports each into a copy of the repository whose insights have no
demand, as a subprocess (start-up included). Peak memory is the subprocess's maximum resident set
size. The budget: 200,000 tickets in under 20 s and 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feedback_bench import BIN, PHRASES, fresh_repo, run


def write_zendesk(path: Path, tickets: int) -> None:
    rng = random.Random(2)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"tickets": [\n')
        for number in range(tickets):
            phrase = rng.choice(PHRASES)
            day = f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"
            ticket = {
                "url": f"https://example.zendesk.com/api/v2/tickets/{number}.json",
                "id": number + 1,
                "via": {"channel": rng.choice(["web", "email", "api"]), "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": f"{day}T10:{number % 60:02d}:00Z",
                "updated_at": f"{day}T11:00:00Z",
                "type": "question",
                "subject": phrase[:50],
                "raw_subject": phrase[:50],
                "description": f"Hi, {phrase}. Thanks, Sam Doe +1 (415) 555-{rng.randrange(1000, 9999)} sam@acct{number % 2000}.example",
                "priority": "normal",
                "status": "open",
                "requester_id": 900000 + number % 5000,
                "submitter_id": 900000 + number % 5000,
                "assignee_id": 7001,
                "organization_id": 360000 + number % 2000,
                "group_id": 5001,
                "collaborator_ids": [],
                "tags": ["web", rng.choice(["billing", "payments", "integrations"])],
                "custom_fields": [{"id": 360011, "value": "billing"}, {"id": 360012, "value": None}],
                "satisfaction_rating": None,
            }
            handle.write(("," if number else "") + json.dumps(ticket) + "\n")
        handle.write(f'], "next_page": null, "count": {tickets}, "end_of_stream": true, "end_time": 1796083200}}\n')


def write_jira(path: Path, issues: int) -> None:
    rng = random.Random(3)
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Assignee", "Reporter",
              "Creator", "Created", "Updated", "Votes", "Labels", "Labels", "Description", "Watchers", "Watchers",
              *["Sprint"] * 16, "Custom field (Organizations)", "Custom field (Story Points)",
              "Comment", "Comment", "Comment"]  # fmt: skip
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for number in range(issues):
            phrase = rng.choice(PHRASES)
            stamp = f"{rng.randrange(1, 28)}/{rng.choice(months)}/26 {rng.randrange(1, 12)}:{number % 60:02d} PM"
            sprints = [f"SUP Sprint {s}" for s in range(rng.randrange(0, 16))]
            writer.writerow([
                phrase[:60], f"SUP-{number + 1}", str(10000 + number), "Service Request", "Open", "Medium",
                "Chris Agent", "Sam Doe", "Sam Doe", stamp, stamp, str(number % 7), "customer", "",
                f"{phrase}\n\nReported by Sam Doe", "Sam Doe", "",
                *(sprints + [""] * (16 - len(sprints))), f"Account {number % 2000}", "3",
                f"{stamp};557058:agent;Customer wrote: {phrase}", "", "",
            ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--issues", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    prodops = str(BIN / "prodops")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        zendesk, jira = work / "tickets.json", work / "issues.csv"
        write_zendesk(zendesk, args.tickets)
        write_jira(jira, args.issues)
        print(f"zendesk: {args.tickets:,} tickets, {zendesk.stat().st_size / 1e6:.1f} MB JSON")
        print(f"jira: {args.issues:,} issues, {jira.stat().st_size / 1e6:.1f} MB CSV, 16 Sprint columns")
        figures: dict[str, list[tuple[float, float, float]]] = {"zendesk json": [], "jira csv": []}
        for _ in range(args.runs):
            for step, export, source in (("zendesk json", zendesk, "zendesk"), ("jira csv", jira, "jira")):
                repo = fresh_repo(work)
                cmd = [prodops, "feedback", "import", str(export), "--source", source, "--root", str(repo)]
                figures[step].append(run(cmd))
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'step':<14} {'best s':>8} {'CPU s':>8} {'peak MB':>8}")
    for step, values in figures.items():
        print(
            f"{step:<14} {min(v[0] for v in values):>8.2f} {min(v[2] for v in values):>8.2f} "
            f"{max(v[1] for v in values):>8.0f}"
        )


if __name__ == "__main__":
    main()

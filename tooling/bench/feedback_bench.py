"""`prodops feedback import` on a generated export of 100,000 records: time and peak memory.

    python tooling/bench/feedback_bench.py [--records 100000] [--runs 2]

It copies the example repository (24 insights), writes a support-desk export of
``--records`` tickets (subjects and bodies with the insights' keywords, noise that matches
nothing, signatures with email addresses and phone numbers, one ticket in fifty with a line
break in its body, one in a thousand with a date nobody can read) and an accounts export, then
times, as subprocesses (start-up included), each ``--runs`` times:

* ``import``: the whole command on a copy whose insights have no demand yet (it writes them);
* ``re-import``: the same export again (nothing changes: the idempotent path);
* ``stream only``: in this process, reading, normalising, matching and tallying the records,
  without loading the repository or writing (what grows with the export).

Peak memory is each subprocess's maximum resident set size (``wait4``). The budget the issue
sets: under 10 s and under 300 MB for 100,000 records.

Then, with ``--insights N`` (2,000 by default), the example repository with N insights (copies
of the example's, demand included) is validated cold (``--no-cache``) and warm, against the
example alone: what the insights add to every command's load.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONTENT = ("schemas", "roadmap", "okrs", "launches", "processes", "pyproject.toml")
PHRASES = [
    "the balance is still out of sync after the NetSuite payment",
    "can buyers pay multiple invoices at once in the portal",
    "we need a payment plan for this buyer",
    "the prorated invoice is off by a cent again",
    "our security review needs SSO with Okta",
    "bank verification fails for our credit union",
    "the connection dropped and we had to re-authorise",
    "we bill by usage and need usage-based invoices",
    "remittance advice arrives in the shared inbox",
    "the reminder annoyed our best buyer",
    "how do I change the logo on the invoice template",
    "please reset my password",
]


def write_export(path: Path, accounts: Path, records: int) -> None:
    rng = random.Random(1)
    companies = [
        (f"A-{n:05d}", f"Account {n}", f"account{n}.example", rng.randrange(5_000, 400_000)) for n in range(2_000)
    ]
    with accounts.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Account ID", "Account Name", "Website", "ARR", "Segment"])
        for cid, name, domain, arr in companies:
            writer.writerow([cid, name, domain, arr, rng.choice(["SMB", "Mid Market", "Enterprise"])])
    header = ["Id", "Subject", "Description", "Status", "Tags", "Requester", "Requester email", "Assignee",
              "Organization", "Created at", "Category", "Priority"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number in range(records):
            _, name, domain, _ = rng.choice(companies)
            phrase = rng.choice(PHRASES)
            body = f"Hi, {phrase}. Thanks, Sam Doe +1 (415) 555-{rng.randrange(1000, 9999)} sam.doe@{domain}"
            if number % 50 == 0:
                body = body.replace(". Thanks", ".\nThanks")
            created = (
                "not a date"
                if number % 1000 == 999
                else f"2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d} 10:00:00 +0000"
            )
            writer.writerow([number, phrase[:40], body, "Open", "", "Sam Doe", f"sam.doe@{domain}", "Ava Jensen",
                             name, created, "General", "Normal"])  # fmt: skip


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB) and CPU seconds (user + system) of one subprocess.

    On a shared machine the wall time moves with the load; the CPU time much less.
    """
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: kilobytes on Linux


def fresh_repo(work: Path) -> Path:
    repo = work / "repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir()
    for name in CONTENT:
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo / name)
    for path in (repo / "roadmap" / "insights").glob("*.yaml"):
        text = path.read_text()
        if "\ndemand:\n" in text:
            path.write_text(text[: text.index("\ndemand:\n") + 1])
    return repo


def stream_only(repo: Path, export: Path, accounts: Path) -> float:
    sys.path.insert(0, str(REPO_ROOT / "tooling"))
    from prodops import pipeline
    from prodops.feedback import aggregate, mapping, match
    from prodops.feedback.accounts import read_accounts
    from prodops.feedback.importer import insight_documents, segments
    from prodops.feedback.read import Unreadable, open_export

    result = pipeline.build(repo)
    allowed = segments(result)
    source = mapping.DEFAULTS["support-desk"]
    matcher = match.matcher_for(
        {i: d for i, (_, d) in insight_documents(result).items()}, result.catalog.documents["feedback-triage"].data
    )
    start = time.perf_counter()
    table = read_accounts(accounts, allowed)
    opened = open_export(export)
    records = (
        mapping.Rejected(r.where, r.reason) if isinstance(r, Unreadable) else mapping.normalise(r, source, allowed)
        for r in opened.records
    )
    tally = aggregate.tally(records, matcher, table, False)
    elapsed = time.perf_counter() - start
    print(
        f"  (stream: {tally.read:,} read, {tally.matched:,} matched, {len(tally.unmatched):,} unmatched, {len(tally.rejected):,} rejected)"
    )
    return elapsed


def many_insights(work: Path, count: int) -> Path:
    repo = work / "insights-repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir()
    for name in CONTENT:
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo / name)
    folder = repo / "roadmap" / "insights"
    originals = sorted(folder.glob("*.yaml"))
    for n in range(count - len(originals)):
        source = originals[n % len(originals)]
        new_id = f"{source.stem}-{n}"
        text = source.read_text().replace(f"id: {source.stem}\n", f"id: {new_id}\n", 1)
        (folder / f"{new_id}.yaml").write_text(text)
    return repo


def validate_times(repo: Path, runs: int) -> tuple[float, float]:
    prodops = str(BIN / "prodops")
    cold = min(run([prodops, "validate", "--no-cache", "--root", str(repo)])[0] for _ in range(runs))
    run([prodops, "validate", "--root", str(repo)])
    warm = min(run([prodops, "validate", "--root", str(repo)])[0] for _ in range(runs))
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--insights", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        export, accounts = work / "tickets.csv", work / "accounts.csv"
        write_export(export, accounts, args.records)
        print(f"{args.records:,} records, {export.stat().st_size / 1e6:.1f} MB export, 2,000 accounts")
        prodops = str(BIN / "prodops")
        figures: dict[str, list[tuple[float, float, float]]] = {"import": [], "re-import": []}
        for _ in range(args.runs):
            repo = fresh_repo(work)
            cmd = [prodops, "feedback", "import", str(export), "--source", "support-desk", "--accounts", str(accounts),
                   "--unmatched", str(work / "unmatched.csv"), "--root", str(repo)]  # fmt: skip
            figures["import"].append(run(cmd))
            figures["re-import"].append(run(cmd))
        stream = [stream_only(fresh_repo(work), export, accounts) for _ in range(args.runs)]
        example = validate_times(fresh_repo(work), args.runs)
        crowded = validate_times(many_insights(work, args.insights), args.runs)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'step':<12} {'best s':>8} {'CPU s':>8} {'peak MB':>8}")
    for step, values in figures.items():
        print(
            f"{step:<12} {min(v[0] for v in values):>8.2f} {min(v[2] for v in values):>8.2f} "
            f"{max(v[1] for v in values):>8.0f}"
        )
    print(f"{'stream only':<12} {min(stream):>8.2f}")
    best = min(v[0] for v in figures["import"])
    cpu = min(v[2] for v in figures["import"])
    peak = max(v[1] for v in figures["import"])
    print(
        f"budget (10 s, 300 MB): wall {best:.1f} s ({'within' if best < 10 else 'over'}), "
        f"CPU {cpu:.1f} s ({'within' if cpu < 10 else 'over'}), peak {peak:.0f} MB "
        f"({'within' if peak < 300 else 'over'}); on a loaded machine the wall time is the CPU time plus waiting"
    )
    print(
        f"validate, example ({len(list((REPO_ROOT / 'roadmap' / 'insights').glob('*.yaml')))} insights): cold {example[0]:.2f} s, warm {example[1]:.2f} s"
    )
    print(f"validate, {args.insights:,} insights: cold {crowded[0]:.2f} s, warm {crowded[1]:.2f} s")


if __name__ == "__main__":
    main()

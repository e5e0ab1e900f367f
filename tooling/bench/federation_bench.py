"""Federation at scale: N units of M entities each, their contracts, and a company repository reading them.

    python tooling/bench/federation_bench.py [--units 20] [--entities 2500] [--company 300] [--keep DIR]

Generates each unit (seeds 1..N, dated around TODAY) and writes its contract with
``prodops contract`` (timed), then a company repository of ``--company`` entities that declares
every unit by its contract file and whose first roadmap items depend on one item of each unit
(``UNIT:ID``). It times ``prodops validate --no-cache`` of the company repository (target < 5 s),
``prodops company build`` from nothing (target < 2 minutes, < 1 GB) and again with nothing changed
(every unit's page kept), and prints each command's wall time and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

TODAY = "2026-11-22"
BIN = Path(sys.executable).parent


def _run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and exit code of one subprocess."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if child.stderr is not None:
        child.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def _depend(company: Path, targets: list[str]) -> int:
    """Make the company's items with a ``depends_on`` list also depend on the targets, one each; how many."""
    done = 0
    for path in sorted((company / "roadmap").glob("*.yaml")):
        if done == len(targets):
            break
        text = path.read_text(encoding="utf-8")
        if "\ndepends_on:\n" in text:
            path.write_text(text.replace("\ndepends_on:\n", f"\ndepends_on:\n- {targets[done]}\n", 1), encoding="utf-8")
            done += 1
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--entities", type=int, default=2500)
    parser.add_argument("--company", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="prodops-federation-"))
    prodops = str(BIN / "prodops")
    company = base / "company"
    generate(company, args.company, seed=999, today=__import__("datetime").date.fromisoformat(TODAY))
    (company / "contracts").mkdir()
    declared = '\n[tool.prodops.federation]\nname = "company"\n'
    targets: list[str] = []
    contract_seconds: list[float] = []
    contract_mb = 0.0
    for n in range(1, args.units + 1):
        name = f"unit-{n:02d}"
        repo = base / "units" / name
        generate(repo, args.entities, seed=n, today=__import__("datetime").date.fromisoformat(TODAY))
        (repo / "pyproject.toml").write_text(f'[tool.prodops.federation]\nname = "{name}"\n', encoding="utf-8")
        out = company / "contracts" / f"{name}.json"
        seconds, mb, code = _run([prodops, "contract", "--root", str(repo), "--today", TODAY, "--out", str(out)])
        if code != 0:
            raise SystemExit(f"{name}: prodops contract exited {code}")
        contract_seconds.append(seconds)
        contract_mb = max(contract_mb, mb)
        items = json.loads(out.read_text(encoding="utf-8"))["entities"]["roadmap-item"]
        # A shipped item: a dependency that is never late, so the company repository validates clean.
        done = [i for i in items if i.get("meaning") == "done"]
        targets.append(f"{name}:{(done or items)[0]['id']}")
        declared += f'\n[[tool.prodops.federation.units]]\nname = "{name}"\ncontract = "contracts/{name}.json"\n'
    with (company / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(declared)
    references = _depend(company, targets)
    size = sum(p.stat().st_size for p in (company / "contracts").iterdir()) / 1e6
    print(f"{args.units} units x {args.entities} entities; contracts {size:.1f} MB; {references} UNIT:ID references")
    print(
        f"contract per unit: median {sorted(contract_seconds)[len(contract_seconds) // 2]:.2f} s, "
        f"max {max(contract_seconds):.2f} s, peak {contract_mb:.0f} MB"
    )
    root = ["--root", str(company), "--today", TODAY]
    for label, cmd in (
        ("validate (company, cold)", [prodops, "validate", "--no-cache", *root]),
        ("company build (from nothing)", [prodops, "company", "build", "--no-strict", *root]),
        ("company build (nothing changed)", [prodops, "company", "build", "--no-strict", *root]),
    ):
        seconds, mb, code = _run(cmd)
        print(f"{label}: {seconds:.2f} s, peak {mb:.0f} MB, exit {code}")
    pages = sum(1 for _ in (company / "build" / "company" / "site").rglob("*.html"))
    print(f"company site: {pages} pages")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

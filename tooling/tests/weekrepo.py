"""The frozen Ledgerline snapshot as a Git repository with one week of change before ``EXAMPLE_TODAY``.

Commit 1 (2026-11-20): the snapshot, except that 'Read remittance advice' is due on
2026-11-27, card payments on the invoice page are still in progress, and the disputes key result
stood at 3.6 with confidence 0.5. Commit 2 (2026-11-30): the snapshot itself, so in the
week to 2026-12-02 the remittance work slipped by 7 days, card payments shipped, and
the disputes key result moved from 3.6 to 3.4 with confidence 0.5 -> 0.4.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import copy_example

EDITS = {
    "roadmap/remittance-parsing.yaml": [("end: 2026-12-04", "end: 2026-11-27")],
    "roadmap/card-payments-page.yaml": [("status: shipped", "status: in-progress")],
    "okrs/2026-Q4/2026-q4-payments-usage-billing.yaml": [
        ("    current: 3.4\n    confidence: 0.4\n", "    current: 3.6\n    confidence: 0.5\n")
    ],
}


def git(repo: Path, *args: str, day: str) -> None:
    stamp = f"{day}T12:00:00+00:00"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Kavya Iyer",
        "GIT_AUTHOR_EMAIL": "k@example.com",
        "GIT_COMMITTER_NAME": "Kavya Iyer",
        "GIT_COMMITTER_EMAIL": "k@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def build(dest: Path, site: bool = False) -> Path:
    root = copy_example(dest, site=site)
    originals = {rel: (root / rel).read_text(encoding="utf-8") for rel in EDITS}
    for rel, pairs in EDITS.items():
        text = originals[rel]
        for old, new in pairs:
            assert old in text, (rel, old)
            text = text.replace(old, new)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main", day="2026-11-20")
    git(root, "add", "-A", day="2026-11-20")
    git(root, "commit", "-q", "-m", "Week before", day="2026-11-20")
    for rel, text in originals.items():
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "-A", day="2026-11-30")
    git(root, "commit", "-q", "-m", "This week", day="2026-11-30")
    return root

"""The history from Git: a repository built here commit by commit, with known slips, moves and check-ins."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO_ROOT, check_golden

from prodops import history, historyview
from prodops.calendar import Period
from prodops.cli import cli
from prodops.render.changes import add_changes
from prodops.render.renderer import Site, SiteOptions


def git(repo: Path, *args: str, day: str = "2026-06-15", author: str = "Ana Admin") -> str:
    stamp = f"{day}T12:00:00+00:00"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "a@example.com",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": "a@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env)
    return done.stdout


def item(entity: str, team: str, status: str, horizon: str, end: str, title: str = "") -> str:
    return (
        f"id: {entity}\ntitle: {title or entity.title()}\nproblem: |\n  Something.\n"
        f"status: {status}\nhorizon: {horizon}\nteam: {team}\nowner: ana\ntarget:\n  end: {end}\n"
    )


def objective(current: int, confidence: float) -> str:
    return (
        "id: obj\ntitle: Collect faster\nperiod: 2026-Q3\nteam: payments\nkey_results:\n"
        f"  - id: kr1\n    title: Days\n    current: {current}\n    confidence: {confidence}\n"
    )


def launch(status: str) -> str:
    return f"id: alpha-launch\ntitle: Alpha launch\nstatus: {status}\nitems:\n  - alpha\ndates:\n  ga: 2026-10-03\n"


def commit(repo: Path, day: str, author: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A", day=day, author=author)
    git(repo, "commit", "-q", "-m", f"Changes of {day}", day=day, author=author)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return build(tmp_path)


def build(tmp_path: Path) -> Path:
    """Q3 2026: payments commits alpha and beta, growth delta; alpha slips twice (30 days), beta ships."""
    root = tmp_path / "ops"
    root.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")  # the history keeps the kinds they declare
    git(root, "init", "-q", "-b", "main")
    commit(
        root,
        "2026-06-15",
        "Ana Admin",
        {
            "roadmap/alpha.yaml": item("alpha", "payments", "planned", "now", "2026-08-31", "Alpha <b>*bold*</b>"),
            "roadmap/beta.yaml": item("beta", "payments", "in-progress", "now", "2026-09-15"),
            "roadmap/gamma.yaml": item("gamma", "growth", "planned", "next", "2026-10-31"),
            "roadmap/delta.yaml": item("delta", "growth", "in-progress", "now", "2026-09-30"),
            "roadmap/old.yaml": item("old", "growth", "shipped", "now", "2026-05-31"),
            "okrs/2026-Q3/obj.yaml": objective(10, 0.5),
            "launches/alpha-launch.yaml": launch("planned"),
            "schemas/README": "not content\n",
        },
    )
    commit(
        root,
        "2026-07-10",
        "Ben Builder",
        {"roadmap/alpha.yaml": item("alpha", "payments", "planned", "now", "2026-09-20", "Alpha <b>*bold*</b>")},
    )
    commit(
        root,
        "2026-08-05",
        "Ana Admin",
        {
            "roadmap/alpha.yaml": item("alpha", "payments", "in-progress", "now", "2026-09-30", "Alpha <b>*bold*</b>"),
            "okrs/2026-Q3/obj.yaml": objective(14, 0.7),
        },
    )
    commit(
        root, "2026-08-20", "Cy Closer", {"roadmap/beta.yaml": item("beta", "payments", "shipped", "now", "2026-09-15")}
    )
    commit(root, "2026-08-25", "Cy Closer", {"schemas/README": "only tooling changed\n"})
    commit(
        root,
        "2026-09-10",
        "Ben Builder",
        {"roadmap/gamma.yaml": item("gamma", "growth", "planned", "now", "2026-10-31")},
    )
    commit(
        root,
        "2026-09-25",
        "Ana Admin",
        {"roadmap/delta.yaml": item("delta", "growth", "in-progress", "now", "2026-09-20")},
    )
    commit(
        root,
        "2026-10-03",
        "Ana Admin",
        {
            "roadmap/alpha.yaml": item("alpha", "payments", "shipped", "now", "2026-09-30", "Alpha <b>*bold*</b>"),
            "launches/alpha-launch.yaml": launch("launched"),
        },
    )
    return root


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_due_date_history_counts_moves_and_days(repo: Path) -> None:
    index = history.load(repo)
    alpha = historyview.due_history(index, "alpha")
    assert [(m.before.isoformat(), m.after.isoformat(), m.days, m.commit.author) for m in alpha.moves] == [
        ("2026-08-31", "2026-09-20", 20, "Ben Builder"),
        ("2026-09-20", "2026-09-30", 10, "Ana Admin"),
    ]
    assert alpha.slipped_days == 30
    delta = historyview.due_history(index, "delta")
    assert (len(delta.moves), len(delta.slips), delta.slipped_days) == (1, 0, 0)  # moved earlier: not a slip
    assert historyview.due_history(index, "beta").moves == ()


def test_only_commits_that_change_content_are_indexed(repo: Path) -> None:
    index = history.load(repo)
    assert [c.day for c in index.commits] == [
        "2026-06-15",
        "2026-07-10",
        "2026-08-05",
        "2026-08-20",
        "2026-09-10",
        "2026-09-25",
        "2026-10-03",
    ]
    assert index.begins == "2026-06-15"
    assert index.notices == []


def test_say_do_per_team_and_quarter(repo: Path) -> None:
    q3 = historyview.quarter(history.load(repo), Period.parse("2026-Q3"))
    payments, growth = q3.teams["payments"], q3.teams["growth"]
    assert [e for e, _ in payments.committed] == ["alpha", "beta"]
    assert list(payments.done) == ["beta"]  # alpha shipped on 2026-10-03, after the quarter
    assert payments.ratio == 0.5
    assert [(m.entity, m.days) for m in payments.slips] == [("alpha", 20), ("alpha", 10)]
    assert [e for e, _ in growth.committed] == ["delta"]  # gamma came to now in the quarter; old was shipped
    assert growth.ratio == 0.0
    assert growth.slips == []
    assert q3.known_from_start


def test_report_quarter_markdown(repo: Path) -> None:
    code, out, _ = run("report", "quarter", "--period", "2026-Q3", "--root", str(repo))
    assert code == 0
    check_golden(FIXTURES / "history" / "report-quarter.md", out)
    assert "| payments | 2 | 1 | 50% | 2 | 30 |" in out
    code, _, err = run("report", "quarter", "--period", "Q3", "--root", str(repo))
    assert code == 2 and "'Q3' is not a quarter such as 2026-Q4" in err


def test_as_of_states(repo: Path) -> None:
    code, out, _ = run("show", "alpha", "--as-of", "2026-07-01", "--root", str(repo))
    assert code == 0, out
    assert "status: planned" in out and "due: 2026-08-31" in out
    assert "set by 2026-06-15" in out
    code, out, _ = run("show", "alpha", "--as-of", "2026-08-05", "--root", str(repo))
    assert "status: in-progress" in out and "due: 2026-09-30" in out
    code, out, _ = run("show", "obj", "--as-of", "2026-08-04", "--root", str(repo))
    assert "kr1: current 10, confidence 0.5" in out
    code, out, _ = run(
        "list", "roadmap-item", "--as-of", "2026-09-10", "--horizon", "now", "--format", "csv", "--root", str(repo)
    )
    assert code == 0
    assert out.splitlines() == [
        "id,title,team,status,horizon,due,changed",
        "alpha,Alpha <b>*bold*</b>,payments,in-progress,now,2026-09-30,2026-08-05",
        "beta,Beta,payments,shipped,now,2026-09-15,2026-08-20",
        "delta,Delta,growth,in-progress,now,2026-09-30,2026-06-15",
        "gamma,Gamma,growth,planned,now,2026-10-31,2026-09-10",
        "old,Old,growth,shipped,now,2026-05-31,2026-06-15",
    ]


def test_as_of_before_the_history_is_a_clear_error(repo: Path) -> None:
    code, _, err = run("show", "alpha", "--as-of", "2026-01-01", "--root", str(repo))
    assert (code, err) == (1, "prodops: nothing is known as of 2026-01-01: the history here begins on 2026-06-15\n")
    code, _, err = run("show", "alpah", "--as-of", "2026-07-01", "--root", str(repo))
    assert (code, err) == (1, "prodops: no entity 'alpah' in the history since 2026-06-15 (did you mean 'alpha'?)\n")
    code, _, err = run("list", "team", "--as-of", "2026-07-01", "--root", str(repo))
    assert (code, err) == (1, "prodops: the history keeps roadmap items, objectives and launches, not 'team'\n")
    code, _, err = run("show", "alpha", "--as-of", "July", "--root", str(repo))
    assert code == 2 and "'July' does not match the format '%Y-%m-%d'" in err


def test_digest_groups_by_team(repo: Path) -> None:
    code, out, _ = run("digest", "--since", "2026-08-01", "--today", "2026-08-31", "--root", str(repo))
    assert code == 0
    assert out == (
        "# What changed, 2026-08-01 to 2026-08-31\n"
        "\n"
        "## payments\n"
        "\n"
        "### Slipped\n"
        "\n"
        "- Alpha \\<b\\>\\*bold\\*\\</b\\> (alpha): 2026-09-20 → 2026-09-30 (+10 days) — 2026-08-05, Ana Admin\n"
        "\n"
        "### Shipped\n"
        "\n"
        "- Beta (beta) — 2026-08-20, Cy Closer\n"
        "\n"
        "### Key-result confidence\n"
        "\n"
        "- Collect faster (obj): obj.kr1: 0.5 → 0.7 — 2026-08-05, Ana Admin\n"
    )
    code, out, _ = run("digest", "--since", "7d", "--today", "2026-10-05", "--root", str(repo))
    assert "### Launched\n\n- Alpha launch (alpha-launch): GA 2026-10-03 — 2026-10-03, Ana Admin" in out
    assert "## payments" in out and "### Shipped\n\n- Alpha" in out
    code, _, err = run("digest", "--since", "a week", "--root", str(repo))
    assert code == 2 and "'a week' is neither a number of days (7d) nor a date (YYYY-MM-DD)" in err


def test_history_command(repo: Path) -> None:
    code, out, _ = run("history", "alpha", "--root", str(repo))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "roadmap-item alpha: 4 changes since 2026-06-15"
    assert lines[3].endswith("Ben Builder  end: 2026-09-20; due: 2026-09-20")
    assert lines[-1] == "due date: moved 2 times, 2 later, 30 days slipped in all"


def test_a_moved_file_keeps_its_history_and_an_id_renamed_with_its_file_continues(repo: Path) -> None:
    git(repo, "mv", "roadmap/delta.yaml", "roadmap/delta-moved.yaml", day="2026-10-10")
    git(repo, "commit", "-q", "-m", "Move", day="2026-10-10")
    (repo / "roadmap/gamma.yaml").unlink()
    commit(
        repo,
        "2026-10-11",
        "Ana Admin",
        {"roadmap/gamma-2.yaml": item("gamma-2", "growth", "planned", "now", "2026-11-30")},
    )
    index = history.load(repo)
    assert index.paths["roadmap/delta-moved.yaml"] == "delta"
    assert [c.state is not None for c in index.changes["delta"]] == [True, True]  # no removal recorded
    assert "gamma" not in index.changes
    gamma = historyview.due_history(index, "gamma-2")
    assert [(m.before.isoformat(), m.after.isoformat()) for m in gamma.moves] == [("2026-10-31", "2026-11-30")]


def test_a_removed_entity_is_gone_after_its_removal(repo: Path) -> None:
    git(repo, "rm", "-q", "roadmap/old.yaml", day="2026-10-10")
    git(repo, "commit", "-q", "-m", "Remove", day="2026-10-10")
    code, _, err = run("show", "old", "--as-of", "2026-10-10", "--root", str(repo))
    assert (code, err) == (1, "prodops: 'old' had been removed on 2026-10-10\n")
    code, out, _ = run("show", "old", "--as-of", "2026-10-09", "--root", str(repo))
    assert code == 0 and "status: shipped" in out


def test_shallow_clone_uses_what_is_there_and_says_so(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{repo}", str(shallow)], check=True)
    index = history.load(shallow)
    assert index.begins == "2026-09-10"
    assert index.notices == [
        "this is a shallow clone: its history begins on 2026-09-10; `git fetch --unshallow` brings the rest"
    ]
    # The oldest commit there holds every file as it was: what came before is not known, so not a slip.
    assert historyview.due_history(index, "alpha").moves == ()
    code, out, err = run("show", "alpha", "--as-of", "2026-09-30", "--root", str(shallow))
    assert code == 0 and "due: 2026-09-30" in out
    assert "prodops: warning: this is a shallow clone: its history begins on 2026-09-10" in err
    code, _, err = run("show", "alpha", "--as-of", "2026-08-01", "--root", str(shallow))
    assert code == 1 and "the history here begins on 2026-09-10" in err
    subprocess.run(["git", "-C", str(shallow), "fetch", "-q", "--unshallow"], check=True)
    deepened = history.load(shallow)  # the boundary moved: rebuilt, with the whole history
    assert deepened.begins == "2026-06-15" and deepened.notices == []
    assert historyview.due_history(deepened, "alpha").slipped_days == 30


def test_incremental_update_reads_only_the_new_versions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history.load(repo)
    commit(
        repo,
        "2026-10-20",
        "Ben Builder",
        {"roadmap/beta.yaml": item("beta", "payments", "shipped", "later", "2026-09-15")},
    )
    seen: list[set[str]] = []
    real = history._read_blobs

    def counting(root: Path, oids: set[str]) -> dict[str, history.State | None]:
        seen.append(set(oids))
        return real(root, oids)

    monkeypatch.setattr(history, "_read_blobs", counting)
    warm = history.load(repo)
    assert [len(s) for s in seen] == [1]
    again = history.load(repo)  # no new commit: nothing is read
    assert [len(s) for s in seen] == [1]
    shutil.rmtree(repo / ".prodops-cache")
    cold = history.load(repo)
    assert history._plain(warm) == history._plain(cold) == history._plain(again)


def test_rewritten_history_is_rebuilt(repo: Path) -> None:
    history.load(repo)
    commit(
        repo,
        "2026-10-20",
        "Ben Builder",
        {"roadmap/beta.yaml": item("beta", "payments", "shipped", "later", "2026-09-15")},
    )
    history.load(repo)
    git(repo, "reset", "-q", "--hard", "HEAD~2")
    commit(
        repo,
        "2026-10-21",
        "Cy Closer",
        {"roadmap/beta.yaml": item("beta", "payments", "cancelled", "now", "2026-09-15")},
    )
    index = history.load(repo)
    assert [c.state["status"] for c in index.changes["beta"] if c.state] == ["in-progress", "shipped", "cancelled"]
    assert "alpha-launch" in index.changes and len(index.commits) == 7
    assert index.changes["alpha"][-1].state is not None
    assert index.changes["alpha"][-1].state["status"] == "in-progress"  # the reset dropped its shipping


def test_an_index_not_signed_here_is_not_used(repo: Path) -> None:
    history.load(repo)
    stored = repo / ".prodops-cache" / "history.json"
    text = stored.read_text(encoding="utf-8")
    stored.write_text(text.replace('"status":"shipped"', '"status":"idea"'), encoding="utf-8")
    index = history.load(repo)
    assert index.notices == [".prodops-cache/history.json was not written by prodops for this user; rebuilt"]
    assert index.changes["beta"][-1].state is not None and index.changes["beta"][-1].state["status"] == "shipped"


def test_an_unreadable_version_keeps_the_state_before(repo: Path) -> None:
    commit(repo, "2026-10-20", "Ben Builder", {"roadmap/beta.yaml": "id: [beta\n"})
    index = history.load(repo)
    assert index.unreadable == 1
    assert index.paths["roadmap/beta.yaml"] == "beta"
    last = index.changes["beta"][-1].state
    assert last is not None and last["status"] == "shipped"


def test_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    code, _, err = run("history", "alpha", "--root", str(tmp_path))
    assert code == 1 and "is not inside a Git repository; the history comes from Git" in err
    assert historyview.commit_at(history.Index(), date(2026, 1, 1)) is None


def _changes(root: Path, known: set[str]) -> Site:
    site = Site()
    add_changes(site, root, SiteOptions(today=date(2026, 10, 5), site_name="Ops <&> site"), known)
    return site


def test_what_changed_page_by_week(repo: Path) -> None:
    page = _changes(repo, {"alpha", "beta", "obj"}).pages["changes.md"]
    weeks = [line for line in page.splitlines() if line.startswith("## ")]
    assert weeks == ["## Week of 2026-09-28", "## Week of 2026-09-07", "## Week of 2026-08-17", "## Week of 2026-08-03"]
    assert (
        '<li data-po-item="1" data-team="payments" data-kind="slipped" data-kind-label="slipped" data-text="alpha">'
        '<span class="po-badge">slipped</span> <a href="roadmap-item/alpha.html">Alpha &lt;b&gt;*bold*&lt;/b&gt;</a>: '
        "2026-09-20 → 2026-09-30 (+10 days) <small>2026-08-05, Ana Admin</small></li>"
    ) in page
    # gamma has no page now (not in the catalog): named, not linked
    assert '<span class="po-badge">moved to now</span> Gamma: from next <small>' in page
    # A key result's change says what moved, linked to the key result, its id as the tooltip.
    assert (
        '<a href="objective/obj.html#kr-kr1">Collect faster</a>: <span title="obj.kr1">obj.kr1: 10 → 14, '
        "confidence 0.5 → 0.7</span>"
    ) in page
    assert "<script" not in page


def test_what_changed_feed_is_atom(repo: Path) -> None:
    raw = _changes(repo, set()).files["changes.atom"]
    root = ElementTree.fromstring(raw)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{atom}feed"
    # RFC 4287 4.1.1: exactly one id, title and updated; an author (here on the feed, for every entry)
    for tag in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{atom}{tag}")) == 1, tag
    assert root.findtext(f"{atom}title") == "Ops <&> site: what changed"
    entries = root.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}title") for e in entries] == [
        "Week of 2026-09-28",
        "Week of 2026-09-07",
        "Week of 2026-08-17",
        "Week of 2026-08-03",
    ]
    ids = [e.findtext(f"{atom}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("urn:") for i in ids)
    for entry in entries:  # 4.1.2: each entry has one id, title, updated (RFC 3339)
        stamp = entry.findtext(f"{atom}updated") or ""
        assert datetime.fromisoformat(stamp).tzinfo is not None
        assert entry.find(f"{atom}content").get("type") == "text"  # type: ignore[union-attr]
    assert root.findtext(f"{atom}updated") == "2026-10-03T12:00:00+00:00"
    first = entries[-1].findtext(f"{atom}content")
    assert first == (
        "payments\n"
        "- slipped: Alpha <b>*bold*</b>: 2026-09-20 → 2026-09-30 (+10 days) (2026-08-05)\n"
        "- confidence: Collect faster: obj.kr1: 10 → 14, confidence 0.5 → 0.7 (2026-08-05)"
    )
    hrefs = [link.get("href") or "" for link in root.iter(f"{atom}link")]
    assert hrefs and all(not h.startswith(("http:", "https:", "//")) for h in hrefs)  # no other host


def test_what_changed_outside_git_says_so(tmp_path: Path) -> None:
    site = _changes(tmp_path, set())
    assert (
        "No history to show: the repository is not inside a Git repository; the history comes from Git."
        in site.pages["changes.md"]
    )
    root = ElementTree.fromstring(site.files["changes.atom"])
    assert root.findall("{http://www.w3.org/2005/Atom}entry") == []
    assert root.findtext("{http://www.w3.org/2005/Atom}updated") == "2026-10-05T00:00:00Z"


def test_an_ops_repository_in_a_subfolder_of_the_git_repository(tmp_path: Path) -> None:
    top = tmp_path / "company"
    ops = top / "ops"
    ops.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "schemas", ops / "schemas")
    git(top, "init", "-q", "-b", "main")
    commit(
        top,
        "2026-07-01",
        "Ana Admin",
        {
            "ops/roadmap/alpha.yaml": item("alpha", "payments", "planned", "now", "2026-08-31"),
            "roadmap/elsewhere.yaml": item("elsewhere", "x", "idea", "later", "2026-12-31"),
        },
    )
    commit(
        top,
        "2026-07-08",
        "Ben Builder",
        {"ops/roadmap/alpha.yaml": item("alpha", "payments", "planned", "now", "2026-09-14")},
    )
    index = history.load(ops)
    assert sorted(index.changes) == ["alpha"]
    assert index.paths == {"roadmap/alpha.yaml": "alpha"}
    assert historyview.due_history(index, "alpha").slipped_days == 14


def test_a_merged_branch_counts_once_on_the_day_it_landed(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "replan", day="2026-10-06")
    commit(
        repo,
        "2026-10-06",
        "Ben Builder",
        {"roadmap/gamma.yaml": item("gamma", "growth", "planned", "now", "2026-11-15")},
    )
    commit(
        repo,
        "2026-10-07",
        "Ben Builder",
        {"roadmap/gamma.yaml": item("gamma", "growth", "planned", "now", "2026-11-30")},
    )
    git(repo, "checkout", "-q", "main", day="2026-10-09")
    git(repo, "merge", "-q", "--no-ff", "-m", "Replan", "replan", day="2026-10-09", author="Cy Closer")
    moves = historyview.due_history(history.load(repo), "gamma").moves
    assert [(m.before.isoformat(), m.after.isoformat(), m.commit.day, m.commit.author) for m in moves] == [
        ("2026-10-31", "2026-11-30", "2026-10-09", "Cy Closer")
    ]


def test_the_benchmark_writes_a_history_with_slips_moves_and_checkins(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("history_bench", REPO_ROOT / "tooling" / "bench" / "history_bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = tmp_path / "repo"
    bench.generate(root, 60, seed=2)
    bench.write_history(root, 80, seed=2)
    index = history.load(root)
    assert 70 <= len(index.commits) <= 81  # the first, and nearly every edit changes a tracked field
    items = [e for e, kind in index.kinds.items() if kind == "roadmap-item"]
    assert sum(len(historyview.due_history(index, e).slips) for e in items) > 5
    objectives = [e for e, kind in index.kinds.items() if kind == "objective"]
    assert any(len(index.changes[e]) > 1 for e in objectives)  # check-ins
    assert any(len({(c.state or {}).get("status") for c in index.changes[e]}) > 1 for e in items)


def test_a_committed_index_is_never_used(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history.load(repo)
    git(repo, "add", "-f", ".prodops-cache/history.json", day="2026-10-20")
    git(repo, "commit", "-q", "-m", "Commit the cache by mistake", day="2026-10-20")
    monkeypatch.setattr(history, "BYTES_PER_READ", 300)  # and blobs read a few at a time give the same
    index = history.load(repo)
    assert index.notices == [
        "ignoring .prodops-cache/: it is tracked by Git; remove it with `git rm -r --cached .prodops-cache`"
    ]
    assert historyview.due_history(index, "alpha").slipped_days == 30


def test_the_stored_index_gives_back_every_state(repo: Path) -> None:
    no_horizon = item("beta", "payments", "shipped", "now", "2026-09-15").replace("horizon: now\n", "")
    commit(repo, "2026-10-20", "Ben Builder", {"roadmap/beta.yaml": no_horizon})
    built = history.load(repo)  # walked from nothing, in memory
    stored = history.load(repo)  # read back from .prodops-cache/
    assert stored.commits == built.commits and stored.paths == built.paths
    assert {e: [(c.commit, c.state) for c in cs] for e, cs in stored.changes.items()} == {
        e: [(c.commit, c.state) for c in cs] for e, cs in built.changes.items()
    }
    last = stored.changes["beta"][-1].state
    assert last is not None and "horizon" not in last and last["status"] == "shipped"


def test_a_backdated_commit_cannot_rewrite_a_closed_quarter(repo: Path) -> None:
    # Dated back to June, after October's commits: without settling, it became the state of 1 July.
    commit(
        repo,
        "2026-06-20",
        "Mal Backdater",
        {"roadmap/beta.yaml": item("beta", "payments", "planned", "later", "2026-12-31")},
    )
    index = history.load(repo)
    assert index.commits[-1].day == "2026-10-03" and index.commits[-1].when.startswith("2026-06-20")
    assert index.redated == 1
    q3 = historyview.quarter(index, Period.parse("2026-Q3"))
    assert q3.teams["payments"].ratio == 0.5
    code, out, err = run("show", "alpha", "--as-of", "2026-07-01", "--root", str(repo))
    assert code == 0 and "status: planned" in out and "due: 2026-08-31" in out
    assert err.count("dated before the commit they follow or in the future") == 1
    code, out, _ = run("show", "beta", "--as-of", "2026-10-03", "--root", str(repo))
    assert "status: planned" in out  # from the day it landed on
    page = _changes(repo, set()).pages["changes.md"]
    assert "1 commit(s) are dated before the commit they follow or in the future" in page


def test_a_future_dated_commit_counts_today(repo: Path) -> None:
    commit(
        repo,
        "2030-01-01",
        "Fay Future",
        {"roadmap/gamma.yaml": item("gamma", "growth", "shipped", "now", "2026-10-31")},
    )
    index = history.load(repo)
    assert index.commits[-1].day == date.today().isoformat()
    code, out, err = run("digest", "--since", "2026-10-01", "--root", str(repo))
    assert code == 0 and "### Shipped\n\n- Gamma (gamma)" in out
    assert "1 commit(s) are dated before the commit they follow or in the future" in err
    site = Site()
    add_changes(site, repo, SiteOptions(today=date.today(), site_name="Ops"), set())
    assert b"<updated>2030" not in site.files["changes.atom"] and b"Gamma" in site.files["changes.atom"]


def test_settled_days_run_forwards_and_stop_today() -> None:
    from prodops.commitdates import settle

    assert settle(["2026-01-01", "2026-03-01", "2026-02-01", "2026-04-01"], "2026-12-01") == [
        "2026-01-01",
        "2026-03-01",
        "2026-03-01",
        "2026-04-01",
    ]
    assert settle(["2026-01-01", "2027-05-01", "2026-02-01", "2027-01-01"], "2026-12-01") == [
        "2026-01-01",
        "2026-02-01",
        "2026-02-01",
        "2026-12-01",
    ]


def test_check_dates_fails_on_a_backdated_or_future_commit(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    commit(
        repo, "2026-10-05", "Ana Admin", {"roadmap/gamma.yaml": item("gamma", "growth", "planned", "now", "2026-11-01")}
    )
    code, _, err = run("check-dates", f"{base}..HEAD", "--root", str(repo))
    assert (code, err) == (0, "")
    commit(
        repo,
        "2026-06-20",
        "Mal Backdater",
        {"roadmap/beta.yaml": item("beta", "payments", "planned", "later", "2026-12-31")},
    )
    commit(
        repo,
        "2031-01-01",
        "Fay Future",
        {"roadmap/gamma.yaml": item("gamma", "growth", "planned", "now", "2026-11-02")},
    )
    code, _, err = run("check-dates", f"{base}..HEAD", "--root", str(repo))
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert "(Changes of 2026-06-20) is dated 2026-06-20, before the commit it follows (2026-10-05)" in lines[0]
    assert "(Changes of 2031-01-01) is dated 2031-01-01, in the future" in lines[1]
    assert "git commit --amend --no-edit --date=now" in lines[0]
    code, _, err = run("check-dates", "nowhere..HEAD", "--root", str(repo))
    assert code == 1 and "'nowhere..HEAD' is not a revision range here" in err


def test_a_site_build_in_ci_refuses_a_shallow_clone(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    result = CliRunner().invoke(cli, ["build", "--root", str(shallow)], env={"CI": "true"})
    assert result.exit_code == 1
    assert "is a shallow clone, and CI is set" in result.stderr and "fetch-depth: 0" in result.stderr
    history.require_full(shallow, {"CI": "false"})  # outside CI: a note when the history is read, not an error
    history.require_full(repo, {"CI": "true"})  # the whole history
    history.require_full(tmp_path, {"CI": "true"})  # not a Git repository: nothing to lose


def test_as_of_answers_use_the_ids_of_that_date(repo: Path) -> None:
    (repo / "roadmap/gamma.yaml").unlink()
    commit(
        repo,
        "2026-10-10",
        "Ana Admin",
        {"roadmap/gamma-2.yaml": item("gamma-2", "growth", "planned", "now", "2026-10-31", "Gamma")},
    )
    code, out, err = run("show", "gamma", "--as-of", "2026-10-05", "--root", str(repo))
    assert code == 0, err
    assert out.splitlines()[1:3] == [
        "roadmap-item gamma · as of 2026-10-05 (set by 2026-09-10 " + out.split("set by 2026-09-10 ")[1].split("\n")[0],
        "called gamma-2 now",
    ]
    code, out, _ = run("list", "roadmap-item", "--as-of", "2026-10-05", "--format", "csv", "--root", str(repo))
    ids = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert "gamma" in ids and "gamma-2" not in ids
    code, out, _ = run("list", "roadmap-item", "--as-of", "2026-10-10", "--format", "csv", "--root", str(repo))
    ids = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert "gamma-2" in ids and "gamma" not in ids
    code, out, _ = run("show", "gamma-2", "--as-of", "2026-10-10", "--root", str(repo))
    assert code == 0 and "roadmap-item gamma-2 · as of 2026-10-10" in out and "called" not in out
    code, out, _ = run("history", "gamma", "--root", str(repo))
    assert code == 0 and out.startswith("roadmap-item gamma-2:") and "id: gamma → gamma-2" in out


def test_a_removed_and_restored_due_date_is_one_slip_everywhere(repo: Path) -> None:
    undated = item("gamma", "growth", "planned", "now", "2026-10-31").split("target:")[0]
    commit(repo, "2026-10-05", "Ben Builder", {"roadmap/gamma.yaml": undated})
    commit(
        repo,
        "2026-10-07",
        "Ben Builder",
        {"roadmap/gamma.yaml": item("gamma", "growth", "planned", "now", "2026-11-30")},
    )
    code, out, _ = run("history", "gamma", "--root", str(repo))
    assert "Ben Builder  due: removed" in out and "Ben Builder  end: 2026-11-30; due: 2026-11-30" in out
    assert out.splitlines()[-1] == "due date: moved 1 times, 1 later, 30 days slipped in all"
    code, out, _ = run("digest", "--since", "2026-10-04", "--today", "2026-10-31", "--root", str(repo))
    assert "### Slipped\n\n- Gamma (gamma): 2026-10-31 → 2026-11-30 (+30 days) — 2026-10-07, Ben Builder" in out
    code, out, _ = run("report", "quarter", "--period", "2026-Q4", "--root", str(repo))
    assert code == 0 and "| growth | 2 | 0 | 0% | 1 | 30 |" in out


def test_an_id_changed_in_its_file_is_a_rename(repo: Path) -> None:
    commit(
        repo,
        "2026-10-10",
        "Ana Admin",
        {"roadmap/delta.yaml": item("delta-2", "growth", "in-progress", "now", "2026-09-20")},
    )
    index = history.load(repo)
    assert "delta" not in index.changes and index.paths["roadmap/delta.yaml"] == "delta-2"
    assert len(index.changes["delta-2"]) == 3
    code, out, _ = run("show", "delta", "--as-of", "2026-10-05", "--root", str(repo))
    assert code == 0 and "roadmap-item delta · as of 2026-10-05" in out and "called delta-2 now" in out
    code, out, _ = run("list", "roadmap-item", "--as-of", "2026-10-10", "--format", "csv", "--root", str(repo))
    ids = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert "delta-2" in ids and "delta" not in ids  # the old id does not live on beside the new one


def test_mkdocs_itself_refuses_a_shallow_clone_in_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import copy_example
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, PluginError

    full = copy_example(tmp_path / "full", site=True)
    git(full, "init", "-q", "-b", "main")
    git(full, "add", "-A")
    git(full, "commit", "-q", "-m", "Content")
    git(full, "commit", "-q", "--allow-empty", "-m", "Later")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{full}", str(shallow)], check=True)
    monkeypatch.setenv("CI", "true")
    config = load_config(config_file=str(shallow / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    with pytest.raises(Abort) as aborted:
        mkdocs_build(config)
    assert isinstance(aborted.value.__context__, PluginError)
    assert "is a shallow clone, and CI is set" in str(aborted.value.__context__)

"""Loading files: guards against hostile files, symlinks, wrong places."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from conftest import TODAY

from prodops.cli import cli
from prodops.pipeline import build


def _messages(root: Path) -> list[str]:
    return [f"{d.file}:{d.line}:{d.column} {d.code} {d.message}" for d in build(root, today=TODAY).diagnostics]


def test_file_over_the_size_limit(base_repo: Path) -> None:
    (base_repo / "roadmap" / "huge.yaml").write_text("id: huge\nproblem: " + "x" * (1024 * 1024) + "\n")
    assert _messages(base_repo) == ["roadmap/huge.yaml:0:0 PO107 file is larger than 1024 KiB"]


def test_single_ten_megabyte_line(base_repo: Path) -> None:
    (base_repo / "roadmap" / "line.yaml").write_bytes(b"a" * 10 * 1024 * 1024)
    assert _messages(base_repo) == ["roadmap/line.yaml:0:0 PO107 file is larger than 1024 KiB"]


def test_deep_nesting_in_a_file(base_repo: Path) -> None:
    (base_repo / "roadmap" / "deep.yaml").write_text("id: deep\nx: " + "[" * 100_000 + "\n")
    assert _messages(base_repo) == ["roadmap/deep.yaml:2:67 PO108 nesting is deeper than 64 levels"]


def test_symlink_is_not_followed(base_repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\n")
    (base_repo / "roadmap" / "secret.yaml").symlink_to(secret)
    (base_repo / "roadmap" / "outside").symlink_to(tmp_path)
    assert _messages(base_repo) == [
        "roadmap/outside:0:0 PO109 symbolic link is not followed",
        "roadmap/secret.yaml:0:0 PO109 symbolic link is not followed",
    ]


def test_a_content_folder_that_is_a_symlink_is_not_followed(base_repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (base_repo / "launches").rename(elsewhere)
    (elsewhere / "leak.yaml").write_text("id: leak\ntitle: a line from outside the repository\n")
    (base_repo / "launches").symlink_to(elsewhere, target_is_directory=True)
    result = build(base_repo, today=TODAY)
    assert not any(f.startswith("launches/") for f in result.files)
    assert "launches:0:0 PO109 content folder is a symbolic link and is not followed" in _messages(base_repo)
    assert "a line from outside" not in "".join(line for d in result.diagnostics for line in d.excerpt)


def test_a_fifo_is_refused_without_blocking(base_repo: Path) -> None:
    os.mkfifo(base_repo / "roadmap" / "fifo.yaml")
    assert _messages(base_repo) == ["roadmap/fifo.yaml:0:0 PO109 not a regular file (a pipe, socket or device)"]
    # Named on the command line, it is opened without blocking and refused the same way.
    run = CliRunner().invoke(cli, ["validate", "--root", str(base_repo), str(base_repo / "roadmap" / "fifo.yaml")])
    assert run.exit_code == 1
    assert run.output.splitlines()[0] == "roadmap/fifo.yaml: error PO109 not a regular file (a pipe, socket or device)"
    assert "1 error" in run.output


def test_symlinks_in_the_site_folder_are_errors(base_repo: Path) -> None:
    site = base_repo / "site"
    (site / "guide").mkdir(parents=True)
    (site / "passwd.txt").symlink_to("/etc/passwd")
    (site / "guide" / "env.txt").symlink_to("/proc/self/environ")
    (site / "linked").symlink_to("/etc", target_is_directory=True)
    assert _messages(base_repo) == [
        "site/guide/env.txt:0:0 PO109 symbolic link in the site folder; it would publish what it points to",
        "site/linked:0:0 PO109 symbolic link in the site folder; it would publish what it points to",
        "site/passwd.txt:0:0 PO109 symbolic link in the site folder; it would publish what it points to",
    ]


def test_names_with_spaces_and_non_ascii_are_reported_as_not_matching_the_id(base_repo: Path) -> None:
    source = (base_repo / "roadmap" / "setup-api.yaml").read_text()
    (base_repo / "roadmap" / "setup api ü.yaml").write_text(source)
    assert _messages(base_repo) == [
        "roadmap/setup api ü.yaml:2:5 PO302 id 'setup-api' does not match the file name 'setup api ü.yaml'",
        "roadmap/setup-api.yaml:2:5 PO301 id 'setup-api' is already used by roadmap/setup api ü.yaml",
    ]


def test_hidden_files_and_other_files_are_ignored(base_repo: Path) -> None:
    (base_repo / "roadmap" / ".draft.yaml").write_text("not: [valid")
    (base_repo / "roadmap" / "README.md").write_text("# Roadmap\n")
    assert _messages(base_repo) == []


def test_empty_repository(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    for schema in (Path(__file__).resolve().parents[2] / "schemas").glob("*.json"):
        (tmp_path / "schemas" / schema.name).write_text(schema.read_text())
    result = build(tmp_path, today=TODAY)
    assert result.files == []
    assert [(d.file, d.code, d.message) for d in result.diagnostics] == [
        (".", "PO110", "the repository has no content: no .yaml file under launches/, okrs/, processes/, roadmap/")
    ]
    run = CliRunner().invoke(cli, ["validate", "--root", str(tmp_path)])
    assert run.exit_code == 1 and "the repository has no content" in run.output

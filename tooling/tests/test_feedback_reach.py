"""Opt-in RICE reach from the insights an item addresses (`derive-reach = true`), and the derivation shown."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import TODAY, copy_example

from prodops import pipeline
from prodops.cli import cli


def show(repo: Path, entity: str) -> str:
    result = CliRunner().invoke(cli, ["show", entity, "--root", str(repo), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_reach_is_the_file_s_unless_the_repository_opts_in(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    before = pipeline.build(repo, today=TODAY).catalog.items["erp-sync-v2"]
    assert before.rice is not None and before.rice.reach == 700
    assert "accounts of the insights it addresses" not in show(repo, "erp-sync-v2")

    (repo / "prodops.toml").write_text("[feedback]\nderive-reach = true\n")
    after = pipeline.build(repo, today=TODAY).catalog.items["erp-sync-v2"]
    assert after.rice is not None and after.rice.reach == 13  # the peak month of stale-balances-after-erp-sync
    assert after.rice.score == 13 * before.rice.impact * before.rice.confidence / before.rice.effort
    assert (
        "  reach 13 = 13 (stale-balances-after-erp-sync): accounts of the insights it addresses, "
        "in each one's busiest month (the file says 700)\n"
    ) in show(repo, "erp-sync-v2")


def test_an_item_no_insight_addresses_keeps_its_reach(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    (repo / "prodops.toml").write_text("[feedback]\nderive-reach = true\n")
    item = pipeline.build(repo, today=TODAY).catalog.items["public-api-v2"]
    assert item.rice is not None and item.rice.reach == 160


def test_derive_reach_must_be_true_or_false(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    (repo / "prodops.toml").write_text('[feedback]\nderive-reach = "yes"\n')
    result = CliRunner().invoke(cli, ["validate", "--root", str(repo)])
    assert result.exit_code == 1
    assert "prodops.toml [feedback]: 'derive-reach' must be true or false (got 'yes')" in result.output

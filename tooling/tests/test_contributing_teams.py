"""Work that spans teams: one owning team, contributing teams on its pages and in CODEOWNERS."""

from __future__ import annotations

from pathlib import Path

from conftest import TODAY, copy_example

from prodops import codeowners
from prodops.pipeline import build
from prodops.render import SiteOptions, render_site


def test_an_item_with_two_contributing_teams_reaches_all_three(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    result = build(repo, today=TODAY)
    item = result.catalog.items["usage-based-billing"]
    assert item.teams == ("payments", "platform", "go-to-market")
    site = render_site(result, SiteOptions(today=TODAY))
    for team in item.teams:
        assert "roadmap-item/usage-based-billing.html" in site.pages[f"team/{team}.md"], team
    by_team = site.pages["roadmap/teams.md"]
    assert by_team.count('href="../roadmap-item/usage-based-billing.html"') == 3
    assert "Contributing teams" in site.pages["roadmap-item/usage-based-billing.md"]
    owners = codeowners.render(result.catalog, "@ledgerline/product-leadership")
    line = next(row for row in owners.splitlines() if row.startswith("/roadmap/usage-based-billing.yaml "))
    assert line.split()[1:] == ["@ledgerline/payments", "@ledgerline/platform", "@ledgerline/go-to-market"]


def test_a_contributing_team_must_exist(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    path = repo / "roadmap" / "usage-based-billing.yaml"
    path.write_text(path.read_text().replace("  - go-to-market\n", "  - go-to-markt\n"))
    found = [(d.code, d.message) for d in build(repo, today=TODAY).diagnostics if d.severity == "error"]
    assert found == [("PO303", "contributing_teams: 'go-to-markt' is not a team (did you mean 'go-to-market'?)")]

"""The team status pages: one per team, the week's status update, and an index of them.

Each page is the same ``Message`` the e-mail and the chat messages carry (``status.words``),
written as Markdown with links relative to the page, so the page and the e-mail say the
same things. The week is the seven days up to the site's date.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

from prodops.catalog import Catalog
from prodops.diagnostics import Diagnostic
from prodops.history import Index
from prodops.historytext import md
from prodops.render.renderer import Site, SiteOptions
from prodops.status import markdown, update, words
from prodops.status.message import Message
from prodops.text.safe import plain_title

FOLDER = "status"
DAYS = 7


def page_path(team: str) -> str:
    return f"{FOLDER}/{team}.md"


def team_message(
    catalog: Catalog, options: SiteOptions, diagnostics: Sequence[Diagnostic], index: Index | None, team: str
) -> Message:
    """The team's update for the week to the site's date, linking the pages' sources relative to ``status/``."""
    until = options.today
    found = update.compute(
        catalog, options.config, list(diagnostics), index, "team", team, until - timedelta(days=DAYS), until
    )
    # MkDocs links page sources (.md) and writes the address of each page it builds.
    return words.message(found).map_pages(lambda page: f"../{page.removesuffix('.html')}.md" if page else page)


def _front(title: str) -> str:
    return f"---\ntitle: {json.dumps(plain_title(title))}\n---\n\n"


def add_status_pages(
    site: Site, index: Index | None, options: SiteOptions, catalog: Catalog, diagnostics: Sequence[Diagnostic]
) -> None:
    rows = []
    for team in sorted(catalog.teams):
        message = team_message(catalog, options, diagnostics, index, team)
        site.pages[page_path(team)] = _front(message.title) + markdown.write(message)
        rows.append(f"- [{md(catalog.teams[team].name)}]({team}.md)")
    lede = f"Each team's week to {options.today.isoformat()}: what shipped and slipped, key results, risks and demand answered."
    site.pages[f"{FOLDER}/index.md"] = _front("Team status") + "\n".join(["# Team status", "", lede, "", *rows]) + "\n"

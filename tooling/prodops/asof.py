"""The site as the repository was on a date: which commit that is, and the MkDocs configuration that builds it.

The content (schemas, roadmap, OKRs, launches, processes, configuration) is read from the
last commit on or before the date that changed content (the history index's commit,
``historyview.commit_at``) through ``gitrev.checkout``, which writes only regular files under
checked names into a temporary folder; the frame of the site (``mkdocs.yml``, the hand-written
pages and the theme) is today's. The pages are generated with that date as today, every page
carries a banner naming the date and the commit, edit links are left out (they would edit
today's files), and the site is written to ``build/site-as-of-DATE/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from prodops import history, historyview
from prodops.diagnostics import ProdopsError

SITE_DIR = "build/site-as-of-{day}"


@dataclass(frozen=True)
class Point:
    """The commit a date stands for."""

    day: date
    commit: str
    commit_day: str


def point(root: Path, day: date) -> Point:
    """The last commit on or before ``day`` that changed content; an error when the history begins later."""
    index = history.load(root)
    at = historyview.commit_at(index, day)
    if at is None:
        begins = f"begins on {index.begins}" if index.begins else "has no commit that changed content"
        raise ProdopsError(f"nothing is known as of {day.isoformat()}: the history here {begins}")
    commit = index.commits[at]
    return Point(day, commit.oid, commit.day)


def banner(where: Point) -> str:
    """What every page of the site says at its top (HTML made here from a date and a commit id only)."""
    commit, day = escape(where.commit[:12]), escape(where.commit_day)
    return (
        f'<p class="po-asof" role="note"><strong>As of {where.day.isoformat()}:</strong> this site shows the '
        f"repository as it was at commit <code>{commit}</code> of {day}, the last change "
        "on or before that date, not as it is today.</p>"
    )


def mkdocs_config(main: Mapping[str, Any], repo: Path, content: Path, where: Point) -> dict[str, Any]:
    """``main`` (the parsed ``mkdocs.yml``) building ``content`` as of ``where`` into its own folder."""
    config = {key: value for key, value in main.items() if key not in ("edit_uri", "site_dir", "plugins")}
    config["edit_uri"] = ""
    config["site_dir"] = str(repo / SITE_DIR.format(day=where.day.isoformat()))
    config["site_name"] = f"{main.get('site_name', 'Product operations')} (as of {where.day.isoformat()})"
    plugins: list[Any] = []
    for plugin in main.get("plugins", []) or []:
        name = plugin if isinstance(plugin, str) else next(iter(plugin), "")
        if name == "prodops":
            plugins.append(
                {
                    "prodops": {
                        "root": str(content),
                        "today": where.day.isoformat(),
                        "history_root": str(repo),
                        "as_of_commit": where.commit,
                        "as_of_day": where.commit_day,
                    }
                }
            )
        else:
            plugins.append(plugin)
    if not any(isinstance(p, dict) and "prodops" in p for p in plugins):
        raise ProdopsError("mkdocs.yml does not use the prodops plugin; a site as of a date needs it")
    config["plugins"] = plugins
    return config

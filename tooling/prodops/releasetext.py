"""Release notes from shipped launches as Markdown or HTML (``prodops report release-notes``).

The customer-facing note is a Markdown field written in YAML. In the Markdown output its
emphasis, code and lists stay, while what could make it active wherever the notes are pasted
is escaped: raw HTML, autolinks, links and images (``<``, ``>``, ``&``, ``[``, ``]``). The HTML
output converts it with the field cleaner (``text.safe``), as the site does.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from prodops.catalog import Catalog
from prodops.historytext import md
from prodops.model import Launch
from prodops.render.reviews import shipped_launches
from prodops.text import safe
from prodops.values import day_text

_ACTIVE = re.compile(r"([\\\[\]<>&])")


def prose(text: str) -> str:
    """A Markdown field as Markdown that can hold no HTML, link or image (line breaks kept)."""
    return _ACTIVE.sub(r"\\\1", text.strip())


def _heading(since: date | None) -> str:
    return f"Release notes since {since.isoformat()}" if since else "Release notes"


def _none(since: date | None) -> str:
    return "Nothing launched" + (f" since {since.isoformat()}." if since else " yet.")


def _missing(launch: Launch) -> str:
    return f"No release note yet: add release_note to {launch.file}."


def answers(catalog: Catalog, launch: Launch) -> list[tuple[str, str]]:
    """The customer insights the launch's items answer: (title, site page), each once."""
    from prodops.feedback.insight import addressing
    from prodops.status.update import page_of

    found = {i.id: i.title for item in launch.items for i in addressing(catalog, item)}
    return [(title, page_of(catalog, oid)) for oid, title in sorted(found.items())]


def release_notes(catalog: Catalog, since: date | None) -> str:
    """Every launch launched with GA on or after ``since``, newest first, with its note (Markdown)."""
    lines = [f"# {_heading(since)}", ""]
    launches = shipped_launches(catalog, since)
    for launch in launches:
        lines += [f"## {md(launch.title)}", "", f"Generally available {day_text(launch.ga)}.", ""]
        lines += [prose(launch.release_note) if launch.release_note else f"({md(_missing(launch))})", ""]
        asked = answers(catalog, launch)
        if asked:
            lines += ["Answers: " + ", ".join(f"[{md(title)}](<{page}>)" for title, page in asked), ""]
    if not launches:
        lines += [_none(since), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def release_notes_html(catalog: Catalog, since: date | None) -> str:
    """The same as a self-contained, sanitised HTML page."""
    parts = [f"<h1>{escape(_heading(since))}</h1>"]
    launches = shipped_launches(catalog, since)
    for launch in launches:
        note = safe.markdown_html(launch.release_note) if launch.release_note else f"<p>{escape(_missing(launch))}</p>"
        parts += [f"<h2>{escape(launch.title)}</h2>", f"<p>Generally available {day_text(launch.ga)}.</p>", note]
        asked = answers(catalog, launch)
        if asked:
            links = ", ".join(f'<a href="{escape(safe.href(page))}">{escape(title)}</a>' for title, page in asked)
            parts.append(f"<p>Answers: {links}</p>")
    if not launches:
        parts.append(f"<p>{escape(_none(since))}</p>")
    style = "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
    return safe.html_document("\n".join(parts), _heading(since), style)

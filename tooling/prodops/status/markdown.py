"""A ``Message`` as Markdown: text escaped so a title cannot become a link, an image or HTML."""

from __future__ import annotations

from prodops.historytext import md
from prodops.status.message import Entry, Message
from prodops.text.safe import href


def _entry(entry: Entry) -> str:
    title = md(entry.title)
    if entry.page:
        title = f"[{title}](<{href(entry.page).replace('>', '%3E').replace(' ', '%20')}>)"
    detail = f": {md(entry.detail)}" if entry.detail else ""
    who = f" ({md(entry.person)})" if entry.person else ""
    return f"- {title}{detail}{who}"


def write(message: Message) -> str:
    lines = [f"# {md(message.title)}", "", md(message.summary), ""]
    if not message.sections:
        lines += [md(message.nothing), ""]
    for section in message.sections:
        lines += [f"## {md(section.heading)}", "", *(_entry(e) for e in section.entries), ""]
    return "\n".join(lines).rstrip("\n") + "\n"

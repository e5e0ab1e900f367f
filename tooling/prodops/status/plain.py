"""A ``Message`` as plain text (the text part of an e-mail, a terminal): links in angle brackets after titles."""

from __future__ import annotations

from prodops.status.message import Entry, Message


def _entry(entry: Entry) -> str:
    link = f" <{entry.page}>" if entry.page else ""
    return f"- {' '.join(entry.words.split())}{link}"


def write(message: Message) -> str:
    lines = [message.title, "=" * min(len(message.title), 72), "", message.summary, ""]
    if not message.sections:
        lines += [message.nothing, ""]
    for section in message.sections:
        lines += [section.heading, "-" * len(section.heading), *(_entry(e) for e in section.entries), ""]
    return "\n".join(lines).rstrip("\n") + "\n"

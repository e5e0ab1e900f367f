"""Send the outgoing messages channel by channel: render, send (or describe, for a dry run), record.

A failing channel does not stop the others; each failure is one line naming the channel and
what went wrong. Secrets come from the environment and are scrubbed from every line returned.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prodops import redact
from prodops.diagnostics import ProdopsError
from prodops.notify import email, sent, slack, teams, webhook
from prodops.notify.compose import Outgoing
from prodops.notify.http import DeliveryError, check_url, post
from prodops.notify.settings import Channel
from prodops.status import plain


@dataclass
class Outcome:
    channel: str
    sent: list[str] = field(default_factory=list)  # keys
    skipped: list[str] = field(default_factory=list)  # keys sent before
    error: str = ""


@dataclass
class Run:
    outcomes: list[Outcome]
    shown: list[str]  # a dry run: exactly what would be sent

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.error]


def payloads(out: Outgoing) -> list[Any]:
    """What is POSTed for a webhook channel (one or more JSON bodies)."""
    kind = out.channel.kind
    if kind == "slack":
        return slack.payloads(out.message)
    if kind == "teams":
        return teams.payloads(out.message)
    return [webhook.payload(out.message, out.what, out.about, out.period)]


def _secret_variable(channel: Channel) -> str:
    return channel.smtp_env if channel.kind == "email" else channel.url_env


def _describe(out: Outgoing, already: bool) -> str:
    channel = out.channel
    head = f"--- {channel.name} ({channel.kind}, ${_secret_variable(channel)}): {out.what} {out.about} {out.period}"
    if already:
        return f"{head}: already sent, skipped"
    if channel.kind == "email":
        if not out.recipients:
            return f"{head}: no recipient has an e-mail address in the team registry"
        text = plain.write(out.message)
        return "\n".join(
            f"{head}\nFrom: {channel.sender}\nTo: {r.name} <{r.email}>\nSubject: {' '.join(out.message.title.split())}\n\n{text}"
            for r in out.recipients
        )
    bodies = payloads(out)
    return "\n".join(
        f"{head} (message {n} of {len(bodies)})\n{json.dumps(body, indent=1, ensure_ascii=False)}"
        for n, body in enumerate(bodies, 1)
    )


def _scrub(text: str, secret: str) -> str:
    return redact.scrub(text, [secret])


def _send(out: Outgoing, secret: str, sleep: Callable[[float], None]) -> None:
    channel = out.channel
    if channel.kind == "email":
        found = email.server(secret, channel.smtp_env)
        mails = [email.build(out.message, channel.sender, r) for r in out.recipients]
        if mails:
            email.send(found, mails)
        return
    problem = check_url(secret)
    if problem:
        raise ProdopsError(f"${channel.url_env} {problem}")
    for body in payloads(out):
        post(secret, body, sleep)


def run(
    outgoing: list[Outgoing],
    environ: Mapping[str, str],
    state: Path,
    *,
    dry_run: bool,
    sleep: Callable[[float], None],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Run:
    record = sent.load(state)
    outcomes: dict[str, Outcome] = {}
    shown: list[str] = []
    for out in outgoing:
        outcome = outcomes.setdefault(out.channel.name, Outcome(out.channel.name))
        if outcome.error:
            continue  # the channel failed: the rest of its messages wait for the next run
        already = out.key in record
        if dry_run:
            shown.append(_describe(out, already))
            continue
        if already:
            outcome.skipped.append(out.key)
            continue
        variable = _secret_variable(out.channel)
        secret = environ.get(variable, "")
        if not secret:
            outcome.error = f"${variable} is not set (it holds the channel's {'SMTP server' if out.channel.kind == 'email' else 'webhook URL'})"
            continue
        try:
            _send(out, secret, sleep)
        except (DeliveryError, ProdopsError) as exc:
            outcome.error = _scrub(str(exc), secret)
            continue
        except (smtplib.SMTPException, OSError) as exc:
            outcome.error = _scrub(f"the SMTP server failed: {type(exc).__name__}: {exc}", secret)
            continue
        record[out.key] = now().isoformat(timespec="seconds")
        sent.save(state, record)
        outcome.sent.append(out.key)
    for channel in {o.channel.name for o in outgoing} - set(outcomes):
        outcomes[channel] = Outcome(channel)
    return Run(list(outcomes.values()), shown)

"""E-mail over SMTP: one multipart/alternative message (plain text and sanitised HTML) per recipient.

The server comes from an environment variable holding ``smtp://user:password@host:port`` (or
``smtps://``); the password never appears in a message this module returns.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from prodops.diagnostics import ProdopsError
from prodops.notify.compose import Recipient
from prodops.status import html, plain
from prodops.status.message import Message

TIMEOUT = 20.0


@dataclass(frozen=True)
class Server:
    secure: bool
    host: str
    port: int
    user: str
    password: str


def server(url: str, variable: str) -> Server:
    """The SMTP server a URL names; a malformed one is an error that names the variable, never its value."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ProdopsError(f"${variable} is not an smtp:// or smtps:// address (user:password@host:port)") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ProdopsError(f"${variable} is not an smtp:// or smtps:// address (user:password@host:port)")
    secure = parts.scheme == "smtps"
    return Server(
        secure,
        parts.hostname,
        port or (465 if secure else 25),
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def build(message: Message, sender: str, to: Recipient) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = " ".join(message.title.split())
    mail["From"] = sender
    mail["To"] = formataddr((" ".join(to.name.split()), to.email))
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    mail.set_content(plain.write(message))
    mail.add_alternative(html.write(message), subtype="html")
    return mail


def send(found: Server, mails: list[EmailMessage]) -> None:
    """Send every message in one session; any failure raises ``smtplib.SMTPException`` or ``OSError``."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if found.secure:
        client = smtplib.SMTP_SSL(found.host, found.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(found.host, found.port, timeout=TIMEOUT)
    with client:
        client.ehlo()
        if not found.secure and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if found.user:
            client.login(found.user, found.password)
        for mail in mails:
            client.send_message(mail)

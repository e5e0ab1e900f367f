"""``[tool.prodops.notify]``: where messages go, one table per channel, declared the way ``settings`` declares tables.

Example::

    [tool.prodops.notify]
    site-url = "https://ops.example.com/"           # links in messages (default: mkdocs.yml site_url)

    [tool.prodops.notify.channels.payments-chat]
    kind = "slack"                                  # slack | teams | email | webhook
    url-env = "PAYMENTS_SLACK_URL"                  # the environment variable holding the webhook URL
    teams = ["payments"]                            # whose status updates and digest (default: everyone's)
    sends = ["status", "digest", "reminders"]

    [tool.prodops.notify.channels.leads-mail]
    kind = "email"
    smtp-env = "SMTP_URL"                           # holds smtp://user:password@host:port (or smtps://)
    from = "product-ops@example.com"
    owners = ["kavya-iyer"]                         # reminders and updates to these people

Secrets (webhook URLs, SMTP passwords) live in environment variables only: the repository
names the variable, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from prodops import settings
from prodops.diagnostics import ProdopsError
from prodops.settings import Invalid, Setting, check_table

Kind = Literal["slack", "teams", "email", "webhook"]
KINDS: tuple[Kind, ...] = ("slack", "teams", "email", "webhook")
SENDS = ("status", "digest", "reminders")
_ENV = r"[A-Z_][A-Z0-9_]{0,63}"
_ADDRESS = r"[^\s@<>\"',;]+@[^\s@<>\"',;]+\.[^\s@<>\"',;]+"


@dataclass(frozen=True)
class Channel:
    name: str
    kind: Kind
    url_env: str = ""
    smtp_env: str = ""
    sender: str = ""
    teams: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    sends: tuple[str, ...] = SENDS


@dataclass(frozen=True)
class NotifyConfig:
    site_url: str = ""
    channels: Mapping[str, Channel] = field(default_factory=dict)


def _kind(value: Any) -> Kind:
    if value not in KINDS:
        raise Invalid
    found: Kind = value
    return found


def _sends(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(v in SENDS for v in value):
        raise Invalid
    return tuple(dict.fromkeys(value))


_CHANNEL: dict[str, Setting] = {
    "kind": Setting("kind", _kind, f"must be one of {', '.join(KINDS)}"),
    "url-env": settings.text("url_env", "the name of an environment variable such as PAYMENTS_SLACK_URL", _ENV),
    "smtp-env": settings.text("smtp_env", "the name of an environment variable such as SMTP_URL", _ENV),
    "from": settings.text("sender", "an e-mail address such as product-ops@example.com", _ADDRESS),
    "teams": settings.texts("teams", 'a list of team ids such as ["payments"]'),
    "owners": settings.texts("owners", 'a list of people\'s handles such as ["kavya-iyer"]'),
    "sends": Setting("sends", _sends, f"must be a non-empty list of {', '.join(SENDS)}", quote=True),
}


def _channel(name: str, table: Any, where: str) -> Channel:
    if not isinstance(table, dict):
        raise ProdopsError(f"{where}: 'channels.{name}' must be a table such as [tool.prodops.notify.channels.NAME]")
    values = check_table(table, where, _CHANNEL, prefix=f"channels.{name}.")
    if "kind" not in values:
        raise ProdopsError(f"{where}: 'channels.{name}' needs kind = one of {', '.join(KINDS)}")
    kind = values["kind"]
    if kind == "email":
        for key, attr in (("smtp-env", "smtp_env"), ("from", "sender")):
            if attr not in values:
                raise ProdopsError(f"{where}: 'channels.{name}' is an e-mail channel and needs '{key}'")
    elif "url_env" not in values:
        raise ProdopsError(f"{where}: 'channels.{name}' is a {kind} channel and needs url-env = \"VARIABLE\"")
    return Channel(name=name, **values)


def _channels(table: dict[str, Any]) -> dict[str, Any]:
    return dict(table)


_NOTIFY: dict[str, Setting] = {
    "site-url": settings.text("site_url", "an https:// or http:// address", r"https?://[^\s\"'<>]+"),
    "channels": settings.table("channels", "must hold tables such as [tool.prodops.notify.channels.NAME]", _channels),
}


def from_table(table: Mapping[str, Any], source: str) -> NotifyConfig:
    """``[tool.prodops.notify]``; each channel's table is checked here too, so a mistake shows before a send."""
    where = f"{source} [notify]" if source == "prodops.toml" else f"{source.removesuffix(']')}.notify]"
    values = check_table(table, where, _NOTIFY)
    channels = {str(name): _channel(str(name), value, where) for name, value in values.pop("channels", {}).items()}
    return NotifyConfig(channels=channels, **values)


_SITE_URL = re.compile(r"^site_url:\s*['\"]?(https?://[^\s'\"#]+)", re.MULTILINE)


def site_url(root: Path, config: NotifyConfig) -> str:
    """Where the site is published: the setting, else ``site_url`` of ``mkdocs.yml``; empty for relative links."""
    if config.site_url:
        return config.site_url
    try:
        found = _SITE_URL.search((root / "mkdocs.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""
    return found.group(1) if found is not None else ""

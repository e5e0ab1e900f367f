"""Which requests the development server answers: those addressed to this machine by name.

``prodops serve`` listens on 127.0.0.1 only, but a web page the writer opens can rename its own
host to 127.0.0.1 (DNS rebinding) and read the internal site from the writer's browser. Such a
request still carries the page's host name in its ``Host`` header: only the loopback names
(``127.0.0.1``, ``localhost``, ``[::1]``, on any port) and the address served on are answered;
any other gets 421 Misdirected Request and a one-line text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
REFUSED = b"421 Misdirected Request: this server answers only requests to 127.0.0.1, localhost or [::1].\n"

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def allowed(served_on: str = "") -> frozenset[str]:
    """The host names answered: the loopback names and ``served_on`` (the address the server listens on)."""
    extra = served_on.strip().lower()
    if ":" in extra and not extra.startswith("["):
        extra = f"[{extra}]"  # an IPv6 address is written in brackets in a Host header
    return LOOPBACK | ({extra} if extra else set())


def host_name(header: str) -> str:
    """The host name of a ``Host`` header, without its port, in lower case (``[::1]:8000`` -> ``[::1]``)."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        name, rest = (value[: end + 1], value[end + 1 :]) if end > 0 else ("", "")
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    return name if rest == "" or (rest.startswith(":") and rest[1:].isdigit()) else ""


def guard(app: App, hosts: frozenset[str]) -> App:
    """``app`` answering only requests whose ``Host`` names one of ``hosts``."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if host_name(str(environ.get("HTTP_HOST", ""))) not in hosts:
            start_response(
                "421 Misdirected Request",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(REFUSED)))],
            )
            return [REFUSED]
        return app(environ, start_response)

    return guarded

"""The development server's Host check, on the WSGI application alone (test_serve drives a real server)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from prodops.hostguard import allowed, guard, host_name


def _app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"the site"]


def _ask(host: str | None, hosts: frozenset[str]) -> tuple[str, bytes]:
    statuses: list[str] = []
    environ = {} if host is None else {"HTTP_HOST": host}
    body = b"".join(guard(_app, hosts)(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], body


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:8000", "localhost", "LocalHost:1", "[::1]", "[::1]:8000", " localhost "]
)
def test_the_loopback_names_are_answered_on_any_port(host: str) -> None:
    assert _ask(host, allowed()) == ("200 OK", b"the site")


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "evil.example",
        "evil.example:8000",
        "127.0.0.1.evil.example",
        "localhost.",
        "localhost:",
        "localhost:80x",
        "[::1]x",
        "[::1",
        "127.0.0.2",
        "0.0.0.0",
    ],
)
def test_any_other_host_is_refused_with_421_and_a_short_text(host: str | None) -> None:
    status, body = _ask(host, allowed())
    assert status == "421 Misdirected Request"
    assert body.startswith(b"421 Misdirected Request: this server answers only") and b"the site" not in body


def test_the_address_served_on_is_answered_too() -> None:
    assert _ask("192.168.1.5:8000", allowed("192.168.1.5"))[0] == "200 OK"
    assert _ask("[fe80::1]:8000", allowed("fe80::1"))[0] == "200 OK"
    assert _ask("evil.example", allowed("192.168.1.5"))[0].startswith("421")


def test_host_name_drops_the_port() -> None:
    assert host_name("[::1]:8000") == "[::1]" and host_name("Example.COM:80") == "example.com"

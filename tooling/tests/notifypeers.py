"""Real protocol peers on 127.0.0.1 for the notification tests: a recording HTTP server and an SMTP server.

The HTTP server answers by path: ``/busy/...`` answers 429 (Retry-After: 0) to the first
request and 200 after; ``/broken/...`` always 500; anything else 200. ``closed_port`` is a
port nothing listens on (a receiver that is down).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Recorded:
    requests: list[tuple[str, Any]] = field(default_factory=list)  # (path, JSON body)
    busy_seen: set[str] = field(default_factory=set)

    def bodies(self, prefix: str) -> list[Any]:
        return [body for path, body in self.requests if path.startswith(prefix)]


@contextlib.contextmanager
def http_receiver() -> Iterator[tuple[str, Recorded]]:
    recorded = Recorded()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            with lock:
                recorded.requests.append((self.path, body))
                first = self.path not in recorded.busy_seen
                recorded.busy_seen.add(self.path)
            if self.path.startswith("/busy/") and first:
                self.send_response(429)
                self.send_header("Retry-After", "0")
            elif self.path.startswith("/broken/"):
                self.send_response(500)
            else:
                self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorded
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        assert isinstance(parsed, EmailMessage)
        self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@contextlib.contextmanager
def smtp_receiver(user: str, password: str) -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
        return AuthResult(success=ok)

    controller = Controller(
        inbox, hostname="127.0.0.1", port=closed_port(), authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()

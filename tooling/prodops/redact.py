"""Secrets out of text: what a webhook URL, an smtp:// address or an environment variable's value gives away.

Used wherever text may carry a secret out of the process: a channel's error line
(``notify.deliver``) and the crash log (``crashlog``). A secret is replaced whole and piece by
piece (a URL's password, path, token-like path segments and query), since an error may quote
only part of it; any URL's password and path are replaced too, for secrets nobody named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

MASK = "***"
# scheme://user:password@  ->  scheme://user:***@
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@'\"<>]*):[^\s@/'\"<>]+@")
# https://host/path?query  ->  https://host/***
_URL_PATH = re.compile(r"(?i)\b((?:https?|smtps?|wss?)://[^\s/'\"<>?#]+)[/?#][^\s'\"<>]*")
_TOKEN = re.compile(r"[^/]*\d[^/]*")


def pieces(secret: str) -> set[str]:
    """``secret`` and the parts of it that give it away on their own (longest first when replaced)."""
    found = {secret, secret.strip()}
    try:
        parts = urlsplit(secret.strip())
        password = parts.password or ""
    except ValueError:
        return {p for p in found if p}
    found |= {password, unquote(password), parts.query}
    if len(parts.path) > 8:
        found.add(parts.path)
    for segment in parts.path.split("/"):
        if len(segment) >= 16 or (len(segment) >= 8 and _TOKEN.fullmatch(segment)):
            found.add(segment)
    return {p for p in found if len(p) >= 4}


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every piece of ``secrets`` masked, and any URL's password and path."""
    every = {p for secret in secrets if secret for p in pieces(secret)}
    for piece in sorted(every, key=len, reverse=True):
        text = text.replace(piece, MASK)
    text = _USERINFO.sub(rf"\1:{MASK}@", text)
    return _URL_PATH.sub(rf"\1/{MASK}", text)

"""POST a JSON payload to a webhook, retrying with exponential back-off on 429 (honouring Retry-After) and 5xx.

Errors say what happened (the status, or why no connection was made), never the URL: a
webhook's URL is its secret.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

ATTEMPTS = 4
FIRST_WAIT = 1.0  # seconds; doubles after each failed attempt
LONGEST_WAIT = 30.0  # a Retry-After longer than this is cut to it
TIMEOUT = 15.0


class DeliveryError(Exception):
    """The payload could not be delivered; the text is safe to show (no URL)."""


def _retry_after(value: str | None, fallback: float) -> float:
    try:
        wanted = float(value) if value is not None else fallback
    except ValueError:
        wanted = fallback  # an HTTP date: wait as without one
    return max(0.0, min(LONGEST_WAIT, wanted))


def post(url: str, payload: Any, sleep: Callable[[float], None]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    wait = FIRST_WAIT
    last = ""
    for attempt in range(1, ATTEMPTS + 1):
        pause = wait
        try:
            request = urllib.request.Request(
                url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                answer.read()
                return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code == 429:
                pause = _retry_after(exc.headers.get("Retry-After"), wait)
            elif exc.code < 500:
                raise DeliveryError(f"the webhook refused the message: {last}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            last = f"no connection ({reason.strerror if isinstance(reason, OSError) and reason.strerror else 'unreachable'})"
        except (TimeoutError, OSError) as exc:
            last = f"no answer ({type(exc).__name__})"
        except (ValueError, http.client.InvalidURL):  # their messages repeat the URL: say what, not which
            raise DeliveryError("the webhook URL is not a valid address (a space or control character?)") from None
        except http.client.HTTPException as exc:
            last = f"no valid answer ({type(exc).__name__})"
        if attempt < ATTEMPTS:
            sleep(pause)
            wait *= 2
    raise DeliveryError(f"{last} after {ATTEMPTS} attempts")


def check_url(url: str) -> str:
    """What is wrong with a webhook URL (empty when it is an http(s) address); never repeats the URL."""
    return "" if url.startswith(("https://", "http://")) else "is not an https:// address"

"""What every pull does alike over HTTP: retries with backoff, rate limits (429 + Retry-After), progress, errors.

:class:`Retry` decides how long to wait before the next try (the server's
``Retry-After`` when it gives one, else exponential backoff) and sleeps through
an injectable function, so tests never wait. :class:`Session` sends a request
with ``requests`` and retries what may pass (429, 500, 502, 503, 504, a dropped
connection or a timeout); anything else comes back for the tool's module to
read. :class:`PullError` carries the one-line message a command prints.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

#: Statuses worth another try: rate limited, or a server that is briefly failing.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Longest wait honoured from a server's Retry-After (a longer one stops the pull with a message).
MAX_WAIT = 300.0
#: (connect, read) timeouts of one request, in seconds.
TIMEOUT = (10, 120)


class PullError(Exception):
    """A pull that cannot go on; ``str()`` is the one-line message (never a token, never a response's content)."""


def say(message: str) -> None:
    """Progress and notes, to stderr (stdout stays free for the command's result)."""
    print(message, file=sys.stderr, flush=True)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) in seconds; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


@dataclass
class Retry:
    """How many tries, and how long between them; ``sleep`` is injectable (tests pass a recorder)."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before try ``attempt + 1``: the server's Retry-After, or ``base * 2**attempt`` up to ``cap``."""
        if retry_after is not None:
            if retry_after > MAX_WAIT:
                raise PullError(f"the server asks to wait {retry_after:.0f} s before the next request (rate limit); "
                                "try again later")
            return retry_after
        return min(self.cap, self.base * 2 ** attempt)

    def pause(self, attempt: int, retry_after: float | None, why: str, report: Callable[[str], None]) -> None:
        """Say why, then sleep before the next try."""
        seconds = self.wait(attempt, retry_after)
        report(f"{why}; trying again in {seconds:g} s ({attempt + 1} of {self.attempts - 1} retries)")
        self.sleep(seconds)


class Session:
    """A ``requests`` session for one service: its headers, retries and a message when it cannot be reached."""

    def __init__(self, service: str, headers: dict[str, str], retry: Retry | None = None,
                 report: Callable[[str], None] = say, unreachable: Callable[[str], str] | None = None,
                 rate_headers: tuple[str, ...] = ("Retry-After",)) -> None:
        import requests

        self.service = service
        self.http = requests.Session()
        self.http.headers.update(headers)
        self.retry = retry or Retry()
        self.report = report
        self.unreachable = unreachable or (lambda host: f"cannot reach {service} at {host}: check the network")
        self.rate_headers = rate_headers

    def request(self, method: str, url: str, **kwargs):
        """The response of the first try that is not worth retrying (any status); PullError when tries run out."""
        import requests

        last = ""
        for attempt in range(self.retry.attempts):
            try:
                response = self.http.request(method, url, timeout=TIMEOUT, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if _name_not_resolved(exc):
                    raise PullError(self.unreachable(_host(url))) from None
                last = "the connection failed" if isinstance(exc, requests.ConnectionError) else "no answer in time"
                retry_after = None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                last = (f"{self.service} is rate limiting requests (429)" if response.status_code == 429
                        else f"{self.service} answered {response.status_code}")
                retry_after = next((s for s in (retry_after_seconds(response.headers.get(h))
                                                for h in self.rate_headers) if s is not None), None)
            if attempt + 1 < self.retry.attempts:
                self.retry.pause(attempt, retry_after, last, self.report)
        raise PullError(f"{last}, still after {self.retry.attempts} tries; try again later")


def json_object(response) -> dict | None:
    """The answer's body as a JSON object, or None when it is not JSON or not an object."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _host(url: str) -> str:
    return url.split("/")[2] if "://" in url else url


def _name_not_resolved(exc: Exception) -> bool:
    """True when the host name does not exist (a wrong datacenter or region), which no retry fixes."""
    text = repr(exc)
    return any(s in text for s in ("NameResolutionError", "Name or service not known", "nodename nor servname",
                                   "getaddrinfo failed", "No address associated"))

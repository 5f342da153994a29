"""When to retry a request and how long to wait first.

* 429: wait until ``X-Rate-Limit-Reset``, measured against the response's ``Date`` header
  rather than the local clock (so clock skew does not matter), plus a little jitter, capped
  by ``max_rate_limit_wait``. A concurrent-limit 429 (``X-Rate-Limit-Limit`` and
  ``-Remaining`` both 0) gets a short backoff instead: the minute window is not the problem.
* 500/502/503/504 and connection errors: exponential backoff with full jitter.
* Only when it is safe: GET, HEAD, OPTIONS, PUT and DELETE always; POST (and PATCH) only on a
  429 or when the connection failed before the request was sent.

The policy only decides; the transport sleeps through :attr:`RetryPolicy.sleep`, which tests
replace to stay deterministic.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime

import aiohttp
import attrs

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@attrs.frozen
class RetryDecision:
    """Retry after ``delay`` seconds; ``reason`` is logged."""

    delay: float
    reason: str


def server_time(headers: Mapping[str, str]) -> float | None:
    """Epoch seconds of the response's ``Date`` header, or None when absent or unparsable."""
    value = headers.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def header_int(headers: Mapping[str, str], name: str) -> int | None:
    """An integer header, or None when absent or not an integer."""
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def is_concurrent_limit(headers: Mapping[str, str]) -> bool:
    """A 429 caused by the concurrent-request limit: Okta sends Limit and Remaining as 0."""
    return (
        header_int(headers, "X-Rate-Limit-Limit") == 0
        and header_int(headers, "X-Rate-Limit-Remaining") == 0
    )


def may_have_been_sent(exc: BaseException) -> bool:
    """False only when ``exc`` proves the request never left, so the server cannot have acted."""
    return not isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)


def is_retryable_exception(exc: BaseException) -> bool:
    """Transient transport failures; TLS and certificate failures are not transient."""
    if isinstance(exc, aiohttp.ClientSSLError):
        return False
    return isinstance(
        exc,
        aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | asyncio.TimeoutError,
    )


@attrs.define
class RetryPolicy:
    """Retry decisions plus the injectable ``sleep``, ``rand`` and ``wall_clock`` they use.

    ``backoff_base`` doubles per retry up to ``backoff_max`` (full jitter: the delay is uniform
    in ``[0, that]``). ``concurrent_backoff`` is the base of the short concurrent-limit backoff.
    """

    max_rate_limit_wait: float = 120.0
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    rate_limit_jitter: float = 1.0
    concurrent_backoff: float = 1.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rand: Callable[[], float] = _random.random
    wall_clock: Callable[[], float] = time.time

    def backoff(self, retry: int) -> float:
        """Full-jitter exponential backoff for the ``retry``-th retry (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** (retry - 1))
        return self.rand() * ceiling

    def rate_limit_delay(self, headers: Mapping[str, str], retry: int) -> tuple[float, str]:
        """Seconds to wait after a 429, and why."""
        if is_concurrent_limit(headers):
            ceiling = min(self.backoff_max, self.concurrent_backoff * 2.0 ** (retry - 1))
            delay = ceiling / 2 + self.rand() * ceiling / 2
            return delay, "429 concurrent-request limit, short backoff"
        reset = header_int(headers, "X-Rate-Limit-Reset")
        if reset is None:
            return self.backoff(retry), "429 without X-Rate-Limit-Reset, backoff"
        now = server_time(headers)
        basis = "server Date"
        if now is None:
            now, basis = self.wall_clock(), "local clock (no Date header)"
        wait = max(0.0, reset - now) + self.rand() * self.rate_limit_jitter
        if wait > self.max_rate_limit_wait:
            return self.max_rate_limit_wait, f"429 rate limit; reset in {wait:.1f} s capped"
        return wait, f"429 rate limit; waiting for X-Rate-Limit-Reset against {basis}"

    def for_response(
        self, method: str, status: int, headers: Mapping[str, str], retry: int, max_retries: int
    ) -> RetryDecision | None:
        """Decide on a response; ``retry`` is the number of the retry that would follow."""
        if retry > max_retries or status not in RETRYABLE_STATUSES:
            return None
        if status == 429:
            delay, reason = self.rate_limit_delay(headers, retry)
            return RetryDecision(delay, reason)
        if method.upper() not in IDEMPOTENT_METHODS:
            return None
        return RetryDecision(self.backoff(retry), f"{status} from server, backoff")

    def for_exception(
        self, method: str, exc: BaseException, retry: int, max_retries: int
    ) -> RetryDecision | None:
        """Decide on a failure without a response."""
        if retry > max_retries or not is_retryable_exception(exc):
            return None
        if method.upper() not in IDEMPOTENT_METHODS and may_have_been_sent(exc):
            return None
        kind = type(exc).__name__
        return RetryDecision(self.backoff(retry), f"{kind}, backoff")

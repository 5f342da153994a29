"""When to retry a request and how long to wait first.

* 429 with ``X-Rate-Limit-Reset``: retried without a wait of its own; the rate-limit governor,
  which learned the exhausted window from that very response, holds the retry until the reset
  (one owner per wait). The transport raises at once when the reset, measured against the
  response's ``Date`` header, lies beyond what the call may wait. A concurrent-limit 429
  (``X-Rate-Limit-Limit`` and ``-Remaining`` both 0) or one without a reset gets a backoff.
* 500/502/503/504 and connection errors: exponential backoff with full jitter.
* Only when it is safe: GET, HEAD, OPTIONS, PUT and DELETE always; POST (and PATCH) only on a
  429 or when the connection failed before the request was sent.

The policy only decides; the transport sleeps through :attr:`RetryPolicy.sleep`, which tests
replace to stay deterministic.
"""

from __future__ import annotations

import asyncio
import functools
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


def backoff_delay(
    retry: int,
    base: float,
    cap: float,
    *,
    jitter: float = 1.0,
    rand: Callable[[], float] = _random.random,
) -> float:
    """The one exponential backoff of the SDK (transport, token endpoint, bulk jobs, log tail).

    The ceiling doubles per retry (1-based) from ``base`` up to ``cap``; ``jitter`` is the
    randomised share of it: 1 is full jitter (uniform in ``[0, ceiling]``), 0.5 uniform in
    ``[ceiling / 2, ceiling]``, 0 no randomness.
    """
    ceiling = min(cap, base * 2.0 ** (retry - 1))
    return ceiling * (1.0 - jitter + jitter * rand())


@functools.lru_cache(maxsize=8)
def _http_date(value: str) -> float | None:
    """An HTTP date in epoch seconds; cached, as the responses of one second share their Date."""
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


#: A reset further ahead than this is nonsense (Okta's windows are one minute): clamp it.
ABSURD_RESET = 300.0
#: What an absurd reset is clamped to: one window.
CLAMPED_RESET = 60.0


def seconds_until_reset(
    headers: Mapping[str, str], wall_clock: Callable[[], float] = time.time
) -> tuple[float, bool] | None:
    """Seconds until ``X-Rate-Limit-Reset`` against the ``Date`` header, and whether it was absurd.

    None without a reset header. A reset more than :data:`ABSURD_RESET` ahead (milliseconds
    instead of seconds, a broken proxy) is clamped to :data:`CLAMPED_RESET`.
    """
    reset = header_int(headers, "X-Rate-Limit-Reset")
    if reset is None:
        return None
    return seconds_until(reset, headers.get("Date"), wall_clock())


def seconds_until(reset: int, date: str | None, local_now: float) -> tuple[float, bool]:
    """:func:`seconds_until_reset` for a reset already read: against ``date`` (the ``Date``
    header), else against ``local_now``."""
    now = _http_date(date) if date else None
    seconds = max(0.0, reset - (local_now if now is None else now))
    if seconds > ABSURD_RESET:
        return CLAMPED_RESET, True
    return seconds, False


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

    backoff_base: float = 0.5
    backoff_max: float = 8.0
    concurrent_backoff: float = 1.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rand: Callable[[], float] = _random.random
    wall_clock: Callable[[], float] = time.time

    def backoff(self, retry: int) -> float:
        """Full-jitter exponential backoff for the ``retry``-th retry (1-based)."""
        return backoff_delay(retry, self.backoff_base, self.backoff_max, rand=self.rand)

    def rate_limit_wait(self, headers: Mapping[str, str]) -> float | None:
        """Seconds until a 429's window resets, or None when the governor cannot wait it out
        (a concurrent-limit 429, or one without a reset)."""
        if is_concurrent_limit(headers):
            return None
        found = seconds_until_reset(headers, self.wall_clock)
        return None if found is None else found[0]

    def rate_limit_delay(self, headers: Mapping[str, str], retry: int) -> tuple[float, str]:
        """This policy's own wait after a 429, and why; 0 when the governor holds instead."""
        if is_concurrent_limit(headers):
            base, cap = self.concurrent_backoff, self.backoff_max
            delay = backoff_delay(retry, base, cap, jitter=0.5, rand=self.rand)
            return delay, "429 concurrent-request limit, short backoff"
        wait = self.rate_limit_wait(headers)
        if wait is None:
            return self.backoff(retry), "429 without X-Rate-Limit-Reset, backoff"
        return 0.0, f"429 rate limit; the governor holds the retry until the reset in {wait:.1f} s"

    def for_response(
        self,
        method: str,
        status: int,
        headers: Mapping[str, str],
        retry: int,
        max_retries: int,
        *,
        safe: bool = False,
    ) -> RetryDecision | None:
        """Decide on a response; ``retry`` is the number of the retry that would follow.

        ``safe`` marks a request that may be repeated whatever its method (the token request).
        """
        if retry > max_retries or status not in RETRYABLE_STATUSES:
            return None
        if status == 429:
            delay, reason = self.rate_limit_delay(headers, retry)
            return RetryDecision(delay, reason)
        if not safe and method.upper() not in IDEMPOTENT_METHODS:
            return None
        return RetryDecision(self.backoff(retry), f"{status} from server, backoff")

    def for_exception(
        self, method: str, exc: BaseException, retry: int, max_retries: int, *, safe: bool = False
    ) -> RetryDecision | None:
        """Decide on a failure without a response (``safe`` as in :meth:`for_response`)."""
        if retry > max_retries or not is_retryable_exception(exc):
            return None
        if not safe and method.upper() not in IDEMPOTENT_METHODS and may_have_been_sent(exc):
            return None
        kind = type(exc).__name__
        return RetryDecision(self.backoff(retry), f"{kind}, backoff")

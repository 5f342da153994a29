"""``okta.logs.tail()``: follow the System Log as a stream of events.

Okta's System Log has two modes. Without ``until`` it is a *polling* query: every page, even an
empty one, carries a ``rel="next"`` link that points just past the last event returned, so
following it forever yields each new event exactly once. With ``until`` it is a *bounded* query
that pages normally and ends.

Failure policy: the transport already retries transient failures
(connection errors, timeouts, 429, 5xx) with backoff. When its retries are exhausted, a tail does
not die: it logs a warning, waits (doubling from ``max(poll_interval, 1)`` seconds up to 60 s) and
asks for the same URL again, so nothing is lost or repeated. A bounded query (``until``) raises
instead, like any other listing: it has an end, and the caller can rerun it. Any other error
(401, 403, 400, a foreign next link, an undecodable body) is raised. Cancelling the consuming
task stops the tail cleanly at whatever it was awaiting. A token endpoint that fails transiently
(5xx, 429, unreachable) counts as transient too. Every wait goes through the transport's
injectable ``retry_policy.sleep``, the one the pipeline's backoff uses.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING

from okta_async._core.errors import (
    APIConnectionError,
    APIStatusError,
    InternalServerError,
    RateLimitError,
)
from okta_async._core.pagination import fetch_page
from okta_async._core.retry import backoff_delay

if TYPE_CHECKING:
    from okta_async._core.transport import Transport
    from okta_async.models import LogEvent

__all__ = ["LogTailMixin"]

MAX_BACKOFF = 60.0
"""Cap, in seconds, on the wait after a transient failure outlived the transport's retries."""

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    APIConnectionError,
    InternalServerError,
    RateLimitError,
)
"""Errors a tail outlives: the next attempt may well succeed."""


def is_transient(exc: Exception) -> bool:
    """Whether a tail outlives ``exc``: no answer, a 5xx or a 429, from the API or from the
    token endpoint (a :class:`TokenRequestError` with such a status)."""
    if isinstance(exc, TRANSIENT_ERRORS):
        return True
    return isinstance(exc, APIStatusError) and (exc.status == 429 or exc.status >= 500)


logger = logging.getLogger("okta_async.logtail")


class LogTailMixin:
    """Adds :meth:`tail` to the generated System Log resource (``okta.logs``)."""

    _transport: Transport

    def tail(
        self,
        *,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        filter: str | None = None,
        q: str | None = None,
        poll_interval: float = 5.0,
        limit: int | None = None,
    ) -> AsyncIterator[LogEvent]:
        """Stream System Log events (generated ``LogEvent`` models), oldest first.

        Without ``until`` the stream never ends by itself: it keeps following ``rel="next"``
        and sleeps ``poll_interval`` seconds after each empty page; cancel the consuming task
        (or leave the loop) to stop. With ``until`` it ends after the last event of the range.
        ``since``/``until`` accept aware datetimes (naive ones are taken as UTC) or Okta's ISO
        8601 strings; ``filter``, ``q`` and ``limit`` are passed to Okta unchanged.
        """
        from okta_async._core.serde import encode_query_value

        if poll_interval < 0:
            raise ValueError(f"poll_interval must be >= 0, not {poll_interval!r}")
        query: list[tuple[str, str]] = [("sortOrder", "ASCENDING")]
        for name, value in (
            ("since", since),
            ("until", until),
            ("filter", filter),
            ("q", q),
            ("limit", limit),
        ):
            if value is not None:
                query.append((name, encode_query_value(value)))
        return _tail(self._transport, query, bounded=until is not None, poll_interval=poll_interval)


async def _tail(
    transport: Transport, query: list[tuple[str, str]], *, bounded: bool, poll_interval: float
) -> AsyncIterator[LogEvent]:
    """The generator behind :meth:`LogTailMixin.tail`; see the module docstring for the policy."""
    from okta_async._core.serde import decoder
    from okta_async.models import LogEvent
    from okta_async.resources.logs import (
        LIST_LOG_EVENTS,  # here: resources.logs imports this module
    )

    decode = decoder(LogEvent)
    url: str | None = None  # None: the first request, built from `query`
    failures = 0
    while True:
        try:
            page = await fetch_page(transport, LIST_LOG_EVENTS, decode, url=url, query=query)
        except (APIStatusError, APIConnectionError) as exc:
            if bounded or not is_transient(exc):
                raise
            failures += 1
            delay = backoff_delay(failures, max(poll_interval, 1.0), MAX_BACKOFF, jitter=0.0)
            logger.warning(
                "System Log tail: %s; retrying the same page in %.1f s (failure %d)",
                type(exc).__name__,
                delay,
                failures,
            )
            await transport.retry_policy.sleep(delay)
            continue
        failures = 0
        for event in page.items:
            yield event
        if page.next_url is None:
            if not bounded:
                logger.warning("System Log tail: Okta sent no next link; the tail ends here")
            return
        if not page.items:
            if bounded:
                return
            await transport.retry_policy.sleep(poll_interval)
        url = page.next_url

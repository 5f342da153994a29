"""The ``okta_async`` logger and the lines it writes.

One DEBUG line per request (method, path, status, duration, request id) and one INFO line per
retry decision. Only the path template's expansion is logged (no query string) and never a
header, so credentials cannot reach a log line.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("okta_async")


def log_request(
    method: str,
    path: str,
    status: int | None,
    duration_ms: float,
    request_id: str | None,
    attempt: int = 0,
    outcome: str | None = None,
) -> None:
    """Log one HTTP exchange: ``GET /api/v1/users -> 200 in 12.3 ms (request id ...)``."""
    logger.debug(
        "%s %s -> %s in %.1f ms (request id %s%s)",
        method,
        path,
        status if status is not None else (outcome or "no response"),
        duration_ms,
        request_id or "-",
        f", retry {attempt}" if attempt else "",
    )


def log_retry(method: str, path: str, attempt: int, delay: float, reason: str) -> None:
    """Log one retry decision: what failed, which retry this is and how long we wait."""
    logger.info(
        "retrying %s %s (retry %d) in %.2f s: %s",
        method,
        path,
        attempt,
        delay,
        reason,
    )


def log_give_up(method: str, path: str, failure: str, retries: int, max_retries: int) -> None:
    """Log a transient failure that is not retried, and why (retries used up, or unsafe)."""
    why = (
        f"retries exhausted ({retries} of {max_retries})"
        if retries >= max_retries
        else "not safe to repeat: the server may have acted on it"
    )
    logger.info("not retrying %s %s after %s: %s", method, path, failure, why)

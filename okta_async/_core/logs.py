"""The ``okta_async`` logger and the redaction helpers used wherever headers or URLs are shown.

One DEBUG line per request (method, path, status, duration, request id) and one INFO line per
retry decision. Paths are logged without their query string, and headers only ever pass through
:func:`redact_headers`, so credentials cannot reach a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import yarl

logger = logging.getLogger("okta_async")

REDACTED = "<redacted>"

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "dpop",
        "x-api-key",
    }
)


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A copy of ``headers`` safe to print: credential-bearing values are replaced.

    The auth scheme of an Authorization header is kept (``SSWS <redacted>``) because it helps
    debugging and reveals nothing.
    """
    items = headers.items() if isinstance(headers, Mapping) else headers
    safe: dict[str, str] = {}
    for name, value in items:
        lowered = name.lower()
        if lowered in SENSITIVE_HEADERS:
            scheme, sep, _ = value.partition(" ")
            keep_scheme = sep and lowered.endswith("authorization")
            value = f"{scheme} {REDACTED}" if keep_scheme else REDACTED
        safe[name] = value
    return safe


def redact_url(url: str | yarl.URL) -> str:
    """``url`` without its password (proxy credentials) and without its query string."""
    parsed = yarl.URL(url)
    if parsed.password is not None:
        parsed = parsed.with_password(REDACTED)
    return str(parsed.with_query(None).with_fragment(None))


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

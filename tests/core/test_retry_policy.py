"""Retry decisions of RetryPolicy: which failures are retried, and how long we wait."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import format_datetime

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from okta_async._core.retry import CLAMPED_RESET, RetryPolicy, is_concurrent_limit

SERVER_NOW = 1_800_000_000  # the server's clock, from its Date header
LOCAL_SKEW = 3_600.0  # the local clock is an hour fast: it must not matter


def _date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, timezone.utc), usegmt=True)


def _policy(rand: float = 0.5, **kwargs: float) -> RetryPolicy:
    return RetryPolicy(rand=lambda: rand, wall_clock=lambda: SERVER_NOW + LOCAL_SKEW, **kwargs)


def _rate_limited(reset_in: int, *, limit: int = 600, remaining: int = 0) -> dict[str, str]:
    return {
        "Date": _date(SERVER_NOW),
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(SERVER_NOW + reset_in),
    }


def _connector_error() -> aiohttp.ClientConnectorError:
    key = ConnectionKey("acme.okta.example", 443, True, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))


@pytest.mark.parametrize(
    ("method", "status", "headers", "retry", "max_retries", "expected_delay"),
    [
        # 429: wait for Reset measured against Date (skewed local clock ignored) + jitter 0.5 * 1.0
        ("GET", 429, _rate_limited(10), 1, 2, 0.0),
        ("POST", 429, _rate_limited(10), 1, 2, 0.0),
        ("DELETE", 429, _rate_limited(0), 1, 2, 0.0),
        ("GET", 429, _rate_limited(-5), 1, 2, 0.0),
        # concurrent-limit 429: short backoff in [base/2, base], not a sleep until the reset
        ("GET", 429, _rate_limited(55, limit=0), 1, 2, 0.75),
        ("POST", 429, _rate_limited(55, limit=0), 2, 2, 1.5),
        # 5xx: full jitter exponential backoff 0.5 * 2**(n-1) * rand
        ("GET", 503, {}, 1, 2, 0.25),
        ("GET", 500, {}, 2, 3, 0.5),
        ("PUT", 502, {}, 3, 3, 1.0),
        ("DELETE", 504, {}, 1, 1, 0.25),
        ("GET", 503, {}, 10, 10, 4.0),  # capped at backoff_max 8 * 0.5
        # never retried
        ("POST", 503, {}, 1, 2, None),
        ("PATCH", 500, {}, 1, 2, None),
        ("GET", 503, {}, 1, 0, None),  # max_retries=0
        ("GET", 429, _rate_limited(10), 1, 0, None),
        ("GET", 503, {}, 3, 2, None),  # retries exhausted
        ("GET", 400, {}, 1, 2, None),
        ("GET", 404, {}, 1, 2, None),
        ("GET", 501, {}, 1, 2, None),
    ],
)
def test_response_retry_decisions(
    method: str,
    status: int,
    headers: dict[str, str],
    retry: int,
    max_retries: int,
    expected_delay: float | None,
) -> None:
    decision = _policy().for_response(method, status, headers, retry, max_retries)
    if expected_delay is None:
        assert decision is None
    else:
        assert decision is not None
        assert decision.delay == pytest.approx(expected_delay)
        assert decision.reason


def test_429_without_date_header_falls_back_to_local_clock() -> None:
    headers = _rate_limited(10)
    del headers["Date"]
    # local clock is an hour ahead: the reset has passed
    assert _policy(rand=0.0).rate_limit_wait(headers) == pytest.approx(0.0)


def test_reset_in_milliseconds_or_hours_ahead_is_clamped_to_one_window() -> None:
    headers = _rate_limited(10)
    headers["X-Rate-Limit-Reset"] = str(int(SERVER_NOW * 1000))
    assert _policy().rate_limit_wait(headers) == CLAMPED_RESET
    headers["X-Rate-Limit-Reset"] = str(int(SERVER_NOW + 3 * 3600))
    assert _policy().rate_limit_wait(headers) == CLAMPED_RESET


def test_429_without_reset_header_backs_off_exponentially() -> None:
    decision = _policy(rand=1.0).for_response("GET", 429, {}, 2, 2)
    assert decision is not None
    assert decision.delay == pytest.approx(1.0)


def test_429_with_a_reset_leaves_the_wait_to_the_governor() -> None:
    policy = _policy(rand=0.0)
    decision = policy.for_response("GET", 429, _rate_limited(30), 1, 2)
    assert decision is not None
    assert decision.delay == 0.0
    assert policy.rate_limit_wait(_rate_limited(30)) == pytest.approx(30.0)


def test_concurrent_limit_detection_needs_limit_and_remaining_zero() -> None:
    assert is_concurrent_limit(_rate_limited(30, limit=0, remaining=0))
    assert not is_concurrent_limit(_rate_limited(30, limit=600, remaining=0))
    assert not is_concurrent_limit({})


def _payload_error() -> aiohttp.ClientPayloadError:
    return aiohttp.ClientPayloadError("Response payload is not completed")


@pytest.mark.parametrize(
    ("method", "exc", "retried"),
    [
        ("GET", aiohttp.ServerDisconnectedError(), True),
        ("GET", aiohttp.ClientOSError(104, "Connection reset by peer"), True),
        ("GET", _connector_error(), True),
        ("GET", asyncio.TimeoutError(), True),
        ("GET", _payload_error(), True),
        ("PUT", aiohttp.ClientOSError(104, "Connection reset by peer"), True),
        # POST: only when the request cannot have been sent
        ("POST", _connector_error(), True),
        ("POST", aiohttp.ConnectionTimeoutError("connect timed out"), True),
        ("POST", aiohttp.ServerDisconnectedError(), False),
        ("POST", aiohttp.ClientOSError(104, "Connection reset by peer"), False),
        ("POST", aiohttp.SocketTimeoutError("read timed out"), False),
        ("POST", asyncio.TimeoutError(), False),
        # not transient
        ("GET", aiohttp.InvalidURL("x"), False),
        ("GET", ValueError("bug"), False),
    ],
)
def test_exception_retry_decisions(method: str, exc: BaseException, retried: bool) -> None:
    decision = _policy().for_exception(method, exc, 1, 2)
    assert (decision is not None) is retried


def test_exceptions_are_not_retried_when_max_retries_is_zero() -> None:
    assert _policy().for_exception("GET", aiohttp.ServerDisconnectedError(), 1, 0) is None


def test_tls_certificate_failure_is_not_retried() -> None:
    import ssl

    key = ConnectionKey("acme.okta.example", 443, True, True, None, None, None)
    exc = aiohttp.ClientConnectorCertificateError(key, ssl.SSLCertVerificationError("bad cert"))
    assert _policy().for_exception("GET", exc, 1, 2) is None

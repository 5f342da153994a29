"""Transport behaviour against the embedded fake org: its rate limits and concurrency limit.

These run in real time but assert only counts, never durations. Windows are one second long
so that waiting for a reset stays short.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from okta_async import testing
from okta_async._core.errors import APIConnectionError
from okta_async._core.operation import Operation
from okta_async._core.ratelimit import RateLimitGovernor
from okta_async._core.retry import RetryPolicy
from okta_async._core.transport import Transport
from tests.core.transport_support import LocalConfig, StaticAuth

LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")
CREATE_USER = Operation(id="createUser", method="POST", path="/api/v1/users")


@asynccontextmanager
async def _transport(
    url: str, token: str, *, reserve: int = 2, max_concurrent: int = 8, max_retries: int = 0
) -> AsyncIterator[Transport]:
    """A transport to the fake org with real sleeps and no jitter, closed when the block ends."""
    config = LocalConfig(
        org_url=url, max_retries=max_retries, max_concurrent_requests=max_concurrent
    )
    governor = RateLimitGovernor(max_concurrent, reserve=reserve)
    policy = RetryPolicy(rand=lambda: 0.0)  # no jitter: retries happen at once
    transport = Transport(config, StaticAuth(token), governor=governor, retry_policy=policy)
    try:
        yield transport
    finally:
        await transport.aclose()


async def test_governor_keeps_a_busy_bucket_out_of_429s() -> None:
    limits = {"GET /api/v1/users": testing.Limit(5, 1.0)}
    async with testing.FakeOrg(users=3, rate_limits=limits) as org:
        async with _transport(org.url, org.token, reserve=1) as transport:
            await transport.request(LIST_USERS, query={"limit": "1"})  # learn the numbers
            await asyncio.gather(
                *(transport.request(LIST_USERS, query={"limit": "1"}) for _ in range(10))
            )
        statuses = [r["status"] for r in org.requests]
    assert statuses == [200] * 11  # max_retries=0: a single 429 would have raised


async def test_client_wide_cap_keeps_under_the_org_concurrency_limit() -> None:
    limits = {"concurrent": 3}
    async with testing.FakeOrg(users=3, rate_limits=limits, faults="latency=20ms") as org:
        async with _transport(org.url, org.token, reserve=0, max_concurrent=3) as transport:
            await asyncio.gather(*(transport.request(LIST_USERS) for _ in range(30)))
        statuses = [r["status"] for r in org.requests]
    assert statuses == [200] * 30


async def test_a_503_is_retried_with_the_retry_headers() -> None:
    async with testing.FakeOrg(users=3) as org:
        org.faults.script("error", "GET", "/api/v1/users", status=503)
        async with _transport(org.url, org.token, max_retries=2) as transport:
            response = await transport.request(LIST_USERS)
        first, second = org.requests
    assert response.status == 200
    assert (first["status"], first["retry_count"]) == (503, None)
    assert second["retry_for"] == first["request_id"]
    assert second["retry_count"] == "1"


async def test_a_post_the_server_applied_is_not_sent_again() -> None:
    async with testing.FakeOrg(users=0) as org:
        org.faults.script("reset_after", "POST", "/api/v1/users")
        user = {
            "profile": {
                "login": "a@example.com",
                "email": "a@example.com",
                "firstName": "A",
                "lastName": "B",
            }
        }
        async with _transport(org.url, org.token, max_retries=3) as transport:
            with pytest.raises(APIConnectionError):
                await transport.request(CREATE_USER, json=user)
        posts = [r for r in org.requests if r["method"] == "POST"]
    assert len(posts) == 1  # the user exists once; a blind retry would have duplicated it


async def test_debug_logs_of_a_failing_retried_request_to_the_fake_org_hide_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from okta_async._core.errors import InternalServerError

    caplog.set_level(logging.DEBUG)  # everything: okta_async, aiohttp client and server, asyncio
    async with testing.FakeOrg(users=1) as org:
        org.faults.script("error", "GET", "/api/v1/users", times=3, status=503)
        async with _transport(org.url, org.token, max_retries=2) as transport:
            with pytest.raises(InternalServerError) as info:
                await transport.request(LIST_USERS)
        token = org.token
    assert len([r for r in caplog.records if r.name == "okta_async"]) >= 5
    for text in (caplog.text, str(info.value), repr(info.value), repr(transport)):
        assert token not in text

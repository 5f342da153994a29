"""Rate-limit headers, per-bucket 429s, the concurrency limit and the config formats."""

from __future__ import annotations

import asyncio
import email.utils

import aiohttp
import pytest

from okta_async.testing import FakeOrg, Limit, RateLimits
from okta_async.testing.ratelimit import parse_rate_limit_spec
from tests.testing.conftest import Api

# A window of ~31 years aligned to the epoch: no window boundary can fall inside a test run.
FOREVER = 10**9


async def test_every_response_carries_rate_limit_date_and_request_id(api: Api) -> None:
    for reply in (
        await api.get("/api/v1/users"),
        await api.get("/api/v1/users/00uNOPE"),
        await api.get("/api/v1/users", headers={}),
    ):
        for header in (
            "X-Rate-Limit-Limit",
            "X-Rate-Limit-Remaining",
            "X-Rate-Limit-Reset",
            "Date",
            "X-Okta-Request-Id",
        ):
            assert header in reply.headers, (reply.status, header)
        date = email.utils.parsedate_to_datetime(reply.headers["Date"]).timestamp()
        assert int(reply.headers["X-Rate-Limit-Reset"]) >= date


@pytest.mark.parametrize(
    "fake_okta", [{"rate_limits": {"GET /api/v1/users": (3, FOREVER)}}], indirect=True
)
async def test_exhausted_bucket_is_429_e0000047_and_counted(api: Api) -> None:
    remaining = []
    for _ in range(3):
        reply = await api.get("/api/v1/users")
        assert reply.status == 200
        assert reply.headers["X-Rate-Limit-Limit"] == "3"
        remaining.append(int(reply.headers["X-Rate-Limit-Remaining"]))
    assert remaining == [2, 1, 0]
    throttled = await api.get("/api/v1/users")
    assert throttled.status == 429
    assert throttled.body["errorCode"] == "E0000047"
    assert (
        throttled.body["errorSummary"] == "API call exceeded rate limit due to too many requests."
    )
    assert throttled.headers["X-Rate-Limit-Remaining"] == "0"
    # other endpoints have their own buckets
    assert (await api.post("/api/v1/groups", {"profile": {"name": "g"}})).status == 200
    stats = api.org.stats["GET /api/v1/users"]
    assert stats["requests"] == 4 and stats["throttled"] == 1
    api.org.reset_stats()
    assert api.org.stats == {} and len(api.org.requests) == 0


@pytest.mark.parametrize(
    "fake_okta", [{"rate_limits": {"/api/v1/users/{userId}": (2, FOREVER)}}], indirect=True
)
async def test_path_only_key_shares_one_bucket_across_methods(api: Api) -> None:
    user = await api.create_user("b@example.com")
    path = f"/api/v1/users/{user['id']}"
    assert (await api.get(path)).status == 200
    assert (await api.post(path, {"profile": {"title": "t"}})).status == 200
    assert (await api.get(path)).status == 429


async def test_rate_limits_can_change_at_runtime(api: Api) -> None:
    assert (await api.get("/api/v1/groups")).status == 200
    api.org.set_rate_limits({"*": (1, FOREVER)})
    assert (await api.get("/api/v1/groups")).status == 200
    assert (await api.get("/api/v1/groups")).status == 429


async def test_concurrency_limit_answers_429_with_zero_limit() -> None:
    org = FakeOrg(rate_limits={"concurrent": 2})
    org.faults.script("latency", "GET", "/api/v1/groups", times=2, seconds=30)
    async with org, aiohttp.ClientSession() as session:
        headers = {"Authorization": f"SSWS {org.token}"}
        slow = [
            asyncio.ensure_future(session.get(f"{org.url}/api/v1/groups", headers=headers))
            for _ in range(2)
        ]
        while org.limiter.in_flight < 2:
            await asyncio.sleep(0.01)
        async with session.get(f"{org.url}/api/v1/users", headers=headers) as resp:
            assert resp.status == 429
            assert resp.headers["X-Rate-Limit-Limit"] == "0"
            assert resp.headers["X-Rate-Limit-Remaining"] == "0"
            assert (await resp.json())["errorCode"] == "E0000047"
        for task in slow:
            task.cancel()
        await asyncio.gather(*slow, return_exceptions=True)
        assert org.events("core.concurrency.org.limit.violation")


def test_spec_string_formats() -> None:
    limits = parse_rate_limit_spec(
        "POST /api/v1/users=100/s; GET:/api/v1/users=600/min, *=50, concurrent=10, "
        "/api/v1/logs=5/10s"
    )
    assert limits.buckets["POST /api/v1/users"] == Limit(100, 1.0)
    assert limits.buckets["GET /api/v1/users"] == Limit(600, 60.0)
    assert limits.buckets["/api/v1/logs"] == Limit(5, 10.0)
    assert limits.default == Limit(50, 60.0)
    assert limits.concurrent == 10
    assert parse_rate_limit_spec("okta").concurrent == 75
    with pytest.raises(ValueError):
        parse_rate_limit_spec("POST /api/v1/users=lots")


def test_mapping_and_instance_forms() -> None:
    assert RateLimits.coerce({"post:/api/v1/users": 7}).buckets == {
        "POST /api/v1/users": Limit(7, 60.0)
    }
    same = RateLimits(concurrent=3)
    assert RateLimits.coerce(same) is same
    assert RateLimits.coerce(None).default is not None

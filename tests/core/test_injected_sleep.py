"""The client's one injectable sleep: governor holds wait through ``okta.retry_policy.sleep``
too (bulk item retries: tests/bulk/test_backoff_sleep.py), so no wait of a client escapes it."""

from __future__ import annotations

from okta_async import OktaClient, testing


async def test_a_governor_hold_waits_through_the_clients_retry_policy_sleep() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # records instead of sleeping: no time passes
        waits.append(seconds)

    limits = {"GET /api/v1/users": testing.Limit(4, 60.0)}
    async with (
        testing.FakeOrg(users=1, rate_limits=limits) as org,
        OktaClient(org_url=org.url, token=org.token, max_rate_limit_wait=5.0) as okta,
    ):
        okta.retry_policy.sleep = sleep
        await okta.request("GET", "/api/v1/users")  # 3 of 4 left: above the reserve of 2
        await okta.request("GET", "/api/v1/users")  # 2 left: the next one is held
        assert waits == []
        await okta.request("GET", "/api/v1/users")
    assert waits and sum(waits) == 5.0  # the reset is a minute away: held for the whole cap
    assert [r["status"] for r in org.requests] == [200, 200, 200]

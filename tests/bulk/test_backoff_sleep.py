"""Bulk item retries wait through the client's injectable ``retry_policy.sleep``, never a sleep of
their own, so one injected sleep governs every wait of a client (and tests run in no time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from bulk_helpers import user_row

from okta_async import OktaClient

WITH_USERS = pytest.mark.parametrize("org", [{"users": 2}], indirect=True)


@pytest.fixture
async def recorded(org: Any) -> AsyncIterator[tuple[OktaClient, list[float]]]:
    """A client without transport retries whose every wait is recorded instead of slept."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with OktaClient(org_url=org.url, token=org.token, max_retries=0) as client:
        client.retry_policy.sleep = sleep
        yield client, waits


@WITH_USERS
async def test_membership_retries_back_off_through_the_injected_sleep(
    org: Any, recorded: tuple[OktaClient, list[float]]
) -> None:
    okta, waits = recorded
    group_id = next(g for g in org.store.groups.values() if g["type"] == "OKTA_GROUP")["id"]
    user_id = next(iter(org.store.users.values()))["id"]
    org.faults.script("error", "PUT", f"/api/v1/groups/{group_id}/users", times=2, status=503)
    report = await okta.bulk.add_users_to_group(group_id, [user_id], max_attempts=3)
    assert report.counts == {"added": 1}
    assert len(waits) == 2
    assert 0.125 <= waits[0] <= 0.25 and 0.25 <= waits[1] <= 0.5  # 0.25 s base, doubling


async def test_create_user_retries_back_off_through_the_injected_sleep(
    org: Any, recorded: tuple[OktaClient, list[float]]
) -> None:
    okta, waits = recorded
    org.faults.script("error", "POST", "/api/v1/users", times=1, status=503)
    report = await okta.bulk.create_users([user_row(7)], max_attempts=2)
    assert report.counts == {"created": 1}
    assert len(waits) == 1 and 0.125 <= waits[0] <= 0.25


@WITH_USERS
async def test_map_retries_back_off_through_the_injected_sleep(
    org: Any, recorded: tuple[OktaClient, list[float]]
) -> None:
    okta, waits = recorded
    user_id = next(iter(org.store.users.values()))["id"]
    org.faults.script("error", "GET", f"/api/v1/users/{user_id}", times=2, status=502)
    report = await okta.bulk.map(okta.users.get_user, [user_id], max_attempts=3)
    assert report.counts == {"succeeded": 1}
    assert len(waits) == 2

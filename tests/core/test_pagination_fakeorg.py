"""Paginator and System Log tail behaviour through OktaClient against the embedded fake org."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import pytest

from okta_async import OktaClient
from okta_async._core.pagination import AsyncPaginator, Page
from okta_async.models import CreateUserRequest, LogEvent, User, UserProfile
from okta_async.testing import FakeOrg


@pytest.fixture
async def org() -> AsyncIterator[FakeOrg]:
    async with FakeOrg(users=450) as fake:
        yield fake


@pytest.fixture
async def okta(org: FakeOrg) -> AsyncIterator[OktaClient]:
    async with OktaClient(org_url=org.url, token=org.token) as client:
        yield client


def new_user(name: str) -> CreateUserRequest:
    login = f"{name.lower()}@example.com"
    return CreateUserRequest(
        profile=UserProfile(first_name=name, last_name="Person", email=login, login=login)
    )


async def test_streams_every_user_exactly_once_as_models(org: FakeOrg, okta: OktaClient) -> None:
    users = [user async for user in okta.users.list_users(limit=100)]
    assert all(isinstance(user, User) for user in users)
    ids = [user.id for user in users]
    assert len(ids) == len(set(ids)) == 450
    assert set(ids) == {user["id"] for user in org.store.users.values()}


async def test_limit_is_the_page_size(okta: OktaClient) -> None:
    sizes = [len(page) async for page in okta.users.list_users(limit=200).pages()]
    assert sizes == [200, 200, 50]


async def test_raw_mode_yields_the_servers_dicts(okta: OktaClient) -> None:
    first = await okta.users.list_users(limit=5).raw().first()
    assert isinstance(first, dict) and first["id"].startswith("00u")


async def test_resume_from_a_saved_cursor_has_no_gaps_or_repeats(okta: OktaClient) -> None:
    everything = [u.id async for u in okta.users.list_users(limit=100)]

    first_part: list[Any] = []
    saved: Page[User] | None = None
    async for page in okta.users.list_users(limit=100).pages():
        first_part.extend(user.id for user in page.items)
        if len(first_part) == 200:
            saved = page
            break  # stop mid-listing; only the cursor is kept
    assert saved is not None and saved.next_cursor is not None
    cursor = saved.next_cursor
    del saved

    rest = [u.id async for u in okta.users.list_users(limit=100, after=cursor)]
    assert first_part + rest == everything


async def test_resumed_listing_also_sees_users_created_meanwhile(okta: OktaClient) -> None:
    page = await okta.users.list_users(limit=200)
    assert page.next_cursor is not None
    created = await okta.users.create_user(new_user("Newcomer"), activate=False)
    rest = [u.id async for u in okta.users.list_users(after=page.next_cursor, limit=200)]
    assert len(rest) == 251 and rest[-1] == created.id
    assert not {u.id for u in page.items} & set(rest)


async def test_tail_picks_up_events_created_after_it_started(
    org: FakeOrg, okta: OktaClient
) -> None:
    seen: list[LogEvent] = []
    changed = asyncio.Condition()

    async def follow() -> None:
        async for event in okta.logs.tail(poll_interval=0):
            async with changed:
                seen.append(event)
                changed.notify_all()

    before = len(org.events())
    task = asyncio.create_task(follow())
    async with changed:
        await changed.wait_for(lambda: len(seen) == before)
    await okta.users.create_user(new_user("Latecomer"), activate=False)
    async with changed:
        await changed.wait_for(lambda: len(seen) > before)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all(isinstance(event, LogEvent) for event in seen)
    assert seen[before].event_type == "user.lifecycle.create"
    assert len({event.uuid for event in seen}) == len(seen)


async def _peak_while_iterating(paginator: AsyncPaginator[User], count: int) -> int:
    gc.collect()
    tracemalloc.reset_peak()
    n = 0
    async for _user in paginator:
        n += 1
    assert n == count
    return tracemalloc.get_traced_memory()[1]


@pytest.mark.filterwarnings("error")
async def test_peak_memory_does_not_grow_with_the_number_of_items() -> None:
    async with (
        FakeOrg(users=20_000) as big,
        OktaClient(org_url=big.url, token=big.token) as okta,
    ):
        # warm up: session, connection, lazily built decoders
        await _peak_while_iterating(okta.users.list_users(limit=200, max_items=1_000), 1_000)
        tracemalloc.start()
        try:
            small = await _peak_while_iterating(
                okta.users.list_users(limit=200, max_items=5_000), 5_000
            )
            large = await _peak_while_iterating(okta.users.list_users(limit=200), 20_000)
        finally:
            tracemalloc.stop()
    print(f"tracemalloc peaks: 5k users {small / 1e6:.2f} MB, 20k users {large / 1e6:.2f} MB")
    assert large / small < 1.5

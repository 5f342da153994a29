"""Paginator and System Log tail behaviour against the embedded fake org over real HTTP."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest

from okta_async._core.logtail import LogTailMixin
from okta_async._core.operation import Operation
from okta_async._core.pagination import AsyncPaginator, Page
from okta_async._core.transport import Transport
from okta_async.testing import FakeOrg

LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")
CREATE_USER = Operation(id="createUser", method="POST", path="/api/v1/users")


@attrs.frozen
class _Config:
    org_url: str
    request_timeout: float = 30.0
    max_retries: int = 2
    max_connections: int = 10
    max_concurrent_requests: int = 48
    max_rate_limit_wait: float = 5.0
    proxy: str | None = None
    trust_env: bool = False
    ssl: Any = None
    ca_bundle: str | None = None
    user_agent_extra: str | None = None


class _Auth:
    def __init__(self, token: str) -> None:
        self._token = token

    async def authorization(self, session: Any) -> str:
        return f"SSWS {self._token}"

    async def refresh_after_401(self, session: Any, rejected_header: str) -> bool:
        return False

    async def aclose(self) -> None:
        return None


@pytest.fixture
async def org() -> AsyncIterator[FakeOrg]:
    async with FakeOrg(users=450) as fake:
        yield fake


@pytest.fixture
async def transport(org: FakeOrg) -> AsyncIterator[Transport]:
    t = Transport(_Config(org_url=org.url), _Auth(org.token))
    yield t
    await t.aclose()


def list_users(
    transport: Transport, query: list[tuple[str, str]] | None = None, **kwargs: Any
) -> AsyncPaginator[dict[str, Any]]:
    return AsyncPaginator(transport, LIST_USERS, query=query, decode=dict, **kwargs)


async def test_streams_every_user_exactly_once(org: FakeOrg, transport: Transport) -> None:
    ids = [user["id"] async for user in list_users(transport, [("limit", "100")])]
    assert len(ids) == 450
    assert len(set(ids)) == 450
    assert set(ids) == {user["id"] for user in org.store.users.values()}


async def test_limit_is_the_page_size(transport: Transport) -> None:
    sizes = [len(page) async for page in list_users(transport, [("limit", "200")]).pages()]
    assert sizes == [200, 200, 50]


async def test_resume_from_a_saved_cursor_has_no_gaps_or_repeats(transport: Transport) -> None:
    everything = [u["id"] async for u in list_users(transport, [("limit", "100")])]

    first_part: list[str] = []
    saved: Page[dict[str, Any]] | None = None
    async for page in list_users(transport, [("limit", "100")]).pages():
        first_part.extend(user["id"] for user in page.items)
        if len(first_part) == 200:
            saved = page
            break  # stop mid-listing; only the cursor is kept
    assert saved is not None and saved.next_cursor is not None
    cursor = saved.next_cursor
    del saved

    rest = [u["id"] async for u in list_users(transport, [("limit", "100"), ("after", cursor)])]
    assert first_part + rest == everything


async def test_resumed_listing_also_sees_users_created_meanwhile(transport: Transport) -> None:
    page = await list_users(transport, [("limit", "200")])
    assert page.next_cursor is not None
    created = await transport.request(
        CREATE_USER,
        query=[("activate", "false")],
        json={
            "profile": {
                "firstName": "New",
                "lastName": "Person",
                "email": "n@example.com",
                "login": "n@example.com",
            }
        },
    )
    new_id = created.json()["id"]
    rest = [u["id"] async for u in list_users(transport, [("after", page.next_cursor)])]
    assert len(rest) == 251 and rest[-1] == new_id
    assert not {u["id"] for u in page.items} & set(rest)


class Logs(LogTailMixin):
    def __init__(self, transport: Transport) -> None:
        self._transport = transport


async def test_tail_picks_up_events_created_after_it_started(
    org: FakeOrg, transport: Transport
) -> None:
    seen: list[Any] = []
    changed = asyncio.Condition()

    async def follow() -> None:
        async for event in Logs(transport).tail(poll_interval=0):
            async with changed:
                seen.append(event)
                changed.notify_all()

    before = len(org.events())
    task = asyncio.create_task(follow())
    async with changed:
        await changed.wait_for(lambda: len(seen) == before)
    await transport.request(
        CREATE_USER,
        query=[("activate", "false")],
        json={
            "profile": {
                "firstName": "Late",
                "lastName": "Comer",
                "email": "l@example.com",
                "login": "l@example.com",
            }
        },
    )
    async with changed:
        await changed.wait_for(lambda: len(seen) > before)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    new = seen[before:]
    assert new and new[0]["eventType"] == "user.lifecycle.create"
    assert len({e["uuid"] for e in seen}) == len(seen)


async def _peak_while_iterating(transport: Transport, count: int) -> int:
    gc.collect()
    tracemalloc.reset_peak()
    n = 0
    async for _user in list_users(transport, [("limit", "200")], max_items=count):
        n += 1
    assert n == count
    return tracemalloc.get_traced_memory()[1]


@pytest.mark.filterwarnings("error")
async def test_peak_memory_does_not_grow_with_the_number_of_items() -> None:
    async with FakeOrg(users=20_000) as big:
        t = Transport(_Config(org_url=big.url), _Auth(big.token))
        try:
            await _peak_while_iterating(t, 1_000)  # warm up: session, connection, caches
            tracemalloc.start()
            try:
                small = await _peak_while_iterating(t, 5_000)
                large = await _peak_while_iterating(t, 20_000)
            finally:
                tracemalloc.stop()
        finally:
            await t.aclose()
    print(f"tracemalloc peaks: 5k users {small / 1e6:.2f} MB, 20k users {large / 1e6:.2f} MB")
    assert large / small < 1.5

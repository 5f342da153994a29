"""The pagination benchmark's pre-rendered page server serves what Okta would, and its listers
count every item exactly once: otherwise the benchmark would time the wrong work."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from okta_async import AuthenticationError, OktaClient

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TOKEN = "bench-test-token"
USERS = 1000  # five pages of 200


def load(name: str) -> ModuleType:
    """A module of ``benchmarks/`` (not a package) loaded from its file."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wire = load("_wire")
lister = load("_lister")


@pytest.fixture(scope="module")
def pages() -> tuple[list[bytes], list[str]]:
    return wire.render_bodies(USERS)  # type: ignore[no-any-return]


@pytest.fixture
async def org_url(pages: tuple[list[bytes], list[str]]) -> AsyncIterator[str]:
    server = await wire.listen(USERS, *pages, TOKEN)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_sdk_walks_every_prerendered_page_once_and_stops_after_the_last(
    org_url: str,
) -> None:
    async with OktaClient(org_url=org_url, token=TOKEN) as okta:
        pages = [page async for page in okta.users.list_users(limit=200).raw().pages()]
    users: list[dict[str, Any]] = [user for page in pages for user in page.items]
    assert [len(page.items) for page in pages] == [200] * 5
    assert len({user["id"] for user in users}) == USERS
    assert pages[-1].next_url is None
    assert pages[0].next_cursor == users[199]["id"]
    first = users[0]
    assert first["profile"]["login"] and first["_links"]["self"]["href"].endswith(first["id"])
    assert pages[0].headers["X-Rate-Limit-Limit"] == "1000000"
    assert pages[0].request_id


@pytest.mark.parametrize("mode", ["plain", "raw", "model"])
async def test_each_benchmark_lister_counts_every_user_exactly_once(
    org_url: str, mode: str
) -> None:
    clock = lister.Clock(USERS)
    if mode == "plain":
        await lister.plain(org_url, TOKEN, clock)
    else:
        await lister.sdk(org_url, TOKEN, clock, raw=mode == "raw")
    assert clock.count == USERS


async def test_a_lister_that_is_served_more_than_expected_fails() -> None:
    clock = lister.Clock(1)
    clock.tick()
    with pytest.raises(RuntimeError, match="more than the 1 items"):
        clock.tick()


async def test_prerendered_server_refuses_a_wrong_token(org_url: str) -> None:
    async with OktaClient(org_url=org_url, token="not-the-token", max_retries=0) as okta:
        with pytest.raises(AuthenticationError):
            await okta.users.list_users(limit=200).raw()

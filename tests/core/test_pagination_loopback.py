"""The paginator over real HTTP on 127.0.0.1: verbatim next links and clean early exits.

The server holds page 2 open until told otherwise, so a prefetch is genuinely in flight (a
socket, a pooled connection) when the caller leaves. Every warning is an error here, and the
loop's exception handler (where "Task was destroyed but it is pending" goes) must stay silent.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from okta_async._core.operation import Operation
from okta_async._core.pagination import AsyncPaginator
from okta_async._core.transport import Transport
from tests.core.transport_support import make_transport

pytestmark = pytest.mark.filterwarnings("error")

# No retries, and no timeout: only cancellation can end a request the server holds back.
NO_RETRIES: dict[str, Any] = {"max_retries": 0, "attempt_timeout": 0.0}

LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")
LIST_GROUPS = Operation(id="listGroups", method="GET", path="/api/v1/groups")
ODD_NEXT = "/api/v1/groups?after=a%2Cb%7E+c%3D&z=1&a=2&expand=x,y"


class SlowSecondPage:
    """Serves page 1 at once; page 2 only after ``release`` is set."""

    def __init__(self) -> None:
        self.page2_started = asyncio.Event()
        self.release = asyncio.Event()
        self.raw_targets: list[str] = []

    async def groups(self, request: web.Request) -> web.Response:
        """Page 1 links to a next URL whose query only survives if sent byte for byte."""
        self.raw_targets.append(request.raw_path)
        if request.raw_path == ODD_NEXT:
            return web.json_response([{"id": "g2"}])
        response = web.json_response([{"id": "g1"}])
        response.headers.add("link", f"<{request.url.origin()}{ODD_NEXT}>;REL=NEXT")
        return response

    async def handle(self, request: web.Request) -> web.Response:
        if "after" not in request.query:
            response = web.json_response([{"id": "u1"}, {"id": "u2"}])
            response.headers.add("Link", f'<{request.url.with_query(after="u2")}>; rel="next"')
            return response
        self.page2_started.set()
        await self.release.wait()
        return web.json_response([{"id": "u3"}])


@pytest.fixture
async def server() -> AsyncIterator[tuple[SlowSecondPage, TestServer]]:
    app_state = SlowSecondPage()
    app = web.Application()
    app.router.add_get("/api/v1/users", app_state.handle)
    app.router.add_get("/api/v1/groups", app_state.groups)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield app_state, test_server
    app_state.release.set()
    await test_server.close()


@pytest.fixture
async def transport(
    server: tuple[SlowSecondPage, TestServer],
) -> AsyncIterator[Transport]:
    _, test_server = server
    t = make_transport(org_url=str(test_server.make_url("")).rstrip("/"), **NO_RETRIES)
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    yield t
    await t.aclose()
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(None)
    assert reported == [], reported


def acquired_connections(transport: Transport) -> int:
    """Connections checked out of the pool (aiohttp keeps them in the connector's ``_acquired``)."""
    connector = transport.session().connector
    assert connector is not None
    return len(connector._acquired)


def prefetch_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "okta_async-prefetch"]


async def prefetch_tasks_finished() -> None:
    """Assert every prefetch task completes within a few loop ticks (a cancelled one does).

    The held-back page is never served and the request has no timeout, so a prefetch that was
    not cancelled would still be pending here.
    """
    for _ in range(100):
        if not prefetch_tasks():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"prefetch still running: {prefetch_tasks()}")


def users(transport: Transport) -> AsyncPaginator[dict[str, Any]]:
    return AsyncPaginator(transport, LIST_USERS, decode=dict, prefetch=1)


async def test_break_cancels_the_in_flight_prefetch_and_frees_its_connection(
    server: tuple[SlowSecondPage, TestServer], transport: Transport
) -> None:
    state, _ = server
    async for _user in users(transport):
        await state.page2_started.wait()  # page 2 is being fetched in the background
        break
    await prefetch_tasks_finished()
    assert acquired_connections(transport) == 0


async def test_aclose_cancels_and_awaits_the_in_flight_prefetch(
    server: tuple[SlowSecondPage, TestServer], transport: Transport
) -> None:
    state, _ = server
    iterator = aiter(users(transport))
    assert (await anext(iterator))["id"] == "u1"
    await state.page2_started.wait()
    await iterator.aclose()
    assert not prefetch_tasks()
    assert acquired_connections(transport) == 0


async def test_aclose_of_the_page_iterator_also_cancels_the_prefetch(
    server: tuple[SlowSecondPage, TestServer], transport: Transport
) -> None:
    state, _ = server
    pages = users(transport).pages()
    await anext(pages)
    await state.page2_started.wait()
    await pages.aclose()
    assert acquired_connections(transport) == 0


@pytest.mark.parametrize("where", ["processing page 1", "waiting for page 2"])
async def test_cancelling_the_consumer_task_cancels_the_prefetch(
    server: tuple[SlowSecondPage, TestServer], transport: Transport, where: str
) -> None:
    state, _ = server
    parked = asyncio.Event()

    async def consume() -> None:
        async for user in users(transport):
            await state.page2_started.wait()
            if where == "processing page 1":
                parked.set()
                await asyncio.Event().wait()  # busy with page 1 until cancelled
            elif user["id"] == "u2":
                parked.set()  # the next step awaits page 2, which never arrives
        raise AssertionError("unreachable: page 2 is held back")

    task = asyncio.create_task(consume())
    await parked.wait()
    await asyncio.sleep(0)  # let the consumer reach its next await
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await prefetch_tasks_finished()
    assert acquired_connections(transport) == 0


async def test_prefetch_sends_the_next_request_while_a_caller_that_never_awaits_holds_its_page(
    transport: Transport,
) -> None:
    # A CPU-bound caller (an export writing rows) never yields between items: the next page's
    # request must still be on the wire while it works, so the server's answer overlaps it.
    in_flight: list[int] = []
    async for user in users(transport):
        in_flight.append(acquired_connections(transport))
        if user["id"] == "u2":
            break
    assert in_flight == [1, 1]


class Held:
    """A decoded item that can be weakly referenced (a dict cannot)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.id = data["id"]


async def test_prefetch_decodes_the_next_page_after_a_caller_that_never_awaits_let_go_of_its_page(
    server: tuple[SlowSecondPage, TestServer], transport: Transport
) -> None:
    # Two pages of items alive at once cost memory and garbage-collector work on every page.
    state, _ = server
    state.release.set()
    decoded: list[weakref.ref[Held]] = []
    alive_when_decoding: list[int] = []

    def decode(data: dict[str, Any]) -> Held:
        alive_when_decoding.append(sum(ref() is not None for ref in decoded))
        item = Held(data)
        decoded.append(weakref.ref(item))
        return item

    paginator = AsyncPaginator(transport, LIST_USERS, decode=decode, prefetch=1)
    ids = [item.id async for item in paginator]
    assert ids == ["u1", "u2", "u3"]
    assert alive_when_decoding == [0, 1, 1]  # at u3: only u2, the comprehension's last item


async def test_next_link_is_sent_byte_for_byte(
    server: tuple[SlowSecondPage, TestServer], transport: Transport
) -> None:
    state, _ = server
    paginator = AsyncPaginator(transport, LIST_GROUPS, decode=dict)
    pages = [page async for page in paginator.pages()]
    assert [item["id"] for page in pages for item in page.items] == ["g1", "g2"]
    assert state.raw_targets == ["/api/v1/groups", ODD_NEXT]
    assert pages[0].next_cursor == "a,b~ c="  # the decoded `after` value, for after=


async def test_an_iteration_cancelled_mid_fetch_refuses_to_continue_with_a_gap(
    server: tuple[SlowSecondPage, TestServer], transport: Transport
) -> None:
    state, _ = server
    pages = users(transport).pages()
    await anext(pages)
    pending = asyncio.ensure_future(anext(pages))
    await state.page2_started.wait()
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    with pytest.raises(RuntimeError, match="cancelled"):
        await anext(pages)
    await prefetch_tasks_finished()
    assert acquired_connections(transport) == 0

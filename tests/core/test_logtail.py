"""LogTailMixin.tail against a small System Log server on 127.0.0.1 (Okta's polling semantics)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from okta_async import logtail
from okta_async._core.errors import ForeignOriginError, PermissionDeniedError
from okta_async._core.transport import Transport
from okta_async.logtail import LogTailMixin
from okta_async.models import LogEvent
from tests.core.transport_support import make_transport

pytestmark = pytest.mark.filterwarnings("error")

# No retries, and no timeout: only cancellation can end a request the server holds back.
NO_RETRIES: dict[str, Any] = {"max_retries": 0, "attempt_timeout": 0.0}


class LogServer:
    """Okta-like ``GET /api/v1/logs``: cursor ``after`` = index of the next event.

    Polling queries (no ``until``) always get a next link, even on an empty page; bounded
    queries get one only while events remain. ``faults`` are statuses answered first, in order.
    """

    def __init__(self, events: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self.queries: list[dict[str, str]] = []
        self.faults: list[int] = []
        self.empty_served = asyncio.Event()
        self.next_link_origin: str | None = None
        self.url = ""  # set once listening
        for _ in range(events):
            self.add_event()

    def add_event(self) -> None:
        self.events.append({"uuid": f"e{len(self.events) + 1}", "eventType": "user.session.start"})

    async def handle(self, request: web.Request) -> web.Response:
        self.queries.append(dict(request.query))
        if self.faults:
            status = self.faults.pop(0)
            return web.json_response({"errorCode": "E0000009", "errorSummary": "x"}, status=status)
        start = int(request.query.get("after", "0"))
        limit = int(request.query.get("limit", "100"))
        page = self.events[start : start + limit]
        end = start + len(page)
        response = web.json_response(page)
        if "until" not in request.query or end < len(self.events):
            url = request.url.update_query(after=str(end))
            if self.next_link_origin:
                url = url.with_host(self.next_link_origin)
            response.headers.add("Link", f'<{url}>; rel="next"')
        if not page:
            self.empty_served.set()
        return response


class Logs(LogTailMixin):
    def __init__(self, transport: Transport) -> None:
        self._transport = transport


@pytest.fixture
async def server() -> AsyncIterator[LogServer]:
    state = LogServer(events=3)
    app = web.Application()
    app.router.add_get("/api/v1/logs", state.handle)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    state.url = str(test_server.make_url("")).rstrip("/")
    yield state
    await test_server.close()


@pytest.fixture
async def logs(server: LogServer) -> AsyncIterator[Logs]:
    transport = make_transport(org_url=server.url, **NO_RETRIES)
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    yield Logs(transport)
    await transport.aclose()
    gc.collect()
    loop.set_exception_handler(None)
    assert reported == [], reported


class StopTail(Exception):
    """Raised by the recording sleep to end a test's tail at a chosen wait."""


class RecordingSleep:
    """Stands in for the tail's sleep: records delays, stops the tail after ``stop_after``."""

    def __init__(self, stop_after: int) -> None:
        self.delays: list[float] = []
        self.stop_after = stop_after

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if len(self.delays) >= self.stop_after:
            raise StopTail
        await asyncio.sleep(0)


async def drain(stream: AsyncIterator[Any]) -> list[Any]:
    seen: list[Any] = []
    with pytest.raises(StopTail):
        async for event in stream:
            seen.append(event)
    return seen


def uuids(events: list[Any]) -> list[str]:
    return [event.uuid for event in events]


async def test_tail_picks_up_events_created_after_it_started(server: LogServer, logs: Logs) -> None:
    seen: list[Any] = []
    arrived = asyncio.Condition()

    async def follow() -> None:
        async for event in logs.tail(poll_interval=0):
            async with arrived:
                seen.append(event)
                arrived.notify_all()

    task = asyncio.create_task(follow())
    await server.empty_served.wait()  # the tail has caught up and is polling
    server.add_event()
    server.add_event()
    async with arrived:
        await arrived.wait_for(lambda: len(seen) == 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert uuids(seen) == ["e1", "e2", "e3", "e4", "e5"]


async def test_tail_sleeps_poll_interval_only_after_an_empty_page(
    server: LogServer, logs: Logs
) -> None:
    sleep = RecordingSleep(stop_after=2)
    logs._transport.retry_policy.sleep = sleep
    events = await drain(logs.tail(poll_interval=7.5, limit=2))
    assert uuids(events) == ["e1", "e2", "e3"]
    assert sleep.delays == [7.5, 7.5]
    # full page, partial page, then the same empty position polled twice
    assert [q.get("after") for q in server.queries] == [None, "2", "3", "3"]


async def test_tail_rides_over_transient_errors_without_loss_or_repeat(
    server: LogServer, logs: Logs
) -> None:
    sleep = RecordingSleep(stop_after=4)
    logs._transport.retry_policy.sleep = sleep
    tail = logs.tail(poll_interval=0, limit=2)
    assert uuids([await anext(tail), await anext(tail)]) == ["e1", "e2"]
    server.faults = [503, 429, 500]
    events = await drain(tail)
    assert uuids(events) == ["e3"]
    assert sleep.delays == [1.0, 2.0, 4.0, 0]  # backoff doubling, then the empty-page poll
    assert [q.get("after") for q in server.queries] == [None, "2", "2", "2", "2", "3"]


async def test_tail_raises_errors_that_retrying_cannot_fix(server: LogServer, logs: Logs) -> None:
    server.faults = [403]
    with pytest.raises(PermissionDeniedError):
        await anext(logs.tail())


async def test_tail_refuses_a_next_link_on_another_origin(server: LogServer, logs: Logs) -> None:
    server.next_link_origin = "evil.example"
    tail = logs.tail(poll_interval=0)
    assert uuids([await anext(tail) for _ in range(3)]) == ["e1", "e2", "e3"]
    with pytest.raises(ForeignOriginError):
        await anext(tail)


async def test_bounded_tail_paginates_and_ends(server: LogServer, logs: Logs) -> None:
    since = datetime(2026, 1, 2, 3, 4, 5, 678999, tzinfo=timezone(timedelta(hours=2)))
    events = [e async for e in logs.tail(since=since, until="2026-01-03T00:00:00.000Z", limit=2)]
    assert uuids(events) == ["e1", "e2", "e3"]
    assert all(isinstance(event, LogEvent) for event in events)
    assert server.queries[0] == {
        "sortOrder": "ASCENDING",
        "since": "2026-01-02T01:04:05.678Z",
        "until": "2026-01-03T00:00:00.000Z",
        "limit": "2",
    }
    assert len(server.queries) == 2


async def test_bounded_tail_raises_transient_errors_after_retries(
    server: LogServer, logs: Logs
) -> None:
    server.faults = [503]
    with pytest.raises(logtail.InternalServerError):
        await anext(logs.tail(until="2026-01-03T00:00:00.000Z"))


async def test_tail_passes_filter_and_q_and_treats_naive_datetimes_as_utc(
    server: LogServer, logs: Logs
) -> None:
    tail = logs.tail(since=datetime(2026, 5, 6, 7, 8, 9), filter='eventType eq "x"', q="alice")
    await anext(tail)
    await tail.aclose()
    assert server.queries[0] == {
        "sortOrder": "ASCENDING",
        "since": "2026-05-06T07:08:09.000Z",
        "filter": 'eventType eq "x"',
        "q": "alice",
    }


async def test_cancelling_a_tail_while_it_waits_for_new_events_is_clean(
    server: LogServer, logs: Logs
) -> None:
    received = asyncio.Event()

    async def follow() -> None:
        async for _event in logs.tail(poll_interval=3600):
            received.set()

    task = asyncio.create_task(follow())
    await server.empty_served.wait()
    await asyncio.sleep(0)  # the tail is now in its poll_interval sleep
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert received.is_set()


def test_negative_poll_interval_is_rejected() -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        Logs(None).tail(poll_interval=-1)  # type: ignore[arg-type]


async def test_tail_survives_a_transient_token_endpoint_failure() -> None:
    from keyfactory import new_ec, pem

    from okta_async._core.auth import PrivateKeyAuth

    state = LogServer(events=2)
    token_answers = [503]

    async def token(request: web.Request) -> web.Response:
        if token_answers:
            status = token_answers.pop(0)
            return web.json_response({"errorCode": "E0000009"}, status=status)
        return web.json_response({"access_token": "at", "token_type": "Bearer"})

    app = web.Application()
    app.router.add_get("/api/v1/logs", state.handle)
    app.router.add_post("/oauth2/v1/token", token)
    async with TestServer(app, host="127.0.0.1") as test_server:
        url = str(test_server.make_url("")).rstrip("/")
        auth = PrivateKeyAuth(
            org_url=url, client_id="0oa1", scopes=("okta.logs.read",), private_key=pem(new_ec())
        )
        auth._max_retries = 0  # the token endpoint's own retries are exhausted at once
        transport = make_transport(org_url=url, auth=auth, **NO_RETRIES)
        sleep = RecordingSleep(stop_after=2)
        transport.retry_policy.sleep = sleep
        events = await drain(Logs(transport).tail(poll_interval=0))
        await transport.aclose()
    assert uuids(events) == ["e1", "e2"]
    assert sleep.delays == [1.0, 0]  # one backoff after the token 503, then the empty-page poll

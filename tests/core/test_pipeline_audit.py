"""The request pipeline against real aiohttp servers on 127.0.0.1: the audit's cases (issue 11).

Each test drives the client end to end over HTTP; waits that would take real time run on a
fake clock shared by the server's rate-limit windows and the client's governor.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from okta_async import (
    APIConnectionError,
    APITimeoutError,
    OktaClient,
    OktaError,
    PathParameterError,
    RateLimitError,
)
from okta_async._core.operation import Operation
from okta_async._core.transport import APIResponse
from tests.core.transport_support import FakeClock, Sleeps, open_transport
from tests.support.http_mock import mocked_okta

TOKEN = "00pipeline-token"
LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")
REMOVE_MEMBER = Operation(
    id="unassignUserFromGroup", method="DELETE", path="/api/v1/groups/{groupId}/users/{userId}"
)
GET_USER = Operation(id="getUser", method="GET", path="/api/v1/users/{id}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Org:
    """A scripted org: records each request (method, raw path, headers), answers via ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.handler = handler
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self.url = ""

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        self.seen.append((request.method, request.raw_path, dict(request.headers)))
        return await self.handler(request)


async def _ok(request: web.Request) -> web.StreamResponse:
    return web.json_response([{"id": "00u1"}])


async def _serve(handler: Handler) -> AsyncIterator[Org]:
    org = Org(handler)
    async with TestServer(org.app, host="127.0.0.1") as server:
        org.url = str(server.make_url("/")).rstrip("/")
        yield org


@pytest.fixture
async def org() -> AsyncIterator[Org]:
    async for served in _serve(_ok):
        yield served


def _http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, timezone.utc), usegmt=True)


# --- one owner per wait --------------------------------------------------------------------------


async def test_a_429_resetting_beyond_max_rate_limit_wait_raises_at_once_after_one_request(
    org: Org,
) -> None:
    async def rate_limited(request: web.Request) -> web.Response:
        now = 1_800_000_000
        headers = {
            "Date": _http_date(now),
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(now + 60),
        }
        return web.json_response({"errorCode": "E0000047"}, status=429, headers=headers)

    org.handler = rate_limited
    sleeps = Sleeps()
    async with open_transport(sleeps, org_url=org.url, max_retries=2, max_rate_limit_wait=1.0) as t:
        with pytest.raises(RateLimitError) as caught:
            await t.request(LIST_USERS)
    assert len(org.seen) == 1
    assert sleeps.delays == []  # neither the retry layer nor the governor waited
    assert caught.value.error_code == "E0000047"
    assert caught.value.retry_after == pytest.approx(60.0)


@pytest.mark.parametrize("max_retries", [0, 1, 2])
async def test_attempts_on_the_wire_are_max_retries_plus_one_each_counted(
    org: Org, max_retries: int
) -> None:
    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()  # aiohttp itself would resend an idempotent request once
        return web.Response()

    org.handler = drop
    async with open_transport(org_url=org.url, max_retries=max_retries) as transport:
        with pytest.raises(APIConnectionError):
            await transport.request(LIST_USERS)
    counts = [headers.get("X-Okta-Retry-Count") for _, _, headers in org.seen]
    assert counts == [None, *(str(n) for n in range(1, max_retries + 1))]


async def test_per_call_timeout_bounds_a_governor_hold(org: Org) -> None:
    async def exhausted(request: web.Request) -> web.Response:
        loop_now = datetime.now(timezone.utc).timestamp()
        headers = {
            "X-Rate-Limit-Limit": "20",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(loop_now) + 15),
        }
        return web.json_response([], headers=headers)

    org.handler = exhausted
    async with OktaClient(org.url, TOKEN, max_retries=0) as okta:
        await okta.request("GET", "/api/v1/users")  # teaches the governor: 0 left for 15 s
        with pytest.raises(APITimeoutError, match=r"within its timeout of 0\.2 s"):
            await okta.request("GET", "/api/v1/users", timeout=0.2)
    assert len(org.seen) == 1


async def test_each_hold_is_logged_at_info_with_bucket_wait_and_reason(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(1_800_000_000)

    async def exhausted(request: web.Request) -> web.Response:
        headers = {
            "Date": _http_date(clock.now),
            "X-Rate-Limit-Limit": "20",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(clock.now) + 15),
        }
        return web.json_response([], headers=headers)

    org.handler = exhausted
    caplog.set_level(logging.INFO, logger="okta_async")
    async with open_transport(Sleeps(clock), org_url=org.url) as transport:
        await transport.request(LIST_USERS)
        await transport.request(LIST_USERS)
    holds = [r.getMessage() for r in caplog.records if r.getMessage().startswith("holding")]
    assert holds == [
        "holding GET /api/v1/users for 15.0 s: 0 of 20 calls left in its window (reserve 2) "
        "until reset"
    ]


# --- environment ---------------------------------------------------------------------------------


async def test_path_parameters_that_would_change_the_target_are_refused_before_sending(
    org: Org,
) -> None:
    async with open_transport(org_url=org.url) as transport:
        for bad in ("..", ".", ""):
            with pytest.raises(PathParameterError, match="groupId"):
                await transport.request(
                    REMOVE_MEMBER, path_params={"groupId": bad, "userId": "00u1"}
                )
        assert org.seen == []
        await transport.request(GET_USER, path_params={"id": "a.b@example.com"})
        await transport.request(GET_USER, path_params={"id": "x/../y?z"})
    assert [path for _, path, _ in org.seen] == [
        "/api/v1/users/a.b%40example.com",
        "/api/v1/users/x%2F..%2Fy%3Fz",
    ]


async def test_default_port_in_the_org_url_is_dropped_and_page_two_is_fetched() -> None:
    okta = OktaClient("https://ACME.okta.com:443", TOKEN, max_retries=0)
    assert okta.org_url == "https://acme.okta.com"
    link = '<https://acme.okta.com/api/v1/users?after=u1>; rel="next"'
    with mocked_okta() as mocked:
        mocked.get(
            "https://acme.okta.com/api/v1/users", payload=[{"id": "u1"}], headers={"Link": link}
        )
        mocked.get("https://acme.okta.com/api/v1/users?after=u1", payload=[{"id": "u2"}])
        ids = [user.id async for user in okta.users.list_users()]
    await okta.close()
    assert ids == ["u1", "u2"]


def test_a_client_used_from_a_second_event_loop_raises_a_clear_okta_error() -> None:
    okta = OktaClient("http://127.0.0.1:9", TOKEN, max_retries=0)  # nothing listens on port 9

    async def call() -> Any:
        return await okta.request("GET", "/api/v1/users")

    first = asyncio.new_event_loop()
    try:
        with pytest.raises(APIConnectionError):
            first.run_until_complete(call())
        second = asyncio.new_event_loop()
        try:
            with pytest.raises(OktaError, match="event loop"):
                second.run_until_complete(call())
        finally:
            second.close()
    finally:
        first.run_until_complete(okta.close())
        first.close()


# --- seams ---------------------------------------------------------------------------------------


async def test_raw_request_goes_through_the_pipeline_and_returns_json(org: Org) -> None:
    answers = itertools.chain([503], itertools.repeat(200))

    async def flaky(request: web.Request) -> web.Response:
        status = next(answers)
        if status != 200:
            return web.json_response({"errorCode": "E0000009"}, status=status)
        return web.json_response(
            {"query": request.query_string}, headers={"X-Okta-Request-Id": "r1"}
        )

    org.handler = flaky
    async with OktaClient(org.url, TOKEN) as okta:
        okta._transport.retry_policy.rand = lambda: 0.0
        answer = await okta.request(
            "GET", "/api/v1/custom", params={"limit": 2, "active": True}, headers={"X-A": "b"}
        )
        raw = await okta.request_raw("GET", "/api/v1/custom")
    assert answer == {"query": "limit=2&active=true"}
    assert (raw.status, raw.request_id) == (200, "r1")
    assert [headers.get("X-Okta-Retry-Count") for _, _, headers in org.seen[:2]] == [None, "1"]
    assert all(h["Authorization"] == f"SSWS {TOKEN}" for _, _, h in org.seen)
    assert org.seen[0][2]["X-A"] == "b"


async def test_a_trace_config_sees_every_attempt_and_a_given_session_stays_open(org: Org) -> None:
    answers = iter([503, 503, 200])

    async def flaky(request: web.Request) -> web.Response:
        return web.json_response([], status=next(answers))

    org.handler = flaky
    started: list[str] = []

    async def on_start(session: Any, context: Any, params: aiohttp.TraceRequestStartParams) -> None:
        started.append(params.headers.get("X-Okta-Retry-Count", "0"))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with OktaClient(org.url, TOKEN, trace_configs=[trace]) as okta:
        okta._transport.retry_policy.rand = lambda: 0.0
        await okta.request("GET", "/api/v1/users")
    assert started == ["0", "1", "2"]

    async with aiohttp.ClientSession() as session:
        async with OktaClient(org.url, TOKEN, session=session) as okta:
            answers = iter([200])
            assert await okta.request("GET", "/api/v1/users") == []
        assert not session.closed


# --- concurrency limit ---------------------------------------------------------------------------


async def test_an_org_concurrency_cap_below_ours_lowers_the_cap_and_no_listing_fails() -> None:
    from okta_async import testing

    limits = {"concurrent": 5}
    async with testing.FakeOrg(users=3, rate_limits=limits, faults="latency=100ms") as org:
        okta = OktaClient(org.url, org.token)
        listings = [okta.users.list_users().collect() for _ in range(100)]
        outcomes = await asyncio.gather(*listings, return_exceptions=True)
        cap = okta.governor.cap
        await okta.close()
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert cap < 48


async def test_the_raw_response_hook_gives_status_headers_request_id_and_the_parsed_value(
    org: Org,
) -> None:
    async with OktaClient(org.url, TOKEN) as okta:
        raw = await okta.request_raw("GET", "/api/v1/users/{id}", path_params={"id": "a.b@x.io"})
    response = APIResponse(raw, lambda body: [item["id"] for item in body])
    assert (response.status, response.request_id) == (200, None)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.parse() == ["00u1"]
    assert org.seen[0][1] == "/api/v1/users/a.b%40x.io"

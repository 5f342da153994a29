"""Transport end to end against small aiohttp servers on 127.0.0.1 (no mocks in between)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from okta_async._core import errors
from okta_async._core.operation import Operation
from tests.core.transport_support import TOKEN, Sleeps, open_transport

GET_USER = Operation(id="getUser", method="GET", path="/api/v1/users/{userId}")
CREATE_USER = Operation(id="createUser", method="POST", path="/api/v1/users")
LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")


class Recorder:
    """An aiohttp app that records every request it receives."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.app = web.Application()
        self.handler: Callable[[web.Request], Any] = self._ok
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        self.seen.append((request.method, request.path_qs, dict(request.headers)))
        return await self.handler(request)  # type: ignore[no-any-return]

    async def _ok(self, request: web.Request) -> web.Response:
        return web.json_response({"path": request.path}, headers={"X-Okta-Request-Id": "srv"})


@pytest.fixture
async def org() -> AsyncIterator[tuple[Recorder, TestServer]]:
    recorder = Recorder()
    async with TestServer(recorder.app, host="127.0.0.1") as server:
        yield recorder, server


@pytest.fixture
async def other() -> AsyncIterator[tuple[Recorder, TestServer]]:
    recorder = Recorder()
    async with TestServer(recorder.app, host="127.0.0.1") as server:
        yield recorder, server


def _origin(server: TestServer) -> str:
    return str(server.make_url("/")).rstrip("/")


async def test_request_reaches_a_real_server_with_auth(org: tuple[Recorder, TestServer]) -> None:
    recorder, server = org
    async with open_transport(org_url=_origin(server)) as transport:
        response = await transport.request(GET_USER, path_params={"userId": "00u1"})
    assert response.json() == {"path": "/api/v1/users/00u1"}
    [(method, path, headers)] = recorder.seen
    assert (method, path) == ("GET", "/api/v1/users/00u1")
    assert headers["Authorization"] == f"SSWS {TOKEN}"


async def test_authorization_is_not_sent_to_a_second_origin(
    org: tuple[Recorder, TestServer], other: tuple[Recorder, TestServer]
) -> None:
    org_recorder, org_server = org
    other_recorder, other_server = other
    target = f"{_origin(other_server)}/api/v1/users"

    async def redirect_away(request: web.Request) -> web.Response:
        raise web.HTTPFound(target)

    org_recorder.handler = redirect_away
    async with open_transport(org_url=_origin(org_server)) as transport:
        # 1. an absolute URL on another origin is refused before anything is sent
        with pytest.raises(errors.ForeignOriginError):
            await transport.request(LIST_USERS, url=f"{target}?after=x")
        assert org_recorder.seen == []
        # 2. a redirect from the org to another origin is not followed
        with pytest.raises(errors.APIStatusError) as info:
            await transport.request(LIST_USERS)
    assert info.value.status == 302
    assert "another origin" in str(info.value)
    assert len(org_recorder.seen) == 1
    assert other_recorder.seen == []  # the second origin never saw a request, let alone a token


async def test_same_origin_redirect_is_followed_with_auth(
    org: tuple[Recorder, TestServer],
) -> None:
    recorder, server = org

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/api/v1/users/old":
            raise web.HTTPMovedPermanently("/api/v1/users/new")
        return web.json_response({"path": request.path})

    recorder.handler = handler
    async with open_transport(org_url=_origin(server)) as transport:
        response = await transport.request(GET_USER, path_params={"userId": "old"})
    assert response.json() == {"path": "/api/v1/users/new"}
    assert [h["Authorization"] for _, _, h in recorder.seen] == [f"SSWS {TOKEN}"] * 2


async def _drop_connection(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.close()  # the server got the request, then the connection dies
    return web.Response()


async def test_post_is_not_retried_when_the_connection_drops_after_sending(
    org: tuple[Recorder, TestServer],
) -> None:
    recorder, server = org
    recorder.handler = _drop_connection
    sleeps = Sleeps()
    async with open_transport(sleeps, org_url=_origin(server), max_retries=3) as transport:
        with pytest.raises(errors.APIConnectionError):
            await transport.request(CREATE_USER, json={"profile": {"login": "a@b.c"}})
    assert len(recorder.seen) == 1  # the server may have created the user: never sent twice
    assert sleeps.delays == []


async def test_get_is_retried_when_the_connection_drops(
    org: tuple[Recorder, TestServer],
) -> None:
    recorder, server = org
    recorder.handler = _drop_connection
    sleeps = Sleeps()
    async with open_transport(sleeps, org_url=_origin(server), max_retries=2) as transport:
        with pytest.raises(errors.APIConnectionError):
            await transport.request(GET_USER, path_params={"userId": "00u1"})
    assert len(sleeps.delays) == 2  # our two retries ...
    counts = [h.get("X-Okta-Retry-Count") for _, _, h in recorder.seen]
    # ... each of which aiohttp may itself resend once on a dropped keep-alive connection
    # (RFC 9112 section 9.3.1, idempotent methods only), so only the order is exact.
    assert set(counts) == {None, "1", "2"}
    assert counts == sorted(counts, key=lambda c: int(c or 0))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_post_is_retried_when_the_connection_failed_before_sending() -> None:
    sleeps = Sleeps()
    async with open_transport(
        sleeps, org_url=f"http://127.0.0.1:{_closed_port()}", max_retries=2
    ) as transport:
        with pytest.raises(errors.APIConnectionError) as info:
            await transport.request(CREATE_USER, json={})
    assert len(sleeps.delays) == 2  # two retries, then the error
    assert "ClientConnectorError" in str(info.value)


async def test_env_proxy_is_used_and_no_proxy_is_respected(
    other: tuple[Recorder, TestServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy_recorder, proxy_server = other
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", _origin(proxy_server))
    remote_org = "http://acme.okta.invalid"  # only reachable through the proxy

    async with open_transport(org_url=remote_org, trust_env=True, max_retries=0) as transport:
        await transport.request(LIST_USERS)
    [(method, path, headers)] = proxy_recorder.seen
    assert (method, path, headers["Host"]) == ("GET", "/api/v1/users", "acme.okta.invalid")

    monkeypatch.setenv("NO_PROXY", "acme.okta.invalid")
    async with open_transport(org_url=remote_org, trust_env=True, max_retries=0) as transport:
        with pytest.raises(errors.APIConnectionError):  # direct: the name does not resolve
            await transport.request(LIST_USERS)
    assert len(proxy_recorder.seen) == 1


async def test_env_proxy_is_not_used_for_a_loopback_org(
    org: tuple[Recorder, TestServer],
    other: tuple[Recorder, TestServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org_recorder, org_server = org
    proxy_recorder, proxy_server = other
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", _origin(proxy_server))
    async with open_transport(org_url=_origin(org_server), trust_env=True) as transport:
        await transport.request(LIST_USERS)
    assert len(org_recorder.seen) == 1 and proxy_recorder.seen == []


async def test_configured_proxy_is_used_unless_no_proxy_matches(
    org: tuple[Recorder, TestServer],
    other: tuple[Recorder, TestServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org_recorder, org_server = org
    proxy_recorder, proxy_server = other
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with open_transport(
        org_url=_origin(org_server), proxy=_origin(proxy_server)
    ) as transport:
        await transport.request(LIST_USERS)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with open_transport(
            org_url=_origin(org_server), proxy=_origin(proxy_server), trust_env=True
        ) as bypassing:
            await bypassing.request(LIST_USERS)
    assert len(proxy_recorder.seen) == 1
    assert len(org_recorder.seen) == 1


async def test_cancelled_request_releases_its_governor_slot(
    org: tuple[Recorder, TestServer],
) -> None:
    recorder, server = org
    arrived = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        arrived.set()
        await asyncio.Event().wait()  # never answers; the client cancels
        return web.Response()

    recorder.handler = slow
    async with open_transport(org_url=_origin(server)) as transport:
        task = asyncio.create_task(transport.request(LIST_USERS))
        waiter = asyncio.create_task(arrived.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        assert arrived.is_set(), task.exception()
        assert transport.governor.in_flight() == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert transport.governor.in_flight() == 0


async def test_per_call_timeout_raises_api_timeout_error(
    org: tuple[Recorder, TestServer],
) -> None:
    recorder, server = org

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response()

    recorder.handler = slow
    async with open_transport(org_url=_origin(server), max_retries=0) as transport:
        with pytest.raises(errors.APITimeoutError, match="GET /api/v1/users"):
            await transport.request(LIST_USERS, options={"timeout": 0.05})


async def test_query_and_path_values_arrive_intact(org: tuple[Recorder, TestServer]) -> None:
    recorder, server = org
    received: list[tuple[str, list[tuple[str, str]]]] = []

    async def echo(request: web.Request) -> web.Response:
        received.append((request.match_info["tail"], list(request.query.items())))
        return web.json_response({})

    recorder.handler = echo
    search = 'profile.email eq "a+b@x.com" and profile.city eq "Zürich & Co"'
    async with open_transport(org_url=_origin(server)) as transport:
        await transport.request(
            GET_USER,
            path_params={"userId": "ann+o'neil@x.com/1"},
            query=[("search", search), ("expand", "a"), ("expand", "b")],
        )
    [(tail, query)] = received
    assert tail == "api/v1/users/ann+o'neil@x.com/1"
    assert query == [("search", search), ("expand", "a"), ("expand", "b")]


async def test_proxy_credentials_go_to_the_proxy_only(
    other: tuple[Recorder, TestServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy_recorder, proxy_server = other
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy = f"http://agent:pa55@127.0.0.1:{proxy_server.port}"
    async with open_transport(org_url="http://acme.okta.invalid", proxy=proxy) as transport:
        await transport.request(LIST_USERS)
    [(_, _, headers)] = proxy_recorder.seen
    assert headers["Proxy-Authorization"] == "Basic YWdlbnQ6cGE1NQ=="  # agent:pa55
    assert headers["Authorization"] == f"SSWS {TOKEN}"
    assert "pa55" not in repr(transport)

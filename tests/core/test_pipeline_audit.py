"""The request pipeline against real aiohttp servers on 127.0.0.1: the audit's cases (issue 11).

Each test drives the client end to end over HTTP; waits that would take real time run on a
fake clock shared by the server's rate-limit windows and the client's governor.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from okta_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    OktaClient,
    OktaError,
    PathParameterError,
    RateLimitError,
    TokenRequestError,
)
from okta_async._core.operation import Operation
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


async def test_request_raw_gives_status_headers_request_id_and_the_json(org: Org) -> None:
    # Generated methods' raw access (with_raw_response): tests/resources/test_raw_response.py
    async with OktaClient(org.url, TOKEN) as okta:
        raw = await okta.request_raw("GET", "/api/v1/users/{id}", path_params={"id": "a.b@x.io"})
    assert (raw.status, raw.request_id) == (200, None)
    assert raw.headers["Content-Type"].startswith("application/json")
    assert [item["id"] for item in raw.json()] == ["00u1"]
    assert org.seen[0][1] == "/api/v1/users/a.b%40x.io"


# --- governor ------------------------------------------------------------------------------------


def _windowed_bucket(clock: FakeClock, limit: int, statuses: list[int]) -> Handler:
    """A bucket of ``limit`` calls per 60 s window on ``clock``, as Okta reports it."""
    used: dict[int, int] = {}

    async def handler(request: web.Request) -> web.Response:
        window = int(clock.now // 60) * 60
        used[window] = count = used.get(window, 0) + 1
        headers = {
            "Date": _http_date(clock.now),
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(max(0, limit - count)),
            "X-Rate-Limit-Reset": str(window + 60),
        }
        status = 429 if count > limit else 200
        statuses.append(status)
        return web.json_response([], status=status, headers=headers)

    return handler


async def test_a_cold_start_burst_probes_first_and_meets_no_429(org: Org) -> None:
    clock = FakeClock(1_800_000_010)
    statuses: list[int] = []
    org.handler = _windowed_bucket(clock, 20, statuses)
    async with open_transport(Sleeps(clock), org_url=org.url, max_concurrent_requests=48) as t:
        await asyncio.gather(*(t.request(LIST_USERS) for _ in range(100)))
    assert (len(statuses), statuses.count(429)) == (100, 0)


async def test_an_absurd_reset_is_clamped_to_one_window_and_logged_once(
    org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(1_800_000_000)

    async def milliseconds(request: web.Request) -> web.Response:
        headers = {
            "Date": _http_date(clock.now),
            "X-Rate-Limit-Limit": "20",
            "X-Rate-Limit-Remaining": "1",
            "X-Rate-Limit-Reset": str(int(clock.now * 1000)),
        }
        return web.json_response([], headers=headers)

    org.handler = milliseconds
    sleeps = Sleeps(clock)
    async with open_transport(sleeps, org_url=org.url) as transport:
        for _ in range(3):
            await transport.request(LIST_USERS)
    absurd = [r for r in caplog.records if "is absurd" in r.getMessage()]
    assert len(absurd) == 1
    assert sleeps.delays == [60.0, 60.0]  # one window each, not the whole cap


# --- token endpoint ------------------------------------------------------------------------------


def _private_key_client(url: str, **settings: Any) -> OktaClient:
    from keyfactory import new_ec, pem

    okta = OktaClient(
        url,
        authorization_mode="PrivateKey",
        client_id="0oa1",
        scopes="okta.users.read",
        private_key=pem(new_ec()),
        **settings,
    )
    okta._transport.retry_policy.rand = lambda: 0.0  # shared with the token endpoint's retries
    return okta


async def test_a_token_endpoint_503_is_retried_and_the_call_succeeds(org: Org) -> None:
    token_answers = [503]

    async def handler(request: web.Request) -> web.Response:
        if request.path != "/oauth2/v1/token":
            return web.json_response([])
        if token_answers:
            return web.json_response({"errorCode": "E0000009"}, status=token_answers.pop(0))
        return web.json_response({"access_token": "at1", "token_type": "Bearer"})

    org.handler = handler
    async with _private_key_client(org.url) as okta:
        assert await okta.request("GET", "/api/v1/users") == []
    assert [path for _, path, _ in org.seen] == ["/oauth2/v1/token"] * 2 + ["/api/v1/users"]
    assert org.seen[-1][2]["Authorization"] == "Bearer at1"
    assert "Authorization" not in org.seen[0][2]


async def test_a_token_endpoint_429_beyond_the_wait_is_a_token_request_error_with_its_code(
    org: Org,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        now = 1_800_000_000
        headers = {"Date": _http_date(now), "X-Rate-Limit-Reset": str(now + 50)}
        body = {"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"}
        return web.json_response(body, status=429, headers=headers)

    org.handler = handler
    async with _private_key_client(org.url, max_rate_limit_wait=5) as okta:
        with pytest.raises(TokenRequestError) as caught:
            await okta.request("GET", "/api/v1/users")
    assert isinstance(caught.value, APIStatusError)
    assert (caught.value.status, caught.value.error_code) == (429, "E0000047")
    assert caught.value.retry_after == pytest.approx(50.0)
    assert len(org.seen) == 1


# --- ~/.netrc ------------------------------------------------------------------------------------


def _non_loopback_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _throwaway_ca(directory: Path, address: str) -> tuple[Path, Path]:
    """A self-signed CA certificate for ``address`` and its key, written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "ca.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_a_netrc_default_entry_never_reaches_a_remote_looking_https_org(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    (tmp_path / ".netrc").write_text("default login netrc-user password netrc-password\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    cert_path, key_path = _throwaway_ca(tmp_path, address)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/oauth2/v1/token":
            return web.json_response({"access_token": "at1", "token_type": "Bearer"})
        return web.json_response([])

    served = Org(handler)
    server = TestServer(served.app, host=address)
    await server.start_server(ssl=context)
    url = f"https://{address}:{server.port}"
    try:
        async with OktaClient(url, TOKEN, ca_bundle=str(cert_path)) as okta:
            assert await okta.request("GET", "/api/v1/users") == []
        async with _private_key_client(url, ca_bundle=str(cert_path)) as okta:
            assert await okta.request("GET", "/api/v1/users") == []
    finally:
        await server.close()
    sent = [(path, headers.get("Authorization")) for _, path, headers in served.seen]
    assert sent == [
        ("/api/v1/users", f"SSWS {TOKEN}"),
        ("/oauth2/v1/token", None),
        ("/api/v1/users", "Bearer at1"),
    ]

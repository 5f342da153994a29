"""Auth strategies against a real token endpoint on 127.0.0.1 (no mocks, no wall clock)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from keyfactory import PrivateKey, jwk, new_ec, new_rsa, pem, verify_jwt

from okta_async._core import errors
from okta_async._core.auth import (
    CLIENT_ASSERTION_TYPE,
    AuthStrategy,
    BearerAuth,
    PrivateKeyAuth,
    SSWSAuth,
    TokenRequestError,
    build_auth,
)
from okta_async._core.config import OktaConfig
from okta_async._core.errors import ConfigError, OktaError
from okta_async._core.retry import RetryPolicy

RSA_KEY = new_rsa()
EC_KEY = new_ec()


class FakeClock:
    """A settable clock, so token lifetimes are tested without waiting."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


Reply = Callable[[int], web.Response]


def issue(expires_in: int = 3600, token_type: str = "Bearer") -> Reply:
    def reply(n: int) -> web.Response:
        body = {
            "access_token": f"ACCESS-TOKEN-{n}-SECRET",
            "token_type": token_type,
            "expires_in": expires_in,
            "scope": "okta.users.read",
        }
        return web.json_response(body)

    return reply


class TokenEndpoint:
    """Counts token requests, keeps their forms, and can hold answers until released."""

    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.reply: Reply = issue()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()
        self.url = ""

    @property
    def count(self) -> int:
        return len(self.forms)

    async def handle(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.forms.append({k: str(v) for k, v in form.items()})
        self.headers.append(dict(request.headers))
        self.entered.set()
        await self.release.wait()
        return self.reply(self.count)


@pytest.fixture
async def endpoint() -> AsyncIterator[TokenEndpoint]:
    state = TokenEndpoint()
    app = web.Application()
    app.router.add_post("/oauth2/v1/token", state.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("")).rstrip("/")
    try:
        yield state
    finally:
        await server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def private_key_auth(
    endpoint: TokenEndpoint, key_text: str | None = None, **kwargs: Any
) -> PrivateKeyAuth:
    options: dict[str, Any] = {"key_id": "kid-1", "clock": FakeClock()} | kwargs
    return PrivateKeyAuth(
        org_url=endpoint.url,
        client_id="0oaCLIENT",
        scopes=("okta.users.read", "okta.groups.read"),
        private_key=key_text or pem(RSA_KEY),
        **options,
    )


# --- static strategies -------------------------------------------------------------------------


async def test_ssws_and_bearer_send_the_token_and_never_refresh(
    session: aiohttp.ClientSession,
) -> None:
    ssws, bearer = SSWSAuth("00abcSECRET"), BearerAuth("eyJSECRET")
    assert await ssws.authorization(session) == "SSWS 00abcSECRET"
    assert await bearer.authorization(session) == "Bearer eyJSECRET"
    assert await ssws.refresh_after_401(session, "SSWS 00abcSECRET") is False
    assert await bearer.refresh_after_401(session, "Bearer eyJSECRET") is False
    assert "SECRET" not in repr(ssws) + repr(bearer) + str(ssws)
    await ssws.aclose()


@pytest.mark.parametrize(
    ("mode", "strategy"),
    [("SSWS", SSWSAuth), ("Bearer", BearerAuth), ("PrivateKey", PrivateKeyAuth)],
)
def test_build_auth_picks_the_strategy_for_the_mode(mode: str, strategy: type) -> None:
    config = OktaConfig(
        org_url="https://acme.okta.com",
        authorization_mode=mode,
        token="t",
        client_id="c",
        scopes=("s",),
        private_key=pem(EC_KEY),
    )
    auth = build_auth(config)
    assert isinstance(auth, strategy)
    assert isinstance(auth, AuthStrategy)


@pytest.mark.parametrize(
    ("no_proxy", "expected"), [("", "http://proxy:3128"), ("acme.okta.com", None)]
)
def test_token_requests_use_the_proxy_unless_no_proxy_exempts_the_org(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, expected: str | None
) -> None:
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.setenv("no_proxy", no_proxy)
    config = OktaConfig(
        org_url="https://acme.okta.com",
        authorization_mode="PrivateKey",
        client_id="c",
        scopes=("s",),
        private_key=pem(EC_KEY),
        proxy="http://proxy:3128",
    )
    auth = build_auth(config)
    assert isinstance(auth, PrivateKeyAuth)
    assert auth._proxy == expected


def test_build_auth_rejects_a_config_without_credentials() -> None:
    with pytest.raises(ConfigError):
        build_auth(OktaConfig(org_url="https://acme.okta.com"))
    with pytest.raises(ConfigError):
        build_auth(OktaConfig(org_url="https://acme.okta.com", authorization_mode="PrivateKey"))


# --- client assertion ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text"),
    [
        pytest.param(RSA_KEY, pem(RSA_KEY), id="RS256-pem"),
        pytest.param(RSA_KEY, jwk(RSA_KEY), id="RS256-jwk"),
        pytest.param(EC_KEY, pem(EC_KEY), id="ES256-pem"),
        pytest.param(EC_KEY, jwk(EC_KEY), id="ES256-jwk"),
    ],
)
def test_client_assertion_claims_and_signature(key: PrivateKey, text: str) -> None:
    clock = FakeClock()
    auth = PrivateKeyAuth(
        org_url="https://acme.okta.com",
        client_id="0oaCLIENT",
        scopes=("okta.users.read",),
        private_key=text,
        key_id="kid-1",
        clock=clock,
    )
    header, claims = verify_jwt(auth.client_assertion(), key)
    assert header["kid"] == "kid-1"
    assert claims["iss"] == claims["sub"] == "0oaCLIENT"
    assert claims["aud"] == "https://acme.okta.com/oauth2/v1/token"
    assert claims["iat"] == int(clock.now)
    assert 0 < claims["exp"] - claims["iat"] <= 300


def test_client_assertion_jti_is_unique() -> None:
    auth = PrivateKeyAuth(
        org_url="https://acme.okta.com", client_id="c", scopes=("s",), private_key=pem(EC_KEY)
    )
    jtis = {verify_jwt(auth.client_assertion(), EC_KEY)[1]["jti"] for _ in range(200)}
    assert len(jtis) == 200


def test_jwk_kid_is_used_when_no_key_id_is_configured() -> None:
    auth = PrivateKeyAuth(
        org_url="https://acme.okta.com",
        client_id="c",
        scopes=("s",),
        private_key=jwk(EC_KEY, kid="jwk-kid"),
    )
    assert verify_jwt(auth.client_assertion(), EC_KEY)[0]["kid"] == "jwk-kid"


# --- token requests ------------------------------------------------------------------------------


async def test_token_request_posts_client_credentials_form(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint, pem(EC_KEY))
    assert await auth.authorization(session) == "Bearer ACCESS-TOKEN-1-SECRET"
    (form,) = endpoint.forms
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "okta.users.read okta.groups.read"
    assert form["client_assertion_type"] == CLIENT_ASSERTION_TYPE
    _, claims = verify_jwt(form["client_assertion"], EC_KEY)
    assert claims["aud"] == f"{endpoint.url}/oauth2/v1/token"
    assert "Authorization" not in endpoint.headers[0]


async def test_token_is_cached_and_renewed_a_minute_before_expiry(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    clock = FakeClock()
    auth = private_key_auth(endpoint, clock=clock)
    first = await auth.authorization(session)
    clock.now += 3600 - 61
    assert await auth.authorization(session) == first
    assert endpoint.count == 1
    clock.now += 2  # now inside the 60 s renewal margin
    second = await auth.authorization(session)
    assert second != first
    assert endpoint.count == 2
    assert await auth.authorization(session) == second


async def test_short_lived_token_is_renewed_at_half_its_life(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    clock = FakeClock()
    endpoint.reply = issue(expires_in=60)
    auth = private_key_auth(endpoint, clock=clock)
    await auth.authorization(session)
    clock.now += 29
    await auth.authorization(session)
    assert endpoint.count == 1
    clock.now += 2
    await auth.authorization(session)
    assert endpoint.count == 2


async def test_fifty_concurrent_callers_share_one_token_request(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    endpoint.release.clear()
    callers = asyncio.gather(*(auth.authorization(session) for _ in range(50)))
    await endpoint.entered.wait()
    endpoint.release.set()
    headers = await callers
    assert endpoint.count == 1
    assert set(headers) == {"Bearer ACCESS-TOKEN-1-SECRET"}


async def test_concurrent_callers_share_one_failure_and_the_next_call_retries(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    endpoint.reply = lambda n: web.json_response(
        {"error": "invalid_client", "error_description": "The client_assertion is invalid."},
        status=401,
    )
    endpoint.release.clear()
    callers = asyncio.gather(
        *(auth.authorization(session) for _ in range(50)), return_exceptions=True
    )
    await endpoint.entered.wait()
    endpoint.release.set()
    outcomes = await callers
    assert endpoint.count == 1
    assert all(isinstance(o, TokenRequestError) for o in outcomes)
    endpoint.reply = issue()
    assert await auth.authorization(session) == "Bearer ACCESS-TOKEN-2-SECRET"


async def test_a_cancelled_caller_does_not_cancel_the_shared_request(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    endpoint.release.clear()
    first = asyncio.ensure_future(auth.authorization(session))
    second = asyncio.ensure_future(auth.authorization(session))
    await endpoint.entered.wait()
    first.cancel()
    endpoint.release.set()
    assert await second == "Bearer ACCESS-TOKEN-1-SECRET"
    assert first.cancelled()
    assert endpoint.count == 1


async def test_close_during_a_token_fetch_gives_every_waiter_client_closed_error(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    endpoint.release.clear()
    waiters = [asyncio.ensure_future(auth.authorization(session)) for _ in range(3)]
    await endpoint.entered.wait()
    await auth.aclose()
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [errors.ClientClosedError] * 3
    endpoint.release.set()


# --- refresh after 401 ---------------------------------------------------------------------------


async def test_refresh_after_401_replaces_the_rejected_token(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    rejected = await auth.authorization(session)
    assert await auth.refresh_after_401(session, rejected) is True
    fresh = await auth.authorization(session)
    assert fresh != rejected
    assert endpoint.count == 2


async def test_refresh_after_401_with_an_already_replaced_token_does_not_refetch(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    stale = await auth.authorization(session)
    await auth.refresh_after_401(session, stale)
    assert await auth.refresh_after_401(session, stale) is True
    assert endpoint.count == 2


async def test_many_401s_for_the_same_token_cause_one_refresh(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    auth = private_key_auth(endpoint)
    rejected = await auth.authorization(session)
    results = await asyncio.gather(*(auth.refresh_after_401(session, rejected) for _ in range(20)))
    assert all(results)
    assert endpoint.count == 2
    assert await auth.authorization(session) == "Bearer ACCESS-TOKEN-2-SECRET"


# --- token endpoint errors -----------------------------------------------------------------------


async def test_oauth_error_is_raised_with_its_code_and_description(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    endpoint.reply = lambda n: web.json_response(
        {"error": "invalid_scope", "error_description": "The requested scope is invalid."},
        status=400,
    )
    with pytest.raises(TokenRequestError) as caught:
        await private_key_auth(endpoint).authorization(session)
    error = caught.value
    assert isinstance(error, OktaError)
    assert (error.status, error.error) == (400, "invalid_scope")
    assert error.error_description == "The requested scope is invalid."
    assert "invalid_scope The requested scope is invalid." in str(error)
    assert endpoint.forms[0]["client_assertion"] not in str(error)


async def test_non_json_answer_shows_status_content_type_and_snippet(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    page = "<html>" + "proxy says no " * 40 + "</html>"
    endpoint.reply = lambda n: web.Response(text=page, status=502, content_type="text/html")
    with pytest.raises(TokenRequestError) as caught:
        await private_key_auth(endpoint).authorization(session)
    message = str(caught.value)
    assert "502" in message and "text/html" in message and "<html>proxy says no" in message
    assert page not in message


async def test_dpop_bound_token_is_refused_clearly(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession
) -> None:
    endpoint.reply = issue(token_type="DPoP")
    with pytest.raises(TokenRequestError, match="DPoP"):
        await private_key_auth(endpoint).authorization(session)


async def test_unreachable_token_endpoint_raises_api_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    auth = PrivateKeyAuth(
        org_url="http://127.0.0.1:9",
        client_id="c",
        scopes=("s",),
        private_key=pem(EC_KEY),
        retry_policy=RetryPolicy(sleep=_no_sleep),
    )
    with pytest.raises(errors.APIConnectionError, match="could not reach"):
        await auth.authorization(session)


async def _no_sleep(delay: float) -> None:
    return None


# --- secrecy -------------------------------------------------------------------------------------


async def test_no_secret_reaches_logs_reprs_or_errors(
    endpoint: TokenEndpoint, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key_text = pem(RSA_KEY)
    auth = private_key_auth(endpoint, key_text)
    header = await auth.authorization(session)
    await auth.refresh_after_401(session, header)
    endpoint.reply = lambda n: web.json_response({"error": "invalid_client"}, status=401)
    with pytest.raises(TokenRequestError) as caught:
        await auth.refresh_after_401(session, await auth.authorization(session))
    secrets = [
        "ACCESS-TOKEN-",
        *(form["client_assertion"] for form in endpoint.forms),
        *(line for line in key_text.splitlines()[1:-1]),
    ]
    visible = caplog.text + repr(auth) + str(auth) + str(caught.value) + repr(caught.value)
    assert "/oauth2/v1/token" in caplog.text  # the log lines exist, just without secrets
    for secret in secrets:
        assert secret not in visible

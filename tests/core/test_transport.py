"""Transport.request with aioresponses: retries, headers, error mapping, closing."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import format_datetime

import aiohttp
import pytest

from okta_async._core import errors
from okta_async._core.config import validate_org_url
from okta_async._core.operation import Operation
from okta_async._core.transport import user_agent
from tests.core.transport_support import (
    ORG,
    TOKEN,
    RefreshingAuth,
    Sleeps,
    make_transport,
    open_transport,
)
from tests.support.http_mock import mocked_okta, sent_headers

GET_USER = Operation(id="getUser", method="GET", path="/api/v1/users/{userId}")
LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")
CREATE_USER = Operation(id="createUser", method="POST", path="/api/v1/users")
USER_URL = f"{ORG}/api/v1/users/00u1"
USERS_URL = f"{ORG}/api/v1/users"
SERVER_NOW = 1_800_000_000


def _rate_headers(limit: int, remaining: int, reset_in: int) -> dict[str, str]:
    return {
        "Date": format_datetime(datetime.fromtimestamp(SERVER_NOW, timezone.utc), usegmt=True),
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(SERVER_NOW + reset_in),
    }


async def test_get_returns_the_raw_response_and_sends_auth_and_user_agent() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.get(USER_URL, payload={"id": "00u1"}, headers={"X-Okta-Request-Id": "r1"})
            response = await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert response.status == 200
        assert response.json() == {"id": "00u1"}
        assert response.request_id == "r1"
        assert response.operation is GET_USER
        [headers] = sent_headers(m)
        assert headers["Authorization"] == f"SSWS {TOKEN}"
        assert headers["Accept"] == "application/json"
        assert headers["User-Agent"] == user_agent()
        assert "X-Okta-Retry-Count" not in headers


def test_user_agent_names_sdk_python_and_aiohttp_versions() -> None:
    agent = user_agent("my-app/1.0")
    assert re.fullmatch(r"okta-async/\S+ python/\d+\.\d+ aiohttp/\S+ my-app/1\.0", agent), agent


async def test_path_params_are_percent_encoded_and_query_is_sent() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.get(re.compile(r".*/api/v1/users/a%2Fb%20c\?.*"), payload=[], repeat=True)
            await transport.request(
                GET_USER,
                path_params={"userId": "a/b c"},
                query=[("expand", "x"), ("expand", "y"), ("q", "a&b")],
            )
            [(_method, url)] = list(m.requests)
        assert url.raw_path == "/api/v1/users/a%2Fb%20c"
        assert url.query.getall("expand") == ["x", "y"]
        assert url.query["q"] == "a&b"


async def test_missing_path_parameter_is_a_clear_error() -> None:
    async with open_transport() as transport:
        with pytest.raises(ValueError, match="getUser: path parameter 'userId' is missing"):
            await transport.request(GET_USER)


async def test_json_body_is_serialised_with_content_type() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.post(USERS_URL, payload={"id": "00u2"})
            await transport.request(CREATE_USER, json={"profile": {"login": "a@b.c"}})
            [call] = next(iter(m.requests.values()))
        assert call.kwargs["data"] == b'{"profile":{"login":"a@b.c"}}'
        assert call.kwargs["headers"]["Content-Type"] == "application/json"


async def test_retry_of_a_503_sends_retry_for_and_retry_count() -> None:
    sleeps = Sleeps()
    async with open_transport(sleeps, rand=1.0) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, status=503, headers={"X-Okta-Request-Id": "first"})
            m.get(USER_URL, status=503, headers={"X-Okta-Request-Id": "second"})
            m.get(USER_URL, payload={"id": "00u1"})
            response = await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert response.status == 200
        first, second, third = sent_headers(m)
        assert "X-Okta-Retry-For" not in first
        assert (second["X-Okta-Retry-For"], second["X-Okta-Retry-Count"]) == ("first", "1")
        assert (third["X-Okta-Retry-For"], third["X-Okta-Retry-Count"]) == ("first", "2")
        assert sleeps.delays == [0.5, 1.0]  # full jitter at its top: 0.5 * 2**(n-1)


async def test_429_waits_until_reset_measured_against_the_date_header() -> None:
    sleeps = Sleeps()
    # local wall clock is 0: Date must be used
    async with open_transport(sleeps, rand=0.0) as transport:
        with mocked_okta() as m:
            m.post(USERS_URL, status=429, headers=_rate_headers(600, 0, 17))
            m.post(USERS_URL, payload={"id": "00u2"}, headers=_rate_headers(600, 599, 60))
            await transport.request(CREATE_USER, json={})
        assert sleeps.delays == [17.0]  # POST retried on 429: the server did not act on it


async def test_concurrent_limit_429_gets_a_short_backoff() -> None:
    sleeps = Sleeps()
    async with open_transport(sleeps, rand=0.0) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, status=429, headers=_rate_headers(0, 0, 55))
            m.get(USER_URL, payload={})
            await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert sleeps.delays == [0.5]
        assert transport.governor.snapshot(GET_USER.bucket) is None


async def test_connection_reset_on_get_is_retried() -> None:
    sleeps = Sleeps()
    async with open_transport(sleeps) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, exception=aiohttp.ClientOSError(104, "Connection reset by peer"))
            m.get(USER_URL, payload={"id": "00u1"})
            response = await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert response.json() == {"id": "00u1"}
        assert len(sleeps.delays) == 1
        assert sent_headers(m)[1]["X-Okta-Retry-Count"] == "1"


async def test_post_is_not_retried_after_the_request_was_sent() -> None:
    sleeps = Sleeps()
    async with open_transport(sleeps) as transport:
        with mocked_okta() as m:
            m.post(USERS_URL, exception=aiohttp.ServerDisconnectedError())
            m.post(USERS_URL, payload={"id": "duplicate"})
            with pytest.raises(errors.APIConnectionError) as info:
                await transport.request(CREATE_USER, json={"profile": {}})
        assert len(sent_headers(m)) == 1
        assert sleeps.delays == []
        assert "ServerDisconnectedError" in str(info.value)
        assert "POST /api/v1/users" in str(info.value)


async def test_post_5xx_is_not_retried() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.post(USERS_URL, status=503)
            with pytest.raises(errors.InternalServerError):
                await transport.request(CREATE_USER, json={})
        assert len(sent_headers(m)) == 1


@pytest.mark.parametrize("where", ["config", "call"])
async def test_max_retries_zero_means_a_single_attempt(where: str) -> None:
    sleeps = Sleeps()
    options = {"max_retries": 0} if where == "call" else None
    async with open_transport(sleeps, max_retries=0 if where == "config" else 5) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, status=503, repeat=True)
            with pytest.raises(errors.InternalServerError):
                await transport.request(GET_USER, path_params={"userId": "00u1"}, options=options)  # type: ignore[arg-type]
        assert len(sent_headers(m)) == 1
        assert sleeps.delays == []


async def test_retries_exhausted_raise_the_mapped_error_with_details() -> None:
    body = {
        "errorCode": "E0000047",
        "errorSummary": "API call exceeded rate limit due to too many requests.",
        "errorId": "oae1",
        "errorCauses": [],
    }
    async with open_transport(max_retries=2) as transport:
        with mocked_okta() as m:
            m.get(
                USER_URL,
                status=429,
                payload=body,
                headers={**_rate_headers(600, 0, 1), "X-Okta-Request-Id": "rq"},
                repeat=True,
            )
            with pytest.raises(errors.RateLimitError) as info:
                await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert len(sent_headers(m)) == 3
        err = info.value
        assert (err.status, err.error_code, err.request_id) == (429, "E0000047", "rq")
        assert err.method == "GET" and err.path == "/api/v1/users/00u1"


async def test_html_error_page_from_a_proxy_is_reported_after_retries() -> None:
    async with open_transport(max_retries=1) as transport:
        with mocked_okta() as m:
            m.get(
                USER_URL,
                status=502,
                body="<html><body><h1>Bad Gateway</h1></body></html>",
                content_type="text/html",
                repeat=True,
            )
            with pytest.raises(errors.InternalServerError) as info:
                await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert "text/html" in str(info.value)
        assert "<h1>Bad Gateway</h1>" in str(info.value)


async def test_malformed_json_in_a_2xx_raises_decode_error_naming_the_operation() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.get(USERS_URL, body='[{"id": "00u1"', content_type="application/json")
            response = await transport.request(LIST_USERS)
        with pytest.raises(errors.DecodeError, match="listUsers"):
            response.json()


async def test_401_with_refreshable_auth_refreshes_once_and_retries_once() -> None:
    auth = RefreshingAuth()
    async with open_transport(auth=auth, max_retries=0) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, status=401, payload={"errorCode": "E0000011"})
            m.get(USER_URL, status=401, payload={"errorCode": "E0000011"})
            with pytest.raises(errors.AuthenticationError):
                await transport.request(GET_USER, path_params={"userId": "00u1"})
        first, second = sent_headers(m)
        assert first["Authorization"] == "Bearer old-token"
        assert second["Authorization"] == "Bearer new-token"
        assert auth.refreshes == 1


async def test_401_with_static_token_is_not_retried() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.get(USER_URL, status=401, payload={"errorCode": "E0000011"}, repeat=True)
            with pytest.raises(errors.AuthenticationError):
                await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert len(sent_headers(m)) == 1


async def test_per_call_extra_headers_are_sent_but_cannot_replace_authorization() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.get(USER_URL, payload={})
            await transport.request(
                GET_USER,
                path_params={"userId": "00u1"},
                options={"extra_headers": {"X-Trace": "t1", "authorization": "SSWS other"}},
            )
        [headers] = sent_headers(m)
        assert headers["X-Trace"] == "t1"
        assert headers["Authorization"] == f"SSWS {TOKEN}"
        assert "authorization" not in headers


async def test_attempt_timeout_bounded_by_the_call_timeout_is_passed_to_aiohttp() -> None:
    async with open_transport(attempt_timeout=30.0) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, payload={}, repeat=True)
            await transport.request(GET_USER, path_params={"userId": "00u1"})
            await transport.request(
                GET_USER, path_params={"userId": "00u1"}, options={"timeout": 2.5}
            )
            calls = next(iter(m.requests.values()))
        assert [c.kwargs["timeout"].total for c in calls] == [30.0, 2.5]
        assert all(c.kwargs["allow_redirects"] is False for c in calls)


async def test_timeout_maps_to_api_timeout_error() -> None:
    async with open_transport(max_retries=0) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, timeout=True)
            with pytest.raises(errors.APITimeoutError):
                await transport.request(GET_USER, path_params={"userId": "00u1"})


async def test_with_options_copy_shares_session_and_governor_and_merges_defaults() -> None:
    transport = make_transport()
    copy = transport.with_options({"max_retries": 0, "extra_headers": {"X-A": "1"}})
    copy2 = copy.with_options({"extra_headers": {"X-B": "2"}})
    try:
        with mocked_okta() as m:
            m.get(USER_URL, status=503, repeat=True)
            with pytest.raises(errors.InternalServerError):
                await copy2.request(GET_USER, path_params={"userId": "00u1"})
        [headers] = sent_headers(m)
        assert (headers["X-A"], headers["X-B"]) == ("1", "2")
        assert copy2.session() is transport.session()
        assert copy2.governor is transport.governor
    finally:
        await copy2.aclose()
    assert transport.closed


async def test_absolute_url_on_the_org_origin_is_used_as_is() -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.get(f"{USERS_URL}?after=00u9&limit=2", payload=[])
            await transport.request(LIST_USERS, url=f"{USERS_URL}?after=00u9&limit=2")
        assert len(sent_headers(m)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/api/v1/users?after=x",
        "http://acme.okta.example/api/v1/users",  # other scheme
        "https://acme.okta.example:8443/api/v1/users",  # other port
        "https://acme.okta.example.evil.example/api/v1/users",
    ],
)
async def test_foreign_origin_url_raises_before_anything_is_sent(url: str) -> None:
    async with open_transport() as transport:
        with mocked_okta() as m:
            with pytest.raises(errors.ForeignOriginError):
                await transport.request(LIST_USERS, url=url)
            assert m.requests == {}


async def test_using_a_closed_transport_raises_client_closed_error() -> None:
    transport = make_transport()
    with mocked_okta() as m:
        m.get(USER_URL, payload={})
        await transport.request(GET_USER, path_params={"userId": "00u1"})
    await transport.aclose()
    await transport.aclose()  # idempotent
    assert transport.closed
    with pytest.raises(errors.ClientClosedError):
        await transport.request(GET_USER, path_params={"userId": "00u1"})
    with pytest.raises(errors.ClientClosedError):
        transport.session()


async def test_closing_before_any_request_needs_no_session() -> None:
    transport = make_transport()
    await transport.aclose()
    assert "closed" in repr(transport)


async def test_governor_holds_the_next_request_until_reset_instead_of_a_429() -> None:
    sleeps = Sleeps()
    async with open_transport(sleeps) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, payload={}, headers=_rate_headers(600, 2, 42))
            m.get(USER_URL, payload={}, headers=_rate_headers(600, 599, 60))
            await transport.request(GET_USER, path_params={"userId": "00u1"})
            assert sleeps.delays == []
            snapshot = transport.governor.snapshot(GET_USER.bucket)
            assert snapshot is not None and (snapshot.limit, snapshot.remaining) == (600, 2)
            await transport.request(GET_USER, path_params={"userId": "00u1"})
        assert sleeps.delays == [pytest.approx(42.0)]  # held for the reset, then sent once
        assert len(sent_headers(m)) == 2


async def test_no_unclosed_session_warning_after_close() -> None:
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transport = make_transport()
        with mocked_okta() as m:
            m.get(USER_URL, payload={})
            await transport.request(GET_USER, path_params={"userId": "00u1"})
        await transport.aclose()
        del transport
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


async def test_none_options_fall_back_to_config_and_header_names_are_case_insensitive() -> None:
    async with open_transport(attempt_timeout=9.0) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, payload={})
            await transport.request(
                GET_USER,
                path_params={"userId": "00u1"},
                options={"timeout": None, "max_retries": None, "extra_headers": {"accept": "x/y"}},  # type: ignore[typeddict-item]
            )
            [call] = next(iter(m.requests.values()))
        assert call.kwargs["timeout"].total == 9.0
        assert call.kwargs["headers"].getall("Accept") == ["x/y"]


@pytest.mark.parametrize(
    "org_url", ["http://127.0.0.1:8080", "http://localhost:8080", "http://okta.localhost:8080"]
)
async def test_env_proxies_are_skipped_for_every_org_config_accepts_as_loopback(
    org_url: str,
) -> None:
    validate_org_url(org_url)  # plain http: accepted only because the host is loopback
    async with open_transport(org_url=org_url, trust_env=True) as transport:
        assert transport.session().trust_env is False

"""Authentication: SSWS API tokens and Bearer tokens from the fake token endpoint."""

from __future__ import annotations

import aiohttp

from okta_async.testing import FakeOrg
from tests.testing.conftest import Api

ASSERTION = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJl"


async def _bearer(
    api: Api, path: str = "/oauth2/v1/token", **overrides: str
) -> aiohttp.ClientResponse:
    form = {
        "grant_type": "client_credentials",
        "scope": "okta.users.read okta.users.manage",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": ASSERTION,
        **overrides,
    }
    return await api.session.post(f"{api.org.url}{path}", data=form)


async def test_missing_token_is_401_e0000011(api: Api) -> None:
    reply = await api.get("/api/v1/users", headers={})
    assert reply.status == 401
    assert reply.body["errorCode"] == "E0000011"
    assert reply.body["errorSummary"] == "Invalid token provided"


async def test_wrong_ssws_token_is_401(api: Api) -> None:
    reply = await api.get("/api/v1/users", headers={"Authorization": "SSWS nope"})
    assert reply.status == 401 and reply.body["errorCode"] == "E0000011"


async def test_explicit_token_is_used() -> None:
    async with FakeOrg(token="my-token") as org, aiohttp.ClientSession() as session:
        assert org.token == "my-token"
        headers = {"Authorization": "SSWS my-token"}
        async with session.get(f"{org.url}/api/v1/users", headers=headers) as resp:
            assert resp.status == 200


async def test_client_credentials_token_works_as_bearer(api: Api) -> None:
    async with await _bearer(api) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "okta.users.read okta.users.manage"
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await api.get("/api/v1/users", headers=bearer)).status == 200


async def test_token_endpoint_with_trailing_slash_needs_no_api_token(api: Api) -> None:
    async with await _bearer(api, "/oauth2/v1/token/") as resp:
        assert resp.status == 200
        assert (await resp.json())["token_type"] == "Bearer"


async def test_expired_bearer_is_401_with_www_authenticate(api: Api) -> None:
    async with await _bearer(api) as resp:
        token = (await resp.json())["access_token"]
    api.org.expire_bearer_tokens()
    reply = await api.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 401 and reply.body["errorCode"] == "E0000011"
    assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]


async def test_token_endpoint_rejects_missing_assertion(api: Api) -> None:
    async with await _bearer(api, client_assertion="") as resp:
        assert resp.status == 401
        assert (await resp.json())["error"] == "invalid_client"
    async with await _bearer(api, grant_type="password") as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "unsupported_grant_type"


async def test_token_is_never_recorded_in_the_request_log(api: Api) -> None:
    await api.get("/api/v1/users")
    assert all(api.org.token not in repr(record) for record in api.org.requests)
    assert api.org.requests[-1]["auth_scheme"] == "SSWS"

"""DPoP end to end: OktaClient in PrivateKey mode with dpop=True against FakeOrg(dpop=True)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from keyfactory import new_ec, pem

from okta_async import OktaClient, models
from okta_async._core.auth import PrivateKeyAuth, TokenRequestError
from okta_async._core.errors import AuthenticationError
from okta_async.testing import FakeOrg

CLIENT_KEY = pem(new_ec())
TOKEN_PATH = "/oauth2/v1/token"


@pytest.fixture(autouse=True)
def no_outside_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings come from the arguments only: no OKTA_CLIENT_* variables, no okta.yaml."""
    for name in list(os.environ):
        if name.startswith("OKTA_CLIENT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
async def org() -> AsyncIterator[FakeOrg]:
    async with FakeOrg(users=3, dpop=True) as fake:
        yield fake


def service_client(org: FakeOrg, **settings: Any) -> OktaClient:
    return OktaClient(
        org_url=org.url,
        authorization_mode="PrivateKey",
        client_id="0oaSERVICEAPP",
        scopes=["okta.users.read", "okta.users.manage"],
        private_key=CLIENT_KEY,
        **settings,
    )


def token_statuses(org: FakeOrg) -> list[int | None]:
    return [record["status"] for record in org.requests if record["path"] == TOKEN_PATH]


def new_user() -> models.CreateUserRequest:
    profile = models.UserProfile(
        first_name="Dee", last_name="Pop", email="dee@example.com", login="dee@example.com"
    )
    return models.CreateUserRequest(profile=profile)


async def test_dpop_client_lists_and_creates_users_after_one_nonce_challenge(
    org: FakeOrg,
) -> None:
    async with service_client(org, dpop=True) as okta:
        logins = [user.profile.login async for user in okta.users.list_users(limit=2)]
        created = await okta.users.create_user(new_user(), activate=False)
    assert len(logins) == 3  # two pages: the second URL has a query, the proof's htu has none
    assert org.store.users.get(created.id)["profile"]["login"] == "dee@example.com"
    assert token_statuses(org) == [400, 200]  # use_dpop_nonce, then the DPoP token
    api = [record for record in org.requests if record["path"] != TOKEN_PATH]
    assert len(api) == 3
    assert all(record["auth_scheme"] == "DPoP" and record["dpop_proof"] for record in api)
    assert all(record["status"] == 200 for record in api)


async def test_a_new_token_after_expiry_uses_the_rotated_nonce(org: FakeOrg) -> None:
    async with service_client(org, dpop=True) as okta:
        await okta.users.list_users(limit=1)
        org.rotate_dpop_nonce()
        org.expire_bearer_tokens()
        await okta.users.list_users(limit=1)  # 401, new token (challenged again), retried
    assert token_statuses(org) == [400, 200, 400, 200]
    api_statuses = [record["status"] for record in org.requests if record["path"] != TOKEN_PATH]
    assert api_statuses == [200, 401, 200]


async def test_a_client_without_dpop_is_told_the_org_requires_it(org: FakeOrg) -> None:
    async with service_client(org) as okta:
        with pytest.raises(TokenRequestError, match="set dpop=True") as caught:
            await okta.users.list_users()
    assert caught.value.error == "invalid_dpop_proof"
    assert token_statuses(org) == [400]


async def test_a_dpop_org_refuses_a_dpop_token_sent_as_plain_bearer(org: FakeOrg) -> None:
    auth = PrivateKeyAuth(
        org_url=org.url,
        client_id="0oaSERVICEAPP",
        scopes=("okta.users.read",),
        private_key=CLIENT_KEY,
        dpop=True,
    )
    async with aiohttp.ClientSession() as session:
        scheme, _, access_token = (await auth.authorization(session)).partition(" ")
    assert scheme == "DPoP"
    async with OktaClient(org_url=org.url, authorization_mode="Bearer", token=access_token) as okta:
        with pytest.raises(AuthenticationError) as caught:
            await okta.users.list_users()
    assert caught.value.status == 401
    assert 'error="invalid_token"' in caught.value.headers["WWW-Authenticate"]
    assert access_token not in str(caught.value)

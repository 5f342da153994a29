"""The behaviour scenarios over real aiohttp requests, intercepted by aioresponses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from okta_async import models
from tests.support.http_mock import mocked_okta

ORG = "https://acme.okta.com"


USER = {"id": "00u1", "status": "STAGED", "profile": {"login": "isaac", "favouriteBand": "MM"}}


@pytest.fixture
async def okta() -> AsyncIterator[Any]:
    from okta_async import OktaClient

    async with OktaClient(org_url=ORG, token="test-token") as client:
        yield client


def _sent_json(mocked: Any) -> list[Any]:
    bodies = []
    for calls in mocked.requests.values():
        for call in calls:
            raw = call.kwargs.get("data") or call.kwargs.get("json")
            bodies.append(orjson.loads(raw) if isinstance(raw, (bytes, str)) else raw)
    return bodies


async def test_create_user_over_http(okta: Any) -> None:
    with mocked_okta() as mocked:
        mocked.post(f"{ORG}/api/v1/users?activate=false", payload=USER)
        body = models.CreateUserRequest(
            profile=models.UserProfile(login="isaac"),
            credentials=models.UserCredentials(password=models.PasswordCredential(value="pw")),
        )
        user = await okta.users.create_user(body, activate=False)
        assert _sent_json(mocked) == [
            {"profile": {"login": "isaac"}, "credentials": {"password": {"value": "pw"}}}
        ]
    assert user.status is models.UserStatus.STAGED
    assert user.profile.additional_properties == {"favouriteBand": "MM"}


async def test_partial_update_over_http(okta: Any) -> None:
    with mocked_okta() as mocked:
        mocked.post(f"{ORG}/api/v1/users/00u1", payload=USER)
        await okta.users.update_user(
            "00u1", models.User(profile=models.UserProfile(nick_name="ib"))
        )
        assert _sent_json(mocked) == [{"profile": {"nickName": "ib"}}]


async def test_list_applications_mixed_page_over_http(okta: Any) -> None:
    page = [
        {"id": "0oa1", "signOnMode": "SAML_2_0", "name": "zendesk"},
        {"id": "0oa2", "signOnMode": "BOOKMARK", "name": "bookmark"},
        {"id": "0oa3", "signOnMode": "QUANTUM_SSO", "name": "future", "extra": {"a": 1}},
    ]
    with mocked_okta() as mocked:
        mocked.get(f"{ORG}/api/v1/apps", payload=page)
        apps = [app async for app in okta.apps.list_applications()]
    assert [type(a) for a in apps] == [
        models.SamlApplication,
        models.BookmarkApplication,
        models.Application,
    ]
    assert apps[2].sign_on_mode == "QUANTUM_SSO"
    assert apps[2].to_dict() == page[2]


async def test_unknown_user_status_over_http(okta: Any) -> None:
    with mocked_okta() as mocked:
        mocked.get(f"{ORG}/api/v1/users/00u1", payload={**USER, "status": "HIBERNATING"})
        user = await okta.users.get_user("00u1")
    assert user.status == "HIBERNATING"

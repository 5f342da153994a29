"""Issue 12 over real HTTP on 127.0.0.1: always-present fields and single-object strictness.

A scripted aiohttp server answers each request with a chosen body; the client is the real one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web

from okta_async import DecodeError, MissingFieldError, OktaClient, models
from tests.support.loopback import client_for

FULL_USER = {
    "id": "00u1",
    "status": "ACTIVE",
    "created": "2013-06-24T16:39:18.000Z",
    "lastUpdated": "2013-07-02T21:36:25.344Z",
    "profile": {"login": "isaac@example.com"},
}


def scripted(bodies: dict[str, bytes]) -> web.Application:
    """An app answering ``GET <path>`` with the raw bytes given for it (status 200)."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=bodies[request.path],
            content_type="application/json",
            headers={"X-Okta-Request-Id": f"req-{request.path.rsplit('/', 1)[-1]}"},
        )

    app = web.Application()
    for path in bodies:
        app.router.add_get(path, answer)
    return app


@pytest.fixture
async def okta() -> AsyncIterator[OktaClient]:
    partial = {k: v for k, v in FULL_USER.items() if k != "created"}
    page = [FULL_USER, {"id": "00u2", "profile": {}}, FULL_USER]
    bodies = {
        "/api/v1/users/full": orjson.dumps(FULL_USER),
        "/api/v1/users/partial": orjson.dumps(partial),
        "/api/v1/users": orjson.dumps(page),
        "/api/v1/users/null": b"null",
        "/api/v1/users/list": b"[]",
        "/api/v1/users/string": b'"00u1"',
        "/api/v1/users/number": b"42",
        "/api/v1/users/empty": b"",
    }
    async with client_for(scripted(bodies), "00tok") as client:
        yield client


async def test_always_present_fields_are_plain_values(okta: OktaClient) -> None:
    user = await okta.users.get_user("full")
    assert user.id == "00u1" and user.profile.login == "isaac@example.com"
    assert user.created.year == 2013 and user.status is models.UserStatus.ACTIVE


async def test_a_missing_always_present_field_decodes_and_raises_only_when_read(
    okta: OktaClient,
) -> None:
    user = await okta.users.get_user("partial")
    assert user.id == "00u1" and user.last_updated.year == 2013  # the rest reads fine
    assert "created" not in repr(user)
    assert user.to_dict() == {k: v for k, v in FULL_USER.items() if k != "created"}
    with pytest.raises(MissingFieldError) as caught:
        user.created  # noqa: B018 - the read is the point
    error = caught.value
    assert isinstance(error, AttributeError)
    assert (error.model, error.field) == ("UserGetSingleton", "created")
    assert error.request_id == "req-partial"
    assert "UserGetSingleton.created" in str(error) and "req-partial" in str(error)
    assert getattr(user, "created", None) is None  # hasattr/getattr with a default still work


async def test_a_page_with_an_incomplete_item_still_streams(okta: OktaClient) -> None:
    users = [user async for user in okta.users.list_users()]
    assert [u.id for u in users] == ["00u1", "00u2", "00u1"]
    with pytest.raises(MissingFieldError, match=r"UserProfile\.login"):
        users[1].profile.login  # noqa: B018
    with pytest.raises(MissingFieldError, match=r"User\.status"):
        users[1].status  # noqa: B018


@pytest.mark.parametrize(
    ("body", "shape"),
    [
        ("null", "null"),
        ("list", "a list"),
        ("string", "a string"),
        ("number", "a number"),
        ("empty", "an empty body"),
    ],
)
async def test_a_single_object_method_rejects_a_body_that_is_not_an_object(
    okta: OktaClient, body: str, shape: str
) -> None:
    with pytest.raises(DecodeError) as caught:
        await okta.users.get_user(body)
    assert caught.value.operation_id == "getUser"
    assert f"expected a JSON object, got {shape}" in str(caught.value)
    assert "as JSON" not in str(caught.value)


def test_a_constructed_model_needs_no_read_only_always_present_field() -> None:
    user = models.User(profile=models.UserProfile(login="ada@example.com"))
    assert user.to_dict(include_read_only=False) == {"profile": {"login": "ada@example.com"}}
    with pytest.raises(MissingFieldError, match=r"User\.id"):
        user.id  # noqa: B018


def test_null_under_an_always_present_field_is_kept_aside_and_written_back() -> None:
    data: dict[str, Any] = {**FULL_USER, "id": None}
    user = models.User.from_dict(data)
    assert user.additional_properties == {"id": None}
    assert user.to_dict() == data
    with pytest.raises(MissingFieldError):
        user.id  # noqa: B018

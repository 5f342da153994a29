"""HTTP-level behaviour shared by every endpoint: malformed bodies, unknown routes, ids."""

from __future__ import annotations

import asyncio

import pytest

from tests.testing.conftest import Api


async def test_malformed_json_body_is_400_e0000003(api: Api) -> None:
    async with api.session.post(
        f"{api.org.url}/api/v1/users",
        data=b"{not json",
        headers={**api.auth, "Content-Type": "application/json"},
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["errorCode"] == "E0000003"


async def test_unknown_path_is_404_and_wrong_method_is_405(api: Api) -> None:
    missing = await api.get("/api/v1/nothing-here")
    assert missing.status == 404 and missing.body["errorCode"] == "E0000007"
    wrong = await api.call("PATCH", "/api/v1/users")
    assert wrong.status == 405 and wrong.body["errorCode"] == "E0000022"
    assert "X-Rate-Limit-Limit" in wrong.headers


async def test_concurrent_creates_get_unique_ids_and_all_land(api: Api) -> None:
    users = await asyncio.gather(*(api.create_user(f"c{n}@example.com") for n in range(50)))
    ids = {u["id"] for u in users}
    assert len(ids) == 50
    assert ids == set(api.org.store.users.items)


@pytest.mark.parametrize("fake_okta", [{"apps": 30}], indirect=True)
async def test_default_page_size_of_apps_is_20(api: Api) -> None:
    reply = await api.get("/api/v1/apps")
    assert len(reply.body) == 20 and "next" in reply.links()
    assert len(await api.collect("/api/v1/apps")) == 30


async def test_retry_headers_are_recorded(api: Api) -> None:
    await api.get(
        "/api/v1/users",
        headers={**api.auth, "X-Okta-Retry-For": "abc", "X-Okta-Retry-Count": "1"},
    )
    record = api.org.requests[-1]
    assert record["retry_for"] == "abc" and record["retry_count"] == "1"
    assert record["bucket"] == "GET /api/v1/users" and record["status"] == 200


async def test_trailing_slash_is_served_like_the_plain_path(api: Api) -> None:
    body = {
        "profile": {
            "login": "slash@example.com",
            "email": "slash@example.com",
            "firstName": "S",
            "lastName": "L",
        }
    }
    created = await api.post("/api/v1/users/", body, params={"activate": "false"})
    assert created.status == 200 and created.body["status"] == "STAGED"
    fetched = await api.get(f"/api/v1/users/{created.body['id']}/")
    assert fetched.status == 200 and fetched.body["id"] == created.body["id"]
    listed = await api.get("/api/v1/groups/")
    assert listed.status == 200 and [g["profile"]["name"] for g in listed.body] == ["Everyone"]
    assert api.org.requests[-1]["bucket"] == "GET /api/v1/groups"

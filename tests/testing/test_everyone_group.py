"""The BUILT_IN Everyone group: present in every org, holds every user, managed by Okta alone."""

from __future__ import annotations

import pytest

from tests.testing.conftest import Api


async def _everyone(api: Api) -> dict:
    reply = await api.get("/api/v1/groups", params={"q": "Everyone"})
    assert reply.status == 200
    (group,) = reply.body
    return group


async def test_an_empty_org_has_the_built_in_everyone_group(api: Api) -> None:
    groups = await api.collect("/api/v1/groups")
    assert [(g["profile"]["name"], g["type"]) for g in groups] == [("Everyone", "BUILT_IN")]
    assert groups[0]["profile"]["description"] == "All users in your organization"
    assert groups[0]["id"].startswith("00g") and len(groups[0]["id"]) == 20
    built_in = await api.get("/api/v1/groups", params={"filter": 'type eq "BUILT_IN"'})
    assert [g["id"] for g in built_in.body] == [groups[0]["id"]]
    okta_groups = await api.get("/api/v1/groups", params={"filter": 'type eq "OKTA_GROUP"'})
    assert okta_groups.body == []


@pytest.mark.parametrize("fake_okta", [{"users": 25, "groups": 2}], indirect=True)
async def test_everyone_holds_seeded_and_created_users(api: Api) -> None:
    everyone = await _everyone(api)
    created = await api.create_user("new.hire@example.com")
    staged = await api.create_user("staged@example.com", params={"activate": "false"})
    members = await api.collect(f"/api/v1/groups/{everyone['id']}/users")
    assert {m["id"] for m in members} == set(api.org.store.users.items)
    assert len(members) == 27 and {created["id"], staged["id"]} <= {m["id"] for m in members}
    user_groups = await api.get(f"/api/v1/users/{created['id']}/groups")
    assert [g["id"] for g in user_groups.body] == [everyone["id"]]


async def test_deleted_user_leaves_everyone(api: Api) -> None:
    everyone = await _everyone(api)
    user = await api.create_user("gone@example.com")
    path = f"/api/v1/users/{user['id']}"
    await api.delete(path)
    assert (await api.get(f"/api/v1/groups/{everyone['id']}/users")).body[0]["id"] == user["id"]
    await api.delete(path)
    assert (await api.get(f"/api/v1/groups/{everyone['id']}/users")).body == []


async def test_everyone_cannot_be_updated_or_deleted(api: Api) -> None:
    everyone = await _everyone(api)
    path = f"/api/v1/groups/{everyone['id']}"
    renamed = await api.put(path, {"profile": {"name": "All"}})
    assert renamed.status == 403 and renamed.body["errorCode"] == "E0000006"
    deleted = await api.delete(path)
    assert deleted.status == 403 and deleted.body["errorCode"] == "E0000006"
    assert (await api.get(path)).body["profile"]["name"] == "Everyone"


async def test_members_cannot_be_added_to_or_removed_from_everyone_by_hand(api: Api) -> None:
    everyone = await _everyone(api)
    user = await api.create_user("member@example.com")
    path = f"/api/v1/groups/{everyone['id']}/users/{user['id']}"
    added = await api.put(path)
    assert added.status == 400 and added.body["errorCode"] == "E0000060"
    assert added.body["errorSummary"] == "Unsupported operation."
    removed = await api.delete(path)
    assert removed.status == 403 and removed.body["errorCode"] == "E0000006"
    members = await api.get(f"/api/v1/groups/{everyone['id']}/users")
    assert [m["id"] for m in members.body] == [user["id"]]


async def test_everyone_in_group_ids_is_refused_before_storing(api: Api) -> None:
    everyone = await _everyone(api)
    body = {
        "profile": {
            "login": "x@example.com",
            "email": "x@example.com",
            "firstName": "X",
            "lastName": "Y",
        },
        "groupIds": [everyone["id"]],
    }
    reply = await api.post("/api/v1/users", body)
    assert reply.status == 400 and reply.body["errorCode"] == "E0000060"
    assert len(api.org.store.users) == 0


async def test_app_assigned_to_everyone_reaches_new_users(api: Api) -> None:
    everyone = await _everyone(api)
    app = await api.post(
        "/api/v1/apps",
        {
            "name": "bookmark",
            "label": "Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com"}},
        },
    )
    assert app.status == 200, app.body
    assigned = await api.put(f"/api/v1/apps/{app.body['id']}/groups/{everyone['id']}", {})
    assert assigned.status == 200
    user = await api.create_user("reader@example.com")
    app_users = await api.get(f"/api/v1/apps/{app.body['id']}/users")
    assert [(u["id"], u["scope"]) for u in app_users.body] == [(user["id"], "GROUP")]

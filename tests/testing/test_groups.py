"""Groups API: CRUD, q/filter, membership."""

from __future__ import annotations

import pytest

from tests.testing.conftest import Api


async def _group(api: Api, name: str) -> dict:
    reply = await api.post("/api/v1/groups", {"profile": {"name": name, "description": "d"}})
    assert reply.status == 200, reply.body
    return reply.body


async def test_create_get_update_delete_group(api: Api) -> None:
    group = await _group(api, "Engineers")
    assert group["id"].startswith("00g") and len(group["id"]) == 20
    assert group["type"] == "OKTA_GROUP"
    assert group["objectClass"] == ["okta:user_group"]
    assert group["_links"]["users"]["href"] == f"{api.org.url}/api/v1/groups/{group['id']}/users"
    path = f"/api/v1/groups/{group['id']}"
    assert (await api.get(path)).body["profile"]["name"] == "Engineers"
    updated = await api.put(path, {"profile": {"name": "Builders"}})
    assert updated.status == 200 and updated.body["profile"]["name"] == "Builders"
    assert (await api.delete(path)).status == 204
    missing = await api.get(path)
    assert missing.status == 404
    assert (
        missing.body["errorSummary"] == f"Not found: Resource not found: {group['id']} (UserGroup)"
    )


async def test_duplicate_group_name_is_400(api: Api) -> None:
    await _group(api, "Same")
    reply = await api.post("/api/v1/groups", {"profile": {"name": "same"}})
    assert reply.status == 400 and reply.body["errorCode"] == "E0000001"


async def test_list_groups_with_q_and_filter(api: Api) -> None:
    a = await _group(api, "Alpha team")
    await _group(api, "Beta team")
    by_q = await api.get("/api/v1/groups", params={"q": "alp"})
    assert [g["id"] for g in by_q.body] == [a["id"]]
    by_filter = await api.get("/api/v1/groups", params={"filter": 'type eq "OKTA_GROUP"'})
    assert len(by_filter.body) == 2
    by_id = await api.get("/api/v1/groups", params={"filter": f'id eq "{a["id"]}"'})
    assert [g["id"] for g in by_id.body] == [a["id"]]


async def test_membership_add_is_idempotent_and_logged_once(api: Api) -> None:
    group = await _group(api, "Members")
    user = await api.create_user("m@example.com")
    path = f"/api/v1/groups/{group['id']}/users/{user['id']}"
    assert (await api.put(path)).status == 204
    assert (await api.put(path)).status == 204
    assert len(api.org.events("group.user_membership.add")) == 1
    members = await api.get(f"/api/v1/groups/{group['id']}/users")
    assert [u["id"] for u in members.body] == [user["id"]]
    assert (await api.delete(path)).status == 204
    assert (await api.get(f"/api/v1/groups/{group['id']}/users")).body == []
    assert len(api.org.events("group.user_membership.remove")) == 1


async def test_membership_with_unknown_user_or_group_is_404(api: Api) -> None:
    group = await _group(api, "G")
    user = await api.create_user("u@example.com")
    assert (await api.put(f"/api/v1/groups/{group['id']}/users/00uMISSING")).status == 404
    assert (await api.put(f"/api/v1/groups/00gMISSING/users/{user['id']}")).status == 404


@pytest.mark.parametrize("fake_okta", [{"users": 120, "groups": 2}], indirect=True)
async def test_group_members_page_with_links(api: Api) -> None:
    gid = next(g for g in api.org.store.groups.values() if g["type"] == "OKTA_GROUP")["id"]
    members = await api.collect(f"/api/v1/groups/{gid}/users", params={"limit": "25"})
    assert len(members) == 60
    assert len({m["id"] for m in members}) == 60

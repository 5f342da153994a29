"""Applications API: any signOnMode, lifecycle, user and group assignments."""

from __future__ import annotations

from typing import Any

from tests.testing.conftest import Api

SAML = {
    "label": "Payroll",
    "signOnMode": "SAML_2_0",
    "visibility": {"autoSubmitToolbar": False, "hide": {"iOS": False, "web": False}},
    "settings": {
        "signOn": {"ssoAcsUrl": "https://p.example/acs", "audience": "https://p.example"},
        "customThing": {"nested": [1, 2, 3]},
    },
    "someFutureField": {"kept": True},
}


async def _app(api: Api, body: dict[str, Any], **params: str) -> dict[str, Any]:
    reply = await api.post("/api/v1/apps", body, params=params or None)
    assert reply.status == 200, reply.body
    return reply.body


async def test_create_keeps_every_body_field(api: Api) -> None:
    app = await _app(api, SAML)
    assert app["id"].startswith("0oa") and len(app["id"]) == 20
    assert app["status"] == "ACTIVE"
    for key, value in SAML.items():
        assert app[key] == value
    fetched = (await api.get(f"/api/v1/apps/{app['id']}")).body
    assert fetched["someFutureField"] == {"kept": True}
    assert fetched["_links"]["users"]["href"].endswith(f"/api/v1/apps/{app['id']}/users")


async def test_create_bookmark_and_oidc_apps(api: Api) -> None:
    bookmark = await _app(
        api,
        {
            "label": "Docs",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://d.example"}},
        },
    )
    assert bookmark["name"] == "bookmark"
    oidc = await _app(api, {"label": "Portal", "signOnMode": "OPENID_CONNECT"})
    assert oidc["credentials"]["oauthClient"]["client_id"] == oidc["id"]


async def test_create_without_label_is_400(api: Api) -> None:
    reply = await api.post("/api/v1/apps", {"signOnMode": "BOOKMARK"})
    assert reply.status == 400 and reply.body["errorCode"] == "E0000001"


async def test_delete_requires_inactive(api: Api) -> None:
    app = await _app(api, SAML)
    path = f"/api/v1/apps/{app['id']}"
    refused = await api.delete(path)
    assert refused.status == 403 and refused.body["errorCode"] == "E0000056"
    assert (await api.post(f"{path}/lifecycle/deactivate")).status == 200
    assert (await api.get(path)).body["status"] == "INACTIVE"
    assert (await api.delete(path)).status == 204
    assert (await api.get(path)).status == 404


async def test_activate_inactive_app(api: Api) -> None:
    app = await _app(api, SAML, activate="false")
    assert app["status"] == "INACTIVE"
    assert (await api.post(f"/api/v1/apps/{app['id']}/lifecycle/activate")).status == 200
    assert api.org.store.apps.get(app["id"])["status"] == "ACTIVE"


async def test_update_app_replaces_body(api: Api) -> None:
    app = await _app(api, SAML)
    reply = await api.put(f"/api/v1/apps/{app['id']}", {**SAML, "label": "Payroll 2"})
    assert reply.status == 200 and reply.body["label"] == "Payroll 2"
    assert reply.body["created"] == app["created"]


async def test_user_assignment_crud(api: Api) -> None:
    app = await _app(api, SAML)
    user = await api.create_user("assignee@example.com")
    base = f"/api/v1/apps/{app['id']}/users"
    body = {
        "id": user["id"],
        "scope": "USER",
        "credentials": {"userName": "assignee", "password": {"value": "s3cret"}},
        "profile": {"role": "admin"},
    }
    created = await api.post(base, body)
    assert created.status == 200
    assert created.body["credentials"] == {"userName": "assignee", "password": {}}
    assert created.body["profile"] == {"role": "admin"}
    assert created.body["_links"]["user"]["href"].endswith(user["id"])
    got = await api.get(f"{base}/{user['id']}")
    assert got.body["scope"] == "USER"
    updated = await api.post(f"{base}/{user['id']}", {"profile": {"role": "viewer"}})
    assert updated.body["profile"]["role"] == "viewer"
    listed = await api.get(base)
    assert [a["id"] for a in listed.body] == [user["id"]]
    assert (await api.delete(f"{base}/{user['id']}")).status == 204
    assert (await api.get(f"{base}/{user['id']}")).status == 404
    types = [e["eventType"] for e in api.org.events()]
    assert "application.user_membership.add" in types
    assert "application.user_membership.remove" in types


async def test_assigning_unknown_user_is_404(api: Api) -> None:
    app = await _app(api, SAML)
    reply = await api.post(f"/api/v1/apps/{app['id']}/users", {"id": "00uNOPE"})
    assert reply.status == 404 and reply.body["errorCode"] == "E0000007"


async def test_group_assignment_crud_with_priority(api: Api) -> None:
    app = await _app(api, SAML)
    group = (await api.post("/api/v1/groups", {"profile": {"name": "Payroll users"}})).body
    path = f"/api/v1/apps/{app['id']}/groups/{group['id']}"
    put = await api.put(path, {"priority": 2, "profile": {"role": "x"}})
    assert put.status == 200
    assert put.body["id"] == group["id"] and put.body["priority"] == 2
    assert (await api.get(path)).body["profile"] == {"role": "x"}
    listed = await api.get(f"/api/v1/apps/{app['id']}/groups")
    assert [a["id"] for a in listed.body] == [group["id"]]
    assert (await api.delete(path)).status == 204
    assert (await api.get(path)).status == 404


async def test_list_apps_filtered_by_status_user_and_group(api: Api) -> None:
    active = await _app(api, SAML)
    inactive = await _app(api, {**SAML, "label": "Other"}, activate="false")
    user = await api.create_user("f@example.com")
    group = (await api.post("/api/v1/groups", {"profile": {"name": "F"}})).body
    await api.put(f"/api/v1/groups/{group['id']}/users/{user['id']}")
    await api.put(f"/api/v1/apps/{inactive['id']}/groups/{group['id']}", {})
    await api.post(f"/api/v1/apps/{active['id']}/users", {"id": user["id"]})
    by_status = await api.get("/api/v1/apps", params={"filter": 'status eq "ACTIVE"'})
    assert [a["id"] for a in by_status.body] == [active["id"]]
    by_user = await api.get("/api/v1/apps", params={"filter": f'user.id eq "{user["id"]}"'})
    assert {a["id"] for a in by_user.body} == {active["id"], inactive["id"]}
    by_group = await api.get("/api/v1/apps", params={"filter": f'group.id eq "{group["id"]}"'})
    assert [a["id"] for a in by_group.body] == [inactive["id"]]


async def test_group_assignment_makes_members_group_scoped_app_users(api: Api) -> None:
    app = await _app(api, SAML)
    group = (await api.post("/api/v1/groups", {"profile": {"name": "Scoped"}})).body
    early = await api.create_user("early@example.com")
    late = await api.create_user("late@example.com")
    await api.put(f"/api/v1/groups/{group['id']}/users/{early['id']}")
    await api.put(f"/api/v1/apps/{app['id']}/groups/{group['id']}", {})
    await api.put(f"/api/v1/groups/{group['id']}/users/{late['id']}")
    users = (await api.get(f"/api/v1/apps/{app['id']}/users")).body
    assert [(u["id"], u["scope"]) for u in users] == [(early["id"], "GROUP"), (late["id"], "GROUP")]
    # an explicit assignment turns into USER scope and survives leaving the group
    await api.post(f"/api/v1/apps/{app['id']}/users", {"id": early["id"]})
    await api.delete(f"/api/v1/groups/{group['id']}/users/{early['id']}")
    await api.delete(f"/api/v1/groups/{group['id']}/users/{late['id']}")
    users = (await api.get(f"/api/v1/apps/{app['id']}/users")).body
    assert [(u["id"], u["scope"]) for u in users] == [(early["id"], "USER")]


async def test_removing_the_group_assignment_drops_group_scoped_users(api: Api) -> None:
    app = await _app(api, SAML)
    group = (await api.post("/api/v1/groups", {"profile": {"name": "Drop"}})).body
    user = await api.create_user("drop@example.com")
    await api.put(f"/api/v1/groups/{group['id']}/users/{user['id']}")
    await api.put(f"/api/v1/apps/{app['id']}/groups/{group['id']}", {})
    assert len((await api.get(f"/api/v1/apps/{app['id']}/users")).body) == 1
    await api.delete(f"/api/v1/apps/{app['id']}/groups/{group['id']}")
    assert (await api.get(f"/api/v1/apps/{app['id']}/users")).body == []

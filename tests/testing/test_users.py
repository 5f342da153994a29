"""Users API behaviour over real HTTP."""

from __future__ import annotations

import pytest

from tests.testing.conftest import Api

DUPLICATE = "An object with this field already exists in the current organization"
PASSWORD = {"password": {"value": "Tr0ub4dor&3xyz!"}}


async def test_create_without_credentials_and_activate_is_provisioned(api: Api) -> None:
    user = await api.create_user("prov@example.com")
    assert user["status"] == "PROVISIONED"
    assert user["id"].startswith("00u") and len(user["id"]) == 20
    assert "password" not in user["credentials"]


async def test_create_with_password_is_active_and_hides_password(api: Api) -> None:
    user = await api.create_user("active@example.com", credentials=PASSWORD)
    assert user["status"] == "ACTIVE"
    assert user["credentials"]["password"] == {}
    assert user["credentials"]["provider"] == {"type": "OKTA", "name": "OKTA"}
    assert user["created"].endswith("Z") and len(user["created"]) == 24
    assert user["_links"]["self"]["href"] == f"{api.org.url}/api/v1/users/{user['id']}"
    assert "suspend" in user["_links"]


async def test_create_with_activate_false_is_staged(api: Api) -> None:
    user = await api.create_user("staged@example.com", params={"activate": "false"})
    assert user["status"] == "STAGED"
    assert user["activated"] is None
    assert "activate" in user["_links"]


async def test_create_with_next_login_change_password_is_password_expired(api: Api) -> None:
    user = await api.create_user(
        "expired@example.com",
        credentials=PASSWORD,
        params={"activate": "true", "nextLogin": "changePassword"},
    )
    assert user["status"] == "PASSWORD_EXPIRED"


async def test_create_with_provider_true_is_active_federated(api: Api) -> None:
    user = await api.create_user("fed@example.com", params={"provider": "true"})
    assert user["status"] == "ACTIVE"
    assert user["credentials"]["provider"]["type"] == "FEDERATION"


async def test_duplicate_login_is_400_e0000001_with_cause(api: Api) -> None:
    await api.create_user("dup@example.com")
    reply = await api.post(
        "/api/v1/users",
        {
            "profile": {
                "login": "DUP@example.com",
                "email": "x@example.com",
                "firstName": "a",
                "lastName": "b",
            }
        },
    )
    assert reply.status == 400
    assert reply.body["errorCode"] == "E0000001"
    assert reply.body["errorCauses"] == [{"errorSummary": "login: " + DUPLICATE}]
    assert set(reply.body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}


async def test_missing_required_profile_field_is_400(api: Api) -> None:
    reply = await api.post("/api/v1/users", {"profile": {"login": "x@example.com"}})
    assert reply.status == 400
    assert reply.body["errorCode"] == "E0000001"
    assert any("email" in c["errorSummary"] for c in reply.body["errorCauses"])


async def test_get_by_id_login_and_unambiguous_shortname(api: Api) -> None:
    user = await api.create_user("grace.hopper@example.com")
    for key in (user["id"], "grace.hopper@example.com", "grace.hopper"):
        reply = await api.get(f"/api/v1/users/{key}")
        assert reply.status == 200
        assert reply.body["id"] == user["id"]


async def test_unknown_user_is_404_e0000007(api: Api) -> None:
    reply = await api.get("/api/v1/users/00uNOPE")
    assert reply.status == 404
    assert reply.body["errorCode"] == "E0000007"
    assert reply.body["errorSummary"] == "Not found: Resource not found: 00uNOPE (User)"


async def test_partial_update_merges_profile(api: Api) -> None:
    user = await api.create_user("merge@example.com", profile={"department": "Eng"})
    reply = await api.post(f"/api/v1/users/{user['id']}", {"profile": {"title": "Boss"}})
    assert reply.status == 200
    assert reply.body["profile"]["department"] == "Eng"
    assert reply.body["profile"]["title"] == "Boss"
    assert reply.body["lastUpdated"] >= user["lastUpdated"]


async def test_full_update_replaces_profile(api: Api) -> None:
    user = await api.create_user("replace@example.com", profile={"department": "Eng"})
    profile = {**user["profile"]}
    del profile["department"]
    reply = await api.put(f"/api/v1/users/{user['id']}", {"profile": profile})
    assert reply.status == 200
    assert "department" not in reply.body["profile"]


async def test_update_to_taken_login_is_rejected(api: Api) -> None:
    await api.create_user("one@example.com")
    two = await api.create_user("two@example.com")
    reply = await api.post(f"/api/v1/users/{two['id']}", {"profile": {"login": "one@example.com"}})
    assert reply.status == 400
    assert reply.body["errorCode"] == "E0000001"


async def test_activate_staged_user_returns_token_when_send_email_false(api: Api) -> None:
    user = await api.create_user("act@example.com", params={"activate": "false"})
    reply = await api.post(
        f"/api/v1/users/{user['id']}/lifecycle/activate", params={"sendEmail": "false"}
    )
    assert reply.status == 200
    assert set(reply.body) == {"activationUrl", "activationToken"}
    assert (await api.get(f"/api/v1/users/{user['id']}")).body["status"] == "PROVISIONED"


async def test_activate_active_user_is_403_e0000016(api: Api) -> None:
    user = await api.create_user("already@example.com", credentials=PASSWORD)
    reply = await api.post(f"/api/v1/users/{user['id']}/lifecycle/activate")
    assert reply.status == 403
    assert reply.body["errorCode"] == "E0000016"


async def test_suspend_unsuspend_cycle_and_errors(api: Api) -> None:
    user = await api.create_user("sus@example.com", credentials=PASSWORD)
    base = f"/api/v1/users/{user['id']}/lifecycle"
    assert (await api.post(f"{base}/unsuspend")).status == 400
    assert (await api.post(f"{base}/suspend")).status == 200
    assert (await api.get(f"/api/v1/users/{user['id']}")).body["status"] == "SUSPENDED"
    again = await api.post(f"{base}/suspend")
    assert again.status == 400 and again.body["errorCode"] == "E0000001"
    assert (await api.post(f"{base}/unsuspend")).status == 200
    assert (await api.get(f"/api/v1/users/{user['id']}")).body["status"] == "ACTIVE"


async def test_unlock_only_for_locked_out(api: Api) -> None:
    user = await api.create_user("lock@example.com", credentials=PASSWORD)
    base = f"/api/v1/users/{user['id']}/lifecycle"
    refused = await api.post(f"{base}/unlock")
    assert refused.status == 403 and refused.body["errorCode"] == "E0000032"
    api.org.set_user_status(user["id"], "LOCKED_OUT")
    assert (await api.post(f"{base}/unlock")).status == 200
    assert api.org.store.users.get(user["id"])["status"] == "ACTIVE"


async def test_expire_password_returns_user_or_temp_password(api: Api) -> None:
    user = await api.create_user("exp@example.com", credentials=PASSWORD)
    base = f"/api/v1/users/{user['id']}/lifecycle/expire_password"
    reply = await api.post(base)
    assert reply.status == 200 and reply.body["status"] == "PASSWORD_EXPIRED"
    temp = await api.post(base, params={"tempPassword": "true"})
    assert set(temp.body) == {"tempPassword"}


async def test_reset_password_moves_to_recovery(api: Api) -> None:
    user = await api.create_user("rst@example.com", credentials=PASSWORD)
    reply = await api.post(
        f"/api/v1/users/{user['id']}/lifecycle/reset_password", params={"sendEmail": "false"}
    )
    assert reply.status == 200 and "resetPasswordUrl" in reply.body
    assert api.org.store.users.get(user["id"])["status"] == "RECOVERY"


async def test_lifecycle_not_allowed_on_staged_user_is_403_e0000038(api: Api) -> None:
    user = await api.create_user("st@example.com", params={"activate": "false"})
    reply = await api.post(f"/api/v1/users/{user['id']}/lifecycle/expire_password")
    assert reply.status == 403 and reply.body["errorCode"] == "E0000038"


async def test_first_delete_deactivates_second_delete_removes(api: Api) -> None:
    user = await api.create_user("del@example.com", credentials=PASSWORD)
    path = f"/api/v1/users/{user['id']}"
    assert (await api.delete(path)).status == 204
    assert (await api.get(path)).body["status"] == "DEPROVISIONED"
    assert (await api.delete(path)).status == 204
    assert (await api.get(path)).status == 404
    types = [e["eventType"] for e in api.org.events()]
    assert types[-3:] == [
        "user.lifecycle.deactivate",
        "user.lifecycle.delete.initiated",
        "user.lifecycle.delete.completed",
    ]


async def test_deprovisioned_profile_is_read_only_403_e0000038(api: Api) -> None:
    user = await api.create_user("ro@example.com")
    await api.post(f"/api/v1/users/{user['id']}/lifecycle/deactivate")
    reply = await api.post(f"/api/v1/users/{user['id']}", {"profile": {"title": "x"}})
    assert reply.status == 403 and reply.body["errorCode"] == "E0000038"


async def test_deactivate_then_activate_again(api: Api) -> None:
    user = await api.create_user("back@example.com", credentials=PASSWORD)
    base = f"/api/v1/users/{user['id']}/lifecycle"
    assert (await api.post(f"{base}/deactivate")).status == 200
    assert (await api.post(f"{base}/activate", params={"sendEmail": "false"})).status == 200
    assert api.org.store.users.get(user["id"])["status"] == "ACTIVE"


@pytest.mark.parametrize("fake_okta", [{"users": 30, "groups": 3, "apps": 3}], indirect=True)
async def test_user_groups_and_app_links(api: Api) -> None:
    user = next(iter(api.org.store.users.values()))
    groups = await api.get(f"/api/v1/users/{user['id']}/groups")
    assert groups.status == 200
    assert [g["id"] for g in groups.body] == api.org.store.user_group_ids(user["id"])
    links = await api.get(f"/api/v1/users/{user['id']}/appLinks")
    assert links.status == 200
    assert {link["appInstanceId"] for link in links.body} == set(
        api.org.store.user_app_ids(user["id"])
    )
    assert all(link["appInstanceId"].startswith("0oa") for link in links.body)

"""Create/update user validation answers like Okta: E0000001 with Okta's errorCauses wording."""

from __future__ import annotations

from typing import Any

import pytest

from okta_async.testing import PasswordPolicy
from tests.testing.conftest import Api

REQUIREMENTS = (
    "password: Password requirements: at least 8 characters, a lowercase letter, "
    "an uppercase letter, a number."
)


def _body(login: str, email: str | None = None, password: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "profile": {
            "login": login,
            "email": email if email is not None else login,
            "firstName": "Ada",
            "lastName": "Lovelace",
        }
    }
    if password is not None:
        body["credentials"] = {"password": {"value": password}}
    return body


def _causes(body: dict[str, Any]) -> list[str]:
    return [c["errorSummary"] for c in body["errorCauses"]]


async def test_login_and_email_not_email_shaped_give_both_causes_and_no_user(api: Api) -> None:
    reply = await api.post("/api/v1/users", _body("bad@", "bad@"))
    assert reply.status == 400
    assert reply.body["errorCode"] == "E0000001"
    assert reply.body["errorSummary"] == "Api validation failed: login"
    assert _causes(reply.body) == [
        "login: Username must be in the form of an email address",
        "email: Does not match required pattern",
    ]
    assert len(api.org.store.users) == 0


@pytest.mark.parametrize("email", ["bad@", "no-at-sign", "two@@example.com", "a b@example.com"])
async def test_malformed_email_is_refused(api: Api, email: str) -> None:
    reply = await api.post("/api/v1/users", _body("ok@example.com", email))
    assert reply.status == 400
    assert reply.body["errorSummary"] == "Api validation failed: email"
    assert _causes(reply.body) == ["email: Does not match required pattern"]


@pytest.mark.parametrize(
    "password", ["short", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "Sh0rt"]
)
async def test_password_outside_default_policy_is_refused(api: Api, password: str) -> None:
    reply = await api.post("/api/v1/users", _body("pw@example.com", password=password))
    assert reply.status == 400
    assert reply.body["errorSummary"] == "Api validation failed: password"
    assert _causes(reply.body) == [REQUIREMENTS]
    assert len(api.org.store.users) == 0


async def test_password_meeting_default_policy_is_accepted(api: Api) -> None:
    reply = await api.post("/api/v1/users", _body("pw@example.com", password="Passw0rd"))
    assert reply.status == 200 and reply.body["status"] == "ACTIVE"


async def test_imported_password_hash_is_not_checked_against_the_policy(api: Api) -> None:
    body = _body("hash@example.com")
    body["credentials"] = {
        "password": {"hash": {"algorithm": "BCRYPT", "workFactor": 10, "salt": "s", "value": "v"}}
    }
    reply = await api.post("/api/v1/users", body)
    assert reply.status == 200 and reply.body["status"] == "ACTIVE"


@pytest.mark.parametrize(
    "fake_okta",
    [{"password_policy": PasswordPolicy(min_length=12, uppercase=False)}],
    indirect=True,
)
async def test_password_policy_is_configurable(api: Api) -> None:
    refused = await api.post("/api/v1/users", _body("a@example.com", password="Passw0rd"))
    assert _causes(refused.body) == [
        "password: Password requirements: at least 12 characters, a lowercase letter, a number."
    ]
    accepted = await api.post("/api/v1/users", _body("a@example.com", password="lowercase1234"))
    assert accepted.status == 200


async def test_partial_update_with_bad_email_or_password_changes_nothing(api: Api) -> None:
    user = await api.create_user("keep@example.com")
    path = f"/api/v1/users/{user['id']}"
    bad_email = await api.post(path, {"profile": {"email": "nope"}})
    assert bad_email.status == 400 and _causes(bad_email.body) == [
        "email: Does not match required pattern"
    ]
    bad_password = await api.post(path, {"credentials": {"password": {"value": "short"}}})
    assert bad_password.status == 400 and _causes(bad_password.body) == [REQUIREMENTS]
    stored = api.org.store.users.get(user["id"])
    assert stored["profile"]["email"] == "keep@example.com"
    assert "password" not in stored["credentials"]


async def test_update_to_malformed_login_is_refused(api: Api) -> None:
    user = await api.create_user("login@example.com")
    reply = await api.post(f"/api/v1/users/{user['id']}", {"profile": {"login": "not-an-email"}})
    assert reply.status == 400
    assert _causes(reply.body) == ["login: Username must be in the form of an email address"]
    assert api.org.store.find_user("login@example.com") is not None


async def test_unknown_group_id_is_404_and_no_user_is_stored(api: Api) -> None:
    body = {**_body("grouped@example.com"), "groupIds": ["00gDOESNOTEXIST00000"]}
    reply = await api.post("/api/v1/users", body)
    assert reply.status == 404 and reply.body["errorCode"] == "E0000007"
    assert reply.body["errorSummary"] == (
        "Not found: Resource not found: 00gDOESNOTEXIST00000 (UserGroup)"
    )
    assert len(api.org.store.users) == 0
    assert api.org.events("user.lifecycle.create") == []
    retry = await api.post("/api/v1/users", _body("grouped@example.com"))
    assert retry.status == 200


async def test_group_ids_add_the_new_user_to_each_group(api: Api) -> None:
    group = await api.post("/api/v1/groups", {"profile": {"name": "Joiners"}})
    reply = await api.post(
        "/api/v1/users", {**_body("joins@example.com"), "groupIds": [group.body["id"]]}
    )
    assert reply.status == 200
    members = await api.get(f"/api/v1/groups/{group.body['id']}/users")
    assert [m["id"] for m in members.body] == [reply.body["id"]]


async def test_next_login_without_activate_is_e0000125(api: Api) -> None:
    reply = await api.post(
        "/api/v1/users",
        _body("exp@example.com", password="Passw0rd"),
        params={"activate": "false", "nextLogin": "changePassword"},
    )
    assert reply.status == 400 and reply.body["errorCode"] == "E0000125"


async def test_next_login_without_password_is_e0000124(api: Api) -> None:
    reply = await api.post(
        "/api/v1/users", _body("exp@example.com"), params={"nextLogin": "changePassword"}
    )
    assert reply.status == 400 and reply.body["errorCode"] == "E0000124"
    assert len(api.org.store.users) == 0

"""Group rules: lifecycle, rule-based membership on activation and on profile changes, errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okta_async.testing.expression import ExpressionError, compile_expression
from tests.testing.conftest import Api

RULES = "/api/v1/groups/rules"


async def _group(api: Api, name: str) -> str:
    reply = await api.post("/api/v1/groups", {"profile": {"name": name}})
    assert reply.status == 200, reply.body
    return str(reply.body["id"])


def _rule_body(group_id: str, expression: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "group_rule",
        "name": extra.pop("name", "Engineering rule"),
        "conditions": {
            "people": {"users": {"exclude": extra.pop("exclude", [])}},
            "expression": {"value": expression, "type": "urn:okta:expression:1.0"},
        },
        "actions": {"assignUserToGroups": {"groupIds": [group_id]}},
        **extra,
    }


async def _rule(api: Api, group_id: str, expression: str, **extra: Any) -> dict[str, Any]:
    reply = await api.post(RULES, _rule_body(group_id, expression, **extra))
    assert reply.status == 200, reply.body
    return reply.body  # type: ignore[no-any-return]


async def _member_ids(api: Api, group_id: str) -> set[str]:
    return {u["id"] for u in await api.collect(f"/api/v1/groups/{group_id}/users")}


async def test_rule_is_created_inactive_listed_and_fetched(api: Api) -> None:
    gid = await _group(api, "Engineers")
    rule = await _rule(api, gid, 'user.department=="Engineering"')
    assert rule["id"].startswith("0pr") and rule["status"] == "INACTIVE"
    assert rule["type"] == "group_rule"
    assert rule["conditions"]["expression"]["value"] == 'user.department=="Engineering"'
    assert rule["actions"]["assignUserToGroups"]["groupIds"] == [gid]
    assert [r["id"] for r in (await api.get(RULES)).body] == [rule["id"]]
    fetched = await api.get(f"{RULES}/{rule['id']}", params={"expand": "groupIdToGroupNameMap"})
    assert fetched.body["_embedded"]["groupIdToGroupNameMap"] == {gid: "Engineers"}
    assert (await api.get(f"{RULES}/0prNOPE")).status == 404


async def test_rule_path_is_not_taken_for_a_group_id(api: Api) -> None:
    reply = await api.get(RULES)
    assert reply.status == 200 and reply.body == []


@pytest.mark.parametrize("fake_okta", [{"users": 14}], indirect=True)
async def test_activation_adds_every_matching_user(api: Api) -> None:
    gid = await _group(api, "Engineers")
    rule = await _rule(api, gid, 'user.department=="Engineering"')
    assert await _member_ids(api, gid) == set()
    activated = await api.post(f"{RULES}/{rule['id']}/lifecycle/activate")
    assert activated.status == 204
    engineers = {
        u["id"] for u in api.org.store.users.values() if u["profile"]["department"] == "Engineering"
    }
    assert engineers and await _member_ids(api, gid) == engineers
    assert (await api.get(f"{RULES}/{rule['id']}")).body["status"] == "ACTIVE"


async def test_profile_change_joins_and_leaves_the_rule_group(api: Api) -> None:
    gid = await _group(api, "Sales")
    rule = await _rule(api, gid, 'user.department=="Sales"')
    await api.post(f"{RULES}/{rule['id']}/lifecycle/activate")
    user = await api.create_user("rep@example.com", profile={"department": "Support"})
    assert await _member_ids(api, gid) == set()
    await api.post(f"/api/v1/users/{user['id']}", {"profile": {"department": "Sales"}})
    assert await _member_ids(api, gid) == {user["id"]}
    await api.post(f"/api/v1/users/{user['id']}", {"profile": {"department": "Legal"}})
    assert await _member_ids(api, gid) == set()


async def test_new_matching_user_joins_at_creation(api: Api) -> None:
    gid = await _group(api, "Admins")
    rule = await _rule(
        api, gid, 'String.startsWith(user.login, "admin") AND user.title != "Intern"'
    )
    await api.post(f"{RULES}/{rule['id']}/lifecycle/activate")
    admin = await api.create_user("admin.one@example.com", profile={"title": "Lead"})
    await api.create_user("admin.two@example.com", profile={"title": "Intern"})
    await api.create_user("someone@example.com", profile={"title": "Lead"})
    assert await _member_ids(api, gid) == {admin["id"]}


async def test_excluded_user_and_manual_membership_are_left_alone(api: Api) -> None:
    gid = await _group(api, "Finance")
    manual = await api.create_user("manual@example.com", profile={"department": "Finance"})
    await api.put(f"/api/v1/groups/{gid}/users/{manual['id']}")
    skipped = await api.create_user("skip@example.com", profile={"department": "Finance"})
    rule = await _rule(api, gid, 'user.department=="Finance"', exclude=[skipped["id"]])
    await api.post(f"{RULES}/{rule['id']}/lifecycle/activate")
    assert await _member_ids(api, gid) == {manual["id"]}
    await api.post(f"/api/v1/users/{manual['id']}", {"profile": {"department": "Legal"}})
    assert await _member_ids(api, gid) == {manual["id"]}


async def test_deactivated_rule_keeps_members_and_stops_evaluating(api: Api) -> None:
    gid = await _group(api, "Ops")
    user = await api.create_user("ops@example.com", profile={"department": "Operations"})
    rule = await _rule(api, gid, 'user.department=="Operations"')
    await api.post(f"{RULES}/{rule['id']}/lifecycle/activate")
    assert (await api.post(f"{RULES}/{rule['id']}/lifecycle/deactivate")).status == 204
    assert (await api.get(f"{RULES}/{rule['id']}")).body["status"] == "INACTIVE"
    await api.create_user("ops2@example.com", profile={"department": "Operations"})
    assert await _member_ids(api, gid) == {user["id"]}


async def test_active_rule_cannot_be_deleted_or_replaced(api: Api) -> None:
    gid = await _group(api, "Locked")
    rule = await _rule(api, gid, 'user.department=="X"')
    path = f"{RULES}/{rule['id']}"
    await api.post(f"{path}/lifecycle/activate")
    deleted = await api.delete(path)
    assert deleted.status == 400 and deleted.body["errorCode"] == "E0000001"
    replaced = await api.put(path, _rule_body(gid, 'user.department=="Y"'))
    assert replaced.status == 400 and replaced.body["errorCode"] == "E0000001"
    assert (await api.get(path)).body["conditions"]["expression"]["value"] == 'user.department=="X"'


async def test_inactive_rule_is_replaced_then_deleted_with_202(api: Api) -> None:
    gid = await _group(api, "Editable")
    rule = await _rule(api, gid, 'user.department=="X"')
    path = f"{RULES}/{rule['id']}"
    replaced = await api.put(path, _rule_body(gid, 'user.department=="Y"', name="Renamed"))
    assert replaced.status == 200 and replaced.body["name"] == "Renamed"
    other = await _group(api, "Other")
    moved = await api.put(path, _rule_body(other, 'user.department=="Y"'))
    assert moved.status == 400
    assert (await api.delete(path)).status == 202
    assert (await api.get(path)).status == 404


@pytest.mark.parametrize("remove_users", [True, False])
async def test_delete_with_remove_users_takes_back_rule_memberships(
    api: Api, remove_users: bool
) -> None:
    gid = await _group(api, "Temporary")
    user = await api.create_user("temp@example.com", profile={"department": "Temp"})
    rule = await _rule(api, gid, 'user.department=="Temp"')
    path = f"{RULES}/{rule['id']}"
    await api.post(f"{path}/lifecycle/activate")
    await api.post(f"{path}/lifecycle/deactivate")
    await api.delete(path, params={"removeUsers": str(remove_users).lower()})
    assert await _member_ids(api, gid) == (set() if remove_users else {user["id"]})


async def test_deleting_the_target_group_makes_the_rule_invalid(api: Api) -> None:
    gid = await _group(api, "Doomed")
    rule = await _rule(api, gid, 'user.department=="X"')
    await api.delete(f"/api/v1/groups/{gid}")
    path = f"{RULES}/{rule['id']}"
    assert (await api.get(path)).body["status"] == "INVALID"
    assert (await api.post(f"{path}/lifecycle/activate")).status == 400
    assert (await api.delete(path)).status == 202


@pytest.mark.parametrize(
    "expression",
    [
        "user.department",  # not a condition
        'user.department=="x" AND',  # dangling operator
        'isMemberOfAnyGroup("00g1")',  # function the fake does not evaluate
        "__import__('os').system('true')",
        'profile.department=="x"',
        "String.startsWith(user.login)",
    ],
)
async def test_expression_it_cannot_evaluate_is_400(api: Api, expression: str) -> None:
    gid = await _group(api, "Target")
    reply = await api.post(RULES, _rule_body(gid, expression))
    assert reply.status == 400 and reply.body["errorCode"] == "E0000001"
    assert reply.body["errorSummary"] == "Api validation failed: validateRule"
    assert (await api.get(RULES)).body == []


async def test_rule_needs_a_name_and_an_assignable_target_group(api: Api) -> None:
    gid = await _group(api, "Target")
    nameless = await api.post(RULES, _rule_body(gid, 'user.a=="b"', name=""))
    assert nameless.status == 400 and nameless.body["errorSummary"] == "Api validation failed: name"
    missing = await api.post(RULES, _rule_body("00gMISSING0000000000", 'user.a=="b"'))
    assert missing.status == 404
    everyone = (await api.get("/api/v1/groups", params={"q": "Everyone"})).body[0]["id"]
    built_in = await api.post(RULES, _rule_body(everyone, 'user.a=="b"'))
    assert built_in.status == 400 and built_in.body["errorCode"] == "E0000060"


async def test_or_not_and_lowercase_forms_evaluate(api: Api) -> None:
    gid = await _group(api, "Mixed")
    expression = (
        '(String.toLowerCase(user.city)=="paris" || user.city=="Lyon") && !(user.title=="Intern")'
    )
    rule = await _rule(api, gid, expression)
    paris = await api.create_user("p@example.com", profile={"city": "PARIS", "title": "Lead"})
    lyon = await api.create_user("l@example.com", profile={"city": "Lyon", "title": "Lead"})
    await api.create_user("i@example.com", profile={"city": "Lyon", "title": "Intern"})
    await api.create_user("n@example.com", profile={"city": "Nice", "title": "Lead"})
    await api.post(f"{RULES}/{rule['id']}/lifecycle/activate")
    assert await _member_ids(api, gid) == {paris["id"], lyon["id"]}


@given(st.text(alphabet='user.department=="Eng" ()!&|,ANDORSting.startsWith\\\'', max_size=60))
def test_any_expression_text_compiles_or_is_refused_cleanly(text: str) -> None:
    try:
        predicate = compile_expression(text)
    except ExpressionError:
        return
    assert predicate({"profile": {"department": "Eng"}}) in (True, False)


def test_deeply_nested_expression_is_refused_not_a_server_error() -> None:
    with pytest.raises(ExpressionError):
        compile_expression("(" * 5000 + "true" + ")" * 5000)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "r", "conditions": ["not", "an", "object"]},
        {"name": "r", "conditions": {"expression": 'user.a=="b"'}},
        {"name": "r", "conditions": {"expression": {"value": 'user.a=="b"', "type": "other"}}},
        {"name": "r", "conditions": {"expression": {"value": 'user.a=="b"'}}, "actions": []},
    ],
)
async def test_malformed_rule_body_is_400_not_a_server_error(api: Api, body: dict) -> None:
    reply = await api.post(RULES, body)
    assert reply.status == 400 and reply.body["errorCode"] == "E0000001"

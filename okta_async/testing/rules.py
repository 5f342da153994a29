"""Group rules (``/api/v1/groups/rules``): create, list, get, replace, activate, deactivate, delete.

A rule starts INACTIVE. Activating it adds every matching user (not excluded, not deactivated)
to its groups; while it is ACTIVE, creating a user or changing a profile re-evaluates it, and a
user who stops matching leaves the groups the rule had added them to (memberships given by
hand are never taken away). Deactivating keeps memberships; ``DELETE ?removeUsers=true`` takes
back what the rule gave. As in Okta, an ACTIVE rule cannot be replaced or deleted (400), and a
rule whose target group is deleted becomes INVALID. Expressions: see ``expression``; one the
fake cannot evaluate is refused with 400 when the rule is created.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from okta_async.testing._util import (
    ApiError,
    Json,
    empty_response,
    json_response,
    not_found,
    query_bool,
    read_json,
)
from okta_async.testing.expression import ExpressionError, compile_expression
from okta_async.testing.pagination import list_response, parse_limit
from okta_async.testing.state import OrgState, state_of

EXPRESSION_TYPE = "urn:okta:expression:1.0"


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "E0000001", f"Api validation failed: {field}", [f"{field}: {message}"])


def _dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or None as soon as a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _rule_or_404(state: OrgState, rule_id: str) -> Json:
    rule = state.store.group_rules.get(rule_id)
    if rule is None:
        raise not_found(rule_id, "GroupRule")
    return rule


def _check_name(body: Json) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid("name", "The field cannot be left blank")
    if len(name) > 50:
        raise _invalid("name", "The field is too long")
    return name


def _check_expression(body: Json) -> Json:
    """The rule's ``conditions.expression``, refused when it is not an expression we evaluate."""
    value = _dig(body, "conditions", "expression", "value")
    kind = _dig(body, "conditions", "expression", "type") or EXPRESSION_TYPE
    if not isinstance(value, str) or kind != EXPRESSION_TYPE:
        raise _invalid("conditions.expression", f"A {EXPRESSION_TYPE} expression is required")
    try:
        compile_expression(value)
    except ExpressionError as exc:
        raise ApiError(
            400,
            "E0000001",
            "Api validation failed: validateRule",
            [f"Invalid expression {value!r}: {exc}"],
        ) from None
    return {"value": value, "type": EXPRESSION_TYPE}


def _check_group_ids(state: OrgState, body: Json) -> list[str]:
    """``actions.assignUserToGroups.groupIds``: at least one, each a group users may join."""
    from okta_async.testing.groups import check_assignable

    ids = _dig(body, "actions", "assignUserToGroups", "groupIds")
    if not isinstance(ids, list) or not ids:
        raise _invalid("actions.assignUserToGroups.groupIds", "The field cannot be left blank")
    for gid in ids:
        check_assignable(state, str(gid))
    return [str(g) for g in ids]


def _excluded_users(body: Json) -> list[str]:
    exclude = _dig(body, "conditions", "people", "users", "exclude")
    return [str(u) for u in exclude] if isinstance(exclude, list) else []


def _conditions(body: Json) -> Json:
    return {
        "people": {"users": {"exclude": _excluded_users(body)}, "groups": {"exclude": []}},
        "expression": _check_expression(body),
    }


async def create_rule(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    name, conditions = _check_name(body), _conditions(body)
    group_ids = _check_group_ids(state, body)
    stamp = state.timestamp()
    rule: Json = {
        "type": "group_rule",
        "id": state.ids.new("0pr"),
        "status": "INACTIVE",
        "name": name,
        "created": stamp,
        "lastUpdated": stamp,
        "conditions": conditions,
        "actions": {"assignUserToGroups": {"groupIds": group_ids}},
    }
    state.store.group_rules.put(rule["id"], rule)
    state.store.rule_members[rule["id"]] = set()
    return json_response(_render(state, rule, request))


def _render(state: OrgState, rule: Json, request: web.Request) -> Json:
    """The rule as served; ``expand=groupIdToGroupNameMap`` adds the target groups' names."""
    if request.query.get("expand") != "groupIdToGroupNameMap":
        return rule
    names = {}
    for gid in rule["actions"]["assignUserToGroups"]["groupIds"]:
        group = state.store.groups.get(gid)
        names[gid] = group["profile"]["name"] if group else None
    return {**rule, "_embedded": {"groupIdToGroupNameMap": names}}


async def list_rules(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = parse_limit(request, "group_rules")
    word = request.query.get("search", "").lower()
    items, next_after = state.store.group_rules.page(
        request.query.get("after"), limit, lambda r: word in r["name"].lower()
    )
    return list_response(request, items, next_after, lambda r: _render(state, r, request))


async def get_rule(request: web.Request) -> web.Response:
    state = state_of(request)
    rule = _rule_or_404(state, request.match_info["ruleId"])
    return json_response(_render(state, rule, request))


def _refuse_active(rule: Json, action: str) -> None:
    if rule["status"] == "ACTIVE":
        raise _invalid("status", f"Cannot {action} an ACTIVE group rule; deactivate it first")


async def replace_rule(request: web.Request) -> web.Response:
    state = state_of(request)
    rule = _rule_or_404(state, request.match_info["ruleId"])
    _refuse_active(rule, "update")
    body = await read_json(request)
    name, conditions = _check_name(body), _conditions(body)
    if _check_group_ids(state, body) != rule["actions"]["assignUserToGroups"]["groupIds"]:
        raise _invalid("actions", "The actions of a group rule cannot be changed")
    rule.update(name=name, conditions=conditions, lastUpdated=state.timestamp())
    if rule["status"] == "INVALID":
        rule["status"] = "INACTIVE"
    return json_response(_render(state, rule, request))


async def delete_rule(request: web.Request) -> web.Response:
    from okta_async.testing.groups import remove_member

    state = state_of(request)
    rule = _rule_or_404(state, request.match_info["ruleId"])
    _refuse_active(rule, "delete")
    given = state.store.rule_members.pop(rule["id"], set())
    state.store.group_rules.pop(rule["id"])
    users = (state.store.users.get(u) for u in given)
    if query_bool(request, "removeUsers", False):
        for user in (u for u in users if u is not None):
            for group in _target_groups(state, rule):
                remove_member(state, group, user)
    return web.Response(status=202)


async def activate_rule(request: web.Request) -> web.Response:
    state = state_of(request)
    rule = _rule_or_404(state, request.match_info["ruleId"])
    if rule["status"] == "INVALID":
        raise _invalid("status", "An INVALID group rule cannot be activated")
    if rule["status"] != "ACTIVE":
        rule.update(status="ACTIVE", lastUpdated=state.timestamp())
        for user in list(state.store.users.values()):
            _evaluate(state, rule, user)
    return empty_response(204)


async def deactivate_rule(request: web.Request) -> web.Response:
    state = state_of(request)
    rule = _rule_or_404(state, request.match_info["ruleId"])
    if rule["status"] == "ACTIVE":
        rule.update(status="INACTIVE", lastUpdated=state.timestamp())
    return empty_response(204)


def _target_groups(state: OrgState, rule: Json) -> list[Json]:
    groups = (state.store.groups.get(g) for g in rule["actions"]["assignUserToGroups"]["groupIds"])
    return [g for g in groups if g is not None]


def _matches(rule: Json, user: Json) -> bool:
    if user["status"] == "DEPROVISIONED":
        return False
    if user["id"] in rule["conditions"]["people"]["users"]["exclude"]:
        return False
    return compile_expression(rule["conditions"]["expression"]["value"])(user)


def _evaluate(state: OrgState, rule: Json, user: Json) -> None:
    """Add a matching user to the rule's groups, or take back what it gave one who no longer is."""
    from okta_async.testing.groups import add_member, remove_member

    given = state.store.rule_members.setdefault(rule["id"], set())
    if _matches(rule, user):
        for group in _target_groups(state, rule):
            if add_member(state, group["id"], user["id"]):
                given.add(user["id"])
    elif user["id"] in given:
        given.discard(user["id"])
        for group in _target_groups(state, rule):
            if not _held_by_other_rule(state, rule, group["id"], user):
                remove_member(state, group, user)


def _held_by_other_rule(state: OrgState, rule: Json, group_id: str, user: Json) -> bool:
    return any(
        other is not rule
        and other["status"] == "ACTIVE"
        and group_id in other["actions"]["assignUserToGroups"]["groupIds"]
        and _matches(other, user)
        for other in state.store.group_rules.values()
    )


def apply_rules(state: OrgState, user: Json) -> None:
    """Re-evaluate every ACTIVE rule for one user (after creation or a profile change)."""
    for rule in list(state.store.group_rules.values()):
        if rule["status"] == "ACTIVE":
            _evaluate(state, rule, user)


def invalidate_rules_for_group(state: OrgState, group_id: str) -> None:
    """Mark INVALID every rule that targets a deleted group, as Okta does."""
    for rule in state.store.group_rules.values():
        if group_id in rule["actions"]["assignUserToGroups"]["groupIds"]:
            rule.update(status="INVALID", lastUpdated=state.timestamp())


def forget_user(state: OrgState, user_id: str) -> None:
    """Drop a deleted user from every rule's record of the members it added."""
    for given in state.store.rule_members.values():
        given.discard(user_id)


def routes() -> list[web.RouteDef]:
    base = "/api/v1/groups/rules"
    one = base + "/{ruleId}"
    return [
        web.post(base, create_rule),
        web.get(base, list_rules),
        web.get(one, get_rule),
        web.put(one, replace_rule),
        web.delete(one, delete_rule),
        web.post(one + "/lifecycle/activate", activate_rule),
        web.post(one + "/lifecycle/deactivate", deactivate_rule),
    ]

"""Groups API: CRUD, list with ``q``/``filter``, and membership add/remove/list.

Adding a member twice is a no-op 204 like Okta's idempotent PUT; only real changes are logged.
Group names are unique per org, as Okta enforces for OKTA_GROUP groups.

Every org has the ``Everyone`` group (type ``BUILT_IN``): every user joins it when created and
leaves it only when deleted. As in Okta its profile and memberships are managed by Okta alone:
updating or deleting it, or removing a member, is 403 E0000006; adding a member (directly, by
``groupIds`` or by a group rule) is 400 E0000060 ``Unsupported operation.``.
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
    read_json,
)
from okta_async.testing.pagination import list_response, parse_limit
from okta_async.testing.query import Expression
from okta_async.testing.state import OrgState, base_url, group_target, state_of, user_target
from okta_async.testing.store import Collection


def render_group(group: Json, base: str) -> Json:
    href = f"{base}/api/v1/groups/{group['id']}"
    out = dict(group)
    out["_links"] = {
        "logo": [
            {
                "name": "medium",
                "href": f"{base}/assets/img/logos/groups/okta-medium.png",
                "type": "image/png",
            },
            {
                "name": "large",
                "href": f"{base}/assets/img/logos/groups/okta-large.png",
                "type": "image/png",
            },
        ],
        "users": {"href": f"{href}/users"},
        "apps": {"href": f"{href}/apps"},
    }
    return out


def new_group_record(ident: str, name: str, description: str | None, stamp: str) -> Json:
    return {
        "id": ident,
        "created": stamp,
        "lastUpdated": stamp,
        "lastMembershipUpdated": stamp,
        "objectClass": ["okta:user_group"],
        "type": "OKTA_GROUP",
        "profile": {"name": name, "description": description},
    }


EVERYONE_DESCRIPTION = "All users in your organization"
_FORBIDDEN = ("E0000006", "You do not have permission to perform the requested action")


def ensure_everyone(state: OrgState, stamp: str) -> Json:
    """Create the org's ``Everyone`` group (BUILT_IN) unless it exists; return it.

    Its id comes from its own random stream, so seeded ids stay what they were without it.
    """
    existing = state.store.groups.get(state.store.everyone_id)
    if existing is not None:
        return existing
    group = new_group_record(state.ids.derived("00g", "everyone"), "Everyone", None, stamp)
    group["type"] = "BUILT_IN"
    group["profile"]["description"] = EVERYONE_DESCRIPTION
    insert_group(state, group)
    state.store.everyone_id = group["id"]
    return group


def join_everyone(state: OrgState, user: Json) -> None:
    """Make a new user a member of Everyone (unlogged, as Okta does), syncing its apps."""
    gid = state.store.everyone_id
    if gid in state.store.members:
        state.store.members[gid].put(user["id"], user)
        _sync_apps(state, gid, user["id"])


def _refuse_built_in(group: Json) -> None:
    """403 E0000006 for a change to a group whose profile and members Okta manages."""
    if group.get("type") == "BUILT_IN":
        raise ApiError(403, *_FORBIDDEN)


def check_assignable(state: OrgState, group_id: str) -> Json:
    """The group, if users may be added to it: 404 when unknown, 400 E0000060 when BUILT_IN."""
    group = get_group_or_404(state, group_id)
    if group.get("type") == "BUILT_IN":
        raise ApiError(400, "E0000060", "Unsupported operation.")
    return group


def insert_group(state: OrgState, group: Json) -> None:
    state.store.groups.put(group["id"], group)
    state.store.members[group["id"]] = Collection()
    state.store.group_names[str(group["profile"]["name"]).lower()] = group["id"]


def get_group_or_404(state: OrgState, group_id: str) -> Json:
    group = state.store.groups.get(group_id)
    if group is None:
        raise not_found(group_id, "UserGroup")
    return group


def _check_profile(state: OrgState, body: Json, group_id: str | None) -> Json:
    profile = body.get("profile")
    if not isinstance(profile, dict) or not profile.get("name"):
        raise ApiError(
            400, "E0000001", "Api validation failed: name", ["name: The field cannot be left blank"]
        )
    owner = state.store.group_names.get(str(profile["name"]).lower())
    if owner is not None and owner != group_id:
        raise ApiError(
            400,
            "E0000001",
            "Api validation failed: name",
            ["name: An object with this field already exists in the current organization"],
        )
    return profile


async def add_group(request: web.Request) -> web.Response:
    state = state_of(request)
    profile = _check_profile(state, await read_json(request), None)
    group = new_group_record(state.ids.new("00g"), str(profile["name"]), None, state.timestamp())
    group["profile"] = {"description": None, **profile}
    insert_group(state, group)
    state.emit("group.lifecycle.create", "Create okta group", [group_target(group)])
    return json_response(render_group(group, base_url(request)))


async def get_group(request: web.Request) -> web.Response:
    group = get_group_or_404(state_of(request), request.match_info["groupId"])
    return json_response(render_group(group, base_url(request)))


async def list_groups(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = parse_limit(request, "groups")
    checks: list[Any] = []
    q = request.query.get("q")
    if q:
        prefix = q.lower()
        checks.append(lambda g: str(g["profile"].get("name", "")).lower().startswith(prefix))
    for key in ("filter", "search"):
        if request.query.get(key):
            checks.append(Expression(request.query[key]).matches)
    items, next_after = state.store.groups.page(
        request.query.get("after"), limit, lambda g: all(c(g) for c in checks)
    )
    base = base_url(request)
    return list_response(request, items, next_after, lambda g: render_group(g, base))


async def update_group(request: web.Request) -> web.Response:
    state = state_of(request)
    group = get_group_or_404(state, request.match_info["groupId"])
    _refuse_built_in(group)
    profile = _check_profile(state, await read_json(request), group["id"])
    state.store.group_names.pop(str(group["profile"]["name"]).lower(), None)
    group["profile"] = dict(profile)
    state.store.group_names[str(profile["name"]).lower()] = group["id"]
    group["lastUpdated"] = state.timestamp()
    state.emit("group.profile.update", "Update group profile", [group_target(group)])
    return json_response(render_group(group, base_url(request)))


async def delete_group(request: web.Request) -> web.Response:
    from okta_async.testing.apps import apps_with_group, sync_group_scope
    from okta_async.testing.rules import invalidate_rules_for_group

    state = state_of(request)
    group = get_group_or_404(state, request.match_info["groupId"])
    _refuse_built_in(group)
    app_ids = apps_with_group(state, group["id"])
    members = list(state.store.members[group["id"]].items)
    state.store.groups.pop(group["id"])
    state.store.members.pop(group["id"], None)
    state.store.group_names.pop(str(group["profile"]["name"]).lower(), None)
    for assignments in state.store.app_groups.values():
        assignments.pop(group["id"])
    state.emit("group.lifecycle.delete", "Delete Okta group", [group_target(group)])
    invalidate_rules_for_group(state, group["id"])
    for app_id in app_ids:
        for user_id in members:
            sync_group_scope(state, app_id, user_id)
    return empty_response(204)


def add_member(state: OrgState, group_id: str, user_id: str) -> bool:
    """Add a user to a group; returns False if it already was a member."""
    group = check_assignable(state, group_id)
    user = state.store.users.get(user_id)
    if user is None:
        raise not_found(user_id, "User")
    members = state.store.members[group_id]
    if user_id in members:
        return False
    members.put(user_id, {"id": user_id})
    group["lastMembershipUpdated"] = state.timestamp()
    state.emit(
        "group.user_membership.add",
        "Add user to group membership",
        [user_target(user), group_target(group)],
    )
    _sync_apps(state, group_id, user_id)
    return True


def _sync_apps(state: OrgState, group_id: str, user_id: str) -> None:
    from okta_async.testing.apps import apps_with_group, sync_group_scope

    for app_id in apps_with_group(state, group_id):
        sync_group_scope(state, app_id, user_id)


async def assign_user_to_group(request: web.Request) -> web.Response:
    state = state_of(request)
    user = state.store.find_user(request.match_info["userId"])
    user_id = user["id"] if user else request.match_info["userId"]
    add_member(state, request.match_info["groupId"], user_id)
    return empty_response(204)


def remove_member(state: OrgState, group: Json, user: Json) -> None:
    """Take a user out of a group (a no-op if not a member), logging and syncing its apps."""
    if state.store.members[group["id"]].pop(user["id"]) is None:
        return
    group["lastMembershipUpdated"] = state.timestamp()
    state.emit(
        "group.user_membership.remove",
        "Remove user from group membership",
        [user_target(user), group_target(group)],
    )
    _sync_apps(state, group["id"], user["id"])


async def remove_user_from_group(request: web.Request) -> web.Response:
    state = state_of(request)
    group = get_group_or_404(state, request.match_info["groupId"])
    _refuse_built_in(group)
    user_id = request.match_info["userId"]
    user = state.store.users.get(user_id)
    if user is None:
        raise not_found(user_id, "User")
    remove_member(state, group, user)
    return empty_response(204)


async def list_group_users(request: web.Request) -> web.Response:
    from okta_async.testing.users import render_user

    state = state_of(request)
    group = get_group_or_404(state, request.match_info["groupId"])
    limit = parse_limit(request, "group_users")
    members, next_after = state.store.members[group["id"]].page(request.query.get("after"), limit)
    users = state.store.users.items
    base = base_url(request)
    return list_response(
        request, (users[m["id"]] for m in members), next_after, lambda u: render_user(u, base)
    )


def routes() -> list[web.RouteDef]:
    base = "/api/v1/groups"
    one = base + "/{groupId}"
    return [
        web.post(base, add_group),
        web.get(base, list_groups),
        web.get(one, get_group),
        web.put(one, update_group),
        web.delete(one, delete_group),
        web.get(one + "/users", list_group_users),
        web.put(one + "/users/{userId}", assign_user_to_group),
        web.delete(one + "/users/{userId}", remove_user_from_group),
    ]

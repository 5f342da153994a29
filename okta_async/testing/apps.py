"""Applications API: any signOnMode, lifecycle, user and group assignments.

The posted application body is stored verbatim (every field the client sent survives a round
trip), plus the read-only fields Okta adds: ``id``, ``status``, ``created``, ``lastUpdated``,
a default ``name`` for template apps and ``_links``. Delete is only allowed once INACTIVE, as
Okta requires.
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
from okta_async.testing.pagination import list_response, parse_limit
from okta_async.testing.query import Expression, path_values
from okta_async.testing.state import (
    OrgState,
    app_target,
    base_url,
    group_target,
    state_of,
    user_target,
)
from okta_async.testing.store import Collection

_READ_ONLY = ("id", "status", "created", "lastUpdated", "_links", "_embedded")
_DEFAULT_NAMES = {
    "BOOKMARK": "bookmark",
    "BASIC_AUTH": "template_basic_auth",
    "AUTO_LOGIN": "template_swa",
    "BROWSER_PLUGIN": "template_swa",
    "SECURE_PASSWORD_STORE": "template_sps",
    "WS_FEDERATION": "template_wsfed",
    "OPENID_CONNECT": "oidc_client",
}


def render_app(app: Json, base: str) -> Json:
    href = f"{base}/api/v1/apps/{app['id']}"
    toggle = "deactivate" if app.get("status") == "ACTIVE" else "activate"
    out = dict(app)
    out["_links"] = {
        "self": {"href": href},
        "logo": [
            {"name": "medium", "href": f"{base}/assets/img/logos/default.png", "type": "image/png"}
        ],
        "appLinks": [
            {
                "name": "login",
                "href": f"{base}/home/{app.get('name')}/{app['id']}/login",
                "type": "text/html",
            }
        ],
        "users": {"href": f"{href}/users"},
        "groups": {"href": f"{href}/groups"},
        toggle: {"href": f"{href}/lifecycle/{toggle}"},
    }
    return out


def render_app_user(assignment: Json, app_id: str, base: str) -> Json:
    out = dict(assignment)
    out["_links"] = {
        "app": {"href": f"{base}/api/v1/apps/{app_id}"},
        "user": {"href": f"{base}/api/v1/users/{assignment['id']}"},
    }
    return out


def render_app_group(assignment: Json, app_id: str, base: str) -> Json:
    out = dict(assignment)
    out["_links"] = {
        "app": {"href": f"{base}/api/v1/apps/{app_id}"},
        "group": {"href": f"{base}/api/v1/groups/{assignment['id']}"},
        "self": {"href": f"{base}/api/v1/apps/{app_id}/groups/{assignment['id']}"},
    }
    return out


def build_app(state: OrgState, body: Json, status: str, stamp: str) -> Json:
    """A stored app: the posted body minus read-only fields, plus Okta's generated fields."""
    mode = body.get("signOnMode")
    missing = [f for f in ("signOnMode", "label") if not body.get(f)]
    if missing:
        raise ApiError(
            400,
            "E0000001",
            "Api validation failed: " + ", ".join(missing),
            [f"{f}: The field cannot be left blank" for f in missing],
        )
    app = {k: v for k, v in body.items() if k not in _READ_ONLY}
    ident = state.ids.new("0oa")
    app["id"] = ident
    app["status"] = status
    app["created"] = stamp
    app["lastUpdated"] = stamp
    if not app.get("name"):
        default = _DEFAULT_NAMES.get(str(mode))
        slug = "".join(c if c.isalnum() else "" for c in str(body["label"]).lower())
        app["name"] = default or f"{slug or 'app'}_1"
    app.setdefault("features", [])
    if mode == "OPENID_CONNECT":
        creds = app.setdefault("credentials", {})
        if isinstance(creds, dict):
            oauth = creds.setdefault("oauthClient", {})
            if isinstance(oauth, dict):
                oauth.setdefault("client_id", ident)
                oauth.setdefault("autoKeyRotation", True)
                oauth.setdefault("token_endpoint_auth_method", "client_secret_basic")
    return app


def insert_app(state: OrgState, app: Json) -> None:
    state.store.apps.put(app["id"], app)
    state.store.app_users[app["id"]] = Collection()
    state.store.app_groups[app["id"]] = Collection()


def _app_or_404(state: OrgState, app_id: str) -> Json:
    app = state.store.apps.get(app_id)
    if app is None:
        raise not_found(app_id, "AppInstance")
    return app


async def create_app(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    status = "ACTIVE" if query_bool(request, "activate", True) else "INACTIVE"
    app = build_app(state, body, status, state.timestamp())
    insert_app(state, app)
    state.emit("application.lifecycle.create", "Add application", [app_target(app)])
    if status == "ACTIVE":
        state.emit("application.lifecycle.activate", "Activate application", [app_target(app)])
    return json_response(render_app(app, base_url(request)))


async def get_app(request: web.Request) -> web.Response:
    app = _app_or_404(state_of(request), request.match_info["appId"])
    return json_response(render_app(app, base_url(request)))


def _app_getter(state: OrgState) -> Any:
    def getter(app: Json, path: str) -> list[Any]:
        if path == "user.id":
            return list(state.store.app_users[app["id"]].items)
        if path == "group.id":
            return list(state.store.app_groups[app["id"]].items)
        return path_values(app, path)

    return getter


async def list_apps(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = parse_limit(request, "apps")
    checks: list[Any] = []
    q = request.query.get("q")
    if q:
        prefix = q.lower()
        checks.append(
            lambda a: (
                str(a.get("label", "")).lower().startswith(prefix)
                or str(a.get("name", "")).lower().startswith(prefix)
            )
        )
    if request.query.get("filter"):
        checks.append(Expression(request.query["filter"], _app_getter(state)).matches)
    items, next_after = state.store.apps.page(
        request.query.get("after"), limit, lambda a: all(c(a) for c in checks)
    )
    base = base_url(request)
    return list_response(request, items, next_after, lambda a: render_app(a, base))


async def update_app(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    body = await read_json(request)
    fresh = build_app(
        state, {**body, "name": body.get("name") or app.get("name")}, app["status"], app["created"]
    )
    fresh["id"] = app["id"]
    fresh["lastUpdated"] = state.timestamp()
    if "credentials" not in body and "credentials" in app:
        fresh["credentials"] = app["credentials"]
    state.store.apps.items[app["id"]] = fresh
    state.emit("application.lifecycle.update", "Update application", [app_target(fresh)])
    return json_response(render_app(fresh, base_url(request)))


def _set_app_status(request: web.Request, status: str, event: tuple[str, str]) -> web.Response:
    """Put the app in ``status`` and log ``event``; an app already there is left alone."""
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    if app["status"] != status:
        app["status"] = status
        app["lastUpdated"] = state.timestamp()
        state.emit(*event, [app_target(app)])
    return json_response({})


async def activate_app(request: web.Request) -> web.Response:
    event = ("application.lifecycle.activate", "Activate application")
    return _set_app_status(request, "ACTIVE", event)


async def deactivate_app(request: web.Request) -> web.Response:
    event = ("application.lifecycle.deactivate", "Deactivate application")
    return _set_app_status(request, "INACTIVE", event)


async def delete_app(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    if app["status"] != "INACTIVE":
        raise ApiError(
            403,
            "E0000056",
            "Delete application forbidden.",
            ["Application must be deactivated before it can be deleted"],
        )
    state.store.apps.pop(app["id"])
    state.store.app_users.pop(app["id"], None)
    state.store.app_groups.pop(app["id"], None)
    state.emit("application.lifecycle.delete", "Delete application", [app_target(app)])
    return empty_response(204)


# -- user assignments ----------------------------------------------------------------------


def new_app_user(
    user: Json,
    stamp: str,
    *,
    scope: str = "USER",
    credentials: Json | None = None,
    profile: Json | None = None,
) -> Json:
    """A stored AppUser (``scope`` USER for direct, GROUP for group-based assignments)."""
    return {
        "id": user["id"],
        "externalId": None,
        "created": stamp,
        "lastUpdated": stamp,
        "scope": scope,
        "status": "ACTIVE",
        "statusChanged": stamp,
        "passwordChanged": None,
        "syncState": "DISABLED",
        "credentials": credentials or {"userName": user["profile"].get("login")},
        "profile": profile or {},
    }


def sync_group_scope(state: OrgState, app_id: str, user_id: str, *, log: bool = True) -> None:
    """Keep the GROUP-scoped AppUser of ``user_id`` in line with the app's group assignments.

    Like Okta, a user reached through an assigned group appears among the app's users with
    ``scope: GROUP``; a direct (USER-scoped) assignment is never touched.
    """
    store = state.store
    app = store.apps.get(app_id)
    user = store.users.get(user_id)
    if app is None or user is None:
        return
    assignments = store.app_users[app_id]
    covered = any(
        user_id in store.members[gid]
        for gid in store.app_groups[app_id].items
        if gid in store.members
    )
    existing = assignments.get(user_id)
    if covered and existing is None:
        assignments.put(user_id, new_app_user(user, state.timestamp(), scope="GROUP"))
        if log:
            state.emit(
                "application.user_membership.add",
                "Add user to application membership",
                [user_target(user), app_target(app)],
            )
    elif not covered and existing is not None and existing.get("scope") == "GROUP":
        assignments.pop(user_id)
        if log:
            state.emit(
                "application.user_membership.remove",
                "Remove user from application membership",
                [user_target(user), app_target(app)],
            )


def apps_with_group(state: OrgState, group_id: str) -> list[str]:
    return [aid for aid, groups in state.store.app_groups.items() if group_id in groups]


def _app_user_credentials(body: Json, user: Json) -> Json:
    creds = body.get("credentials")
    out: Json = {"userName": user["profile"].get("login")}
    if isinstance(creds, dict):
        if creds.get("userName"):
            out["userName"] = creds["userName"]
        if isinstance(creds.get("password"), dict):
            out["password"] = {}
    return out


async def assign_user(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    body = await read_json(request)
    user_id = body.get("id")
    if not user_id:
        raise ApiError(
            400, "E0000001", "Api validation failed: id", ["id: The field cannot be left blank"]
        )
    user = state.store.users.get(str(user_id))
    if user is None:
        raise not_found(str(user_id), "User")
    assignments = state.store.app_users[app["id"]]
    stamp = state.timestamp()
    existing = assignments.get(user["id"])
    if existing is not None:
        existing["scope"] = "USER"  # an explicit assignment overrides a group-based one
        existing["credentials"] = _app_user_credentials(body, user)
        if isinstance(body.get("profile"), dict):
            existing["profile"] = {**existing.get("profile", {}), **body["profile"]}
        existing["lastUpdated"] = stamp
        return json_response(render_app_user(existing, app["id"], base_url(request)))
    assignment = new_app_user(
        user,
        stamp,
        scope=str(body.get("scope") or "USER"),
        credentials=_app_user_credentials(body, user),
        profile=dict(body["profile"]) if isinstance(body.get("profile"), dict) else {},
    )
    assignments.put(user["id"], assignment)
    state.emit(
        "application.user_membership.add",
        "Add user to application membership",
        [user_target(user), app_target(app)],
    )
    return json_response(render_app_user(assignment, app["id"], base_url(request)))


def _assignment_or_404(state: OrgState, app_id: str, user_id: str) -> Json:
    assignment = state.store.app_users[app_id].get(user_id)
    if assignment is None:
        raise not_found(user_id, "AppUser")
    return assignment


async def get_app_user(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    assignment = _assignment_or_404(state, app["id"], request.match_info["userId"])
    return json_response(render_app_user(assignment, app["id"], base_url(request)))


async def update_app_user(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    assignment = _assignment_or_404(state, app["id"], request.match_info["userId"])
    body = await read_json(request)
    user = state.store.users.items[assignment["id"]]
    if "credentials" in body:
        assignment["credentials"] = _app_user_credentials(body, user)
    if isinstance(body.get("profile"), dict):
        assignment["profile"] = {**assignment.get("profile", {}), **body["profile"]}
    assignment["lastUpdated"] = state.timestamp()
    state.emit(
        "application.user_membership.change_username"
        if "credentials" in body
        else "application.user_membership.update",
        "Update user's application membership",
        [user_target(user), app_target(app)],
    )
    return json_response(render_app_user(assignment, app["id"], base_url(request)))


async def delete_app_user(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    assignment = _assignment_or_404(state, app["id"], request.match_info["userId"])
    state.store.app_users[app["id"]].pop(assignment["id"])
    user = state.store.users.items[assignment["id"]]
    state.emit(
        "application.user_membership.remove",
        "Remove user from application membership",
        [user_target(user), app_target(app)],
    )
    return empty_response(204)


async def list_app_users(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    limit = parse_limit(request, "app_users")
    q = (request.query.get("q") or "").lower()
    checks: list[Any] = []
    if q:
        checks.append(lambda a: str(a["credentials"].get("userName", "")).lower().startswith(q))
    if request.query.get("filter"):
        checks.append(Expression(request.query["filter"]).matches)
    items, next_after = state.store.app_users[app["id"]].page(
        request.query.get("after"), limit, lambda a: all(c(a) for c in checks)
    )
    base = base_url(request)
    return list_response(request, items, next_after, lambda a: render_app_user(a, app["id"], base))


# -- group assignments ---------------------------------------------------------------------


async def assign_group(request: web.Request) -> web.Response:
    from okta_async.testing.groups import get_group_or_404

    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    group = get_group_or_404(state, request.match_info["groupId"])
    body = await read_json(request)
    assignments = state.store.app_groups[app["id"]]
    existing = assignments.get(group["id"])
    priority = body.get("priority")
    if not isinstance(priority, int):
        priority = existing["priority"] if existing else len(assignments)
    assignment: Json = {
        "id": group["id"],
        "lastUpdated": state.timestamp(),
        "priority": priority,
        "profile": dict(body["profile"]) if isinstance(body.get("profile"), dict) else {},
    }
    assignments.put(group["id"], assignment)
    if existing is None:
        state.emit(
            "group.application_assignment.add",
            "Add assigned application to group",
            [group_target(group), app_target(app)],
        )
        for user_id in list(state.store.members[group["id"]].items):
            sync_group_scope(state, app["id"], user_id)
    return json_response(render_app_group(assignment, app["id"], base_url(request)))


async def get_app_group(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    assignment = state.store.app_groups[app["id"]].get(request.match_info["groupId"])
    if assignment is None:
        raise not_found(request.match_info["groupId"], "ApplicationGroupAssignment")
    return json_response(render_app_group(assignment, app["id"], base_url(request)))


async def delete_app_group(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    group_id = request.match_info["groupId"]
    if state.store.app_groups[app["id"]].pop(group_id) is None:
        raise not_found(group_id, "ApplicationGroupAssignment")
    group = state.store.groups.get(group_id) or {"id": group_id, "profile": {}}
    state.emit(
        "group.application_assignment.remove",
        "Remove assigned application from group",
        [group_target(group), app_target(app)],
    )
    if group_id in state.store.members:
        for user_id in list(state.store.members[group_id].items):
            sync_group_scope(state, app["id"], user_id)
    return empty_response(204)


async def list_app_groups(request: web.Request) -> web.Response:
    state = state_of(request)
    app = _app_or_404(state, request.match_info["appId"])
    limit = parse_limit(request, "app_groups")
    items, next_after = state.store.app_groups[app["id"]].page(request.query.get("after"), limit)
    base = base_url(request)
    return list_response(request, items, next_after, lambda a: render_app_group(a, app["id"], base))


def routes() -> list[web.RouteDef]:
    base = "/api/v1/apps"
    one = base + "/{appId}"
    return [
        web.post(base, create_app),
        web.get(base, list_apps),
        web.get(one, get_app),
        web.put(one, update_app),
        web.delete(one, delete_app),
        web.post(one + "/lifecycle/activate", activate_app),
        web.post(one + "/lifecycle/deactivate", deactivate_app),
        web.get(one + "/users", list_app_users),
        web.post(one + "/users", assign_user),
        web.get(one + "/users/{userId}", get_app_user),
        web.post(one + "/users/{userId}", update_app_user),
        web.delete(one + "/users/{userId}", delete_app_user),
        web.get(one + "/groups", list_app_groups),
        web.get(one + "/groups/{groupId}", get_app_group),
        web.put(one + "/groups/{groupId}", assign_group),
        web.delete(one + "/groups/{groupId}", delete_app_group),
    ]

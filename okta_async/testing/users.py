"""Users API: create, read, list/search, update, lifecycle transitions, delete, groups, appLinks.

Statuses follow Okta's lifecycle (STAGED, PROVISIONED, ACTIVE, RECOVERY, PASSWORD_EXPIRED,
LOCKED_OUT, SUSPENDED, DEPROVISIONED); an operation that is not allowed from the current status
answers with the error Okta uses for it. ``DELETE`` of a user that is not DEPROVISIONED
deactivates it (Okta's documented two-step delete); a second ``DELETE`` removes it.
"""

from __future__ import annotations

import copy
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
from okta_async.testing.query import Expression
from okta_async.testing.state import OrgState, base_url, state_of, user_target
from okta_async.testing.validation import (
    password_causes,
    profile_causes,
    raise_causes,
)

USER_TYPE_ID = "oty00000000000000fak"
_NOT_ALLOWED = ("E0000038", "This operation is not allowed in the user's current status.")

_STATUS_LINKS: dict[str, tuple[str, ...]] = {
    "STAGED": ("activate", "deactivate"),
    "PROVISIONED": ("reactivate", "resetPassword", "deactivate"),
    "ACTIVE": (
        "suspend",
        "resetPassword",
        "expirePassword",
        "forgotPassword",
        "changeRecoveryQuestion",
        "deactivate",
        "changePassword",
    ),
    "RECOVERY": ("resetPassword", "deactivate", "suspend"),
    "PASSWORD_EXPIRED": ("resetPassword", "expirePassword", "deactivate", "suspend"),
    "LOCKED_OUT": ("unlock", "resetPassword", "deactivate"),
    "SUSPENDED": ("unsuspend", "deactivate"),
    "DEPROVISIONED": ("activate",),
}
_LINK_PATHS = {
    "activate": "lifecycle/activate",
    "reactivate": "lifecycle/reactivate",
    "deactivate": "lifecycle/deactivate",
    "suspend": "lifecycle/suspend",
    "unsuspend": "lifecycle/unsuspend",
    "unlock": "lifecycle/unlock",
    "resetPassword": "lifecycle/reset_password",
    "expirePassword": "lifecycle/expire_password",
    "forgotPassword": "credentials/forgot_password",
    "changeRecoveryQuestion": "credentials/change_recovery_question",
    "changePassword": "credentials/change_password",
}


def render_user(user: Json, base: str) -> Json:
    """The user as Okta serves it: stored fields plus status-dependent ``_links``."""
    href = f"{base}/api/v1/users/{user['id']}"
    links: Json = {"self": {"href": href}}
    for name in _STATUS_LINKS.get(user["status"], ()):
        links[name] = {"href": f"{href}/{_LINK_PATHS[name]}", "method": "POST"}
    links["type"] = {"href": f"{base}/api/v1/meta/types/user/{USER_TYPE_ID}"}
    out = dict(user)
    out["_links"] = links
    return out


def new_user_record(
    ident: str,
    profile: Json,
    status: str,
    stamp: str,
    *,
    has_password: bool,
    provider: Json | None = None,
    recovery_question: str | None = None,
) -> Json:
    """A stored user dict (no ``_links``) with Okta's timestamp fields."""
    credentials: Json = {}
    if has_password:
        credentials["password"] = {}
    if recovery_question:
        credentials["recovery_question"] = {"question": recovery_question}
    credentials["provider"] = provider or {"type": "OKTA", "name": "OKTA"}
    active_like = status not in ("STAGED", "DEPROVISIONED")
    return {
        "id": ident,
        "status": status,
        "created": stamp,
        "activated": stamp if active_like else None,
        "statusChanged": stamp if status != "STAGED" else None,
        "lastLogin": None,
        "lastUpdated": stamp,
        "passwordChanged": stamp if has_password else None,
        "type": {"id": USER_TYPE_ID},
        "profile": profile,
        "credentials": credentials,
    }


def _get_user(state: OrgState, key: str) -> Json:
    user = state.store.find_user(key)
    if user is None:
        raise not_found(key, "User")
    return user


def _profile_dict(profile: Any) -> Json:
    if not isinstance(profile, dict):
        raise ApiError(
            400, "E0000001", "Api validation failed: profile", ["profile: The field is required"]
        )
    return profile


def _check_login_free(state: OrgState, login: str, user_id: str | None) -> None:
    owner = state.store.logins.get(login.lower())
    if owner is not None and owner != user_id:
        raise ApiError(
            400,
            "E0000001",
            "Api validation failed: login",
            ["login: An object with this field already exists in the current organization"],
        )


def _set_status(state: OrgState, user: Json, status: str, stamp: str | None = None) -> None:
    stamp = stamp or state.timestamp()
    user["status"] = status
    user["statusChanged"] = stamp
    user["lastUpdated"] = stamp
    user.pop("transitioningToStatus", None)


def _apply_credentials(user: Json, credentials: Any, stamp: str) -> bool:
    """Merge posted credentials into the stored user. Returns True if a password was set."""
    if not isinstance(credentials, dict):
        return False
    stored = user.setdefault("credentials", {})
    password_set = False
    password = credentials.get("password")
    if isinstance(password, dict) and (password.get("value") or password.get("hash")):
        stored["password"] = {}
        user["passwordChanged"] = stamp
        password_set = True
    question = credentials.get("recovery_question")
    if isinstance(question, dict) and question.get("question"):
        stored["recovery_question"] = {"question": question["question"]}
    provider = credentials.get("provider")
    if isinstance(provider, dict) and provider.get("type"):
        stored["provider"] = {"type": provider["type"], "name": provider.get("name", "OKTA")}
    return password_set


def _creation_status(request: web.Request, credentials: Json) -> str:
    """The status a new user starts in, from ``activate``/``provider``/``nextLogin``.

    Refuses ``nextLogin=changePassword`` without ``activate`` (E0000125) or without a
    password (E0000124), with the errors Okta's spec documents.
    """
    activate = query_bool(request, "activate", True)
    next_login = request.query.get("nextLogin")
    if next_login and next_login != "changePassword":
        raise ApiError(
            400, "E0000001", "Api validation failed: nextLogin", ["nextLogin: invalid value"]
        )
    has_password = _has_password(credentials)
    if next_login and not activate:
        raise _expire_refusal("E0000125", "`activate` must be true.")
    if next_login and not has_password:
        raise _expire_refusal("E0000124", "a password must be specified.")
    if not activate:
        return "STAGED"
    if next_login:
        return "PASSWORD_EXPIRED"
    if has_password or _federated(request, credentials) is not None:
        return "ACTIVE"
    return "PROVISIONED"


def _expire_refusal(code: str, reason: str) -> ApiError:
    summary = (
        f"Could not create user. To create a user and expire their password immediately, {reason}"
    )
    return ApiError(400, code, summary, [summary])


def _has_password(credentials: Json) -> bool:
    password = credentials.get("password")
    return isinstance(password, dict) and bool(password.get("value") or password.get("hash"))


def _federated(request: web.Request, credentials: Json) -> Json | None:
    """The provider of a federated user (``?provider=true`` or a non-OKTA type), else None."""
    provider = credentials.get("provider")
    if isinstance(provider, dict) and provider.get("type") not in (None, "OKTA"):
        return {"type": provider["type"], "name": provider.get("name", "FEDERATION")}
    if query_bool(request, "provider", False):
        return {"type": "FEDERATION", "name": "FEDERATION"}
    return None


def _check_new_user(state: OrgState, body: Json, credentials: Json) -> tuple[Json, list[str]]:
    """The validated profile and group ids of a create-user request, checked before storing."""
    from okta_async.testing.groups import check_assignable

    profile = _profile_dict(body.get("profile"))
    raise_causes(
        profile_causes(profile, full=True) + password_causes(credentials, state.password_policy)
    )
    _check_login_free(state, str(profile["login"]), None)
    raw_ids = body.get("groupIds")
    group_ids = [str(g) for g in raw_ids] if isinstance(raw_ids, list) else []
    for gid in group_ids:
        check_assignable(state, gid)
    return dict(profile), group_ids


async def create_user(request: web.Request) -> web.Response:
    state = state_of(request)
    body = await read_json(request)
    raw_credentials = body.get("credentials")
    credentials: Json = raw_credentials if isinstance(raw_credentials, dict) else {}
    profile, group_ids = _check_new_user(state, body, credentials)
    status = _creation_status(request, credentials)
    question = credentials.get("recovery_question")
    user = new_user_record(
        state.ids.new("00u"),
        profile,
        status,
        state.timestamp(),
        has_password=_has_password(credentials),
        provider=_federated(request, credentials),
        recovery_question=question.get("question") if isinstance(question, dict) else None,
    )
    type_ = body.get("type")
    if isinstance(type_, dict) and type_.get("id"):
        user["type"] = {"id": type_["id"]}
    _store_new_user(state, user, group_ids)
    return json_response(render_user(user, base_url(request)))


def _store_new_user(state: OrgState, user: Json, group_ids: list[str]) -> None:
    """Store a validated user, log it, and add it to Everyone, its groups and rule groups."""
    from okta_async.testing.groups import add_member, join_everyone
    from okta_async.testing.rules import apply_rules

    state.store.users.put(user["id"], user)
    state.store.index_login(user["id"], str(user["profile"]["login"]))
    target = [user_target(user)]
    state.emit("user.lifecycle.create", "Create Okta user", target)
    if user["status"] != "STAGED":
        state.emit("user.lifecycle.activate", "Activate Okta user", target)
    join_everyone(state, user)
    for gid in group_ids:
        add_member(state, gid, user["id"])
    apply_rules(state, user)


async def get_user(request: web.Request) -> web.Response:
    user = _get_user(state_of(request), request.match_info["userId"])
    return json_response(render_user(user, base_url(request)))


def _q_matcher(q: str) -> Any:
    prefix = q.lower()

    def match(user: Json) -> bool:
        if user["status"] == "DEPROVISIONED":
            return False
        profile = user["profile"]
        for field in ("firstName", "lastName", "email", "login"):
            value = profile.get(field)
            if isinstance(value, str) and value.lower().startswith(prefix):
                return True
        return False

    return match


async def list_users(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = parse_limit(request, "users")
    q = request.query.get("q")
    exprs = [Expression(request.query[k]) for k in ("filter", "search") if request.query.get(k)]
    checks: list[Any] = []
    if q:
        checks.append(_q_matcher(q))
    checks.extend(e.matches for e in exprs)
    if not any(e.mentions("status") for e in exprs):
        checks.append(lambda u: u["status"] != "DEPROVISIONED")

    def predicate(user: Json) -> bool:
        return all(check(user) for check in checks)

    items, next_after = state.store.users.page(request.query.get("after"), limit, predicate)
    base = base_url(request)
    return list_response(request, items, next_after, lambda u: render_user(u, base))


def _updated_profile(user: Json, body: Json, *, full: bool) -> Json | None:
    """The profile a (full or partial) update asks for; None when a partial one posts none."""
    if "profile" not in body and not full:
        return None
    posted = _profile_dict(body.get("profile"))
    return dict(posted) if full else {**user["profile"], **posted}


def _check_update(state: OrgState, user: Json, body: Json, new_profile: Json | None) -> None:
    """Refuse an invalid profile or password, or a login another user holds, before any change."""
    causes = profile_causes(new_profile, full=True) if new_profile is not None else []
    raise_causes(causes + password_causes(body.get("credentials"), state.password_policy))
    if new_profile is None:
        return
    new_login = str(new_profile["login"])
    if new_login.lower() != str(user["profile"]["login"]).lower():
        _check_login_free(state, new_login, user["id"])


async def _update(request: web.Request, *, full: bool) -> web.Response:
    from okta_async.testing.rules import apply_rules

    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    if user["status"] == "DEPROVISIONED":  # Okta's default: deactivated profiles are read-only
        raise ApiError(403, *_NOT_ALLOWED)
    body = await read_json(request)
    new_profile = _updated_profile(user, body, full=full)
    _check_update(state, user, body, new_profile)
    stamp = state.timestamp()
    if new_profile is not None:
        state.store.unindex_login(user["id"], str(user["profile"]["login"]))
        state.store.index_login(user["id"], str(new_profile["login"]))
        user["profile"] = new_profile
        state.emit(
            "user.account.update_profile", "Update user profile for Okta", [user_target(user)]
        )
        apply_rules(state, user)
    if _apply_credentials(user, body.get("credentials"), stamp):
        state.emit(
            "user.account.update_password", "Update password for Okta user", [user_target(user)]
        )
    user["lastUpdated"] = stamp
    return json_response(render_user(user, base_url(request)))


async def update_user(request: web.Request) -> web.Response:
    return await _update(request, full=False)


async def replace_user(request: web.Request) -> web.Response:
    return await _update(request, full=True)


def _activation_body(state: OrgState, request: web.Request) -> Json:
    if query_bool(request, "sendEmail", True):
        return {}
    token = state.ids.token(20)
    return {"activationUrl": f"{base_url(request)}/welcome/{token}", "activationToken": token}


async def activate_user(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    if user["status"] not in ("STAGED", "DEPROVISIONED"):
        raise ApiError(403, "E0000016", "Activation failed because the user is already active")
    has_password = "password" in user.get("credentials", {})
    federated = user.get("credentials", {}).get("provider", {}).get("type") not in (None, "OKTA")
    stamp = state.timestamp()
    _set_status(state, user, "ACTIVE" if has_password or federated else "PROVISIONED", stamp)
    user["activated"] = stamp
    state.emit("user.lifecycle.activate", "Activate Okta user", [user_target(user)])
    return json_response(_activation_body(state, request))


async def reactivate_user(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    if user["status"] not in ("PROVISIONED", "RECOVERY"):
        raise ApiError(403, *_NOT_ALLOWED)
    user["lastUpdated"] = state.timestamp()
    state.emit("user.lifecycle.reactivate", "Reactivate Okta user", [user_target(user)])
    return json_response(_activation_body(state, request))


async def deactivate_user(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    deactivate(state, user)
    return json_response({})


def deactivate(state: OrgState, user: Json) -> None:
    """Move a user to DEPROVISIONED (a no-op if it already is) and log it."""
    if user["status"] == "DEPROVISIONED":
        return
    _set_status(state, user, "DEPROVISIONED")
    state.emit("user.lifecycle.deactivate", "Deactivate Okta user", [user_target(user)])


def _transition(
    request: web.Request, required: str, status: str, refusal: ApiError, event: tuple[str, str]
) -> web.Response:
    """Move a user from ``required`` to ``status`` and log ``event``; ``refusal`` otherwise.

    Suspend, unsuspend and unlock differ only in these values.
    """
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    if user["status"] != required:
        raise refusal
    _set_status(state, user, status)
    state.emit(*event, [user_target(user)])
    return json_response({})


async def suspend_user(request: web.Request) -> web.Response:
    refusal = ApiError(
        400,
        "E0000001",
        "Api validation failed: suspend",
        ["Cannot suspend a user that is not active"],
    )
    event = ("user.lifecycle.suspend", "Suspend Okta user")
    return _transition(request, "ACTIVE", "SUSPENDED", refusal, event)


async def unsuspend_user(request: web.Request) -> web.Response:
    refusal = ApiError(
        400,
        "E0000001",
        "Api validation failed: unsuspend",
        ["Cannot unsuspend a user that is not suspended"],
    )
    event = ("user.lifecycle.unsuspend", "Unsuspend Okta user")
    return _transition(request, "SUSPENDED", "ACTIVE", refusal, event)


async def unlock_user(request: web.Request) -> web.Response:
    refusal = ApiError(403, "E0000032", "Unlock is not allowed for this user.")
    event = ("user.account.unlock", "Unlock user account")
    return _transition(request, "LOCKED_OUT", "ACTIVE", refusal, event)


async def expire_password(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    if user["status"] not in ("ACTIVE", "PASSWORD_EXPIRED", "RECOVERY", "LOCKED_OUT"):
        raise ApiError(403, *_NOT_ALLOWED)
    _set_status(state, user, "PASSWORD_EXPIRED")
    state.emit("user.account.expire_password", "Expire user password", [user_target(user)])
    if query_bool(request, "tempPassword", False):
        user.setdefault("credentials", {})["password"] = {}
        return json_response({"tempPassword": state.ids.token(12)})
    return json_response(render_user(user, base_url(request)))


async def reset_password(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    allowed = ("ACTIVE", "PASSWORD_EXPIRED", "RECOVERY", "LOCKED_OUT", "PROVISIONED")
    if user["status"] not in allowed:
        raise ApiError(403, *_NOT_ALLOWED)
    if user["status"] != "PROVISIONED":
        _set_status(state, user, "RECOVERY")
    state.emit("user.account.reset_password", "Fire reset password", [user_target(user)])
    if query_bool(request, "sendEmail", True):
        return json_response({})
    token = state.ids.token(20)
    return json_response({"resetPasswordUrl": f"{base_url(request)}/reset_password/{token}"})


async def delete_user(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    if user["status"] != "DEPROVISIONED":
        deactivate(state, user)
        return empty_response(204)
    remove_user(state, user)
    return empty_response(204)


def remove_user(state: OrgState, user: Json) -> None:
    """Delete a deprovisioned user and every membership or assignment it had."""
    from okta_async.testing.rules import forget_user

    store = state.store
    target = [user_target(user)]
    state.emit("user.lifecycle.delete.initiated", "Delete Okta user", target)
    store.users.pop(user["id"])
    store.unindex_login(user["id"], str(user["profile"].get("login", "")))
    for members in store.members.values():
        members.pop(user["id"])
    for assignments in store.app_users.values():
        assignments.pop(user["id"])
    forget_user(state, user["id"])
    state.emit("user.lifecycle.delete.completed", "Delete Okta user completed", target)


async def list_user_groups(request: web.Request) -> web.Response:
    from okta_async.testing.groups import render_group

    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    base = base_url(request)
    groups = [state.store.groups.items[g] for g in state.store.user_group_ids(user["id"])]
    return list_response(request, groups, None, lambda g: render_group(g, base))


async def list_app_links(request: web.Request) -> web.Response:
    state = state_of(request)
    user = _get_user(state, request.match_info["userId"])
    base = base_url(request)
    links = []
    for order, aid in enumerate(state.store.user_app_ids(user["id"])):
        app = state.store.apps.items[aid]
        links.append(
            {
                "id": f"00ub{aid[4:]}",
                "label": app.get("label"),
                "linkUrl": f"{base}/home/{app.get('name')}/{aid}/0",
                "logoUrl": f"{base}/assets/img/logos/default.png",
                "appName": app.get("name"),
                "appInstanceId": aid,
                "appAssignmentId": f"0ua{aid[3:]}",
                "credentialsSetup": False,
                "hidden": False,
                "sortOrder": order,
            }
        )
    return list_response(request, links, None)


def set_user_status(state: OrgState, user_id: str, status: str) -> Json:
    """Test helper: force a status (e.g. LOCKED_OUT, which no API call can produce)."""
    user = state.store.users.get(user_id)
    if user is None:
        raise KeyError(user_id)
    _set_status(state, user, status)
    return copy.deepcopy(user)


def routes() -> list[web.RouteDef]:
    base = "/api/v1/users"
    one = base + "/{userId}"
    life = one + "/lifecycle/"
    return [
        web.post(base, create_user),
        web.get(base, list_users),
        web.get(one, get_user),
        web.post(one, update_user),
        web.put(one, replace_user),
        web.delete(one, delete_user),
        web.get(one + "/groups", list_user_groups),
        web.get(one + "/appLinks", list_app_links),
        web.post(life + "activate", activate_user),
        web.post(life + "reactivate", reactivate_user),
        web.post(life + "deactivate", deactivate_user),
        web.post(life + "suspend", suspend_user),
        web.post(life + "unsuspend", unsuspend_user),
        web.post(life + "unlock", unlock_user),
        web.post(life + "expire_password", expire_password),
        web.post(life + "reset_password", reset_password),
    ]

"""Item functions for user lifecycle jobs: create, update, deactivate, delete.

Create is the one operation that is not idempotent, so it carries the exactly-once logic:

* before the first POST of an item, the journal durably marks it ``in_doubt``;
* a POST that ends without a definitive answer (connection reset, timeout, 5xx) may still have
  created the user, so the user is looked up by login; found means ``"existed"``, not found means
  the create is sent again;
* a duplicate-login 400 (E0000001) is a genuine failure, unless an earlier request for this item,
  in this run or a previous one (journal ``in_doubt``), may have created the user: then the lookup
  decides, and a found user is ``"existed"``.

A user found by the lookup "matches" when its ``profile.login`` equals the row's login (Okta logins
are case-insensitive); other profile attributes are not compared, since Okta may normalize them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from okta_async._core.errors import BadRequestError, NotFoundError
from okta_async._core.resource import encode_query
from okta_async.bulk._calls import (
    TransportLike,
    backoff,
    find_user,
    is_duplicate_login,
    is_transient,
    login_of,
    may_have_acted,
    send_retrying,
    stops_the_job,
)
from okta_async.bulk.outcome import ABSENT, CREATED, DEACTIVATED, DELETED, EXISTED, UPDATED
from okta_async.bulk.runner import ItemContext
from okta_async.resources.users import CREATE_USER, DEACTIVATE_USER, DELETE_USER, UPDATE_USER

UserRow = Mapping[str, Any]
"""A row: ``{"profile": {...}, "credentials": {...}, "group_ids": [...]}`` or a flat profile."""

_ROW_KEYS = frozenset({"profile", "credentials", "group_ids", "groupIds", "type"})


@attrs.frozen
class NewUser:
    """A create-user row, normalized: login, request body."""

    login: str
    body: dict[str, Any]

    @classmethod
    def from_row(cls, row: UserRow, extra_group_ids: Sequence[str] = ()) -> NewUser:
        """Accept ``{"profile": ..., "credentials": ..., "group_ids": ...}`` or a flat profile."""
        if not isinstance(row, Mapping):
            raise TypeError(f"a user row must be a mapping, not {type(row).__name__}")
        if "profile" in row:
            unknown = set(row) - _ROW_KEYS
            if unknown:
                raise ValueError(f"unknown keys in user row: {sorted(unknown)}")
            profile = dict(row["profile"])
        else:
            profile = dict(row)
            row = {}
        login = profile.get("login")
        if not isinstance(login, str) or not login:
            raise ValueError("a user row needs profile.login")
        body: dict[str, Any] = {"profile": profile}
        if row.get("credentials"):
            body["credentials"] = dict(row["credentials"])
        if row.get("type"):
            body["type"] = dict(row["type"])
        groups = [*(row.get("group_ids") or row.get("groupIds") or ()), *extra_group_ids]
        if groups:
            body["groupIds"] = list(dict.fromkeys(str(g) for g in groups))
        return cls(login=login, body=body)


def new_user_key(row: UserRow) -> str:
    """Journal key of a create row: its login, lower-cased (Okta logins are case-insensitive)."""
    return NewUser.from_row(row).login.lower()


@attrs.frozen
class CreateUsers:
    """Item function of ``create_users``."""

    transport: TransportLike
    activate: bool | None = None
    provider: bool | None = None
    next_login: str | None = None
    group_ids: Sequence[str] = ()
    max_attempts: int = 5
    skip_existing: bool = False
    """Count a login that is already taken as ``"existed"`` instead of a failure."""

    async def __call__(self, row: UserRow, ctx: ItemContext) -> tuple[str, Any]:
        user = NewUser.from_row(row, self.group_ids)
        query = encode_query(
            {"activate": self.activate, "provider": self.provider, "nextLogin": self.next_login}
        )
        tries = 0
        while True:
            tries += 1
            await ctx.before_unsafe_send()
            ctx.attempts += 1
            try:
                response = await self.transport.request(CREATE_USER, query=query, json=user.body)
                return CREATED, response.json()
            except BadRequestError as exc:
                if is_duplicate_login(exc) and (ctx.maybe_processed or self.skip_existing):
                    existing = await self._existing(user, ctx)
                    if existing is not None:
                        return EXISTED, existing
                raise
            except Exception as exc:
                acted = is_transient(exc) and may_have_acted(exc)
                ctx.ambiguous = ctx.ambiguous or acted  # in doubt even if the job stops here
                if not is_transient(exc) or stops_the_job(exc):
                    raise
                if acted:
                    existing = await self._existing(user, ctx)
                    if existing is not None:
                        return EXISTED, existing
                if tries >= self.max_attempts:
                    raise
            await self.transport.sleep(backoff(tries))

    async def _existing(self, user: NewUser, ctx: ItemContext) -> dict[str, Any] | None:
        found = await find_user(self.transport, ctx, user.login, max_attempts=self.max_attempts)
        if found is None or (login_of(found) or "").lower() != user.login.lower():
            return None
        return found


def user_target(row: Any) -> str:
    """The user an update/deactivate/delete item names: an id or login string, or a row's one."""
    if isinstance(row, str):
        return row
    if isinstance(row, Mapping):
        target = row.get("id") or row.get("login") or login_of(row)
        if isinstance(target, str) and target:
            return target
    raise ValueError("an item must be a user id or login, or a mapping with 'id' or 'login'")


@attrs.frozen
class UpdateUsers:
    """Item function of ``update_users``: a partial update (POST), so unset attributes stay."""

    transport: TransportLike
    max_attempts: int = 5

    async def __call__(self, row: Mapping[str, Any], ctx: ItemContext) -> tuple[str, Any]:
        target = user_target(row)
        if "profile" in row or "credentials" in row:
            body = {k: dict(row[k]) for k in ("profile", "credentials") if row.get(k)}
        else:
            body = {"profile": {k: v for k, v in row.items() if k != "id"}}
        response = await send_retrying(
            self.transport,
            ctx,
            UPDATE_USER,
            path_params={"id": target},
            json=body,
            max_attempts=self.max_attempts,
        )
        return UPDATED, response.json()


@attrs.frozen
class DeactivateUsers:
    """Item function of ``deactivate_users``; deactivating a deactivated user is a no-op."""

    transport: TransportLike
    send_email: bool = False
    max_attempts: int = 5

    async def __call__(self, user: Any, ctx: ItemContext) -> tuple[str, Any]:
        target = user_target(user)
        await send_retrying(
            self.transport,
            ctx,
            DEACTIVATE_USER,
            path_params={"id": target},
            query=encode_query({"sendEmail": self.send_email}),
            max_attempts=self.max_attempts,
        )
        return DEACTIVATED, {"id": target}


@attrs.frozen
class DeleteUsers:
    """Item function of ``delete_users``: look up, deactivate if needed, then delete.

    Okta's DELETE deactivates a user that is not yet deactivated and deletes one that is, so a
    blindly retried DELETE could delete a user the job only meant to deactivate first. The
    explicit lookup and deactivate make every step idempotent; a user that is not there (404) is
    ``"absent"``, and a 404 on the final DELETE after it was seen means it is gone: ``"deleted"``.
    """

    transport: TransportLike
    send_email: bool = False
    max_attempts: int = 5

    async def __call__(self, user: Any, ctx: ItemContext) -> tuple[str, Any]:
        target = user_target(user)
        found = await find_user(self.transport, ctx, target, max_attempts=self.max_attempts)
        if found is None:
            return ABSENT, {"id": target}
        user_id = str(found.get("id") or target)
        query = encode_query({"sendEmail": self.send_email})
        if found.get("status") != "DEPROVISIONED":
            await send_retrying(
                self.transport,
                ctx,
                DEACTIVATE_USER,
                path_params={"id": user_id},
                query=query,
                max_attempts=self.max_attempts,
            )
        # Seen a moment ago: a retried DELETE that then finds nothing means it went through.
        with contextlib.suppress(NotFoundError):
            await send_retrying(
                self.transport,
                ctx,
                DELETE_USER,
                path_params={"id": user_id},
                query=query,
                max_attempts=self.max_attempts,
            )
        return DELETED, {"id": user_id, "login": login_of(found)}

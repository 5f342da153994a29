"""Item functions for group memberships and app assignments.

All of these are idempotent on Okta's side, which is what makes retrying them safe:

* adding a member (PUT) or assigning a group to an app (PUT) twice leaves one membership;
* assigning a user to an app (POST with the user id in the body) updates an existing assignment
  instead of creating a second one, so it is retried like a PUT;
* removing a membership or an assignment that is not there answers 404, which ends the item as
  ``"absent"``: the desired end state holds, so it is counted apart from failures. A 404 can also
  mean the group or app itself is unknown: the first such 404 looks the container up once, and
  if it is missing every row fails with that 404 (not "absent").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from okta_async._core.resource import encode_query
from okta_async.bulk._calls import (
    Container,
    TransportLike,
    send_retrying,
    send_unless_absent,
)
from okta_async.bulk.outcome import ABSENT, ADDED, ASSIGNED, REMOVED, UNASSIGNED
from okta_async.bulk.runner import ItemContext
from okta_async.resources.apps import (
    ASSIGN_GROUP_TO_APPLICATION,
    ASSIGN_USER_TO_APPLICATION,
    UNASSIGN_USER_FROM_APPLICATION,
)
from okta_async.resources.groups import ASSIGN_USER_TO_GROUP, UNASSIGN_USER_FROM_GROUP


def item_id(item: Any) -> str:
    """The id an item names: the string itself, or a mapping's ``id``."""
    if isinstance(item, str) and item:
        return item
    if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"]:
        return str(item["id"])
    raise ValueError("an item must be an id string or a mapping with an 'id'")


@attrs.frozen
class AddToGroup:
    """Item function of ``add_users_to_group``."""

    transport: TransportLike
    group_id: str
    max_attempts: int = 5

    async def __call__(self, user: Any, ctx: ItemContext) -> tuple[str, Any]:
        user_id = item_id(user)
        await send_retrying(
            self.transport,
            ctx,
            ASSIGN_USER_TO_GROUP,
            path_params={"groupId": self.group_id, "userId": user_id},
            max_attempts=self.max_attempts,
        )
        return ADDED, {"groupId": self.group_id, "userId": user_id}


@attrs.frozen
class RemoveFromGroup:
    """Item function of ``remove_users_from_group``."""

    transport: TransportLike
    group_id: str
    max_attempts: int = 5
    container: Container = attrs.field(
        default=attrs.Factory(lambda self: Container.group(self.group_id), takes_self=True)
    )

    async def __call__(self, user: Any, ctx: ItemContext) -> tuple[str, Any]:
        user_id = item_id(user)
        removed = await send_unless_absent(
            self.transport,
            ctx,
            UNASSIGN_USER_FROM_GROUP,
            container=self.container,
            path_params={"groupId": self.group_id, "userId": user_id},
            max_attempts=self.max_attempts,
        )
        return REMOVED if removed else ABSENT, {"groupId": self.group_id, "userId": user_id}


@attrs.frozen
class AssignUserToApp:
    """Item function of ``assign_users_to_app``.

    An item is a user id, or ``{"id": user_id, "profile": {...}, "credentials": {...},
    "scope": "USER"}`` where ``credentials`` holds the app's ``userName`` and ``password``.
    """

    transport: TransportLike
    app_id: str
    max_attempts: int = 5

    async def __call__(self, assignment: Any, ctx: ItemContext) -> tuple[str, Any]:
        user_id = item_id(assignment)
        body: dict[str, Any] = {"id": user_id, "scope": "USER"}
        if isinstance(assignment, Mapping):
            for name in ("scope", "profile", "credentials"):
                if assignment.get(name):
                    body[name] = assignment[name]
        response = await send_retrying(
            self.transport,
            ctx,
            ASSIGN_USER_TO_APPLICATION,
            path_params={"appId": self.app_id},
            json=body,
            max_attempts=self.max_attempts,
        )
        return ASSIGNED, response.json()


@attrs.frozen
class AssignGroupToApp:
    """Item function of ``assign_groups_to_app``: ``{"id": group_id, "priority": 0, "profile": {}}``
    or a bare group id."""

    transport: TransportLike
    app_id: str
    max_attempts: int = 5

    async def __call__(self, assignment: Any, ctx: ItemContext) -> tuple[str, Any]:
        group_id = item_id(assignment)
        body: dict[str, Any] = {}
        if isinstance(assignment, Mapping):
            if assignment.get("priority") is not None:
                body["priority"] = int(assignment["priority"])
            if assignment.get("profile"):
                body["profile"] = assignment["profile"]
        response = await send_retrying(
            self.transport,
            ctx,
            ASSIGN_GROUP_TO_APPLICATION,
            path_params={"appId": self.app_id, "groupId": group_id},
            json=body,
            max_attempts=self.max_attempts,
        )
        return ASSIGNED, response.json()


@attrs.frozen
class UnassignUserFromApp:
    """Item function of ``unassign_users_from_app``."""

    transport: TransportLike
    app_id: str
    send_email: bool = False
    max_attempts: int = 5
    container: Container = attrs.field(
        default=attrs.Factory(lambda self: Container.app(self.app_id), takes_self=True)
    )

    async def __call__(self, user: Any, ctx: ItemContext) -> tuple[str, Any]:
        user_id = item_id(user)
        unassigned = await send_unless_absent(
            self.transport,
            ctx,
            UNASSIGN_USER_FROM_APPLICATION,
            container=self.container,
            path_params={"appId": self.app_id, "userId": user_id},
            query=encode_query({"sendEmail": self.send_email}),
            max_attempts=self.max_attempts,
        )
        return UNASSIGNED if unassigned else ABSENT, {"appId": self.app_id, "userId": user_id}

"""In-memory state of the fake org, kept as plain JSON dicts.

``Store`` holds every resource exactly as it is served (minus ``_links``, which depend on the
current status and are added when rendering). Collections are insertion-ordered ``dict``s paired
with an :class:`Ordering`, so list endpoints can page with a cursor that stays valid while new
items are appended concurrently (the cursor is the last id served; its creation sequence number
locates the next page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from okta_async.testing._util import ApiError

Json = dict[str, Any]


def invalid_cursor(after: str) -> ApiError:
    """The 400 for an ``after`` value that is not a cursor this org handed out."""
    return ApiError(
        400, "E0000001", "Api validation failed: after", [f"after: invalid cursor {after!r}"]
    )


class Ordering:
    """Append-only creation order of ids with O(1) "position of id" lookups.

    Removing an id leaves a dead slot that iteration skips, but its position is remembered so
    a cursor pointing at a deleted item still resumes at the right place; re-adding an id
    appends it at the end.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._live: set[str] = set()

    def add(self, ident: str) -> None:
        self._pos[ident] = len(self._ids)
        self._ids.append(ident)
        self._live.add(ident)

    def discard(self, ident: str) -> None:
        self._live.discard(ident)

    def __contains__(self, ident: object) -> bool:
        return ident in self._live

    def __len__(self) -> int:
        return len(self._live)

    def position(self, ident: str) -> int | None:
        """Sequence number of an id ever added (live or deleted), or None if never seen."""
        return self._pos.get(ident)

    def iter_from(self, start: int = 0) -> Iterator[str]:
        """Live ids in creation order, starting at sequence number ``start``."""
        ids, pos, live = self._ids, self._pos, self._live
        for index in range(start, len(ids)):
            ident = ids[index]
            if ident in live and pos[ident] == index:
                yield ident

    def iter_reversed(self, end: int | None = None) -> Iterator[str]:
        """Live ids in reverse creation order, from sequence number ``end - 1`` down."""
        ids, pos, live = self._ids, self._pos, self._live
        for index in range(len(ids) - 1 if end is None else end - 1, -1, -1):
            ident = ids[index]
            if ident in live and pos[ident] == index:
                yield ident


class Collection:
    """An ordered id -> JSON dict mapping (users, groups, apps, assignments, log events)."""

    def __init__(self) -> None:
        self.items: dict[str, Json] = {}
        self.order = Ordering()

    def put(self, ident: str, item: Json) -> None:
        if ident not in self.items:
            self.order.add(ident)
        self.items[ident] = item

    def pop(self, ident: str) -> Json | None:
        self.order.discard(ident)
        return self.items.pop(ident, None)

    def get(self, ident: str) -> Json | None:
        return self.items.get(ident)

    def __contains__(self, ident: object) -> bool:
        return ident in self.items

    def __len__(self) -> int:
        return len(self.items)

    def values(self) -> Iterator[Json]:
        for ident in self.order.iter_from(0):
            yield self.items[ident]

    def page(
        self,
        after: str | None,
        limit: int,
        predicate: Callable[[Json], bool] | None = None,
    ) -> tuple[list[Json], str | None]:
        """Up to ``limit`` items after cursor ``after`` that satisfy ``predicate``.

        Returns ``(items, next_after)``: the cursor of the next page (the last item's id) when a
        further matching item exists, else None.
        A cursor that never named an item of this collection is rejected with Okta's 400, so a
        client that mangles cursors fails loudly instead of silently restarting at page one.
        """
        start = 0
        if after:
            pos = self.order.position(after)
            if pos is None:
                raise invalid_cursor(after)
            start = pos + 1
        out: list[Json] = []
        for ident in self.order.iter_from(start):
            item = self.items[ident]
            if predicate is None or predicate(item):
                if len(out) == limit:
                    return out, out[-1]["id"] if out else None
                out.append(item)
        return out, None


@dataclass
class Store:
    """Everything the fake org knows. Tests may read (and carefully tweak) these dicts.

    - ``users``: id -> User JSON (no ``_links``); ``credentials.password`` is ``{}`` when set.
    - ``groups``: id -> Group JSON; ``members``: group id -> Collection of ``{"id": user id}``.
    - ``apps``: id -> Application JSON as posted plus id/status/created/lastUpdated.
    - ``app_users``: app id -> Collection of AppUser JSON; ``app_groups``: app id -> Collection of
      ApplicationGroupAssignment JSON.
    - ``logs``: uuid -> LogEvent JSON, in publication order.
    - ``everyone_id``: id of the BUILT_IN ``Everyone`` group, whose members are the users' own
      dicts (every user is one), not ``{"id": ...}`` stubs.
    - ``group_rules``: id -> GroupRule JSON; ``rule_members``: rule id -> ids of the users it
      added to its groups (so a user who stops matching leaves only what the rule gave).
    """

    users: Collection = field(default_factory=Collection)
    groups: Collection = field(default_factory=Collection)
    apps: Collection = field(default_factory=Collection)
    members: dict[str, Collection] = field(default_factory=dict)
    app_users: dict[str, Collection] = field(default_factory=dict)
    app_groups: dict[str, Collection] = field(default_factory=dict)
    logs: Collection = field(default_factory=Collection)
    logins: dict[str, str] = field(default_factory=dict)  # lower-case login -> user id
    shortnames: dict[str, set[str]] = field(default_factory=dict)  # lower-case shortname -> ids
    group_names: dict[str, str] = field(default_factory=dict)  # lower-case name -> group id
    everyone_id: str = ""
    group_rules: Collection = field(default_factory=Collection)
    rule_members: dict[str, set[str]] = field(default_factory=dict)

    # -- users -------------------------------------------------------------------------------
    def index_login(self, user_id: str, login: str) -> None:
        self.logins[login.lower()] = user_id
        short = login.split("@", 1)[0].lower()
        self.shortnames.setdefault(short, set()).add(user_id)

    def unindex_login(self, user_id: str, login: str) -> None:
        if self.logins.get(login.lower()) == user_id:
            del self.logins[login.lower()]
        short = login.split("@", 1)[0].lower()
        ids = self.shortnames.get(short)
        if ids is not None:
            ids.discard(user_id)
            if not ids:
                del self.shortnames[short]

    def find_user(self, key: str) -> Json | None:
        """A user by id, login, or login shortname when the shortname is unambiguous."""
        user = self.users.get(key)
        if user is not None:
            return user
        lowered = key.lower()
        ident = self.logins.get(lowered)
        if ident is None:
            ids = self.shortnames.get(lowered)
            if ids is not None and len(ids) == 1:
                ident = next(iter(ids))
        return self.users.get(ident) if ident else None

    def user_group_ids(self, user_id: str) -> list[str]:
        """Ids of the groups the user is a member of, in group creation order."""
        return [gid for gid in self.groups.order.iter_from(0) if user_id in self.members[gid]]

    def user_app_ids(self, user_id: str) -> list[str]:
        """Apps assigned to the user directly or through one of their groups.

        Group-based assignments are materialised as ``scope: GROUP`` app users, so membership in
        ``app_users`` answers both cases.
        """
        return [aid for aid in self.apps.order.iter_from(0) if user_id in self.app_users[aid]]

"""``okta.bulk``: the generic :meth:`BulkOperations.map` and the domain helpers built on it.

Every method returns a :class:`~okta_async.bulk.runner.BulkRun` at once (nothing is sent until it
is awaited or iterated)::

    report = await okta.bulk.create_users(rows, concurrency=16, journal="migration.sqlite")
    async for outcome in okta.bulk.add_users_to_group(group_id, user_ids):
        ...

Shared keyword arguments:

``concurrency``
    Items in flight at most. The effective number drops while the operation's rate-limit bucket
    is low and returns after its reset; the client's governor holds individual requests too.
``ordered``
    Yield outcomes in input order (finished items wait for earlier ones) instead of as they finish.
``fail_fast``
    Stop at the first failed item: cancel the others and raise :class:`BulkAbortedError`.
``journal``
    Path of a SQLite file (or an open :class:`~okta_async.bulk.journal.Journal`). Items already done
    by an earlier run of the same ``job`` are skipped; failed ones are tried again. The file
    belongs to the client's org, the ``job`` and ``journal_fingerprint``: another org, job or
    fingerprint is refused (:class:`~okta_async.bulk.journal.JournalMismatchError`), and a second
    process using the file at the same time gets
    :class:`~okta_async.bulk.journal.JournalLockedError`.
``journal_fingerprint``
    Names the input (e.g. a hash of the file the rows come from), so a journal is not reused
    for other input by mistake.
``new_journal``
    Empty the journal first: start the job over.
``job``
    Name of the job inside the journal; defaults to the method name (plus the group or app id).
``progress``
    Called with a :class:`~okta_async.bulk.report.Progress` after every item.
``total``
    Expected item count for progress, when ``items`` has no ``len()``.
``max_attempts``
    Requests per step of an item before it fails on transient errors (connection, 429, 5xx).

Errors no item can get past end the run at their first occurrence and are raised as themselves:
a token the org refuses (:class:`~okta_async.AuthenticationError`), an org that cannot be
reached (:class:`~okta_async.APIConnectionError` before anything was sent) and one that does not
answer within a call's timeout (:class:`~okta_async.APITimeoutError`; the rows in flight stay in
doubt). So does an exception of the input iterable. What finished before is in the journal.
"""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from okta_async.bulk import _calls, _membership_items, _user_items
from okta_async.bulk.journal import JobBinding, Journal
from okta_async.bulk.outcome import SUCCEEDED
from okta_async.bulk.pacing import GovernorLike
from okta_async.bulk.report import ProgressCallback
from okta_async.bulk.runner import BulkRun, ItemContext, ItemFunction, RunSpec
from okta_async.resources import apps as apps_ops
from okta_async.resources import groups as groups_ops
from okta_async.resources import users as users_ops

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from okta_async.client import OktaClient

T = TypeVar("T")
R = TypeVar("R")

Items = Iterable[T] | AsyncIterable[T]
JournalArg = str | os.PathLike[str] | Journal | None


class RunOptions(TypedDict, total=False):
    """Keyword arguments every bulk method takes (see the module docstring)."""

    concurrency: int
    ordered: bool
    fail_fast: bool
    journal: JournalArg
    journal_fingerprint: str | None
    new_journal: bool
    progress: ProgressCallback | None
    total: int | None


class BulkOperations:
    """Bulk jobs against one client; reached as ``okta.bulk``.

    All jobs share the client's transport, and with it its session, retry policy and rate-limit
    governor, so a bulk job and other calls of the same client never fight over a bucket.
    """

    def __init__(self, client: OktaClient) -> None:
        self._client = client

    @property
    def _transport(self) -> _calls.TransportLike:
        return _calls.ClientCalls(self._client)

    @property
    def _org_url(self) -> str:
        return self._client.org_url

    @property
    def _governor(self) -> GovernorLike | None:
        governor: GovernorLike = self._client.governor
        return governor

    def map(
        self,
        fn: Callable[[T], Awaitable[R]],
        items: Items[T],
        *,
        concurrency: int = 16,
        ordered: bool = False,
        fail_fast: bool = False,
        key: Callable[[T], str] | None = None,
        journal: JournalArg = None,
        job: str = "map",
        progress: ProgressCallback | None = None,
        total: int | None = None,
        max_attempts: int = 1,
        retry_on: Callable[[Exception], bool] = _calls.is_transient,
        bucket: str | None = None,
    ) -> BulkRun[T, R]:
        """Run ``fn`` on every item with bounded concurrency; outcomes have status "succeeded".

        ``key`` names an item in the journal (required with ``journal``). With ``max_attempts``
        above 1, errors for which ``retry_on`` is true are retried with backoff; only do that when
        ``fn`` is safe to repeat. ``bucket`` (an ``Operation.bucket`` such as
        ``"POST /api/v1/users"``) lets the concurrency follow that rate-limit bucket.
        """

        async def item_fn(item: T, ctx: ItemContext) -> tuple[str, R]:
            call = functools.partial(fn, item)
            return SUCCEEDED, await _calls.retrying(
                ctx,
                call,
                sleep=self._client.retry_policy.sleep,
                max_attempts=max_attempts,
                retry_on=retry_on,
            )

        return self._run(
            job,
            item_fn,
            items,
            key=key,
            bucket=bucket,
            concurrency=concurrency,
            ordered=ordered,
            fail_fast=fail_fast,
            journal=journal,
            progress=progress,
            total=total,
        )

    def create_users(
        self,
        rows: Items[_user_items.UserRow],
        *,
        activate: bool | None = None,
        provider: bool | None = None,
        next_login: str | None = None,
        group_ids: Sequence[str] = (),
        skip_existing: bool = False,
        max_attempts: int = 5,
        job: str = "create_users",
        **options: Unpack[RunOptions],
    ) -> BulkRun[_user_items.UserRow, Any]:
        """Create a user per row, exactly once even across connection resets and reruns.

        A row is ``{"profile": {...}, "credentials": {...}, "group_ids": [...]}`` or a flat
        profile dict (``{"login": ..., "email": ..., "firstName": ..., "lastName": ...}``).
        ``activate``, ``provider`` and ``next_login`` (``"changePassword"``) are Okta's query
        parameters of createUser; ``group_ids`` are added to every row's own. Outcomes are
        ``"created"``, ``"existed"`` (an earlier request of this job had in fact created it) or
        ``"failed"`` (a duplicate login that this job did not create is a failure, unless
        ``skip_existing`` counts every taken login as ``"existed"``). The journal
        key is the lower-cased login; it keeps each user's id, status and login, which is the
        ``result`` of a ``"skipped"`` outcome on a rerun.
        """
        fn = _user_items.CreateUsers(
            self._transport,
            activate=activate,
            provider=provider,
            next_login=next_login,
            group_ids=tuple(group_ids),
            max_attempts=max_attempts,
            skip_existing=skip_existing,
        )
        return self._run(
            job,
            fn,
            rows,
            key=_user_items.new_user_key,
            bucket=users_ops.CREATE_USER.bucket,
            journal_value=_calls.slim_user,
            **options,
        )

    def update_users(
        self,
        rows: Items[Any],
        *,
        max_attempts: int = 5,
        job: str = "update_users",
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Partially update users: only the attributes a row gives change.

        A row is ``{"id" or "login": ..., "profile": {...}, "credentials": {...}}``, or flat:
        ``{"id": ..., "department": ...}`` (every key but ``id`` is a profile attribute).
        """
        fn = _user_items.UpdateUsers(self._transport, max_attempts=max_attempts)
        return self._run(
            job,
            fn,
            rows,
            key=_user_items.user_target,
            bucket=users_ops.UPDATE_USER.bucket,
            journal_value=_calls.slim_user,
            **options,
        )

    def deactivate_users(
        self,
        users: Items[Any],
        *,
        send_email: bool = False,
        max_attempts: int = 5,
        job: str = "deactivate_users",
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Deactivate users given by id or login; an already deactivated user stays so."""
        fn = _user_items.DeactivateUsers(
            self._transport, send_email=send_email, max_attempts=max_attempts
        )
        return self._run(
            job,
            fn,
            users,
            key=_user_items.user_target,
            bucket=users_ops.DEACTIVATE_USER.bucket,
            **options,
        )

    def delete_users(
        self,
        users: Items[Any],
        *,
        send_email: bool = False,
        max_attempts: int = 5,
        job: str = "delete_users",
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Delete users given by id or login, deactivating them first when needed.

        Outcomes are ``"deleted"`` or ``"absent"`` (no such user: nothing to delete).
        """
        fn = _user_items.DeleteUsers(
            self._transport, send_email=send_email, max_attempts=max_attempts
        )
        return self._run(
            job,
            fn,
            users,
            key=_user_items.user_target,
            bucket=users_ops.DELETE_USER.bucket,
            **options,
        )

    def add_users_to_group(
        self,
        group_id: str,
        users: Items[Any],
        *,
        max_attempts: int = 5,
        job: str | None = None,
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Add users (ids) to a group; adding a member again is harmless. Outcome ``"added"``."""
        fn = _membership_items.AddToGroup(self._transport, group_id, max_attempts=max_attempts)
        return self._run(
            job or f"add_users_to_group:{group_id}",
            fn,
            users,
            key=_membership_items.item_id,
            bucket=groups_ops.ASSIGN_USER_TO_GROUP.bucket,
            **options,
        )

    def remove_users_from_group(
        self,
        group_id: str,
        users: Items[Any],
        *,
        max_attempts: int = 5,
        job: str | None = None,
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Remove users (ids) from a group. Outcomes ``"removed"`` or ``"absent"`` (404)."""
        fn = _membership_items.RemoveFromGroup(self._transport, group_id, max_attempts=max_attempts)
        return self._run(
            job or f"remove_users_from_group:{group_id}",
            fn,
            users,
            key=_membership_items.item_id,
            bucket=groups_ops.UNASSIGN_USER_FROM_GROUP.bucket,
            **options,
        )

    def assign_users_to_app(
        self,
        app_id: str,
        assignments: Items[Any],
        *,
        max_attempts: int = 5,
        job: str | None = None,
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Assign users to an app: a user id, or ``{"id", "profile", "credentials", "scope"}``.

        ``credentials`` is the app's ``{"userName": ..., "password": {"value": ...}}``; assigning
        an assigned user again updates its app profile. Outcome ``"assigned"``.
        """
        fn = _membership_items.AssignUserToApp(self._transport, app_id, max_attempts=max_attempts)
        return self._run(
            job or f"assign_users_to_app:{app_id}",
            fn,
            assignments,
            key=_membership_items.item_id,
            bucket=apps_ops.ASSIGN_USER_TO_APPLICATION.bucket,
            journal_value=_no_secrets,
            **options,
        )

    def assign_groups_to_app(
        self,
        app_id: str,
        assignments: Items[Any],
        *,
        max_attempts: int = 5,
        job: str | None = None,
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Assign groups to an app: a group id, or ``{"id", "priority", "profile"}``."""
        fn = _membership_items.AssignGroupToApp(self._transport, app_id, max_attempts=max_attempts)
        return self._run(
            job or f"assign_groups_to_app:{app_id}",
            fn,
            assignments,
            key=_membership_items.item_id,
            bucket=apps_ops.ASSIGN_GROUP_TO_APPLICATION.bucket,
            **options,
        )

    def unassign_users_from_app(
        self,
        app_id: str,
        users: Items[Any],
        *,
        send_email: bool = False,
        max_attempts: int = 5,
        job: str | None = None,
        **options: Unpack[RunOptions],
    ) -> BulkRun[Any, Any]:
        """Remove users' app assignments. Outcomes ``"unassigned"`` or ``"absent"`` (404)."""
        fn = _membership_items.UnassignUserFromApp(
            self._transport, app_id, send_email=send_email, max_attempts=max_attempts
        )
        return self._run(
            job or f"unassign_users_from_app:{app_id}",
            fn,
            users,
            key=_membership_items.item_id,
            bucket=apps_ops.UNASSIGN_USER_FROM_APPLICATION.bucket,
            **options,
        )

    def _run(
        self,
        job: str,
        fn: ItemFunction[T, R],
        items: Items[T],
        *,
        key: Callable[[T], str] | None,
        bucket: str | None,
        journal_value: Callable[[Any], Any] | None = None,
        concurrency: int = 16,
        ordered: bool = False,
        fail_fast: bool = False,
        journal: JournalArg = None,
        journal_fingerprint: str | None = None,
        new_journal: bool = False,
        progress: ProgressCallback | None = None,
        total: int | None = None,
    ) -> BulkRun[T, R]:
        binding = None
        if journal is not None and not isinstance(journal, Journal):
            binding = JobBinding(org=self._org_url, job=job, fingerprint=journal_fingerprint)
        spec = RunSpec(
            job=job,
            fn=fn,
            items=items,
            concurrency=concurrency,
            ordered=ordered,
            fail_fast=fail_fast,
            key=key,
            journal=journal,
            progress=progress,
            total=total,
            governor=self._governor if bucket is not None else None,
            bucket=bucket,
            journal_value=journal_value,
            binding=binding,
            reset_journal=new_journal,
            stops_job=_calls.stops_the_job,
        )
        return BulkRun(spec)


def _no_secrets(result: Any) -> Any:
    """An app assignment without its credentials, for the journal."""
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if k not in ("credentials", "_links")}
    return result

"""The Okta operations bulk jobs send, and how a bulk job retries them.

Bulk helpers talk to the transport directly with plain JSON (rows in, JSON dicts out): rows usually
come from CSV or another system as dicts, results go into a journal as JSON, and skipping model
(de)serialization keeps a million-row job cheap. Operation ids match the spec's ``operationId``.

Retrying: the transport already retries what is safe for one request (429s, and connection errors
or 5xx for GET/PUT/DELETE). A bulk job adds item-level retries on top, with backoff, because a job
of thousands of items should ride out a bad minute rather than report it as failures. What counts
as "safe" differs by operation and is decided by the item functions, not here.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import anyio

from okta_async._core.errors import (
    APIConnectionError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from okta_async._core.operation import Operation
from okta_async.bulk.runner import ItemContext
from okta_async.resources.users import GET_USER

T = TypeVar("T")

BACKOFF_BASE = 0.25
BACKOFF_CAP = 8.0


class TransportLike(Protocol):
    """The part of ``Transport`` the bulk helpers use."""

    async def request(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = ...,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None = ...,
        json: Any = ...,
    ) -> Any: ...


def is_transient(exc: BaseException) -> bool:
    """Errors worth another try: connection trouble, 429 after the transport's waits, 5xx."""
    return isinstance(exc, APIConnectionError | RateLimitError | InternalServerError)


def may_have_acted(exc: BaseException) -> bool:
    """Errors after which the server may have processed the request anyway."""
    return isinstance(exc, APIConnectionError | InternalServerError)


def is_duplicate_login(exc: BaseException) -> bool:
    """Okta's answer to creating a user whose login is taken: 400 E0000001 naming ``login``."""
    if not isinstance(exc, BadRequestError) or exc.error_code != "E0000001":
        return False
    texts = [*exc.error_causes, exc.error_summary or ""]
    return any("login" in t.lower() and "already exist" in t.lower() for t in texts)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): capped exponential, jittered."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


async def retrying(
    ctx: ItemContext,
    call: Callable[[], Awaitable[T]],
    *,
    max_attempts: int,
    retry_on: Callable[[Exception], bool] = is_transient,
) -> T:
    """Await ``call()``, again with backoff while it raises what ``retry_on`` accepts.

    Every try counts in ``ctx.attempts``; the last error propagates after ``max_attempts`` tries.
    Only for calls that are safe to repeat.
    """
    tries = 0
    while True:
        tries += 1
        ctx.attempts += 1
        try:
            return await call()
        except Exception as exc:
            if tries >= max_attempts or not retry_on(exc):
                raise
        await anyio.sleep(backoff(tries))


async def send_retrying(
    transport: TransportLike,
    ctx: ItemContext,
    op: Operation,
    *,
    max_attempts: int,
    path_params: Mapping[str, str] | None = None,
    query: Sequence[tuple[str, str]] | None = None,
    json: Any = None,
) -> Any:
    """Send an idempotent request, retrying transient errors up to ``max_attempts`` times."""
    return await retrying(
        ctx,
        lambda: transport.request(op, path_params=path_params, query=query, json=json),
        max_attempts=max_attempts,
    )


async def send_unless_absent(
    transport: TransportLike,
    ctx: ItemContext,
    op: Operation,
    *,
    max_attempts: int,
    path_params: Mapping[str, str],
    query: Sequence[tuple[str, str]] | None = None,
) -> bool:
    """Send an idempotent removal with :func:`send_retrying`; False when Okta answers 404.

    For a removal the 404 means the desired end state already holds, which item functions
    report as ``"absent"`` rather than as a failure.
    """
    try:
        await send_retrying(
            transport, ctx, op, max_attempts=max_attempts, path_params=path_params, query=query
        )
    except NotFoundError:
        return False
    return True


async def find_user(
    transport: TransportLike, ctx: ItemContext, user: str, *, max_attempts: int
) -> dict[str, Any] | None:
    """The user with id or login ``user``, or None when Okta answers 404."""
    try:
        response = await send_retrying(
            transport, ctx, GET_USER, path_params={"id": user}, max_attempts=max_attempts
        )
    except NotFoundError:
        return None
    found = response.json()
    return found if isinstance(found, dict) else None


def login_of(user: Mapping[str, Any]) -> str | None:
    """``profile.login`` of a user JSON object."""
    profile = user.get("profile")
    login = profile.get("login") if isinstance(profile, Mapping) else None
    return login if isinstance(login, str) else None


def slim_user(user: Any) -> Any:
    """What a journal keeps of a user: id, status and login (not the whole profile)."""
    if not isinstance(user, Mapping):
        return user
    return {"id": user.get("id"), "status": user.get("status"), "login": login_of(user)}

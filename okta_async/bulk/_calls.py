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
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import anyio
import attrs

from okta_async._core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from okta_async._core.operation import Operation
from okta_async._core.retry import backoff_delay, may_have_been_sent
from okta_async.bulk.runner import ItemContext
from okta_async.resources.apps import GET_APPLICATION
from okta_async.resources.groups import GET_GROUP
from okta_async.resources.users import GET_USER

if TYPE_CHECKING:
    from okta_async._core.transport import RawResponse
    from okta_async.client import OktaClient

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

    async def sleep(self, seconds: float) -> None:
        """Wait between item retries (the client's injectable retry-policy sleep)."""


class ClientCalls:
    """A :class:`TransportLike` over the client's public ``request_raw``: the operation's
    template goes along as the path, so rate-limit buckets stay per endpoint."""

    def __init__(self, client: OktaClient) -> None:
        self._client = client

    async def request(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        json: Any = None,
    ) -> RawResponse:
        params = list(query.items()) if isinstance(query, Mapping) else query
        return await self._client.request_raw(
            op.method, op.path, path_params=path_params, params=params, json=json
        )

    async def sleep(self, seconds: float) -> None:
        await self._client.retry_policy.sleep(seconds)


def is_transient(exc: BaseException) -> bool:
    """Errors worth another try: connection trouble, 429 after the transport's waits, 5xx."""
    return isinstance(exc, APIConnectionError | RateLimitError | InternalServerError)


def never_sent(exc: BaseException) -> bool:
    """A connection error that proves the request never left (refused, DNS, connect timeout)."""
    return isinstance(exc, APIConnectionError) and (
        exc.__cause__ is not None and not may_have_been_sent(exc.__cause__)
    )


def may_have_acted(exc: BaseException) -> bool:
    """Errors after which the server may have processed the request anyway."""
    if isinstance(exc, InternalServerError):
        return True
    return isinstance(exc, APIConnectionError) and not never_sent(exc)


def stops_the_job(exc: BaseException) -> bool:
    """Errors every other item would meet too: the org cannot be reached, does not answer
    within a call's whole deadline, or refuses the token.

    The transport has already retried them (a timeout is the call's deadline, retries
    included), so a job ends at the first instead of repeating the same failure for every row.
    """
    return isinstance(exc, AuthenticationError | APITimeoutError) or never_sent(exc)


def is_duplicate_login(exc: BaseException) -> bool:
    """Okta's answer to creating a user whose login is taken: 400 E0000001 naming ``login``."""
    if not isinstance(exc, BadRequestError) or exc.error_code != "E0000001":
        return False
    texts = [*exc.error_causes, exc.error_summary or ""]
    return any("login" in t.lower() and "already exist" in t.lower() for t in texts)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based): capped exponential, jittered."""
    return backoff_delay(attempt, BACKOFF_BASE, BACKOFF_CAP, jitter=0.5, rand=random.random)


async def retrying(
    ctx: ItemContext,
    call: Callable[[], Awaitable[T]],
    *,
    sleep: Callable[[float], Awaitable[None]],
    max_attempts: int,
    retry_on: Callable[[Exception], bool] = is_transient,
) -> T:
    """Await ``call()``, again with backoff while it raises what ``retry_on`` accepts.

    Every try counts in ``ctx.attempts``; the last error propagates after ``max_attempts`` tries.
    Only for calls that are safe to repeat. ``sleep`` is the client's (see ``TransportLike``).
    """
    tries = 0
    while True:
        tries += 1
        ctx.attempts += 1
        try:
            return await call()
        except Exception as exc:
            if tries >= max_attempts or not retry_on(exc) or stops_the_job(exc):
                raise
        await sleep(backoff(tries))


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
        sleep=transport.sleep,
        max_attempts=max_attempts,
    )


@attrs.define
class Container:
    """The group or app a membership job works in; checked once, at the first 404 of a removal.

    Okta answers 404 both when the membership is absent and when the group or app itself does
    not exist; only the first is the desired end state.
    """

    op: Operation
    path_params: dict[str, str]
    _checked: bool = False
    _missing: NotFoundError | None = None
    _lock: anyio.Lock = attrs.field(factory=anyio.Lock)

    @classmethod
    def group(cls, group_id: str) -> Container:
        """The group ``group_id``."""
        return cls(GET_GROUP, {"groupId": group_id})

    @classmethod
    def app(cls, app_id: str) -> Container:
        """The application ``app_id``."""
        return cls(GET_APPLICATION, {"appId": app_id})

    async def raise_if_missing(
        self, transport: TransportLike, ctx: ItemContext, *, max_attempts: int
    ) -> None:
        """Raise Okta's 404 for the container itself when it does not exist (looked up once)."""
        async with self._lock:
            if not self._checked:
                try:
                    await send_retrying(
                        transport,
                        ctx,
                        self.op,
                        path_params=self.path_params,
                        max_attempts=max_attempts,
                    )
                except NotFoundError as exc:
                    self._missing = exc
                self._checked = True
        if self._missing is not None:
            raise self._missing


async def send_unless_absent(
    transport: TransportLike,
    ctx: ItemContext,
    op: Operation,
    *,
    container: Container,
    max_attempts: int,
    path_params: Mapping[str, str],
    query: Sequence[tuple[str, str]] | None = None,
) -> bool:
    """Send an idempotent removal with :func:`send_retrying`; False when the member is absent.

    For a removal a 404 on the member means the desired end state already holds, which item
    functions report as ``"absent"``; a 404 because ``container`` is missing fails the item.
    """
    try:
        await send_retrying(
            transport, ctx, op, max_attempts=max_attempts, path_params=path_params, query=query
        )
    except NotFoundError:
        await container.raise_if_missing(transport, ctx, max_attempts=max_attempts)
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

"""Raw-response access for generated methods: ``okta.users.with_raw_response.get_user(id)``.

:func:`to_raw_response` wraps a resource's coroutine method without changing its body: while the
wrapped call runs, a :class:`contextvars.ContextVar` holds a capture slot that
``Resource._call`` fills with the response it received. A context variable is per task, so a
raw call and plain calls running concurrently on the same client never see each other's capture.
Paginators are not wrapped: every ``Page`` already carries its ``response``.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from okta_async._core.errors import OktaError

if TYPE_CHECKING:
    from okta_async._core.transport import APIResponse, RawResponse

P = ParamSpec("P")
R = TypeVar("R")


class _Capture:
    """The slot one raw call's response is recorded in."""

    response: RawResponse | None = None


_CAPTURE: contextvars.ContextVar[_Capture | None] = contextvars.ContextVar(
    "okta_async_raw_capture", default=None
)


def record_response(response: RawResponse) -> None:
    """Hand ``response`` to the raw-response call running in this context, if there is one."""
    capture = _CAPTURE.get()
    if capture is not None:
        capture.response = response


def to_raw_response(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[APIResponse[R]]]:
    """``method`` returning an :class:`APIResponse` (status, headers, request id) around its
    result instead of the bare result; arguments and typing stay those of ``method``."""
    from okta_async._core.transport import APIResponse

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        capture = _Capture()
        token = _CAPTURE.set(capture)
        try:
            result = await method(*args, **kwargs)
        finally:
            _CAPTURE.reset(token)
        if capture.response is None:
            name = getattr(method, "__qualname__", repr(method))
            raise OktaError(f"{name} sent no request, so it has no raw response")
        return APIResponse(capture.response, result)

    return wrapper


__all__ = ["record_response", "to_raw_response"]

"""``Resource``: the base of the generated resource classes (one per spec tag).

Generated methods only describe an operation (its ``Operation`` record and which argument goes
where); this class turns that into a ``Transport.request`` call or an ``AsyncPaginator``:

* drops ``UNSET`` query/header values (not sent) and encodes the rest for the query string
  (bool -> ``true``/``false``, datetime -> Okta format, list -> repeated key);
* sends header parameters as extra headers of that call;
* encodes a model body without its readOnly fields (a plain dict is sent as given, models inside
  it encoded the same way); ``str``/``bytes`` bodies go out raw with their content type;
* decodes the response into the declared model (``None`` for no content).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from okta_async._core import operation, serde
from okta_async._core.operation import Operation, RequestOptions
from okta_async._core.unset import UNSET

if TYPE_CHECKING:
    from okta_async._core.pagination import AsyncPaginator
    from okta_async._core.transport import Transport
    from okta_async.resources import ResourceAccessors

T = TypeVar("T")


def encode_query(query: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Query parameters as (name, value) pairs: UNSET dropped, lists repeated, values encoded."""
    pairs: list[tuple[str, str]] = []
    for name, value in (query or {}).items():
        if value is UNSET or value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((name, serde.encode_query_value(v)) for v in value)
        else:
            pairs.append((name, serde.encode_query_value(value)))
    return pairs


def request_options(
    *,
    headers: Mapping[str, Any] | None,
    timeout: float | None,
    max_retries: int | None,
    extra_headers: Mapping[str, str] | None,
) -> RequestOptions | None:
    """Per-call options; header parameters of the operation become extra headers."""
    merged = {k: serde.encode_query_value(v) for k, v in (headers or {}).items() if v is not UNSET}
    merged.update(extra_headers or {})
    options = operation.request_options(
        timeout=timeout, max_retries=max_retries, extra_headers=merged or None
    )
    return options or None


class Resource:
    """Base class of every generated resource; holds the client it was created by."""

    _transport: Transport

    def __init__(self, client: ResourceAccessors) -> None:
        self._client = client
        self._transport = client._transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @overload
    async def _call(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = ...,
        query: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
        body: Any = ...,
        content_type: str | None = ...,
        returns: type[T],
        raw: bool = ...,
        timeout: float | None = ...,
        max_retries: int | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
    ) -> T: ...

    @overload
    async def _call(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = ...,
        query: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
        body: Any = ...,
        content_type: str | None = ...,
        returns: None = ...,
        raw: bool = ...,
        timeout: float | None = ...,
        max_retries: int | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
    ) -> Any: ...

    async def _call(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = UNSET,
        content_type: str | None = None,
        returns: type[Any] | None = None,
        raw: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; return the decoded model, the raw JSON (``raw=True``) or None."""
        json_body: Any = None
        data: bytes | str | None = None
        if isinstance(body, (bytes, str)):
            data = body
        elif body is not UNSET and body is not None:
            json_body = serde.request_body(body)
        response = await self._transport.request(
            op,
            path_params={k: str(v) for k, v in (path or {}).items()},
            query=encode_query(query) or None,
            json=json_body,
            data=data,
            content_type=content_type,
            options=request_options(
                headers=headers,
                timeout=timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
            ),
        )
        if returns is None and not raw:
            return None
        payload = response.json()
        if returns is None:
            return payload
        return serde.decoder(returns)(payload)

    async def _call_list(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        body: Any = UNSET,
        content_type: str | None = None,
        item: type[T],
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[T]:
        """One request whose JSON array answer is decoded item by item (no paging: see
        ``codegen.ir.Operation.is_paginated`` for why side-effecting array operations are not
        paginators)."""
        payload = await self._call(
            op,
            path=path,
            query=query,
            headers=headers,
            body=body,
            content_type=content_type,
            raw=True,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
        )
        decode = serde.decoder(item)
        return [decode(x) for x in payload] if isinstance(payload, list) else []

    def _paginate(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        item: type[T],
        max_items: int | None = None,
        prefetch: int = 1,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[T]:
        """An ``AsyncPaginator`` over an array-returning operation (nothing is sent yet)."""
        from okta_async._core.pagination import AsyncPaginator

        return AsyncPaginator(
            self._transport,
            op,
            path_params={k: str(v) for k, v in (path or {}).items()},
            query=encode_query(query) or None,
            decode=serde.decoder(item),
            options=request_options(
                headers=headers,
                timeout=timeout,
                max_retries=max_retries,
                extra_headers=extra_headers,
            ),
            max_items=max_items,
            prefetch=prefetch,
        )

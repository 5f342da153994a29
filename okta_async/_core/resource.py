"""``Resource``: the base of the generated resource classes (one per spec tag).

Generated methods only describe an operation (its ``Operation`` record and which argument goes
where); this class turns that into a ``Transport.request`` call or an ``AsyncPaginator``:

* drops ``UNSET`` query/header values (not sent) and encodes the rest for the query string
  (bool -> ``true``/``false``, datetime -> Okta format, list -> repeated key, dict -> the
  ``deepObject`` style ``name[key]=value``);
* sends header parameters, and the Accept header the spec names, as extra headers of that call;
* encodes a model body without its readOnly fields (a plain dict is sent as given, models inside
  it encoded the same way); ``str``/``bytes`` bodies go out raw with their content type; files
  (bytes or a binary file object) go out as ``multipart/form-data``;
* decodes the response into the declared model, its text for non-JSON media types, or ``None``
  for no content; a single-object method whose answer is not a JSON object raises
  ``DecodeError`` (only list pages keep the tolerant per-item path).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol, TypeVar, overload

from okta_async._core import operation, serde
from okta_async._core.errors import DecodeError
from okta_async._core.model import decoding_request_id
from okta_async._core.operation import Operation, RequestOptions
from okta_async._core.raw import record_response
from okta_async._core.unset import UNSET

if TYPE_CHECKING:
    from okta_async._core.pagination import AsyncPaginator
    from okta_async._core.transport import RawResponse, Transport

T = TypeVar("T")


def encode_query(query: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Query parameters as (name, value) pairs: UNSET dropped, lists repeated, values encoded."""
    pairs: list[tuple[str, str]] = []
    for name, value in (query or {}).items():
        if value is UNSET or value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((name, serde.encode_query_value(v)) for v in value)
        elif isinstance(value, Mapping):  # style: deepObject
            pairs.extend(encode_query({f"{name}[{k}]": v for k, v in value.items()}))
        else:
            pairs.append((name, serde.encode_query_value(value)))
    return pairs


def encode_multipart(files: Mapping[str, bytes | IO[bytes]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body of file fields, and its Content-Type (with the boundary).

    A file object's name gives the part's filename and type (Okta checks an image's type);
    plain bytes go out as ``application/octet-stream`` named after the field.
    """
    import mimetypes

    boundary = secrets.token_hex(16)
    chunks: list[bytes] = []
    for field, value in files.items():
        data = value if isinstance(value, bytes) else value.read()
        filename = PurePath(str(getattr(value, "name", field))).name
        ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: form-data; name={_quoted(field)}; "
            f"filename={_quoted(filename)}\r\nContent-Type: {ctype}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _quoted(text: str) -> str:
    """A quoted-string for a Content-Disposition parameter (quotes and line breaks escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")
    return f'"{escaped}"'


def _encode_body(
    body: Any, files: Mapping[str, bytes | IO[bytes]] | None, content_type: str | None
) -> tuple[Any, bytes | str | None, str | None]:
    """(JSON value, raw data, content type) for a body: a model/dict is JSON, ``str``/``bytes``
    are sent as they are, files as ``multipart/form-data``."""
    if files:
        data, content_type = encode_multipart(files)
        return None, data, content_type
    if isinstance(body, (bytes, str)):
        return None, body, content_type
    if body is not UNSET and body is not None:
        return serde.request_body(body), None, content_type
    return None, None, content_type


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


def _decode_object(response: RawResponse, payload: Any, returns: type[T]) -> T:
    """A single-object method's answer: anything but a JSON object (null, a list, a string, an
    empty body) is a ``DecodeError`` naming the operation, never handed back under the model's
    type. The request id is at hand while decoding, for a missing always-present field's error."""
    if not isinstance(payload, dict):
        shape = "an empty body" if payload is None and not response.body else _shape(payload)
        raise DecodeError(
            operation_id=response.operation.id,
            status=response.status,
            content_type=response.headers.get("Content-Type", ""),
            body=response.body,
            reason=f"expected a JSON object, got {shape}",
            as_json=False,
        )
    token = decoding_request_id.set(response.request_id)
    try:
        return serde.decoder(returns)(payload)
    finally:
        decoding_request_id.reset(token)


def _shape(payload: Any) -> str:
    """How a non-object JSON value is named in an error (``null``, ``a list``, ``a string``)."""
    if payload is None:
        return "null"
    names = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(payload), type(payload).__name__)


class ClientLike(Protocol):
    """What a resource needs of the client that creates it (any generated package's accessors)."""

    _transport: Transport


class Resource:
    """Base class of every generated resource; holds the client it was created by."""

    _transport: Transport

    def __init__(self, client: ClientLike) -> None:
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
        files: Mapping[str, bytes | IO[bytes]] | None = ...,
        content_type: str | None = ...,
        accept: str | None = ...,
        returns: type[T],
        raw: bool = ...,
        text: Literal[False] = ...,
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
        files: Mapping[str, bytes | IO[bytes]] | None = ...,
        content_type: str | None = ...,
        accept: str | None = ...,
        returns: None = ...,
        raw: bool = ...,
        text: Literal[True],
        timeout: float | None = ...,
        max_retries: int | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
    ) -> str: ...

    @overload
    async def _call(
        self,
        op: Operation,
        *,
        path: Mapping[str, Any] | None = ...,
        query: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
        body: Any = ...,
        files: Mapping[str, bytes | IO[bytes]] | None = ...,
        content_type: str | None = ...,
        accept: str | None = ...,
        returns: None = ...,
        raw: bool = ...,
        text: Literal[False] = ...,
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
        files: Mapping[str, bytes | IO[bytes]] | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        returns: type[Any] | None = None,
        raw: bool = False,
        text: bool = False,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; return the decoded model, the raw JSON (``raw=True``), the body's
        text (``text=True``, non-JSON media types) or None."""
        json_body, data, content_type = _encode_body(body, files, content_type)
        if accept is not None:
            headers = {**(headers or {}), "Accept": accept}
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
        record_response(response)  # for ``with_raw_response`` (okta_async._core.raw)
        if text:
            return response.body.decode("utf-8", errors="replace")
        if returns is None and not raw:
            return None
        payload = response.json()
        if returns is None:
            return payload
        return _decode_object(response, payload, returns)

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

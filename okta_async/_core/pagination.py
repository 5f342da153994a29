"""Streaming pagination over Okta list operations.

Okta pages every list through ``Link: <url>; rel="next"`` headers. An :class:`AsyncPaginator`
describes one listing; nothing is sent until it is iterated or awaited, and every iteration starts
again from the first page:

- ``async for item in paginator`` streams items across pages, holding one page at a time;
- ``await paginator`` gives the first :class:`Page`; ``paginator.pages()`` iterates pages;
- ``await paginator.collect()`` and ``await paginator.first()`` are the eager shortcuts;
- ``paginator.raw()`` is the same listing yielding plain dicts (no model building).

The next link is followed verbatim, even for operations whose spec lists no ``after`` parameter,
and only when it points at the org's own origin: the credential must never leave the org.

Prefetch: while the caller works on page N, a background task fetches page N+1 (at most
``prefetch`` pages ahead). The task never outlives the iteration: leaving the loop, ``aclose()``
or cancelling the consuming task cancels it, which releases its connection. Errors raised by the
task are handed to the consumer in order, after every item received before them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import (
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, final

import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from okta_async._core.errors import DecodeError
from okta_async._core.model import decoding_request_id
from okta_async._core.operation import Operation, RequestOptions

if TYPE_CHECKING:
    from okta_async._core.transport import RawResponse

__all__ = [
    "AsyncPaginator",
    "ItemIterator",
    "Page",
    "PageIterator",
    "fetch_page",
    "parse_link_header",
]

T = TypeVar("T")


class _Transport(Protocol):
    """The slice of ``Transport`` the paginator needs: ``request()``.

    A protocol rather than the class so that the paginator can sit on anything that sends
    requests the same way (a ``with_options`` copy, a test double). ``request(url=...)`` must
    refuse an absolute URL outside the org's origin, as ``Transport.build_url`` does.
    """

    async def request(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        url: str | URL | None = None,
        options: RequestOptions | None = None,
    ) -> RawResponse: ...


# --------------------------------------------------------------------------- Link header parsing


def parse_link_header(values: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """Parse ``Link`` header values (RFC 8288) into ``(url, params)`` pairs, in order.

    Accepts several header lines and comma-joined link-values alike. A comma inside ``<...>`` or
    inside a quoted parameter belongs to the URL or the value, never separates links. Parameter
    names are lower-cased; the first occurrence of a parameter wins. Malformed fragments are
    skipped rather than raised on, since a broken header must not lose the page it came with.
    """
    links: list[tuple[str, dict[str, str]]] = []
    for value in values:
        pos = 0
        while True:
            start = value.find("<", pos)
            if start < 0:
                break
            end = value.find(">", start + 1)
            if end < 0:
                break
            params, pos = _parse_link_params(value, end + 1)
            links.append((value[start + 1 : end].strip(), params))
    return links


def _parse_link_params(value: str, pos: int) -> tuple[dict[str, str], int]:
    """Read ``; name=value`` pairs from ``pos`` up to the comma that ends this link-value.

    Returns the parameters and the position just past that comma (or the end of the string).
    """
    params: dict[str, str] = {}
    n = len(value)
    while pos < n:
        char = value[pos]
        if char == ",":
            return params, pos + 1
        if char != ";":
            pos += 1  # whitespace or stray characters between parameters
            continue
        pos += 1
        name_end = pos
        while name_end < n and value[name_end] not in "=;,":
            name_end += 1
        name = value[pos:name_end].strip().lower()
        pos = name_end
        param_value = ""
        if pos < n and value[pos] == "=":
            param_value, pos = _parse_param_value(value, pos + 1)
        if name:
            params.setdefault(name, param_value)
    return params, pos


def _parse_param_value(value: str, pos: int) -> tuple[str, int]:
    """Read a token or a quoted-string (with backslash escapes) starting at ``pos``."""
    n = len(value)
    while pos < n and value[pos] in " \t":
        pos += 1
    if pos < n and value[pos] == '"':
        chars: list[str] = []
        pos += 1
        while pos < n and value[pos] != '"':
            if value[pos] == "\\" and pos + 1 < n:
                pos += 1
            chars.append(value[pos])
            pos += 1
        return "".join(chars), pos + 1
    end = pos
    while end < n and value[end] not in ";,":
        end += 1
    return value[pos:end].strip(), end


def _next_link(response: RawResponse) -> str | None:
    """The absolute URL of the response's ``rel="next"`` link, or ``None`` when there is none.

    Kept verbatim (the cursor is the server's business); only a relative link is parsed, to be
    resolved against the page's URL. Where it may be sent is the transport's decision.
    """
    for url, params in parse_link_header(response.headers.getall("Link", ())):
        if url and "next" in params.get("rel", "").lower().split():
            if url.startswith(("https://", "http://")):
                return url
            link = URL(url, encoded=True)
            return url if link.is_absolute() else str(response.url.join(link))
    return None


def _cursor_of(next_url: str | None) -> str | None:
    """The ``after`` value of a next link: what a caller passes as ``after=`` to resume."""
    if next_url is None:
        return None
    return URL(next_url, encoded=True).query.get("after")


# --------------------------------------------------------------------------- Page


@final
@attrs.frozen
class Page(Generic[T]):
    """One page of a listing: its decoded items and where the listing continues.

    ``next_cursor`` is the ``after`` value of the next link; pass it later as ``after=`` to the
    same list method to continue exactly after this page. ``response`` is the transport's
    ``RawResponse`` (status, headers, request id, raw body).
    """

    items: list[T]
    next_url: str | None
    response: RawResponse = attrs.field(repr=False)

    @property
    def next_cursor(self) -> str | None:
        """The ``after`` value of the next link (read from ``next_url`` when asked for)."""
        return _cursor_of(self.next_url)

    @property
    def status(self) -> int:
        """HTTP status of the page's response."""
        return self.response.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """Response headers (repeated headers such as ``Link`` are kept)."""
        return self.response.headers

    @property
    def request_id(self) -> str | None:
        """Okta's ``X-Okta-Request-Id`` for this page, for support tickets and logs."""
        return self.response.request_id

    @property
    def has_next(self) -> bool:
        """Whether the server announced another page."""
        return self.next_url is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


# --------------------------------------------------------------------------- fetching


def _identity(value: Any) -> Any:
    return value


async def fetch_page(
    transport: _Transport,
    op: Operation,
    decode: Callable[[Any], T],
    *,
    url: str | None = None,
    path_params: Mapping[str, str] | None = None,
    query: Sequence[tuple[str, str]] | None = None,
    options: RequestOptions | None = None,
) -> Page[T]:
    """Fetch one page: the first one from ``path_params``/``query``, or a next link ``url``.

    A next link is sent verbatim, and only to the org's origin: the transport raises
    :class:`ForeignOriginError` before anything is sent elsewhere (one check, at the boundary).
    """
    if url is None:
        response = await transport.request(
            op, path_params=path_params, query=query, options=options
        )
    else:
        response = await transport.request(op, url=URL(url, encoded=True), options=options)
    return _build_page(op, response, decode)


def _build_page(op: Operation, response: RawResponse, decode: Callable[[Any], T]) -> Page[T]:
    """Decode a list response into a :class:`Page`; a body that is not an array is an error."""
    data = response.json()
    if data is None:
        data = []
    elif not isinstance(data, list):
        raise DecodeError(
            operation_id=op.id,
            status=response.status,
            content_type=response.headers.get("Content-Type", ""),
            body=response.body,
            reason=f"expected a JSON array of items, got a {type(data).__name__}",
        )
    items: list[T] = data if decode is _identity else _decode_items(data, decode, response)
    return Page(items=items, next_url=_next_link(response), response=response)


def _decode_items(data: list[Any], decode: Callable[[Any], T], response: RawResponse) -> list[T]:
    """Every item of a page decoded; a model lacking an always-present field names this page's
    request id when that field is read."""
    token = decoding_request_id.set(response.request_id)
    try:
        return [decode(item) for item in data]
    finally:
        decoding_request_id.reset(token)


class _Walker(Generic[T]):
    """Fetches the pages of one iteration in order; knows nothing about tasks or queues."""

    def __init__(self, paginator: AsyncPaginator[T], max_items: int | None) -> None:
        self._p = paginator
        self._max_items = max_items
        self._next_url: str | None = None
        self._seen = 0
        self.finished = max_items == 0

    async def fetch(self) -> Page[T] | None:
        """Fetch the next page, or return ``None`` once the listing (or ``max_items``) is done."""
        if self.finished:
            return None
        self.finished = True  # until this page says otherwise (an error ends the walk too)
        page = await self._p._fetch(self._next_url)
        self._next_url = page.next_url
        self._seen += len(page.items)
        self.finished = page.next_url is None or (
            self._max_items is not None and self._seen >= self._max_items
        )
        return page


class _End:
    """Queue marker: the producer has no more pages."""


_END = _End()


class _Prefetcher(Generic[T]):
    """Background producer: fetches pages ahead of the consumer, at most ``depth`` ahead.

    A credit is spent to start a fetch and given back when the consumer takes a page, so the
    producer is never more than ``depth`` pages ahead. Results (pages, the end marker or an
    exception) go through an unbounded queue that the credits keep short. The producer's
    coroutine holds this object, never the consumer-facing iterator, so dropping the iterator
    lets its ``__del__`` cancel the task.
    """

    def __init__(self, walker: _Walker[T], depth: int) -> None:
        self._walker = walker
        self._credits = asyncio.Semaphore(depth)
        self._queue: asyncio.Queue[Page[T] | _End | Exception] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(
            self._produce(), name="okta_async-prefetch"
        )

    async def _produce(self) -> None:
        try:
            while not self._walker.finished:
                await self._credits.acquire()
                page = await self._walker.fetch()
                if page is not None:
                    self._queue.put_nowait(page)
                # Let go of it: a page the consumer is done with must be freed before the next
                # one is parsed, or the garbage collector walks both (and promotes them).
                del page
            self._queue.put_nowait(_END)
        except Exception as exc:  # handed to the consumer, in order
            self._queue.put_nowait(exc)

    async def get(self) -> Page[T] | None:
        """The next page in order, ``None`` at the end; re-raises the producer's error."""
        entry = await self._queue.get()
        self._credits.release()
        if isinstance(entry, _End):
            return None
        if isinstance(entry, Exception):
            raise entry
        if not self._walker.finished:
            # Let the producer send the next request now, so that the server answers while the
            # caller works through this page: a caller that never awaits in between would
            # otherwise hold the request back until it asks for the next page.
            await asyncio.sleep(0)
        return entry

    def cancel(self) -> None:
        """Cancel the in-flight fetch, if any (safe to call from ``__del__``)."""
        if not self.task.done():
            with contextlib.suppress(RuntimeError):  # loop already closed
                self.task.cancel()

    async def aclose(self) -> None:
        """Cancel the producer and wait until it has let go of its connection."""
        self.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait([self.task])


class PageIterator(AsyncIterator[Page[T]]):
    """One iteration over a listing's pages (``paginator.pages()``); owns the prefetch task.

    Leaving the loop early is enough to stop it; ``await it.aclose()`` (or
    ``contextlib.aclosing``) additionally waits until the in-flight fetch has been cancelled.
    """

    def __init__(self, paginator: AsyncPaginator[T], max_items: int | None, prefetch: int) -> None:
        self._walker = _Walker(paginator, max_items)
        self._prefetch = prefetch
        self._producer: _Prefetcher[T] | None = None
        self._closed = False
        self._cancelled = False

    def __aiter__(self) -> PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._closed:
            if self._cancelled:
                raise RuntimeError(
                    "this iteration was cancelled while fetching a page and cannot continue "
                    "without a gap; start a new one, or resume from a page's next_cursor"
                )
            raise StopAsyncIteration
        try:
            if self._prefetch == 0:
                page = await self._walker.fetch()
            else:
                if self._producer is None:
                    self._producer = _Prefetcher(self._walker, self._prefetch)
                page = await self._producer.get()
        except asyncio.CancelledError:
            # The consumer is being cancelled: drop the in-flight fetch (and its connection).
            self._stop()
            self._cancelled = True
            raise
        except BaseException:
            self._stop()
            raise
        if page is None:
            self._stop()
            raise StopAsyncIteration
        return page

    def _stop(self) -> None:
        self._closed = True
        if self._producer is not None:
            self._producer.cancel()

    async def aclose(self) -> None:
        """Stop the iteration; cancels and awaits an in-flight prefetch."""
        self._closed = True
        self._cancelled = False
        if self._producer is not None:
            await self._producer.aclose()

    def __del__(self) -> None:
        # `break` out of `async for` does not call aclose(); dropping the iterator must still
        # cancel the in-flight fetch so that no task is left pending.
        producer = getattr(self, "_producer", None)
        if producer is not None:
            producer.cancel()


class ItemIterator(AsyncIterator[T]):
    """One iteration over a listing's items (``aiter(paginator)``), one page held at a time.

    Honours ``max_items``; ``aclose()`` behaves as on :class:`PageIterator`.
    """

    def __init__(self, pages: PageIterator[T], max_items: int | None) -> None:
        self._pages = pages
        self._remaining = max_items
        self._items: Iterator[T] = iter(())

    def __aiter__(self) -> ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        for item in self._items:  # the path of every item but a page's first: kept bare
            return item
        while self._remaining != 0:  # None: no cap
            page = await self._pages.__anext__()
            # Keep only the item list: the page (and its raw body) can be freed meanwhile.
            items = page.items
            del page
            if self._remaining is not None:  # the cap is applied per page, not per item
                if len(items) > self._remaining:
                    items = items[: self._remaining]
                self._remaining -= len(items)
            self._items = iter(items)
            del items
            for item in self._items:
                return item
        await self._pages.aclose()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Stop the iteration; cancels and awaits an in-flight prefetch."""
        await self._pages.aclose()


# --------------------------------------------------------------------------- the paginator


class AsyncPaginator(Generic[T]):
    """A lazily fetched, re-iterable listing returned by every array-returning operation.

    ``decode`` turns one JSON item into ``T`` (a generated model, or a dict in raw mode).
    ``max_items`` caps the number of items yielded (and pages fetched); ``prefetch`` is how many
    pages may be fetched ahead of the consumer (0 disables the background task).
    """

    def __init__(
        self,
        transport: _Transport,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | None = None,
        decode: Callable[[Any], T],
        options: RequestOptions | None = None,
        max_items: int | None = None,
        prefetch: int = 1,
    ) -> None:
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must be >= 0 or None, not {max_items!r}")
        if prefetch < 0:
            raise ValueError(f"prefetch must be >= 0, not {prefetch!r}")
        self._transport = transport
        self._op = op
        self._path_params = path_params
        self._query = query
        self._decode = decode
        self._options = options
        self._max_items = max_items
        self._prefetch = prefetch

    def __repr__(self) -> str:
        return (
            f"<AsyncPaginator {self._op.id} max_items={self._max_items} prefetch={self._prefetch}>"
        )

    def _cap(self, max_items: int | None) -> int | None:
        if max_items is None:
            return self._max_items
        if self._max_items is None:
            return max_items
        return min(max_items, self._max_items)

    def __aiter__(self) -> ItemIterator[T]:
        """Stream every item across pages (a fresh iteration from the first page)."""
        return ItemIterator(PageIterator(self, self._max_items, self._prefetch), self._max_items)

    def pages(self) -> PageIterator[T]:
        """Iterate whole pages; stops after the page that reaches ``max_items`` (not trimmed)."""
        return PageIterator(self, self._max_items, self._prefetch)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        """``await paginator`` fetches and returns the first page only."""
        return self._fetch().__await__()

    async def _fetch(self, url: str | None = None) -> Page[T]:
        """One page: the first (``url`` None) or the one a next link ``url`` points at."""
        return await fetch_page(
            self._transport,
            self._op,
            self._decode,
            url=url,
            path_params=self._path_params,
            query=self._query,
            options=self._options,
        )

    async def collect(self, max_items: int | None = None) -> list[T]:
        """All items (up to ``max_items`` and the paginator's own cap) as a list."""
        cap = self._cap(max_items)
        result: list[T] = []
        async for page in PageIterator(self, cap, self._prefetch):
            result.extend(page.items)
        return result if cap is None else result[:cap]

    async def first(self) -> T | None:
        """The first item, or ``None`` for an empty listing; fetches one page, no prefetch."""
        async for page in PageIterator(self, self._cap(1), 0):
            if page.items:
                return page.items[0]
        return None

    def raw(self) -> AsyncPaginator[dict[str, Any]]:
        """The same listing yielding the JSON objects as plain dicts, without building models."""
        return AsyncPaginator(
            self._transport,
            self._op,
            path_params=self._path_params,
            query=self._query,
            decode=_identity,
            options=self._options,
            max_items=self._max_items,
            prefetch=self._prefetch,
        )

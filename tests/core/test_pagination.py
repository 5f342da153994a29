"""AsyncPaginator edge cases against aioresponses, through the real Transport."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest
from multidict import CIMultiDict
from yarl import URL

from okta_async._core.errors import DecodeError, ForeignOriginError, InternalServerError
from okta_async._core.operation import Operation
from okta_async._core.pagination import AsyncPaginator, Page, parse_link_header
from okta_async._core.transport import Transport
from tests.core.transport_support import open_transport

ORG = "https://acme.okta.com"
USERS_URL = f"{ORG}/api/v1/users"
LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")


@pytest.fixture
async def transport() -> AsyncIterator[Transport]:
    async with open_transport(org_url=ORG, max_retries=0) as t:
        yield t


@attrs.frozen
class User:
    id: str


def decode_user(data: dict[str, Any]) -> User:
    return User(id=data["id"])


def users(transport: Transport, **kwargs: Any) -> AsyncPaginator[User]:
    return AsyncPaginator(transport, LIST_USERS, decode=decode_user, **kwargs)


def page_url(after: str | None) -> str:
    return USERS_URL if after is None else f"{USERS_URL}?after={after}&limit=2"


def next_link(after: str) -> str:
    return f'<{page_url(after)}>; rel="next"'


def serve_pages(
    mocked: Any, pages: list[list[str]], overrides: dict[int, dict[str, Any]] | None = None
) -> None:
    """Register ``pages`` of user ids, chained by next links whose cursor is the last id."""
    after: str | None = None
    for index, ids in enumerate(pages):
        headers = CIMultiDict([("Link", f'<{page_url(after)}>; rel="self"')])
        if index + 1 < len(pages):
            headers.add("Link", next_link(ids[-1]))
        kwargs = {"payload": [{"id": i} for i in ids], "headers": headers, "repeat": True}
        kwargs.update((overrides or {}).get(index, {}))
        mocked.get(page_url(after), **kwargs)
        after = ids[-1]


def requested_urls(mocked: Any) -> list[str]:
    return [str(url) for (_method, url) in mocked.requests]


FIVE_PAGES = [["u1", "u2"], ["u3", "u4"], ["u5", "u6"], ["u7", "u8"], ["u9"]]


# --------------------------------------------------------------------------- Link header parsing


def test_link_parser_reads_several_header_lines() -> None:
    links = parse_link_header(
        ['<https://a/x?after=1>; rel="self"', '<https://a/x?after=2>; rel="next"']
    )
    assert links == [
        ("https://a/x?after=1", {"rel": "self"}),
        ("https://a/x?after=2", {"rel": "next"}),
    ]


def test_link_parser_splits_comma_joined_values_but_not_commas_inside_urls() -> None:
    header = '<https://a/x?filter=a,b&after=1>; rel="self", <https://a/x?q=c,d&after=2>; rel="next"'
    assert parse_link_header([header]) == [
        ("https://a/x?filter=a,b&after=1", {"rel": "self"}),
        ("https://a/x?q=c,d&after=2", {"rel": "next"}),
    ]


def test_link_parser_keeps_commas_and_semicolons_inside_quoted_params() -> None:
    header = '<https://a/1>; title="x, y; z"; rel=next, <https://a/2>; REL="prev"'
    assert parse_link_header([header]) == [
        ("https://a/1", {"title": "x, y; z", "rel": "next"}),
        ("https://a/2", {"rel": "prev"}),
    ]


def test_link_parser_tolerates_odd_spacing_escapes_and_garbage() -> None:
    header = ' junk ,<https://a/1> ;rel = "n\\"ext" ;; flag , <https://a/2>;rel="next"  , <broken'
    assert parse_link_header([header]) == [
        ("https://a/1", {"rel": 'n"ext', "flag": ""}),
        ("https://a/2", {"rel": "next"}),
    ]


def test_link_parser_first_occurrence_of_a_param_wins() -> None:
    assert parse_link_header(['<https://a/1>; rel="self"; rel="next"']) == [
        ("https://a/1", {"rel": "self"})
    ]


# --------------------------------------------------------------------------- streaming


async def test_async_for_streams_items_across_every_page(transport: Transport, mocked: Any) -> None:
    serve_pages(mocked, FIVE_PAGES)
    ids = [user.id async for user in users(transport)]
    assert ids == [f"u{i}" for i in range(1, 10)]
    assert len(mocked.requests) == 5


async def test_iteration_stops_when_there_is_no_next_link(
    transport: Transport, mocked: Any
) -> None:
    mocked.get(USERS_URL, payload=[{"id": "u1"}], headers={"Link": f'<{USERS_URL}>; rel="self"'})
    assert [u.id async for u in users(transport)] == ["u1"]
    assert len(mocked.requests) == 1


async def test_comma_joined_link_header_is_followed(transport: Transport, mocked: Any) -> None:
    mocked.get(
        USERS_URL,
        payload=[{"id": "u1"}],
        headers={"Link": f'<{USERS_URL}>; rel="self", {next_link("u1")}'},
    )
    mocked.get(page_url("u1"), payload=[{"id": "u2"}])
    assert [u.id async for u in users(transport)] == ["u1", "u2"]


async def test_next_link_is_followed_even_when_rel_lists_several_types(
    transport: Transport, mocked: Any
) -> None:
    mocked.get(
        USERS_URL, payload=[{"id": "u1"}], headers={"Link": f'<{page_url("u1")}>; rel="last next"'}
    )
    mocked.get(page_url("u1"), payload=[{"id": "u2"}])
    assert [u.id async for u in users(transport)] == ["u1", "u2"]


async def test_next_link_is_followed_without_resending_the_first_query(
    transport: Transport, mocked: Any
) -> None:
    mocked.get(
        f"{USERS_URL}?limit=2&search=x", payload=[{"id": "u1"}], headers={"Link": next_link("u1")}
    )
    mocked.get(page_url("u1"), payload=[{"id": "u2"}])
    paginator = users(transport, query=[("limit", "2"), ("search", "x")])
    assert [u.id async for u in paginator] == ["u1", "u2"]
    assert requested_urls(mocked) == [f"{USERS_URL}?limit=2&search=x", page_url("u1")]


async def test_foreign_origin_next_link_is_refused_after_the_page_items(
    transport: Transport, mocked: Any
) -> None:
    mocked.get(
        USERS_URL,
        payload=[{"id": "u1"}],
        headers={"Link": '<https://evil.example/api/v1/users?after=u1>; rel="next"'},
    )
    seen: list[str] = []
    with pytest.raises(ForeignOriginError, match=r"evil\.example"):
        async for user in users(transport):
            seen.append(user.id)
    assert seen == ["u1"]
    assert requested_urls(mocked) == [USERS_URL]  # nothing was sent to the other origin


async def test_next_link_on_another_port_or_scheme_is_foreign(
    transport: Transport, mocked: Any
) -> None:
    for target in ("http://acme.okta.com/api/v1/users", "https://acme.okta.com:8443/api/v1/users"):
        mocked.get(USERS_URL, payload=[], headers={"Link": f'<{target}?after=x>; rel="next"'})
        with pytest.raises(ForeignOriginError):
            await users(transport).collect()


@pytest.mark.parametrize("prefetch", [0, 1, 3])
async def test_500_on_page_3_of_5_yields_pages_1_and_2_then_raises(
    transport: Transport, mocked: Any, prefetch: int
) -> None:
    error = {"errorCode": "E0000009", "errorSummary": "boom"}
    serve_pages(mocked, FIVE_PAGES, {2: {"status": 500, "payload": error}})
    seen: list[str] = []
    with pytest.raises(InternalServerError, match="boom"):
        async for user in users(transport, prefetch=prefetch):
            seen.append(user.id)
    assert seen == ["u1", "u2", "u3", "u4"]
    assert len(mocked.requests) == 3  # pages 4 and 5 were never asked for


async def test_an_error_ends_the_iteration_for_good(transport: Transport, mocked: Any) -> None:
    mocked.get(USERS_URL, status=500)
    iterator = aiter(users(transport))
    with pytest.raises(InternalServerError):
        await anext(iterator)
    with pytest.raises(StopAsyncIteration):
        await anext(iterator)


# --------------------------------------------------------------------------- pages and shortcuts


async def test_awaiting_the_paginator_gives_the_first_page_only(
    transport: Transport, mocked: Any
) -> None:
    headers = CIMultiDict([("Link", next_link("u2")), ("X-Okta-Request-Id", "req-1")])
    serve_pages(mocked, FIVE_PAGES, {0: {"headers": headers}})
    page = await users(transport)
    assert isinstance(page, Page)
    assert [u.id for u in page.items] == ["u1", "u2"]
    assert page.next_url == page_url("u2")
    assert page.next_cursor == "u2"
    assert page.has_next
    assert page.status == 200
    assert page.request_id == "req-1"
    assert page.headers["X-Okta-Request-Id"] == "req-1"
    assert len(mocked.requests) == 1


async def test_pages_yields_each_page_with_its_cursor(transport: Transport, mocked: Any) -> None:
    serve_pages(mocked, FIVE_PAGES)
    cursors = [(len(page), page.next_cursor) async for page in users(transport).pages()]
    assert cursors == [(2, "u2"), (2, "u4"), (2, "u6"), (2, "u8"), (1, None)]


async def test_collect_and_first(transport: Transport, mocked: Any) -> None:
    serve_pages(mocked, FIVE_PAGES)
    assert [u.id for u in await users(transport).collect()] == [f"u{i}" for i in range(1, 10)]
    mocked.requests.clear()
    assert await users(transport).first() == User("u1")
    assert len(mocked.requests) == 1


async def test_first_of_an_empty_listing_is_none(transport: Transport, mocked: Any) -> None:
    mocked.get(USERS_URL, payload=[])
    assert await users(transport).first() is None


@pytest.mark.parametrize("prefetch", [0, 1])
async def test_max_items_caps_items_and_pages_fetched(
    transport: Transport, mocked: Any, prefetch: int
) -> None:
    serve_pages(mocked, FIVE_PAGES)
    assert [u.id async for u in users(transport, max_items=3, prefetch=prefetch)] == [
        "u1",
        "u2",
        "u3",
    ]
    assert len(mocked.requests) == 2


async def test_collect_max_items_narrows_the_paginator_cap(
    transport: Transport, mocked: Any
) -> None:
    serve_pages(mocked, FIVE_PAGES)
    assert len(await users(transport, max_items=5).collect(max_items=3)) == 3
    assert len(await users(transport, max_items=5).collect()) == 5
    assert await users(transport, max_items=0).collect() == []


async def test_raw_mode_yields_plain_dicts_without_decoding(
    transport: Transport, mocked: Any
) -> None:
    serve_pages(mocked, FIVE_PAGES)

    def refuse(_: Any) -> Any:
        raise AssertionError("raw mode must not decode")

    paginator = AsyncPaginator(transport, LIST_USERS, decode=refuse)
    items = [item async for item in paginator.raw()]
    assert items[0] == {"id": "u1"}
    assert len(items) == 9


async def test_empty_body_is_an_empty_page(transport: Transport, mocked: Any) -> None:
    mocked.get(USERS_URL, body=b"", status=200)
    page = await users(transport)
    assert page.items == [] and page.next_url is None


async def test_non_array_body_raises_decode_error_naming_the_operation(
    transport: Transport, mocked: Any
) -> None:
    mocked.get(USERS_URL, payload={"id": "u1"})
    with pytest.raises(DecodeError, match="listUsers"):
        await users(transport).collect()


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="prefetch"):
        AsyncPaginator(None, LIST_USERS, decode=decode_user, prefetch=-1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_items"):
        AsyncPaginator(None, LIST_USERS, decode=decode_user, max_items=-1)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- prefetch


async def _spin(ticks: int = 50) -> None:
    """Let background tasks run as far as they can (loop ticks, not wall-clock time)."""
    for _ in range(ticks):
        await asyncio.sleep(0)


@pytest.mark.parametrize("depth", [1, 2])
async def test_prefetch_fetches_at_most_depth_pages_ahead(
    transport: Transport, mocked: Any, depth: int
) -> None:
    serve_pages(mocked, FIVE_PAGES)
    pages = users(transport, prefetch=depth).pages()
    await anext(pages)  # the caller now holds page 1
    await _spin()
    assert len(mocked.requests) == 1 + depth
    await anext(pages)
    await _spin()
    assert len(mocked.requests) == 2 + depth
    await pages.aclose()


async def test_prefetch_zero_fetches_only_on_demand(transport: Transport, mocked: Any) -> None:
    serve_pages(mocked, FIVE_PAGES)
    pages = users(transport, prefetch=0).pages()
    await anext(pages)
    await _spin()
    assert len(mocked.requests) == 1
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "okta_async-prefetch"]


async def test_without_prefetch_a_consumed_page_is_freed_before_the_next_one_is_fetched(
    transport: Transport, mocked: Any
) -> None:
    # Items that outlive their page cost memory and garbage-collector work on every page.
    decoded: list[weakref.ref[User]] = []
    alive_at_request: list[int] = []

    def decode(data: dict[str, Any]) -> User:
        user = decode_user(data)
        decoded.append(weakref.ref(user))
        return user

    def count_alive(url: URL, **_kwargs: Any) -> None:
        alive_at_request.append(sum(ref() is not None for ref in decoded))

    three_pages = [["u1", "u2", "u3"], ["u4", "u5", "u6"], ["u7", "u8", "u9"]]
    serve_pages(mocked, three_pages, {i: {"callback": count_alive} for i in range(3)})
    paginator = AsyncPaginator(transport, LIST_USERS, decode=decode, prefetch=0)
    async for user in paginator:
        assert user.id
    # Only the loop variable (the last item of the page before) may still be alive.
    assert alive_at_request == [0, 1, 1]


async def test_every_iteration_starts_again_from_the_first_page(
    transport: Transport, mocked: Any
) -> None:
    mocked.get(USERS_URL, payload=[{"id": "u1"}], repeat=True)
    paginator = users(transport)
    assert [u.id async for u in paginator] == ["u1"]
    assert [u.id async for u in paginator] == ["u1"]
    assert (await paginator).items == [User("u1")]


def test_repr_names_the_operation_and_settings() -> None:
    text = repr(AsyncPaginator(None, LIST_USERS, decode=decode_user))  # type: ignore[arg-type]
    assert "listUsers" in text and "prefetch=1" in text


def test_cursor_is_none_without_after() -> None:
    page: Page[Any] = Page(items=[], next_url=None, response=None)  # type: ignore[arg-type]
    assert not page.has_next and list(page) == [] and len(page) == 0
    assert URL(page_url("u2")).query["after"] == "u2"


@pytest.mark.parametrize(
    "link",
    [
        "",
        '<https://acme.okta.com/api/v1/users?after=u0>; rel="prev"',
        "garbage; rel=next",
        '<>; rel="next"',
    ],
)
async def test_odd_link_headers_without_a_usable_next_link_end_the_listing(
    transport: Transport, mocked: Any, link: str
) -> None:
    mocked.get(USERS_URL, payload=[{"id": "u1"}], headers={"Link": link})
    assert [u.id async for u in users(transport)] == ["u1"]
    assert len(mocked.requests) == 1

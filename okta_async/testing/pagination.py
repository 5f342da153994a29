"""Okta-style cursor pagination: ``limit``/``after`` in, ``Link`` headers out.

Okta answers list calls with one ``Link: <url>; rel="self"`` header and, when more items exist,
a second ``Link: <url>; rel="next"`` header whose ``after`` is an opaque cursor. Here the cursor
is the id of the last item served; pages are cut in creation order, so inserting items while a
client pages never repeats or skips an item that existed when paging started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
from aiohttp import web
from yarl import URL

from okta_async.testing._util import ApiError

#: (default, maximum) page size per list endpoint, as Okta documents them.
LIMITS: dict[str, tuple[int, int]] = {
    "users": (200, 200),
    "groups": (10000, 10000),
    "group_users": (1000, 10000),
    "group_rules": (50, 200),
    "apps": (20, 200),
    "app_users": (50, 500),
    "app_groups": (20, 200),
    "logs": (100, 1000),
}


def parse_limit(request: web.Request, kind: str) -> int:
    """The effective page size: Okta's default when absent or -1, silently capped at the max."""
    default, cap = LIMITS[kind]
    raw = request.query.get("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, "E0000001", "Api validation failed: limit", ["limit: must be a number"]
        ) from None
    if value < 0:
        return default
    return min(max(value, 1), cap)


def own_url(request: web.Request) -> URL:
    """The absolute URL of this request on the origin the client used."""
    return request.url.with_scheme(request.scheme)


def link_headers(request: web.Request, next_after: str | None) -> list[tuple[str, str]]:
    """``Link`` headers: ``self`` always, ``next`` when ``next_after`` is given."""
    url = own_url(request)
    headers = [("Link", f'<{url}>; rel="self"')]
    if next_after is not None:
        query = [(k, v) for k, v in url.query.items() if k != "after"]
        if next_after:  # "" = poll again from the same place (empty System Log page)
            query.append(("after", next_after))
        headers.append(("Link", f'<{url.with_query(query)}>; rel="next"'))
    return headers


def list_response(
    request: web.Request,
    items: Iterable[dict[str, Any]],
    next_after: str | None,
    render: Callable[[dict[str, Any]], Any] | None = None,
) -> web.Response:
    """A JSON array response carrying Okta's ``Link`` headers."""
    body = [render(item) for item in items] if render else list(items)
    response = web.Response(
        body=orjson.dumps(body), status=200, content_type="application/json", charset="utf-8"
    )
    for name, value in link_headers(request, next_after):
        response.headers.add(name, value)
    return response

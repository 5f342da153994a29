"""System Log API (``GET /api/v1/logs``) with Okta's bounded and polling pagination.

Every change made through the fake org appends a LogEvent (see ``OrgState.emit``). Requests
without ``until`` in ASCENDING order are *polling* requests: like Okta, the response always has
a ``next`` link, even when the page is empty, and following it later returns events published
since. With ``until`` (or DESCENDING) the result is bounded and ``next`` appears only while more
events match.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from okta_async.testing._util import ApiError, Json, okta_time, parse_time
from okta_async.testing.pagination import list_response, parse_limit
from okta_async.testing.query import Expression
from okta_async.testing.state import state_of
from okta_async.testing.store import Collection, invalid_cursor

_DEFAULT_WINDOW = 7 * 24 * 3600.0


def _time_param(request: web.Request, name: str) -> str | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        return okta_time(parse_time(raw))
    except ValueError:
        raise ApiError(
            400, "E0000001", f"Api validation failed: {name}", [f"{name}: invalid date format"]
        ) from None


def _q_matcher(q: str) -> Any:
    terms = [t.lower() for t in q.split() if t]

    def match(event: Json) -> bool:
        haystack = " ".join(
            str(x)
            for x in (
                event.get("eventType"),
                event.get("displayMessage"),
                event["actor"].get("alternateId"),
                event["actor"].get("displayName"),
                *(t.get("alternateId") for t in event.get("target", [])),
                *(t.get("displayName") for t in event.get("target", [])),
                *(t.get("id") for t in event.get("target", [])),
            )
        ).lower()
        return all(term in haystack for term in terms)

    return match


def _ordered(logs: Collection, after: str | None, descending: bool) -> Iterator[Json]:
    pos: int | None = None
    if after:
        pos = logs.order.position(after)
        if pos is None:
            raise invalid_cursor(after)
    if descending:
        ids = logs.order.iter_reversed(pos)
    else:
        ids = logs.order.iter_from(0 if pos is None else pos + 1)
    for ident in ids:
        yield logs.items[ident]


async def list_log_events(request: web.Request) -> web.Response:
    state = state_of(request)
    limit = parse_limit(request, "logs")
    since = _time_param(request, "since") or okta_time(time.time() - _DEFAULT_WINDOW)
    until = _time_param(request, "until")
    if until is not None and until < since:
        raise ApiError(
            400, "E0000001", "Api validation failed: until", ["until: must be after since"]
        )
    descending = request.query.get("sortOrder", "ASCENDING").upper() == "DESCENDING"
    polling = until is None and not descending
    checks: list[Any] = []
    if request.query.get("filter"):
        checks.append(Expression(request.query["filter"]).matches)
    if request.query.get("q"):
        checks.append(_q_matcher(request.query["q"]))
    after = request.query.get("after")
    page: list[Json] = []
    more = False
    for event in _ordered(state.store.logs, after, descending):
        published = event["published"]
        if published < since or (until is not None and published >= until):
            continue
        if not all(check(event) for check in checks):
            continue
        if len(page) == limit:
            more = True
            break
        page.append(event)
    next_after: str | None = None
    if page and (more or polling):
        next_after = page[-1]["uuid"]
    elif polling:
        next_after = after or ""
    return list_response(request, page, next_after)


def routes() -> list[web.RouteDef]:
    return [web.get("/api/v1/logs", list_log_events)]

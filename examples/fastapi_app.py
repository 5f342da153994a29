"""A FastAPI service on top of okta_async.

    uvicorn examples.fastapi_app:app            # needs `pip install uvicorn`

- One OktaClient for the whole process, opened and closed in the app's lifespan, handed to
  endpoints through a dependency (``OktaDep``). It shares one connection pool and one
  rate-limit governor across all requests.
- ``GET /users`` streams users as NDJSON straight from the paginator: one page in memory at a
  time however big the org is. The first item is fetched before the response starts, so a bad
  ``search`` expression still becomes a proper 400 instead of a broken 200 stream.
- Okta errors become HTTP errors: 404 stays 404, a bad request 400, a conflict 409; when Okta
  rate-limits us we answer 503 with Retry-After; auth or connection trouble on our side of the
  call is a 502 (504 for a timeout), never a leaked 401 that would blame the caller.

Uses a throwaway in-process fake org unless OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from okta_async import (
    UNSET,
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    OktaClient,
    OktaError,
    RateLimitError,
)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open one OktaClient (and, without a real org configured, a fake org) for the process."""
    async with contextlib.AsyncExitStack() as stack:
        if os.environ.get("OKTA_CLIENT_ORGURL") and os.environ.get("OKTA_CLIENT_TOKEN"):
            okta = OktaClient()
        else:
            from okta_async.testing import FakeOrg

            org = await stack.enter_async_context(FakeOrg(users=500, groups=5))
            okta = OktaClient(org_url=org.url, token=org.token)
        app.state.okta = await stack.enter_async_context(okta)
        yield


app = FastAPI(title="okta_async example", lifespan=lifespan)


def get_okta(request: Request) -> OktaClient:
    """Dependency: the process-wide client opened in the lifespan."""
    okta: OktaClient = request.app.state.okta
    return okta


OktaDep = Annotated[OktaClient, Depends(get_okta)]


@app.exception_handler(OktaError)
async def okta_error_to_http(request: Request, exc: Exception) -> JSONResponse:
    """Translate an Okta error into the HTTP status that makes sense to *our* caller."""
    headers: dict[str, str] = {}
    if isinstance(exc, NotFoundError):
        status = 404
    elif isinstance(exc, ConflictError):
        status = 409
    elif isinstance(exc, BadRequestError):
        status = 400
    elif isinstance(exc, RateLimitError):
        status = 503
        reset = exc.headers.get("X-Rate-Limit-Reset", "")  # epoch seconds
        wait = int(reset) - int(time.time()) if reset.isdigit() else 30
        headers["Retry-After"] = str(min(max(wait, 1), 60))
    elif isinstance(exc, APITimeoutError):
        status = 504
    else:  # 401/403 from Okta (our token), 5xx, connection errors: upstream trouble
        status = 502
    body: dict[str, Any] = {
        "detail": getattr(exc, "error_summary", None) or str(exc),
        "okta_error_code": getattr(exc, "error_code", None),
        "okta_request_id": getattr(exc, "request_id", None),
    }
    if isinstance(exc, APIConnectionError):
        body["detail"] = "the Okta org could not be reached"
    causes = getattr(exc, "error_causes", None)
    if causes:
        body["causes"] = list(causes)
    return JSONResponse(body, status_code=status, headers=headers)


@app.get("/users", response_class=StreamingResponse)
async def stream_users(
    okta: OktaDep, search: str | None = None, filter: str | None = None
) -> StreamingResponse:
    """Every matching user as one JSON object per line (application/x-ndjson)."""
    paginator = okta.users.list_users(
        search=search or UNSET, filter=filter or UNSET, limit=200
    ).raw()
    items = aiter(paginator)
    try:  # fetch the first page now so that errors still get a proper status code
        first: dict[str, Any] | None = await anext(items)
    except StopAsyncIteration:
        first = None

    async def ndjson() -> AsyncIterator[bytes]:
        try:
            if first is not None:
                yield orjson.dumps(first) + b"\n"
            async for user in items:
                yield orjson.dumps(user) + b"\n"
        finally:  # client went away or we finished: stop prefetching, release the connection
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                await aclose()

    return StreamingResponse(ndjson(), media_type="application/x-ndjson")


@app.get("/users/{user_id}")
async def get_user(user_id: str, okta: OktaDep) -> dict[str, Any]:
    """One user by id or login (404 when Okta has no such user)."""
    user = await okta.users.get_user(user_id)
    return {
        "id": user.id,
        "status": str(user.status),
        "login": user.profile.login,
        "email": user.profile.email,
        "name": f"{user.profile.first_name} {user.profile.last_name}",
    }


class NewUser(BaseModel):
    """Body of POST /users."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    first_name: str
    last_name: str


@app.post("/users", status_code=201)
async def create_user(new: NewUser, okta: OktaDep) -> dict[str, Any]:
    """Create and activate a user (400 with Okta's causes when, say, the login is taken)."""
    user = await okta.users.create_user(
        {
            "profile": {
                "login": new.email,
                "email": new.email,
                "firstName": new.first_name,
                "lastName": new.last_name,
            }
        }
    )
    return {"id": user.id, "status": str(user.status), "login": user.profile.login}


def main() -> None:
    """Serve with uvicorn when it is installed."""
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)


if __name__ == "__main__":
    main()

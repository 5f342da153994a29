"""An ``OktaClient`` talking to a small aiohttp app on 127.0.0.1 (real HTTP, no mocks)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.test_utils import TestServer

from okta_async import OktaClient


@contextlib.asynccontextmanager
async def client_for(app: web.Application, token: str) -> AsyncIterator[OktaClient]:
    """Serve ``app`` on 127.0.0.1 and yield a client of it (SSWS ``token``, no retries)."""
    async with TestServer(app, host="127.0.0.1") as server:
        origin = str(server.make_url("/")).rstrip("/")
        async with OktaClient(org_url=origin, token=token, max_retries=0) as okta:
            yield okta

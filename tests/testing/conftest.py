"""Helpers for the fake org's own tests: a tiny plain-aiohttp client (never the SDK)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from okta_async.testing.pytest_plugin import fake_okta  # noqa: F401  (entry point not installed)
from okta_async.testing.server import FakeOrg


class Reply:
    def __init__(self, status: int, headers: Any, body: Any) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def links(self) -> dict[str, str]:
        out = {}
        for value in self.headers.getall("Link", []):
            url, rel = value.split(";", 1)
            out[rel.split("=", 1)[1].strip('"')] = url.strip().strip("<>")
        return out


class Api:
    """Plain HTTP calls against a FakeOrg with its SSWS token."""

    def __init__(self, org: FakeOrg, session: aiohttp.ClientSession) -> None:
        self.org = org
        self.session = session
        self.auth = {"Authorization": f"SSWS {org.token}"}

    async def call(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        url = path if path.startswith("http") else self.org.url + path
        hdrs = self.auth if headers is None else headers
        async with self.session.request(method, url, json=json, params=params, headers=hdrs) as r:
            raw = await r.read()
            ctype = r.headers.get("Content-Type", "")
            body: Any = None
            if raw and ctype.startswith("application/json"):
                body = await r.json()
            elif raw:
                body = raw.decode()
            return Reply(r.status, r.headers, body)

    async def get(self, path: str, **kw: Any) -> Reply:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return await self.call("POST", path, json, **kw)

    async def put(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return await self.call("PUT", path, json, **kw)

    async def delete(self, path: str, **kw: Any) -> Reply:
        return await self.call("DELETE", path, **kw)

    async def create_user(self, login: str, *, params: Any = None, **extra: Any) -> dict[str, Any]:
        body = {
            "profile": {
                "login": login,
                "email": login,
                "firstName": login.split("@")[0].title(),
                "lastName": "Tester",
                **extra.pop("profile", {}),
            },
            **extra,
        }
        reply = await self.post("/api/v1/users", body, params=params)
        assert reply.status == 200, reply.body
        return reply.body  # type: ignore[no-any-return]

    async def collect(self, path: str, params: Any = None) -> list[Any]:
        """Follow rel="next" links to the end, returning every item."""
        items: list[Any] = []
        reply = await self.get(path, params=params)
        while True:
            assert reply.status == 200, reply.body
            items.extend(reply.body)
            nxt = reply.links().get("next")
            if not nxt:
                return items
            reply = await self.get(nxt)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def api(fake_okta: FakeOrg, session: aiohttp.ClientSession) -> Api:  # noqa: F811
    return Api(fake_okta, session)

"""The FastAPI example driven over ASGI, lifespan included (no server, no sockets of its own)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

Loader = Callable[[str], ModuleType]


@pytest.fixture
async def client(load_example: Loader) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    module = load_example("fastapi_app")
    app = module.app
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://example") as http:
            yield http, app


async def test_users_endpoint_streams_every_user_as_ndjson(
    client: tuple[httpx.AsyncClient, Any],
) -> None:
    http, _ = client
    async with http.stream("GET", "/users") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        users = [json.loads(line) async for line in response.aiter_lines() if line]
    assert len(users) == 500
    assert len({u["id"] for u in users}) == 500


async def test_users_endpoint_passes_search_through(
    client: tuple[httpx.AsyncClient, Any],
) -> None:
    http, _ = client
    response = await http.get("/users", params={"search": 'status eq "ACTIVE"'})
    statuses = {json.loads(line)["status"] for line in response.text.splitlines()}
    assert statuses == {"ACTIVE"}


async def test_a_bad_search_is_a_400_before_the_stream_starts(
    client: tuple[httpx.AsyncClient, Any],
) -> None:
    http, _ = client
    response = await http.get("/users", params={"search": "this is not ( valid"})
    assert response.status_code == 400
    assert response.json()["okta_error_code"] == "E0000031" or response.json()["detail"]


async def test_unknown_user_maps_to_404_with_okta_details(
    client: tuple[httpx.AsyncClient, Any],
) -> None:
    http, _ = client
    response = await http.get("/users/00u0000000000000000")
    assert response.status_code == 404
    body = response.json()
    assert body["okta_error_code"] == "E0000007"
    assert body["okta_request_id"]


async def test_create_user_then_fetch_it_by_login(
    client: tuple[httpx.AsyncClient, Any],
) -> None:
    http, _ = client
    new = {"email": "fresh@example.com", "first_name": "Fresh", "last_name": "User"}
    created = await http.post("/users", json=new)
    assert created.status_code == 201
    fetched = await http.get("/users/fresh@example.com")
    assert fetched.status_code == 200
    assert fetched.json()["id"] == created.json()["id"]


async def test_a_duplicate_login_maps_to_400_with_the_causes(
    client: tuple[httpx.AsyncClient, Any],
) -> None:
    http, _ = client
    new = {"email": "twice@example.com", "first_name": "Two", "last_name": "Times"}
    assert (await http.post("/users", json=new)).status_code == 201
    again = await http.post("/users", json=new)
    assert again.status_code == 400
    assert again.json()["okta_error_code"] == "E0000001"
    assert again.json()["causes"]


async def test_the_client_is_one_per_process_and_closed_after_the_lifespan(
    load_example: Loader,
) -> None:
    module = load_example("fastapi_app")
    app = module.app
    async with app.router.lifespan_context(app):
        okta = app.state.okta
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://example") as http:
            await http.get("/users/00u0000000000000000")
            await http.get("/users/00u0000000000000001")
        assert app.state.okta is okta
    assert okta.closed

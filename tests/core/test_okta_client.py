"""OktaClient lifecycle: context manager, close, use after close, with_options, sharing."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import pytest

from okta_async._core import errors
from okta_async._core.operation import Operation
from okta_async.client import OktaClient
from tests.core.transport_support import ORG, TOKEN, LocalConfig, StaticAuth
from tests.support.http_mock import mocked_okta

GET_USER = Operation(id="getUser", method="GET", path="/api/v1/users/{userId}")
USER_URL = f"{ORG}/api/v1/users/00u1"


def _client(**config: object) -> OktaClient:
    return OktaClient(config=LocalConfig(**config), auth=StaticAuth())  # type: ignore[arg-type]


async def test_async_with_closes_the_client() -> None:
    async with _client() as okta:
        with mocked_okta() as m:
            m.get(USER_URL, payload={"id": "00u1"})
            response = await okta._transport.request(GET_USER, path_params={"userId": "00u1"})
        assert response.json() == {"id": "00u1"}
        assert not okta.closed
    assert okta.closed


async def test_client_works_without_async_with_and_close_is_idempotent() -> None:
    okta = _client()
    with mocked_okta() as m:
        m.get(USER_URL, payload={})
        await okta._transport.request(GET_USER, path_params={"userId": "00u1"})
    await okta.close()
    await okta.close()
    assert okta.closed


async def test_using_the_client_after_close_raises_client_closed_error() -> None:
    okta = _client()
    await okta.close()
    with pytest.raises(errors.ClientClosedError, match="closed"):
        await okta._transport.request(GET_USER, path_params={"userId": "00u1"})


async def test_close_also_closes_the_auth_strategy() -> None:
    auth = StaticAuth()
    okta = OktaClient(config=LocalConfig(), auth=auth)
    await okta.close()
    assert auth.closed


def test_creating_a_client_outside_a_loop_opens_no_session() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        okta = _client()
        assert okta._transport._shared.session is None
        del okta


async def test_with_options_shares_session_and_governor_and_applies_defaults() -> None:
    async with _client(max_retries=3) as okta:
        quick = okta.with_options(timeout=1.5, max_retries=0, extra_headers={"X-Trace": "t"})
        assert quick is not okta
        assert quick.governor is okta.governor
        assert quick._transport.session() is okta._transport.session()
        with mocked_okta() as m:
            m.get(USER_URL, status=503, repeat=True)
            with pytest.raises(errors.InternalServerError):
                await quick._transport.request(GET_USER, path_params={"userId": "00u1"})
            [call] = next(iter(m.requests.values()))
        assert call.kwargs["timeout"].total == 1.5
        assert call.kwargs["headers"]["X-Trace"] == "t"
        await quick.close()
        assert okta.closed  # one session: closing a copy closes it for all


async def test_one_client_is_shared_by_many_concurrent_tasks() -> None:
    async with _client(max_concurrent_requests=4) as okta:
        with mocked_okta() as m:
            m.get(USER_URL, payload={"id": "00u1"}, repeat=True)
            results = await asyncio.gather(
                *(
                    okta._transport.request(GET_USER, path_params={"userId": "00u1"})
                    for _ in range(50)
                )
            )
        assert {r.status for r in results} == {200}
        assert len(next(iter(m.requests.values()))) == 50
        assert okta.governor.in_flight() == 0


def test_repr_shows_org_and_auth_mode_only() -> None:
    okta = _client()
    text = repr(okta)
    assert text == f"<OktaClient org_url={ORG} auth=SSWS>"
    assert TOKEN not in text


def test_config_and_individual_settings_are_mutually_exclusive() -> None:
    with pytest.raises(TypeError, match="token"):
        OktaClient(token=TOKEN, config=LocalConfig(), auth=StaticAuth())


def test_bulk_is_cached_and_lazily_imported() -> None:
    okta = _client()
    assert okta.bulk is okta.bulk


def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("OKTA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


async def test_settings_go_through_load_config_and_build_auth(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _isolate(monkeypatch, tmp_path)
    async with OktaClient("https://acme.okta.com", TOKEN, max_retries=0, max_connections=5) as okta:
        assert okta.config.max_retries == 0
        assert okta.config.max_connections == 5
        assert repr(okta) == "<OktaClient org_url=https://acme.okta.com auth=SSWS>"
        with mocked_okta() as m:
            m.get("https://acme.okta.com/api/v1/users/00u1", payload={})
            await okta._transport.request(GET_USER, path_params={"userId": "00u1"})
            [call] = next(iter(m.requests.values()))
        assert call.kwargs["headers"]["Authorization"] == f"SSWS {TOKEN}"


def test_missing_token_raises_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _isolate(monkeypatch, tmp_path)
    with pytest.raises(errors.ConfigError):
        OktaClient("https://acme.okta.com")


async def test_client_from_arguments_talks_to_the_fake_org(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from okta_async.testing import FakeOrg

    _isolate(monkeypatch, tmp_path)
    list_users = Operation(id="listUsers", method="GET", path="/api/v1/users")
    async with FakeOrg(users=3) as org, OktaClient(org_url=org.url, token=org.token) as okta:
        response = await okta._transport.request(list_users, query={"limit": "2"})
        assert len(response.json()) == 2
        assert org.token not in repr(okta)
        [record] = org.requests
        assert record["auth_scheme"] == "SSWS"
        assert record["user_agent"].startswith("okta-async/")
    assert okta.closed


def test_with_options_copy_rebuilds_cached_resource_accessors() -> None:
    okta = _client()
    okta.__dict__["users"] = "resource bound to the original transport"  # as cached_property does
    copy = okta.with_options(max_retries=0)
    assert "users" not in copy.__dict__
    assert copy._transport is not okta._transport
    assert copy._transport._shared is okta._transport._shared

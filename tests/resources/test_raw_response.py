"""``okta.<ns>.with_raw_response.<method>(...)``: the response beside the parsed result.

End to end against the embedded fake org over 127.0.0.1, plus a mypy run proving the wrapped
methods keep their parameters and return ``APIResponse[<the method's return type>]``.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from okta_async import APIResponse, OktaClient, OktaError, RawResponse, models
from okta_async._core.raw import to_raw_response
from okta_async.testing import FakeOrg

ROOT = Path(__file__).resolve().parents[2]


def user_ids(org: FakeOrg) -> list[str]:
    return [u["id"] for u in org.store.users.values()]


@pytest.fixture
async def org() -> AsyncIterator[FakeOrg]:
    async with FakeOrg(users=4, seed=3, faults="latency=1ms-5ms") as fake:
        yield fake


async def test_raw_get_user_gives_status_headers_request_id_and_the_model(org: FakeOrg) -> None:
    user_id = user_ids(org)[0]
    async with OktaClient(org_url=org.url, token=org.token) as okta:
        response = await okta.users.with_raw_response.get_user(user_id)
    assert isinstance(response, APIResponse)
    assert isinstance(response.raw, RawResponse)
    assert response.status == 200
    sent = org.requests[-1]
    assert sent["path"] == f"/api/v1/users/{user_id}"
    assert response.request_id == sent["request_id"] is not None
    for name in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
        assert int(response.headers[name]) >= 0
    user = response.parse()
    assert isinstance(user, models.User)
    assert user.id == user_id
    assert response.json()["id"] == user_id


async def test_raw_call_of_a_no_content_method_parses_to_none(org: FakeOrg) -> None:
    user_id = user_ids(org)[1]
    async with OktaClient(org_url=org.url, token=org.token) as okta:
        await okta.users.deactivate_user(user_id)
        response = await okta.users.with_raw_response.delete_user(user_id)
    assert response.status == 204
    assert response.parse() is None
    assert response.request_id == org.requests[-1]["request_id"]


async def test_raw_access_is_cached_per_resource_and_keeps_method_names(org: FakeOrg) -> None:
    async with OktaClient(org_url=org.url, token=org.token) as okta:
        raw = okta.users.with_raw_response
        assert okta.users.with_raw_response is raw
        assert raw.get_user.__name__ == "get_user"
        assert not hasattr(raw, "list_users")  # paginators: Page.response instead


async def test_concurrent_raw_and_plain_calls_do_not_see_each_others_responses(
    org: FakeOrg,
) -> None:
    ids = user_ids(org)
    async with OktaClient(org_url=org.url, token=org.token) as okta:
        raw_calls = [okta.users.with_raw_response.get_user(i) for i in ids * 5]
        plain_calls = [okta.users.get_user(i) for i in reversed(ids * 5)]
        results = await asyncio.gather(*raw_calls, *plain_calls)
    raws, plains = results[: len(raw_calls)], results[len(raw_calls) :]
    path_of = {r["request_id"]: r["path"] for r in org.requests}
    for user_id, response in zip(ids * 5, raws, strict=True):
        assert isinstance(response, APIResponse)
        assert path_of[response.request_id] == f"/api/v1/users/{user_id}"
        assert response.parse().id == user_id
    assert [u.id for u in plains] == list(reversed(ids * 5))


async def test_a_wrapped_coroutine_that_sends_nothing_raises_an_okta_error() -> None:
    async def no_request() -> int:
        return 1

    with pytest.raises(OktaError, match="sent no request"):
        await to_raw_response(no_request)()


def test_slow_mypy_infers_api_response_of_the_methods_model_without_casts(tmp_path: Path) -> None:
    snippet = tmp_path / "raw_typing.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from typing import Any, assert_type

            from okta_async import APIResponse, OktaClient, models


            async def check(okta: OktaClient) -> None:
                got = await okta.users.with_raw_response.get_user("00u1", expand="blocks")
                assert_type(got, APIResponse[models.UserGetSingleton])
                assert_type(got.parse(), models.UserGetSingleton)
                as_user: APIResponse[models.User] = got  # covariant: a User's response
                assert_type(got.status, int)
                assert_type(got.request_id, str | None)
                gone = await okta.users.with_raw_response.delete_user("00u1", send_email=True)
                assert_type(gone, APIResponse[None])
                await okta.users.with_raw_response.get_user(1)  # E: wrong argument type
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version=3.11", str(snippet)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert "raw_typing.py:16:" in errors[0] and "[arg-type]" in errors[0], errors

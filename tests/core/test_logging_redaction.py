"""Logging: one line per request and per retry decision, and no secret anywhere."""

from __future__ import annotations

import logging

import pytest

from okta_async._core import errors
from okta_async._core.operation import Operation
from tests.core.transport_support import (
    ORG,
    TOKEN,
    open_transport,
)
from tests.support.http_mock import mocked_okta

GET_USER = Operation(id="getUser", method="GET", path="/api/v1/users/{userId}")
USER_URL = f"{ORG}/api/v1/users/00u1"


async def test_debug_logs_of_a_failing_retried_request_never_contain_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # root: aiohttp's and asyncio's loggers included
    body = {"errorCode": "E0000009", "errorSummary": "Internal Server Error", "errorCauses": []}
    async with open_transport(max_retries=2) as transport:
        with mocked_okta() as m:
            m.get(USER_URL, status=503, payload=body, headers={"X-Okta-Request-Id": "rq1"})
            m.get(
                USER_URL,
                status=429,
                headers={"X-Rate-Limit-Limit": "0", "X-Rate-Limit-Remaining": "0"},
            )
            m.get(USER_URL, status=500, payload=body, headers={"X-Okta-Request-Id": "rq3"})
            with pytest.raises(errors.InternalServerError) as info:
                await transport.request(GET_USER, path_params={"userId": "00u1"})

    everything = [caplog.text, str(info.value), repr(info.value), repr(transport)]
    everything += [str(record.__dict__) for record in caplog.records]
    everything += [repr(info.value.__dict__)]
    for text in everything:
        assert TOKEN not in text
        assert TOKEN[:12] not in text

    ours = [r for r in caplog.records if r.name == "okta_async"]
    requests = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    retries = [r.getMessage() for r in ours if r.getMessage().startswith("retrying")]
    give_ups = [r.getMessage() for r in ours if r.getMessage().startswith("not retrying")]
    assert len(requests) == 3
    assert len(retries) == 2
    assert give_ups == ["not retrying GET /api/v1/users/00u1 after 500: retries exhausted (2 of 2)"]
    assert requests[0].startswith("GET /api/v1/users/00u1 -> 503 in ")
    assert "ms (request id rq1)" in requests[0]
    assert "retry 2" in requests[2]
    assert retries[0].startswith("retrying GET /api/v1/users/00u1 (retry 1) in ")
    assert "503" in retries[0]
    assert "concurrent" in retries[1]


async def test_a_post_that_may_have_been_processed_logs_why_it_is_not_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import aiohttp

    caplog.set_level(logging.INFO, logger="okta_async")
    create = Operation(id="createUser", method="POST", path="/api/v1/users")
    async with open_transport() as transport:
        with mocked_okta() as m:
            m.post(f"{ORG}/api/v1/users", exception=aiohttp.ServerDisconnectedError())
            with pytest.raises(errors.APIConnectionError):
                await transport.request(create, json={})
    assert [r.getMessage() for r in caplog.records] == [
        "not retrying POST /api/v1/users after ServerDisconnectedError: "
        "not safe to repeat: the server may have acted on it"
    ]

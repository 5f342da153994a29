"""Fixtures for resource tests: a recording transport and a client built on it."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from okta_async._core.operation import Operation
from okta_async.resources import ResourceAccessors


class FakeResponse:
    """Just what Resource reads from a RawResponse."""

    def __init__(self, operation: Operation, payload: Any, status: int = 200) -> None:
        self.operation = operation
        self.status = status
        self.headers = {"Content-Type": "application/json", "X-Okta-Request-Id": "req-fake"}
        self.request_id = "req-fake"
        self.body = b"" if payload is None else orjson.dumps(payload)

    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else None


class RecordingTransport:
    """Records every ``request`` call and answers with queued payloads."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: list[Any] = []

    async def request(self, op: Operation, **kwargs: Any) -> FakeResponse:
        self.requests.append({"op": op, **kwargs})
        return FakeResponse(op, self.replies.pop(0) if self.replies else None)


class FakeClient(ResourceAccessors):
    def __init__(self, transport: RecordingTransport) -> None:
        self._transport = transport  # type: ignore[assignment]


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def client(transport: RecordingTransport) -> FakeClient:
    return FakeClient(transport)

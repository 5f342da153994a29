"""Fixtures for bulk tests: an embedded fake Okta org and a client pointed at it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest


@pytest.fixture
async def org(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A running FakeOrg; parametrize indirectly with FakeOrg keyword arguments."""
    from okta_async.testing import FakeOrg

    kwargs: dict[str, Any] = dict(getattr(request, "param", None) or {})
    kwargs.setdefault("groups", 2)
    kwargs.setdefault("apps", 1)
    async with FakeOrg(**kwargs) as fake:
        yield fake


@pytest.fixture
async def okta(org: Any) -> AsyncIterator[Any]:
    """An OktaClient talking to ``org`` (no retries' waits longer than a second)."""
    from okta_async import OktaClient

    async with OktaClient(org_url=org.url, token=org.token, max_rate_limit_wait=5.0) as client:
        yield client

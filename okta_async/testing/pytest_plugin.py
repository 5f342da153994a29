"""pytest plugin (``pytest11`` entry point): the ``fake_okta`` and ``okta`` fixtures.

Importing this module is cheap: ``FakeOrg`` is imported only when a test requests a fixture.
``fake_okta`` is a started, empty ``FakeOrg`` (function scope); ``okta`` is an ``OktaClient``
connected to it. Tests that need seeded data or faults can parametrize ``fake_okta`` indirectly
with a dict of ``FakeOrg`` keyword arguments::

    @pytest.mark.asyncio
    @pytest.mark.parametrize("fake_okta", [{"users": 50, "groups": 3}], indirect=True)
    async def test_something(okta, fake_okta): ...

Both are pytest-asyncio fixtures, so they work in its default strict mode (async tests carry
``@pytest.mark.asyncio``) and in ``asyncio_mode = "auto"``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

try:  # pytest-asyncio makes the async fixture usable in any mode; it is optional
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - without pytest-asyncio async fixtures cannot run anyway
    _async_fixture = pytest.fixture  # type: ignore[assignment]

if TYPE_CHECKING:
    from okta_async.client import OktaClient
    from okta_async.testing.server import FakeOrg


@_async_fixture
async def fake_okta(request: pytest.FixtureRequest) -> AsyncIterator[FakeOrg]:
    """A running fake Okta org on 127.0.0.1 (``org.url``, ``org.token``, ``org.store``)."""
    from okta_async.testing.server import FakeOrg

    kwargs: dict[str, Any] = dict(getattr(request, "param", None) or {})
    async with FakeOrg(**kwargs) as org:
        yield org


@_async_fixture
async def okta(fake_okta: FakeOrg) -> AsyncIterator[OktaClient]:
    """An ``OktaClient`` connected to the ``fake_okta`` org, closed after the test."""
    from okta_async.client import OktaClient

    async with OktaClient(org_url=fake_okta.url, token=fake_okta.token) as client:
        yield client

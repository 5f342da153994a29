"""pytest plugin (``pytest11`` entry point): the ``fake_okta`` fixture.

Importing this module is cheap: ``FakeOrg`` is imported only when a test requests the fixture.
``fake_okta`` is a started, empty ``FakeOrg`` (function scope). Tests that need seeded data or
faults can parametrize it indirectly with a dict of ``FakeOrg`` keyword arguments::

    @pytest.mark.parametrize("fake_okta", [{"users": 50, "groups": 3}], indirect=True)
    async def test_something(fake_okta): ...
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
    from okta_async.testing.server import FakeOrg


@_async_fixture
async def fake_okta(request: pytest.FixtureRequest) -> AsyncIterator[FakeOrg]:
    """A running fake Okta org on 127.0.0.1 (``org.url``, ``org.token``, ``org.store``)."""
    from okta_async.testing.server import FakeOrg

    kwargs: dict[str, Any] = dict(getattr(request, "param", None) or {})
    async with FakeOrg(**kwargs) as org:
        yield org

"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_mock import mocked_okta


@pytest.fixture
def mocked() -> Iterator[mocked_okta]:
    """aioresponses (aiohttp 3.14-compatible) intercepting every aiohttp request of the test."""
    with mocked_okta() as m:
        yield m

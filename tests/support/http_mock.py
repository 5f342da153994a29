"""aioresponses, made to work with aiohttp 3.14, plus a reader for what it recorded.

aioresponses 0.7.9 builds its canned ``ClientResponse`` objects without the ``stream_writer``
argument aiohttp 3.14 requires; :class:`mocked_okta` passes a stand-in. Use it wherever
``aioresponses`` would be used (``with mocked_okta() as m:``, or the ``mocked`` fixture of
tests/conftest.py).
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import aiohttp
from aioresponses import aioresponses


class _Aiohttp314Response(aiohttp.ClientResponse):
    """A ``ClientResponse`` that supplies the ``stream_writer`` aioresponses does not pass."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", mock.Mock(output_size=0))
        super().__init__(*args, **kwargs)


class mocked_okta(aioresponses):
    """aioresponses whose canned responses construct under aiohttp 3.14."""

    def add(self, url: Any, method: str = "GET", **kwargs: Any) -> None:  # type: ignore[override]
        kwargs.setdefault("response_class", _Aiohttp314Response)
        super().add(url, method, **kwargs)


def sent_headers(mocked: aioresponses) -> list[dict[str, str]]:
    """Headers of every request aioresponses saw, in order."""
    calls = [call for calls in mocked.requests.values() for call in calls]
    return [dict(call.kwargs.get("headers") or {}) for call in calls]

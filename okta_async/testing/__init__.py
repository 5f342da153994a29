"""Embedded fake Okta org for tests, demos and benchmarks.

``FakeOrg`` serves the Users, Groups, Apps and System Log parts of the Okta Management API from
an in-memory store over real HTTP on 127.0.0.1, with Okta's errors, pagination, rate limits and
deterministic fault injection. It speaks plain JSON and never imports the SDK's models, serde or
client, so an SDK bug cannot hide behind it.

Names are loaded lazily so that the pytest plugin (registered for every pytest run through the
``pytest11`` entry point) costs nothing until a test actually uses the ``fake_okta`` fixture.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okta_async.testing.cli import parse_faults_spec, parse_rate_limit_spec, serve
    from okta_async.testing.faults import FaultRule, Faults
    from okta_async.testing.ratelimit import Limit, RateLimits
    from okta_async.testing.server import FakeOrg

_LAZY = {
    "FakeOrg": "okta_async.testing.server",
    "FaultRule": "okta_async.testing.faults",
    "Faults": "okta_async.testing.faults",
    "Limit": "okta_async.testing.ratelimit",
    "RateLimits": "okta_async.testing.ratelimit",
    "serve": "okta_async.testing.cli",
    "parse_faults_spec": "okta_async.testing.cli",
    "parse_rate_limit_spec": "okta_async.testing.cli",
}

__all__ = [
    "FakeOrg",
    "FaultRule",
    "Faults",
    "Limit",
    "RateLimits",
    "parse_faults_spec",
    "parse_rate_limit_spec",
    "serve",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'okta_async.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

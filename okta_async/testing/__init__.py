"""Embedded fake Okta org for tests, demos and benchmarks.

``FakeOrg`` serves the Users, Groups (with group rules), Apps and System Log parts of the Okta
Management API from an in-memory store over real HTTP on 127.0.0.1, with Okta's errors, ``Link``
pagination, rate limits and deterministic fault injection. Like a real org it has the BUILT_IN
``Everyone`` group, validates logins, emails and passwords (``password_policy``, by default
Okta's: 8 characters with a lowercase letter, an uppercase letter and a number) and accepts
paths with a trailing slash. It speaks plain JSON and never imports the SDK's models, serde or
client, so an SDK bug cannot hide behind it.

In process::

    async with FakeOrg(users=1000, groups=10, apps=5, seed=0) as org:
        org.url, org.token            # http://127.0.0.1:<free port>, an SSWS API token
        org.store.users.get(user_id)  # plain dicts, for assertions
        org.events("user.lifecycle.create")
        org.stats["POST /api/v1/users"]  # {"requests", "throttled", "errors", "resets"}

``FakeOrg(users=0, groups=0, apps=0, seed=0, rate_limits=None, faults=None, token=None, *,
host="127.0.0.1", port=0, request_log_size=10_000, dpop=False, password_policy=None)``;
``await org.start()`` / ``org.stop()`` work without ``async with``. At runtime:
``org.set_rate_limits(...)``, ``org.set_faults(...)``,
``org.faults.script(kind, method, path_prefix, times=1, ...)``, ``org.set_user_status(id, s)``,
``org.expire_bearer_tokens()``, ``org.set_dpop(True)``, ``org.rotate_dpop_nonce()``;
``org.requests`` records every request (never credentials).

``dpop=True``: the org requires DPoP (RFC 9449) like a service app with "Require DPoP": a
nonce challenge, then ``DPoP`` tokens that need a proof per API call. See
``okta_async.testing.dpop``.

``rate_limits``: ``None`` (100000/min per endpoint, no concurrency cap), ``"okta"`` (Okta's
defaults, 75 concurrent), a spec string ``"POST /api/v1/users=100/s;*=600/min;concurrent=75"``,
a mapping ``{"POST /api/v1/users": 100, "/api/v1/logs": "5/10s", "*": (600, 60),
"concurrent": 75}`` or a ``RateLimits``. See ``okta_async.testing.ratelimit``.

``faults``: a spec string ``"latency=5ms-20ms,error_rate=0.02;POST /api/v1/users:reset_after=0.1"``,
a mapping of one rule's settings, ``FaultRule`` objects or a ``Faults``. See
``okta_async.testing.faults``.

pytest: the ``fake_okta`` fixture (``okta_async.testing.pytest_plugin``, registered through the
``pytest11`` entry point) yields a started ``FakeOrg``; parametrize it indirectly with a dict of
constructor arguments.

Command line: ``serve(port, users, groups, apps, rate_limit_spec, faults_spec, *, host, seed,
token, on_ready)`` runs until cancelled, for ``okta-async fake-org``.

Names are loaded lazily so that importing the pytest plugin costs nothing until a test uses it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okta_async.testing.cli import parse_faults_spec, parse_rate_limit_spec, serve
    from okta_async.testing.faults import FaultRule, Faults
    from okta_async.testing.ratelimit import Limit, RateLimits
    from okta_async.testing.server import FakeOrg
    from okta_async.testing.validation import PasswordPolicy

_LAZY = {
    "FakeOrg": "okta_async.testing.server",
    "FaultRule": "okta_async.testing.faults",
    "Faults": "okta_async.testing.faults",
    "Limit": "okta_async.testing.ratelimit",
    "PasswordPolicy": "okta_async.testing.validation",
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
    "PasswordPolicy",
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

"""Shared helpers for the transport tests: a local config, auth strategies, a recording sleep.

Kept out of conftest.py so that other helpers' fixtures in tests/core cannot collide with it.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import attrs

from okta_async._core.ratelimit import RateLimitGovernor
from okta_async._core.retry import RetryPolicy
from okta_async._core.transport import Transport

TOKEN = "00SECRET-token-value-never-logged-1234567890"
ORG = "https://acme.okta.example"


@attrs.frozen
class LocalConfig:
    """The OktaConfig fields the transport reads, built directly (no env or files)."""

    org_url: str = ORG
    authorization_mode: str = "SSWS"
    token: str | None = attrs.field(default=TOKEN, repr=False)
    timeout: float = 120.0
    attempt_timeout: float = 30.0
    max_retries: int = 2
    max_connections: int = 10
    max_concurrent_requests: int = 8
    max_rate_limit_wait: float = 120.0
    proxy: str | None = attrs.field(default=None, repr=False)
    trust_env: bool = False
    ssl: ssl.SSLContext | bool | None = None
    ca_bundle: str | None = None
    user_agent_extra: str | None = None
    sources: Mapping[str, str] = attrs.field(factory=dict)


class StaticAuth:
    """SSWS-style auth that cannot refresh."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.closed = False

    def __repr__(self) -> str:
        return "<StaticAuth>"

    async def authorization(self, session: aiohttp.ClientSession) -> str:
        return f"SSWS {self.token}"

    async def refresh_after_401(self, session: aiohttp.ClientSession, rejected_header: str) -> bool:
        return False

    async def aclose(self) -> None:
        self.closed = True


class RefreshingAuth(StaticAuth):
    """Bearer auth whose token is replaced once after a 401."""

    def __init__(self) -> None:
        super().__init__("old-token")
        self.refreshes = 0

    async def authorization(self, session: aiohttp.ClientSession) -> str:
        return f"Bearer {self.token}"

    async def refresh_after_401(self, session: aiohttp.ClientSession, rejected_header: str) -> bool:
        self.refreshes += 1
        self.token = "new-token"
        return True


class Sleeps:
    """A recording, instant ``sleep`` (and optional fake clock advance) for deterministic tests."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.delays: list[float] = []
        self.clock = clock

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.clock is not None:
            self.clock.now += delay


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_transport(
    sleeps: Sleeps | None = None,
    *,
    auth: Any = None,
    rand: float = 0.5,
    governor: RateLimitGovernor | None = None,
    **config: Any,
) -> Transport:
    """A Transport on LocalConfig with instant sleeps and a fixed jitter value."""
    cfg = LocalConfig(**config)
    sleeps = sleeps or Sleeps()
    if sleeps.clock is None:
        sleeps.clock = FakeClock()  # retry waits and governor holds share one fake clock
    policy = RetryPolicy(
        sleep=sleeps,
        rand=lambda: rand,
        wall_clock=lambda: 0.0,
    )
    governor = governor or RateLimitGovernor(
        cfg.max_concurrent_requests,
        max_wait=cfg.max_rate_limit_wait,
        clock=sleeps.clock,
        wall_clock=lambda: 0.0,
        sleep=sleeps,
    )
    return Transport(cfg, auth or StaticAuth(), retry_policy=policy, governor=governor)


@asynccontextmanager
async def open_transport(sleeps: Sleeps | None = None, **kwargs: Any) -> AsyncIterator[Transport]:
    """``make_transport(...)``, closed when the block ends (even when it fails)."""
    transport = make_transport(sleeps, **kwargs)
    try:
        yield transport
    finally:
        await transport.aclose()

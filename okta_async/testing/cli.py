"""Entry point for ``okta-async fake-org`` (the CLI command itself lives in ``okta_async.cli``).

``serve()`` seeds an org, listens on ``host:port`` and runs until cancelled; ``on_ready`` is
called once it listens (default: print the URL and token). The spec-string parsers are
re-exported here so the CLI can validate ``--rate-limit`` / ``--faults`` before starting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from okta_async.testing.faults import Faults, parse_faults_spec
from okta_async.testing.ratelimit import parse_rate_limit_spec
from okta_async.testing.server import FakeOrg

__all__ = ["parse_faults_spec", "parse_rate_limit_spec", "serve"]


def _announce(org: FakeOrg) -> None:
    print(f"Fake Okta org listening on {org.url}")
    print(f"  OKTA_CLIENT_ORGURL={org.url}")
    print(f"  OKTA_CLIENT_TOKEN={org.token}")
    print("Press Ctrl+C to stop.", flush=True)


async def serve(
    port: int = 8080,
    users: int = 0,
    groups: int = 0,
    apps: int = 0,
    rate_limit_spec: str | None = None,
    faults_spec: str | None = None,
    *,
    host: str = "127.0.0.1",
    seed: int = 0,
    token: str | None = None,
    on_ready: Callable[[FakeOrg], None] | None = _announce,
) -> None:
    """Run a fake org until the task is cancelled (Ctrl+C under ``asyncio.run``).

    Raises ``ValueError`` for a malformed ``rate_limit_spec`` or ``faults_spec``.
    """
    limits = parse_rate_limit_spec(rate_limit_spec) if rate_limit_spec else None
    faults = Faults(parse_faults_spec(faults_spec), seed) if faults_spec else None
    org = FakeOrg(
        users=users,
        groups=groups,
        apps=apps,
        seed=seed,
        rate_limits=limits,
        faults=faults,
        token=token,
        host=host,
        port=port,
    )
    async with org:
        if on_ready is not None:
            on_ready(org)
        await asyncio.Event().wait()

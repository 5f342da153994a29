"""Follow the System Log as events happen.

    python examples/system_log_tail.py [--since 10m] [--max-events 20]

``okta.logs.tail()`` polls /api/v1/logs the way Okta recommends (following the ``next`` link,
pausing after an empty page) and yields events until it is cancelled.

Against the default throwaway fake org, a background task creates a few users and groups so
there is something to see, and the example stops after ``--max-events`` events. With
OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN set, it reads your org's log (read-only) until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

from okta_async import OktaClient

REAL_ORG = bool(os.environ.get("OKTA_CLIENT_ORGURL") and os.environ.get("OKTA_CLIENT_TOKEN"))


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[OktaClient]:
    """The real org when OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set, else a fresh fake org."""
    if REAL_ORG:
        async with OktaClient() as okta:
            yield okta
        return
    from okta_async.testing import FakeOrg

    async with FakeOrg(users=0) as org, OktaClient(org_url=org.url, token=org.token) as okta:
        yield okta


async def make_some_noise(okta: OktaClient) -> None:
    """Create a few users and a group with them in it, so the fake org's log has events."""
    group = await okta.groups.add_group({"profile": {"name": "Log watchers"}})
    for i in range(5):
        login = f"watcher{i}@example.com"
        user = await okta.users.create_user(
            {"profile": {"login": login, "email": login, "firstName": "Log", "lastName": f"W{i}"}}
        )
        await okta.groups.assign_user_to_group(group.id, user.id)
        await asyncio.sleep(0.05)


async def main(argv: list[str] | None = None) -> None:
    """Print events as they arrive."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", type=int, default=10, help="minutes back to start (default 10)")
    parser.add_argument("--max-events", type=int, default=None if REAL_ORG else 10)
    parser.add_argument("--poll-interval", type=float, default=5.0 if REAL_ORG else 0.2)
    args = parser.parse_args(argv)

    since = datetime.now(timezone.utc) - timedelta(minutes=args.since)
    async with connect() as okta:
        noise = None if REAL_ORG else asyncio.create_task(make_some_noise(okta))
        seen = 0
        async for event in okta.logs.tail(since=since, poll_interval=args.poll_interval):
            actor = event.actor.alternate_id if event.actor else "-"
            print(f"{event.published:%H:%M:%S}  {event.event_type:<32}  {actor}")
            seen += 1
            if args.max_events is not None and seen >= args.max_events:
                break  # leaving the loop stops polling and releases the connection
        if noise is not None:
            await noise


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())

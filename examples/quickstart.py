"""Quickstart: connect, read, search, page, create, update and handle errors.

Runs against a throwaway in-process fake org by default. Set OKTA_CLIENT_ORGURL and
OKTA_CLIENT_TOKEN to run it against your own org instead; it then creates one user
(quickstart.okta-async@example.com), updates it, and deactivates and deletes it at the end.

    python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from okta_async import NotFoundError, OktaClient

LOGIN = "quickstart.okta-async@example.com"


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[OktaClient]:
    """The real org when OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set, else a fresh fake org."""
    if os.environ.get("OKTA_CLIENT_ORGURL") and os.environ.get("OKTA_CLIENT_TOKEN"):
        async with OktaClient() as okta:  # reads OKTA_CLIENT_* and okta.yaml
            yield okta
        return
    from okta_async.testing import FakeOrg

    async with (
        FakeOrg(users=250, groups=3) as org,
        OktaClient(org_url=org.url, token=org.token) as okta,
    ):
        yield okta


async def main() -> None:
    """Walk through the everyday calls."""
    async with connect() as okta:
        # Await a list call to get its first page; iterate it to stream every item.
        page = await okta.users.list_users(limit=5)
        print(f"first page: {len(page.items)} users, more after: {page.next_cursor is not None}")

        active = 0
        async for _user in okta.users.list_users(filter='status eq "ACTIVE"', limit=200):
            active += 1
        print(f"active users: {active}")

        # Create (activate=False leaves the user STAGED), then a partial update.
        user = await okta.users.create_user(
            {
                "profile": {
                    "login": LOGIN,
                    "email": LOGIN,
                    "firstName": "Quick",
                    "lastName": "Start",
                }
            },
            activate=False,
        )
        print(f"created {user.profile.login} ({user.id}), status {user.status}")
        user = await okta.users.update_user(user.id, {"profile": {"title": "Example"}})
        print(f"title is now {user.profile.title!r}")

        # Users can be fetched by id or by login.
        same = await okta.users.get_user(LOGIN)
        assert same.id == user.id

        # Every Okta error is a typed exception carrying errorCode, errorSummary and request id.
        try:
            await okta.users.get_user("00u0000000000000000")
        except NotFoundError as exc:
            print(f"not found, as expected: {exc.error_code} {exc.error_summary}")

        # Clean up: Okta deletes only deactivated users.
        await okta.users.delete_user(user.id)
        await okta.users.delete_user(user.id)
        print("deleted the example user")


if __name__ == "__main__":
    asyncio.run(main())

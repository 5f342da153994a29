"""App assignments: a group, its members, and who gets an app (by group and individually).

    python examples/app_assignments.py

Creates a bookmark app, a group with ten members (bulk, idempotent), assigns the group with a
priority, assigns two more users individually with an app profile, lists the app's users page by
page, and removes one assignment.

Runs against a throwaway in-process fake org unless OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set;
against a real org it creates an app labelled "okta-async example" and a group of that name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from okta_async import OktaClient

LABEL = "okta-async example"


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[OktaClient]:
    """The real org when OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set, else a fresh fake org."""
    if os.environ.get("OKTA_CLIENT_ORGURL") and os.environ.get("OKTA_CLIENT_TOKEN"):
        async with OktaClient() as okta:
            yield okta
        return
    from okta_async.testing import FakeOrg

    async with FakeOrg(users=40) as org, OktaClient(org_url=org.url, token=org.token) as okta:
        yield okta


async def main() -> None:
    """Create, assign, list and unassign."""
    async with connect() as okta:
        app = await okta.apps.create_application(
            {
                "name": "bookmark",
                "label": LABEL,
                "signOnMode": "BOOKMARK",
                "settings": {"app": {"url": "https://example.com", "requestIntegration": False}},
            }
        )
        print(f"app {LABEL!r} ({app.id}), sign-on mode {app.sign_on_mode}")

        group = await okta.groups.add_group({"profile": {"name": LABEL}})
        users = await okta.users.list_users(filter='status eq "ACTIVE"', max_items=12).collect()
        members, individuals = users[:10], users[10:12]

        # Memberships are idempotent: adding someone twice is not an error.
        added = 0
        async for outcome in okta.bulk.add_users_to_group(group.id, [u.id for u in members]):
            added += outcome.ok
        print(f"group {LABEL!r} ({group.id}): {added} members")

        # The group gets the app; the priority settles conflicts between groups' app profiles.
        await okta.apps.assign_group_to_application(app.id, group.id, {"priority": 0})
        # Two more users get it directly, each with an app-specific profile.
        for user in individuals:
            await okta.apps.assign_user_to_application(
                app.id, {"id": user.id, "scope": "USER", "profile": {"role": "viewer"}}
            )

        assigned = [app_user async for app_user in okta.apps.list_application_users(app.id)]
        print(f"{len(assigned)} users can use the app")

        # Remove one direct assignment again.
        await okta.apps.unassign_user_from_application(app.id, individuals[0].id)
        remaining = await okta.apps.list_application_users(app.id).collect()
        print(f"after removing one direct assignment: {len(remaining)} users")


if __name__ == "__main__":
    asyncio.run(main())

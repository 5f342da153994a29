"""Drive Okta's official Python SDK (``okta`` 2.9.x) against the embedded fake org.

Run by ``nox -s conformance``, which installs ``okta==2.9.*`` and this project into a virtual
environment of its own. Starts a seeded ``FakeOrg`` on 127.0.0.1, then uses the official client
to list users, list groups (the BUILT_IN Everyone group included), create a user, get it and
list apps. Prints one line per step and exits 1 if any step failed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from okta.client import Client as OfficialClient

from okta_async.testing import FakeOrg

SEED = {"users": 30, "groups": 3, "apps": 4, "seed": 7}
NEW_LOGIN = "conformance.user@example.com"


def enum_name(value: Any) -> str:
    """``GroupType.BUILT_IN`` -> ``BUILT_IN`` (the SDK's enums print with their class)."""
    return str(value).rsplit(".", 1)[-1]


async def collect(call: Awaitable[tuple[Any, Any, Any]]) -> list[Any]:
    """Every item of a listing, following the SDK's own ``resp.has_next()`` paging."""
    items, resp, err = await call
    if err is not None:
        raise RuntimeError(f"first page failed: {err}")
    found = list(items)
    while resp.has_next():
        page, err = await resp.next()
        if err is not None:
            raise RuntimeError(f"next page failed: {err}")
        found.extend(page)
    return found


async def list_users(client: OfficialClient, org: FakeOrg) -> str:
    users = await collect(client.list_users({"limit": 7}))
    ids = {u.id for u in users}
    if ids != set(org.store.users.items):
        raise AssertionError(f"listed {len(ids)} users, the org holds {len(org.store.users)}")
    return f"{len(users)} users over pages of 7"


async def list_groups(client: OfficialClient, org: FakeOrg) -> str:
    groups = await collect(client.list_groups())
    kinds = {g.profile.name: enum_name(g.type) for g in groups}
    if kinds.get("Everyone") != "BUILT_IN":
        raise AssertionError(f"no BUILT_IN Everyone group among {sorted(kinds)}")
    if len(groups) != len(org.store.groups):
        raise AssertionError(f"listed {len(groups)} groups, the org holds {len(org.store.groups)}")
    return f"{len(groups)} groups, Everyone is {kinds['Everyone']}"


async def create_user(client: OfficialClient, org: FakeOrg) -> str:
    body = {
        "profile": {
            "firstName": "Conformance",
            "lastName": "Check",
            "email": NEW_LOGIN,
            "login": NEW_LOGIN,
        },
        "credentials": {"password": {"value": "Conf0rmance!"}},
    }
    user, _, err = await client.create_user(body, {"activate": False})
    if err is not None:
        raise RuntimeError(f"create_user failed: {err}")
    stored = org.store.find_user(NEW_LOGIN)
    if stored is None or stored["id"] != user.id or stored["status"] != "STAGED":
        raise AssertionError(f"the org does not hold the created user as STAGED: {stored}")
    return f"{user.id} STAGED (POST {org.requests[-1]['path']}?{org.requests[-1]['query']})"


async def get_user(client: OfficialClient, org: FakeOrg) -> str:
    user, _, err = await client.get_user(NEW_LOGIN)
    if err is not None:
        raise RuntimeError(f"get_user failed: {err}")
    if user.profile.login != NEW_LOGIN or enum_name(user.status) != "STAGED":
        raise AssertionError(f"got {user.profile.login} {user.status}")
    return f"{user.id} by login, status {enum_name(user.status)}"


async def list_apps(client: OfficialClient, org: FakeOrg) -> str:
    apps = await collect(client.list_applications())
    labels = sorted(a.label for a in apps)
    expected = sorted(a["label"] for a in org.store.apps.values())
    if labels != expected:
        raise AssertionError(f"listed {labels}, the org holds {expected}")
    modes = sorted({enum_name(a.sign_on_mode) for a in apps})
    return f"{len(apps)} apps ({', '.join(modes)})"


STEPS: list[tuple[str, Callable[[OfficialClient, FakeOrg], Awaitable[str]]]] = [
    ("list users", list_users),
    ("list groups", list_groups),
    ("create user", create_user),
    ("get user", get_user),
    ("list apps", list_apps),
]


async def run() -> int:
    """Run every step against a fresh org; print a table; 0 when all passed."""
    failures = 0
    async with FakeOrg(**SEED) as org:
        # The SDK refuses http:// unless this testing switch is on; it reads it only from the
        # environment or okta.yaml, not from the dict passed to Client.
        os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
        client = OfficialClient({"orgUrl": org.url, "token": org.token})
        print(f"okta (official SDK) against the fake org at {org.url}")
        print(f"{'step':<12} {'result':<6} detail")
        for name, step in STEPS:
            try:
                result, detail = "ok", await step(client, org)
            except Exception as exc:  # every failure is reported, then the next step runs
                failures += 1
                result, detail = "FAIL", f"{type(exc).__name__}: {exc}"
                traceback.print_exc(file=sys.stderr)
            print(f"{name:<12} {result:<6} {detail}")
    print(f"{len(STEPS) - failures}/{len(STEPS)} steps passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))

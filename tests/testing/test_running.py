"""Ways to run the fake org: context manager, start/stop, pytest fixture, serve(), seeding."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import aiohttp
import pytest

from okta_async.testing import FakeOrg, serve
from okta_async.testing.server import FakeOrg as ServerFakeOrg


async def test_start_stop_without_context_manager() -> None:
    org = FakeOrg(users=3)
    await org.start()
    try:
        assert org.url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"SSWS {org.token}"}
            async with session.get(f"{org.url}/api/v1/users", headers=headers) as resp:
                assert len(await resp.json()) == 3
    finally:
        await org.stop()
    with pytest.raises(RuntimeError):
        _ = org.url


async def test_two_orgs_listen_on_different_free_ports() -> None:
    async with FakeOrg() as one, FakeOrg() as two:
        assert one.url != two.url


def test_same_seed_gives_the_same_org() -> None:
    a = FakeOrg(users=20, groups=2, apps=3, seed=5)
    b = FakeOrg(users=20, groups=2, apps=3, seed=5)
    assert list(a.store.users.items) == list(b.store.users.items)
    assert list(a.store.apps.items) == list(b.store.apps.items)
    assert a.token == b.token
    c = FakeOrg(users=20, seed=6)
    assert list(c.store.users.items) != list(a.store.users.items)


def test_seeding_100k_users_completes() -> None:
    org = FakeOrg(users=100_000, groups=50, apps=20)
    assert len(org.store.users) == 100_000
    assert len(org.store.logins) == 100_000
    everyone = org.store.members.pop(org.store.everyone_id)
    assert len(everyone) == 100_000  # every user is in Everyone and in one seeded group
    assert sum(len(m) for m in org.store.members.values()) == 100_000
    assert len(org.store.apps) == 20


async def test_fake_okta_fixture_is_a_started_org(fake_okta: ServerFakeOrg) -> None:
    assert fake_okta.url.startswith("http://127.0.0.1:")
    assert len(fake_okta.store.users) == 0


@pytest.mark.parametrize("fake_okta", [{"users": 7, "groups": 1}], indirect=True)
async def test_fake_okta_fixture_accepts_parameters(fake_okta: ServerFakeOrg) -> None:
    assert len(fake_okta.store.users) == 7 and len(fake_okta.store.groups) == 2  # + Everyone


async def test_serve_runs_until_cancelled() -> None:
    ready: asyncio.Future[ServerFakeOrg] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(
        serve(
            port=0,
            users=5,
            groups=2,
            apps=1,
            rate_limit_spec="*=1000/min",
            faults_spec="latency=1ms",
            on_ready=ready.set_result,
        )
    )
    org = await ready
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"SSWS {org.token}"}
        async with session.get(f"{org.url}/api/v1/users", headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["X-Rate-Limit-Limit"] == "1000"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_serve_rejects_bad_specs() -> None:
    with pytest.raises(ValueError):
        await serve(port=0, rate_limit_spec="nonsense")


def test_plugin_import_does_not_load_aiohttp_web() -> None:
    code = (
        "import sys, okta_async.testing.pytest_plugin, okta_async.testing;"
        "print('aiohttp.web' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

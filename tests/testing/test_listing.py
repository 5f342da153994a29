"""List endpoints: Link pagination, limit caps, q/filter/search expressions."""

from __future__ import annotations

import asyncio

import pytest

from tests.testing.conftest import Api

SEEDED = [{"users": 450, "groups": 5, "apps": 4}]


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_links_are_absolute_on_the_org_origin_and_keep_query(api: Api) -> None:
    reply = await api.get("/api/v1/users", params={"limit": "7", "search": 'status eq "ACTIVE"'})
    links = reply.links()
    assert links["self"].startswith(api.org.url + "/api/v1/users?")
    assert links["next"].startswith(api.org.url + "/api/v1/users?")
    assert "search=" in links["next"] and "limit=7" in links["next"]
    assert f"after={reply.body[-1]['id']}" in links["next"]


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_paging_returns_every_user_once_and_last_page_has_no_next(api: Api) -> None:
    users = await api.collect("/api/v1/users", params={"limit": "100"})
    assert len(users) == 450
    assert len({u["id"] for u in users}) == 450
    last = await api.get("/api/v1/users", params={"limit": "200", "after": users[-51]["id"]})
    assert len(last.body) == 50
    assert "next" not in last.links()


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_limit_is_capped_per_endpoint(api: Api) -> None:
    assert len((await api.get("/api/v1/users", params={"limit": "1000"})).body) == 200
    assert len((await api.get("/api/v1/users")).body) == 200


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_cursor_is_stable_while_users_are_created_concurrently(api: Api) -> None:
    before = {u["id"] for u in api.org.store.users.values()}
    seen: list[str] = []

    async def page_through() -> None:
        reply = await api.get("/api/v1/users", params={"limit": "25"})
        while True:
            seen.extend(u["id"] for u in reply.body)
            nxt = reply.links().get("next")
            if not nxt:
                return
            reply = await api.get(nxt)

    async def insert() -> None:
        for n in range(40):
            await api.create_user(
                f"late{n}@example.com", credentials={"password": {"value": "Passw0rd!"}}
            )

    await asyncio.gather(page_through(), insert())
    assert len(seen) == len(set(seen)), "an item was served twice"
    assert before <= set(seen), "an item that existed before paging was skipped"


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_search_by_department_and_status(api: Api) -> None:
    users = await api.collect(
        "/api/v1/users", params={"search": 'profile.department eq "Sales" and status eq "ACTIVE"'}
    )
    expected = [u for u in api.org.store.users.values() if u["profile"]["department"] == "Sales"]
    assert [u["id"] for u in users] == [u["id"] for u in expected]


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_search_with_or_parentheses_and_starts_with(api: Api) -> None:
    expr = (
        '(profile.department eq "Legal" or profile.department eq "Finance")'
        ' and profile.login sw "a"'
    )
    users = await api.collect("/api/v1/users", params={"search": expr})
    assert users
    for user in users:
        assert user["profile"]["department"] in ("Legal", "Finance")
        assert user["profile"]["login"].startswith("a")


@pytest.mark.parametrize("fake_okta", SEEDED, indirect=True)
async def test_filter_last_updated_greater_than(api: Api) -> None:
    all_users = list(api.org.store.users.values())
    pivot = all_users[399]["lastUpdated"]
    users = await api.collect("/api/v1/users", params={"filter": f'lastUpdated gt "{pivot}"'})
    assert [u["id"] for u in users] == [u["id"] for u in all_users[400:]]


async def test_filter_by_status_and_email(api: Api) -> None:
    staged = await api.create_user("s1@example.com", params={"activate": "false"})
    await api.create_user("p1@example.com")
    by_status = await api.get("/api/v1/users", params={"filter": 'status eq "STAGED"'})
    assert [u["id"] for u in by_status.body] == [staged["id"]]
    by_email = await api.get(
        "/api/v1/users", params={"filter": 'profile.email eq "p1@example.com"'}
    )
    assert [u["profile"]["login"] for u in by_email.body] == ["p1@example.com"]


async def test_q_is_a_prefix_match_on_names_email_and_login(api: Api) -> None:
    await api.create_user("alpha@example.com")
    await api.create_user("beta@example.com", profile={"firstName": "Alphonse"})
    await api.create_user("gamma@example.com")
    reply = await api.get("/api/v1/users", params={"q": "alph"})
    assert sorted(u["profile"]["login"] for u in reply.body) == [
        "alpha@example.com",
        "beta@example.com",
    ]


async def test_deprovisioned_users_are_hidden_unless_asked_for(api: Api) -> None:
    user = await api.create_user("gone@example.com")
    await api.post(f"/api/v1/users/{user['id']}/lifecycle/deactivate")
    assert (await api.get("/api/v1/users")).body == []
    reply = await api.get("/api/v1/users", params={"filter": 'status eq "DEPROVISIONED"'})
    assert [u["id"] for u in reply.body] == [user["id"]]


async def test_malformed_search_is_400_e0000031(api: Api) -> None:
    reply = await api.get("/api/v1/users", params={"search": 'status eq "ACTIVE" and ('})
    assert reply.status == 400
    assert reply.body["errorCode"] == "E0000031"


@pytest.mark.parametrize("fake_okta", [{"users": 10}], indirect=True)
async def test_cursor_of_a_deleted_user_still_resumes_after_it(api: Api) -> None:
    first = await api.get("/api/v1/users", params={"limit": "4"})
    cursor_user = first.body[-1]["id"]
    for _ in range(2):  # deactivate, then delete
        await api.delete(f"/api/v1/users/{cursor_user}")
    rest = await api.collect(first.links()["next"])
    expected = [u["id"] for u in api.org.store.users.values()][3:]
    assert [u["id"] for u in rest] == expected


async def test_unknown_cursor_is_rejected(api: Api) -> None:
    reply = await api.get("/api/v1/users", params={"after": "00uNOTACURSOR"})
    assert reply.status == 400 and reply.body["errorCode"] == "E0000001"
    logs = await api.get("/api/v1/logs", params={"after": "nope"})
    assert logs.status == 400

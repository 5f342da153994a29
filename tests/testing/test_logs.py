"""System Log: events for every change, bounded and polling pagination."""

from __future__ import annotations

from tests.testing.conftest import Api


async def test_changes_produce_okta_shaped_events(api: Api) -> None:
    user = await api.create_user("log@example.com")
    reply = await api.get("/api/v1/logs")
    assert reply.status == 200
    event = reply.body[0]
    assert event["eventType"] == "user.lifecycle.create"
    for key in ("uuid", "published", "severity", "displayMessage", "actor", "outcome", "target"):
        assert key in event
    assert event["outcome"]["result"] == "SUCCESS"
    assert event["target"][0]["id"] == user["id"]
    assert event["target"][0]["type"] == "User"
    assert event["published"].endswith("Z")


async def test_event_types_for_group_and_app_changes(api: Api) -> None:
    user = await api.create_user("e@example.com")
    group = (await api.post("/api/v1/groups", {"profile": {"name": "E"}})).body
    await api.put(f"/api/v1/groups/{group['id']}/users/{user['id']}")
    app = (await api.post("/api/v1/apps", {"label": "E", "signOnMode": "BOOKMARK"})).body
    await api.post(f"/api/v1/apps/{app['id']}/users", {"id": user["id"]})
    await api.post(f"/api/v1/users/{user['id']}/lifecycle/deactivate")
    types = [e["eventType"] for e in (await api.get("/api/v1/logs")).body]
    for expected in (
        "user.lifecycle.create",
        "user.lifecycle.activate",
        "group.lifecycle.create",
        "group.user_membership.add",
        "application.lifecycle.create",
        "application.user_membership.add",
        "user.lifecycle.deactivate",
    ):
        assert expected in types


async def test_filter_and_q(api: Api) -> None:
    user = await api.create_user("fq@example.com")
    await api.create_user("other@example.com")
    by_type = await api.get(
        "/api/v1/logs", params={"filter": 'eventType eq "user.lifecycle.create"'}
    )
    assert len(by_type.body) == 2
    by_target = await api.get(
        "/api/v1/logs",
        params={"filter": f'eventType eq "user.lifecycle.create" and target.id eq "{user["id"]}"'},
    )
    assert [e["target"][0]["id"] for e in by_target.body] == [user["id"]]
    by_q = await api.get("/api/v1/logs", params={"q": "fq@example.com"})
    assert by_q.body and all(e["target"][0]["id"] == user["id"] for e in by_q.body)


async def test_polling_always_has_next_link_and_later_events_appear(api: Api) -> None:
    first = await api.get("/api/v1/logs", params={"since": "2000-01-01T00:00:00.000Z"})
    assert first.body == []
    next_url = first.links()["next"]
    empty_again = await api.get(next_url)
    assert empty_again.body == [] and "next" in empty_again.links()
    user = await api.create_user("later@example.com")
    page = await api.get(empty_again.links()["next"])
    assert [e["target"][0]["id"] for e in page.body] == [user["id"], user["id"]]
    after = await api.get(page.links()["next"])
    assert after.body == [] and "next" in after.links()


async def test_polling_pages_by_limit_without_repeats(api: Api) -> None:
    for n in range(5):
        await api.create_user(f"p{n}@example.com", params={"activate": "false"})
    seen: list[str] = []
    reply = await api.get("/api/v1/logs", params={"limit": "2"})
    for _ in range(5):
        seen.extend(e["uuid"] for e in reply.body)
        reply = await api.get(reply.links()["next"])
    assert len(seen) == 5 == len(set(seen))


async def test_bounded_query_with_until_ends_without_next(api: Api) -> None:
    for n in range(3):
        await api.create_user(f"b{n}@example.com", params={"activate": "false"})
    until = "2999-01-01T00:00:00.000Z"
    reply = await api.get("/api/v1/logs", params={"until": until, "limit": "2"})
    assert len(reply.body) == 2 and "next" in reply.links()
    second = await api.get(reply.links()["next"])
    assert len(second.body) == 1 and "next" not in second.links()


async def test_descending_sort_order(api: Api) -> None:
    for n in range(3):
        await api.create_user(f"d{n}@example.com", params={"activate": "false"})
    reply = await api.get("/api/v1/logs", params={"sortOrder": "DESCENDING"})
    published = [e["published"] for e in reply.body]
    assert published == sorted(published, reverse=True)


async def test_since_in_the_future_returns_nothing(api: Api) -> None:
    await api.create_user("x@example.com")
    reply = await api.get("/api/v1/logs", params={"since": "2999-01-01T00:00:00Z"})
    assert reply.status == 200 and reply.body == []


async def test_log_limit_capped_at_1000(api: Api) -> None:
    for n in range(3):
        await api.create_user(f"c{n}@example.com")
    reply = await api.get("/api/v1/logs", params={"limit": "5000"})
    assert reply.status == 200 and len(reply.body) == 6

"""Domain helpers against the embedded fake org over real HTTP."""

from __future__ import annotations

import shutil
from typing import Any

import anyio
import pytest
from bulk_helpers import posts_to, user_row, users_with_login

from okta_async.bulk import BulkAbortedError


async def test_create_users_reports_duplicate_login_and_unknown_group_and_creates_the_rest(
    org: Any, okta: Any
) -> None:
    group_id = next(g for g in org.store.groups.values() if g["type"] == "OKTA_GROUP")["id"]
    taken = await okta.bulk.create_users([user_row(1)])
    assert taken.ok
    rows = [user_row(i) for i in range(10)]
    rows[1] = user_row(1)  # the login exists already, and this job did not create it
    rows[3] = user_row(10)
    rows[6] = user_row(6, group_ids=["00gUNKNOWNGROUP"])
    report = await okta.bulk.create_users(rows, concurrency=4, group_ids=[group_id])
    assert report.counts == {"created": 8, "failed": 2}
    by_key = {f.key: f for f in report.failures}
    duplicate = by_key["bulk.user1@example.org"]
    assert duplicate.error.status == 400
    assert duplicate.error.error_code == "E0000001"
    assert any("already exists" in c for c in duplicate.error.error_causes)
    unknown = by_key["bulk.user6@example.org"]
    assert unknown.error.error_code == "E0000007"
    assert len(users_with_login(org, "bulk.user1@example.org")) == 1
    created = users_with_login(org, "bulk.user2@example.org")[0]
    assert created["id"] in org.store.members[group_id]


async def test_create_users_accepts_flat_profiles_credentials_and_flags(
    org: Any, okta: Any
) -> None:
    flat = user_row(1)["profile"]
    with_password = user_row(2, credentials={"password": {"value": "Secr3t!pass"}})
    report = await okta.bulk.create_users([flat, with_password], activate=False)
    assert report.counts == {"created": 2}
    assert users_with_login(org, flat["login"])[0]["status"] == "STAGED"
    report = await okta.bulk.create_users(
        [user_row(3, credentials={"password": {"value": "Secr3t!pass"}})],
        activate=True,
        next_login="changePassword",
    )
    assert report.ok
    assert users_with_login(org, "bulk.user3@example.org")[0]["status"] == "PASSWORD_EXPIRED"


async def test_a_create_reset_after_processing_ends_as_existed_exactly_once(
    org: Any, okta: Any
) -> None:
    org.faults.script("reset_after", "POST", "/api/v1/users")
    outcomes = [o async for o in okta.bulk.create_users([user_row(7)])]
    assert [o.status for o in outcomes] == ["existed"]
    assert outcomes[0].result["profile"]["login"] == "bulk.user7@example.org"
    assert len(users_with_login(org, "bulk.user7@example.org")) == 1
    assert posts_to(org, "/api/v1/users") == 1


async def test_a_create_answered_with_5xx_is_looked_up_then_sent_again(org: Any, okta: Any) -> None:
    org.faults.script("error", "POST", "/api/v1/users", status=500)
    outcomes = [o async for o in okta.bulk.create_users([user_row(8)])]
    assert [o.status for o in outcomes] == ["created"]
    assert outcomes[0].attempts == 3  # POST (500), lookup (404), POST
    assert len(users_with_login(org, "bulk.user8@example.org")) == 1


async def test_a_duplicate_login_after_an_in_doubt_earlier_run_is_existed(
    org: Any, okta: Any, tmp_path: Any
) -> None:
    journal = tmp_path / "job.sqlite"
    # First run: the create is processed but the answer is lost, and the lookup fails too, so the
    # item ends failed but in doubt.
    org.faults.script("reset_after", "POST", "/api/v1/users")
    org.faults.script("error", "GET", "/api/v1/users/", status=500, times=100)
    report = await okta.bulk.create_users([user_row(9)], journal=journal, max_attempts=1)
    assert report.counts == {"failed": 1}
    org.faults.clear()
    # Second run: the create answers "login exists"; the journal says we may have sent it.
    report = await okta.bulk.create_users([user_row(9)], journal=journal)
    assert report.counts == {"existed": 1}
    assert len(users_with_login(org, "bulk.user9@example.org")) == 1


async def test_rerunning_with_the_same_journal_skips_done_items_and_retries_failed_ones(
    org: Any, okta: Any, tmp_path: Any
) -> None:
    journal = tmp_path / "job.sqlite"
    rows = [user_row(i) for i in range(6)]
    rows[2] = {"profile": {"login": "no-names@example.org"}}  # missing required names: fails
    first = await okta.bulk.create_users(rows, journal=journal)
    assert first.counts == {"created": 5, "failed": 1}
    rows[2] = user_row(2)
    posts_before = posts_to(org, "/api/v1/users")
    # The key is the login, so the fixed row is a new item; the broken one is retried (fails).
    second = await okta.bulk.create_users(
        [*rows, {"profile": {"login": "no-names@example.org"}}], journal=journal
    )
    assert second.counts == {"skipped": 5, "created": 1, "failed": 1}
    assert posts_to(org, "/api/v1/users") == posts_before + 2


async def test_fail_fast_stops_a_create_job_at_the_first_failure(org: Any, okta: Any) -> None:
    rows = [user_row(i) for i in range(200)]
    rows[5] = {"profile": {"login": "broken@example.org"}}
    with pytest.raises(BulkAbortedError) as caught:
        await okta.bulk.create_users(rows, concurrency=2, fail_fast=True)
    assert caught.value.outcome.key == "broken@example.org"
    assert caught.value.report.aborted
    assert posts_to(org, "/api/v1/users") < 20


async def test_ordered_outcomes_follow_input_order(org: Any, okta: Any) -> None:
    org.set_faults("POST /api/v1/users:latency=1ms-20ms")
    rows = [user_row(i) for i in range(40)]
    outcomes = [o async for o in okta.bulk.create_users(rows, concurrency=8, ordered=True)]
    assert [o.index for o in outcomes] == list(range(40))
    assert [o.key for o in outcomes] == [r["profile"]["login"] for r in rows]


async def test_group_membership_add_is_idempotent_and_remove_of_a_non_member_is_absent(
    org: Any, okta: Any
) -> None:
    group_id = next(g for g in org.store.groups.values() if g["type"] == "OKTA_GROUP")["id"]
    report = await okta.bulk.create_users([user_row(i) for i in range(5)])
    assert report.ok
    ids = [users_with_login(org, f"bulk.user{i}@example.org")[0]["id"] for i in range(5)]
    first = await okta.bulk.add_users_to_group(group_id, [*ids, "00uNOSUCHUSER"])
    assert first.counts == {"added": 5, "failed": 1}
    assert first.failures[0].error.error_code == "E0000007"
    again = await okta.bulk.add_users_to_group(group_id, ids)
    assert again.counts == {"added": 5}
    assert all(i in org.store.members[group_id] for i in ids)
    removed = await okta.bulk.remove_users_from_group(group_id, [*ids[:3], "00uNOSUCHUSER"])
    assert removed.counts == {"removed": 3, "absent": 1}
    assert not any(i in org.store.members[group_id] for i in ids[:3])


async def test_app_assignments_for_users_and_groups(org: Any, okta: Any) -> None:
    app_id = next(iter(org.store.apps.values()))["id"]
    groups = [g for g in org.store.groups.values() if g["type"] == "OKTA_GROUP"]
    await okta.bulk.create_users([user_row(i) for i in range(3)])
    ids = [users_with_login(org, f"bulk.user{i}@example.org")[0]["id"] for i in range(3)]
    assignments = [
        {"id": ids[0], "profile": {"role": "admin"}, "credentials": {"userName": "u0"}},
        ids[1],
        ids[2],
    ]
    report = await okta.bulk.assign_users_to_app(app_id, assignments)
    assert report.counts == {"assigned": 3}
    stored = org.store.app_users[app_id].get(ids[0])
    assert stored["profile"] == {"role": "admin"}
    assert stored["credentials"]["userName"] == "u0"
    report = await okta.bulk.assign_groups_to_app(
        app_id, [{"id": groups[0]["id"], "priority": 1, "profile": {"x": 1}}, groups[1]["id"]]
    )
    assert report.counts == {"assigned": 2}
    assert org.store.app_groups[app_id].get(groups[0]["id"])["priority"] == 1
    report = await okta.bulk.unassign_users_from_app(app_id, [ids[0], ids[0]], concurrency=1)
    assert report.counts == {"unassigned": 1, "absent": 1}


async def test_update_deactivate_and_delete_users(org: Any, okta: Any) -> None:
    await okta.bulk.create_users([user_row(i) for i in range(4)])
    logins = [f"bulk.user{i}@example.org" for i in range(4)]
    report = await okta.bulk.update_users(
        [
            {"login": logins[0], "profile": {"department": "Eng"}},
            {"login": logins[1], "title": "Dr"},
        ]
    )
    assert report.counts == {"updated": 2}
    assert users_with_login(org, logins[0])[0]["profile"]["department"] == "Eng"
    assert users_with_login(org, logins[0])[0]["profile"]["lastName"] == "User0"
    assert users_with_login(org, logins[1])[0]["profile"]["title"] == "Dr"
    report = await okta.bulk.deactivate_users([logins[0], logins[0]], concurrency=1)
    assert report.counts == {"deactivated": 2}
    assert users_with_login(org, logins[0])[0]["status"] == "DEPROVISIONED"
    report = await okta.bulk.delete_users([logins[0], logins[2], "nobody@example.org"])
    assert report.counts == {"deleted": 2, "absent": 1}
    assert users_with_login(org, logins[0]) == []
    assert users_with_login(org, logins[2]) == []
    assert len(users_with_login(org, logins[3])) == 1


async def test_a_low_rate_limit_bucket_lowers_effective_concurrency_without_failures(
    org: Any, okta: Any
) -> None:
    org.set_rate_limits({"POST /api/v1/users": "20/s"})
    rows = [user_row(i) for i in range(50)]
    report = await okta.bulk.create_users(rows, concurrency=16)
    assert report.counts == {"created": 50}
    assert report.min_concurrency < 16
    stats = org.stats["POST /api/v1/users"]
    assert stats["throttled"] <= 1


async def test_progress_is_reported_with_totals(org: Any, okta: Any) -> None:
    seen: list[Any] = []
    rows = [user_row(i) for i in range(5)]
    await okta.bulk.create_users(rows, progress=seen.append)
    assert [(p.done, p.failed, p.total) for p in seen][-1] == (5, 0, 5)


async def test_client_bulk_property_is_bulk_operations(okta: Any) -> None:
    from okta_async.bulk import BulkOperations

    assert isinstance(okta.bulk, BulkOperations)
    assert okta.bulk is okta.bulk


@pytest.mark.parametrize("org", [{"faults": "POST /api/v1/users:latency=5ms-30ms"}], indirect=True)
async def test_a_cancelled_journaled_job_resumes_to_exactly_once_from_its_main_file_alone(
    org: Any, okta: Any, tmp_path: Any
) -> None:
    journal = tmp_path / "job.sqlite"
    rows = [user_row(i) for i in range(60)]
    seen = 0

    def stop_after_20(progress: Any) -> None:
        nonlocal seen
        seen = progress.done
        if seen == 20:
            scope.cancel()

    with anyio.CancelScope() as scope:
        await okta.bulk.create_users(rows, concurrency=8, journal=journal, progress=stop_after_20)
    assert scope.cancelled_caught
    copy = tmp_path / "copy" / "job.sqlite"  # without -wal: closing checkpointed the journal
    copy.parent.mkdir()
    shutil.copyfile(journal, copy)
    report = await okta.bulk.create_users(rows, concurrency=8, journal=copy)
    assert report.failed == 0
    assert report.counts.get("skipped", 0) >= 20
    logins = sorted(u["profile"]["login"] for u in org.store.users.values())
    assert logins == sorted(r["profile"]["login"] for r in rows)


async def test_a_100k_row_generator_is_pulled_only_as_far_as_the_consumer_got(
    org: Any, okta: Any
) -> None:
    pulled = 0

    def rows() -> Any:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield user_row(i)

    run = okta.bulk.create_users(rows(), concurrency=8)
    stream = aiter(run)
    consumed = 0
    ahead = 0
    async for _ in stream:
        consumed += 1
        ahead = max(ahead, pulled - consumed)
        if consumed == 50:
            break
    await stream.aclose()
    assert run.pulled == pulled
    assert ahead <= 8
    assert pulled <= 50 + 8
    assert len(org.store.users) <= pulled

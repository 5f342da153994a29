"""What a bulk job must never do: reuse another org's journal, let two processes share one, report
a false failure it cannot repair, drop a repeated row, call a missing container "absent", or grind
through every row of a job that cannot succeed."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from bulk_helpers import user_row, users_with_login

from okta_async import APIConnectionError, AuthenticationError, OktaClient
from okta_async.bulk import (
    JobBinding,
    Journal,
    JournalLockedError,
    JournalMismatchError,
    read_entries,
)
from okta_async.testing import FakeOrg


def logins(n: int) -> list[str]:
    return [f"bulk.user{i}@example.org" for i in range(n)]


async def test_a_journal_of_one_org_is_refused_for_another_until_started_over(
    org: Any, okta: Any, tmp_path: Path
) -> None:
    journal = tmp_path / "job.sqlite"
    rows = [user_row(i) for i in range(5)]
    assert (await okta.bulk.create_users(rows, journal=journal)).counts == {"created": 5}
    async with FakeOrg() as other, OktaClient(org_url=other.url, token=other.token) as client:
        with pytest.raises(JournalMismatchError) as caught:
            await client.bulk.create_users(rows, journal=journal)
        assert str(org.url).rstrip("/") in str(caught.value)
        assert str(other.url).rstrip("/") in str(caught.value)
        assert not other.store.users
        report = await client.bulk.create_users(rows, journal=journal, new_journal=True)
        assert report.counts == {"created": 5}
        assert len(other.store.users) == 5


async def test_another_input_fingerprint_is_refused(org: Any, okta: Any, tmp_path: Path) -> None:
    journal = tmp_path / "job.sqlite"
    await okta.bulk.create_users([user_row(1)], journal=journal, journal_fingerprint="sha256:aa")
    with pytest.raises(JournalMismatchError, match=r"sha256:aa.*sha256:bb"):
        await okta.bulk.create_users(
            [user_row(1)], journal=journal, journal_fingerprint="sha256:bb"
        )


@pytest.mark.parametrize("org", [{"faults": "POST /api/v1/users:latency=1ms-5ms"}], indirect=True)
async def test_a_second_importer_on_a_journal_in_use_is_refused_and_causes_no_failures(
    org: Any, okta: Any, tmp_path: Path
) -> None:
    journal = tmp_path / "job.sqlite"
    rows = [user_row(i) for i in range(300)]
    reports: list[Any] = []
    refused: list[BaseException] = []

    async def importer() -> None:
        try:
            reports.append(await okta.bulk.create_users(rows, concurrency=8, journal=journal))
        except JournalLockedError as exc:
            refused.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(importer)
        await anyio.sleep(0.05)
        tg.start_soon(importer)
    assert len(refused) == 1 and str(journal) in str(refused[0])
    assert reports[0].counts == {"created": 300}
    rerun = await okta.bulk.create_users(rows, concurrency=8, journal=journal)
    assert rerun.counts == {"skipped": 300}
    assert len(org.store.users) == 300


async def test_rows_falsely_recorded_failed_are_repaired_by_a_lookup_on_rerun(
    org: Any, okta: Any, tmp_path: Path
) -> None:
    journal = tmp_path / "job.sqlite"
    rows = [user_row(i) for i in range(20)]
    assert (await okta.bulk.create_users(rows)).ok  # created, but the journal will say failed
    binding = JobBinding(org=str(org.url).rstrip("/"), job="create_users")
    duplicate = {"type": "BadRequestError", "message": "login: already exists"}
    async with await Journal.open(journal, job="create_users", binding=binding) as book:
        for login in logins(20):
            await book.record(login, done=False, status="failed", attempts=1, error=duplicate)
    report = await okta.bulk.create_users(rows, journal=journal)
    assert report.counts == {"existed": 20}
    assert all(e.done for e in read_entries(journal, "create_users"))
    assert len(org.store.users) == 20


async def test_skip_existing_counts_a_taken_login_as_existed(org: Any, okta: Any) -> None:
    assert (await okta.bulk.create_users([user_row(1)])).ok
    report = await okta.bulk.create_users([user_row(1), user_row(2)], skip_existing=True)
    assert report.counts == {"existed": 1, "created": 1}


async def test_a_login_repeated_within_a_journaled_run_fails_its_later_row(
    org: Any, okta: Any, tmp_path: Path
) -> None:
    rows = [
        user_row(1),
        user_row(2),
        user_row(1, credentials={"password": {"value": "Xy12345678"}}),
    ]
    outcomes = [
        o
        async for o in okta.bulk.create_users(
            rows, concurrency=1, ordered=True, journal=tmp_path / "job.sqlite"
        )
    ]
    assert [o.status for o in outcomes] == ["created", "created", "failed"]
    assert outcomes[2].error_info is not None
    assert outcomes[2].error_info.type == "DuplicateKeyError"
    assert "item 2" in outcomes[2].error_info.message
    [entry] = [
        e for e in read_entries(tmp_path / "job.sqlite", "create_users") if "user1@" in e.key
    ]
    assert entry.done  # the first row's record stands


async def test_removing_from_a_missing_group_or_app_fails_every_row(org: Any, okta: Any) -> None:
    assert (await okta.bulk.create_users([user_row(i) for i in range(30)])).ok
    ids = [users_with_login(org, login)[0]["id"] for login in logins(30)]
    report = await okta.bulk.remove_users_from_group("00gNOSUCHGROUP0000000", ids)
    assert report.counts == {"failed": 30}
    assert all(
        f.error.status == 404 and "00gNOSUCHGROUP" in f.error.message for f in report.failures
    )
    report = await okta.bulk.unassign_users_from_app("0oaNOSUCHAPP00000000", ids)
    assert report.counts == {"failed": 30}


async def test_an_exception_of_the_input_reaches_the_caller_as_itself(okta: Any) -> None:
    def rows() -> Iterator[dict[str, Any]]:
        yield user_row(1)
        raise ValueError("row source broke")

    with pytest.raises(ValueError, match="row source broke"):
        await okta.bulk.create_users(rows())


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_unreachable_org_stops_the_job_at_its_first_row_not_in_doubt(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "job.sqlite"
    rows = [user_row(i) for i in range(100)]
    async with OktaClient(org_url=f"http://127.0.0.1:{closed_port()}", token="t") as client:
        run = client.bulk.create_users(rows, concurrency=1, journal=journal)
        with pytest.raises(APIConnectionError):
            await run
    assert run.report is not None and run.report.counts == {"failed": 1}
    [entry] = read_entries(journal, "create_users")
    assert entry.state == "failed" and not entry.in_doubt


async def test_a_refused_token_stops_the_job_at_its_first_row(org: Any) -> None:
    rows = [user_row(i) for i in range(100)]
    async with OktaClient(org_url=org.url, token="not-the-token") as client:
        with pytest.raises(AuthenticationError):
            await client.bulk.create_users(rows, concurrency=1)
    posts = [r for r in org.requests if r["method"] == "POST"]
    assert len(posts) == 1

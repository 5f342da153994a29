"""The SQLite journal: durable per-item state, reruns, group commit."""

from __future__ import annotations

import functools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import attrs
import pytest

from okta_async.bulk import (
    BulkRun,
    ItemContext,
    JobBinding,
    Journal,
    JournalError,
    JournalLockedError,
    JournalMismatchError,
    read_entries,
)
from okta_async.bulk.runner import RunSpec


async def test_entries_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path, job="a") as journal:
        await journal.mark_in_doubt("k1", attempts=1)
        await journal.record("k2", done=True, status="created", attempts=1, result={"id": "00u2"})
        await journal.record("k3", done=False, status="failed", attempts=3, in_doubt=True)
    async with await Journal.open(path, job="a") as journal:
        k1, k2, k3 = [await journal.get(k) for k in ("k1", "k2", "k3")]
        assert await journal.get("missing") is None
    assert k1 is not None and k1.state == "in_doubt" and k1.in_doubt and not k1.done
    assert k2 is not None and k2.done and k2.result == {"id": "00u2"}
    assert k3 is not None and k3.state == "failed" and k3.in_doubt


async def test_a_second_opener_of_a_held_journal_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path, job="a"):
        with pytest.raises(JournalLockedError, match=str(path)) as caught:
            await Journal.open(path, job="a")
    assert f"process {os.getpid()}" in str(caught.value)
    async with await Journal.open(path, job="a"):  # released on close
        pass


def test_a_journal_held_by_a_killed_process_is_free_again(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_JOURNAL, str(path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            with pytest.raises(JournalLockedError, match=f"process {holder.pid}"):
                anyio.run(functools.partial(Journal.open, path, job="a"))
        finally:
            holder.kill()  # SIGKILL: no cleanup runs in the holder

    async def reopen() -> None:
        async with await Journal.open(path, job="a"):
            pass

    anyio.run(reopen)


_HOLD_JOURNAL = """
import sys, anyio
from okta_async.bulk import Journal

async def main():
    journal = await Journal.open(sys.argv[1], job="a")
    print("held", flush=True)
    await anyio.sleep(60)

anyio.run(main)
"""


async def test_a_journal_of_another_org_or_input_is_refused_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    org_a = JobBinding(org="https://a.okta.com", job="create_users", fingerprint="sha256:11")
    async with await Journal.open(path, job="create_users", binding=org_a) as journal:
        await journal.record("k", done=True, status="created", attempts=1)
    for other in (
        attrs.evolve(org_a, org="https://b.okta.com"),
        attrs.evolve(org_a, fingerprint="sha256:22"),
        attrs.evolve(org_a, job="delete_users"),
    ):
        with pytest.raises(JournalMismatchError) as caught:
            await Journal.open(path, job=other.job, binding=other)
        message = str(caught.value)
        assert str(path) in message and org_a.describe() in message
        assert other.describe() in message and "\n" not in message
    async with await Journal.open(path, job="create_users", binding=org_a) as journal:
        assert await journal.get("k") is not None  # the same job goes on


async def test_resetting_a_journal_starts_it_over_for_the_new_binding(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    org_a = JobBinding(org="https://a.okta.com", job="create_users")
    org_b = attrs.evolve(org_a, org="https://b.okta.com")
    async with await Journal.open(path, job="create_users", binding=org_a) as journal:
        await journal.record("k", done=True, status="created", attempts=1)
    async with await Journal.open(path, job="create_users", binding=org_b, reset=True) as journal:
        assert await journal.get("k") is None
    with pytest.raises(JournalMismatchError, match=re.escape("https://b.okta.com")):
        await Journal.open(path, job="create_users", binding=org_a)


async def test_a_closed_journal_needs_no_wal_file(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path, job="a") as journal:
        for i in range(50):
            await journal.record(f"k{i}", done=True, status="created", attempts=1)
    copy = tmp_path / "copy" / "j.sqlite"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)  # the main file alone
    assert len(read_entries(copy, "a")) == 50


@pytest.mark.parametrize("where", ["missing-dir/j.sqlite", "not-sqlite.txt"])
async def test_a_journal_that_cannot_be_opened_is_an_error_naming_its_path(
    tmp_path: Path, where: str
) -> None:
    (tmp_path / "not-sqlite.txt").write_text("this is not a database\n" * 100)
    path = tmp_path / where
    with pytest.raises(JournalError, match=re.escape(f"journal {path}:")):
        await Journal.open(path, job="a")


async def test_the_file_uses_write_ahead_logging(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path, job="a"):
        pass
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


async def test_concurrent_records_are_group_committed(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    commits = 0
    async with await Journal.open(path, job="a") as journal:
        original = journal._apply

        def counting(batch: Any) -> None:
            nonlocal commits
            commits += 1
            original(batch)

        journal._apply = counting  # type: ignore[method-assign]
        async with anyio.create_task_group() as tg:
            for i in range(200):
                tg.start_soon(
                    lambda i=i: journal.record(f"k{i}", done=True, status="x", attempts=1)
                )
    assert len(read_entries(path, "a")) == 200
    assert commits < 200


async def test_a_rerun_skips_done_items_and_retries_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    calls: list[int] = []

    def job(fail: set[int]) -> BulkRun[int, int]:
        async def fn(item: int, ctx: ItemContext) -> tuple[str, int]:
            calls.append(item)
            if item in fail:
                raise ValueError(item)
            return "succeeded", item

        return BulkRun(RunSpec(job="j", fn=fn, items=range(10), key=str, journal=str(path)))

    first = await job(fail={3, 4})
    assert first.counts == {"succeeded": 8, "failed": 2}
    calls.clear()
    second = await job(fail=set())
    assert second.counts == {"skipped": 8, "succeeded": 2}
    assert sorted(calls) == [3, 4]


async def test_a_result_json_cannot_hold_is_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path, job="a") as journal:
        await journal.record("k", done=True, status="ok", attempts=1, result=object())
        entry = await journal.get("k")
    assert entry is not None and entry.done and entry.result is None


async def test_a_batch_its_taker_never_applied_is_still_committed_for_the_others(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The caller that takes the queued batch can be cancelled before the worker thread starts;
    another caller's write in that batch must still be committed before that caller returns
    (a create is sent only once its in-doubt mark is durable)."""
    calls = 0

    async with await Journal.open(tmp_path / "j.sqlite", job="a") as journal:
        real_call = journal._call

        async def first_call_never_starts(fn: Any, *args: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("cancelled before the worker took the batch")
            return await real_call(fn, *args)

        monkeypatch.setattr(journal, "_call", first_call_never_starts)
        failures: list[BaseException] = []

        async def read_first() -> None:
            try:
                await journal.get("other")
            except RuntimeError as exc:
                failures.append(exc)

        # Queue both callers behind the held lock, the reader first.
        async with anyio.create_task_group() as tg, journal._lock:
            tg.start_soon(read_first)
            await anyio.wait_all_tasks_blocked()
            tg.start_soon(functools.partial(journal.mark_in_doubt, "k", attempts=1))
            await anyio.wait_all_tasks_blocked()
        monkeypatch.setattr(journal, "_call", real_call)
        assert len(failures) == 1
        entry = await journal.get("k")
    assert entry is not None and entry.in_doubt

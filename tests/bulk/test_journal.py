"""The SQLite journal: durable per-item state, reruns, group commit."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path
from typing import Any

import anyio

from okta_async.bulk import BulkRun, ItemContext, Journal, read_entries
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


async def test_jobs_in_one_file_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    async with await Journal.open(path, job="a") as a, await Journal.open(path, job="b") as b:
        await a.record("k", done=True, status="added", attempts=1)
        assert await b.get("k") is None
    assert [e.key for e in read_entries(path, "a")] == ["k"]
    assert read_entries(path, "b") == []


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
    real_run_sync = anyio.to_thread.run_sync
    calls = 0

    async def first_call_never_starts(fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("cancelled before the worker took the batch")
        return await real_run_sync(fn, *args, **kwargs)

    async with await Journal.open(tmp_path / "j.sqlite", job="a") as journal:
        monkeypatch.setattr(anyio.to_thread, "run_sync", first_call_never_starts)
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
        monkeypatch.setattr(anyio.to_thread, "run_sync", real_run_sync)
        assert len(failures) == 1
        entry = await journal.get("k")
    assert entry is not None and entry.in_doubt

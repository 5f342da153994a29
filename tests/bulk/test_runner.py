"""Behaviour of the generic bounded-concurrency runner (no HTTP involved)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from okta_async.bulk import BulkAbortedError, BulkRun, ItemContext, Outcome, Progress
from okta_async.bulk.runner import RunSpec


def run_of(fn: Any, items: Any, **kwargs: Any) -> BulkRun[Any, Any]:
    async def item_fn(item: Any, ctx: ItemContext) -> tuple[str, Any]:
        ctx.attempts += 1
        return "succeeded", await fn(item)

    return BulkRun(RunSpec(job="test", fn=item_fn, items=items, **kwargs))


async def double(x: int) -> int:
    await anyio.sleep(0)
    return 2 * x


async def test_awaiting_a_run_gives_counts_by_status() -> None:
    report = await run_of(double, range(50), concurrency=4)
    assert report.counts == {"succeeded": 50}
    assert report.processed == 50
    assert report.total == 50
    assert report.ok


async def test_iterating_a_run_yields_one_outcome_per_item() -> None:
    results = sorted([o.result async for o in run_of(double, range(20), concurrency=5)])
    assert results == [2 * i for i in range(20)]


async def test_a_failing_item_does_not_abort_the_others() -> None:
    async def picky(x: int) -> int:
        if x % 10 == 3:
            raise ValueError(f"bad {x}")
        return x

    run = run_of(picky, range(30), concurrency=4, key=str)
    outcomes = [o async for o in run]
    failed = [o for o in outcomes if not o.ok]
    assert sorted(o.item for o in failed) == [3, 13, 23]
    assert all(isinstance(o.error, ValueError) for o in failed)
    assert run.report is not None
    assert run.report.counts == {"succeeded": 27, "failed": 3}
    assert sorted(f.key for f in run.report.failures) == ["13", "23", "3"]
    assert run.report.failures[0].error.type == "ValueError"


async def test_fail_fast_stops_at_the_first_failure() -> None:
    pulled: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1000):
            pulled.append(i)
            yield i

    async def boom_at_5(x: int) -> int:
        if x == 5:
            raise RuntimeError("stop here")
        await anyio.sleep(0.001)
        return x

    run = run_of(boom_at_5, items(), concurrency=2, fail_fast=True)
    with pytest.raises(BulkAbortedError) as caught:
        await run
    assert caught.value.outcome.item == 5
    assert caught.value.report.aborted
    assert len(pulled) < 20


async def test_fail_fast_iteration_yields_the_failure_then_raises() -> None:
    async def boom_at_3(x: int) -> int:
        if x == 3:
            raise RuntimeError("stop")
        return x

    seen: list[Outcome[Any, Any]] = []
    with pytest.raises(BulkAbortedError):
        async for outcome in run_of(boom_at_3, range(100), concurrency=1, fail_fast=True):
            seen.append(outcome)
    assert [o.item for o in seen] == [0, 1, 2, 3]
    assert seen[-1].status == "failed"


async def test_ordered_mode_yields_in_input_order_although_completion_is_shuffled() -> None:
    def pairwise_reversed() -> Any:
        # Item 2k finishes only after item 2k+1 has finished.
        done = {i: anyio.Event() for i in range(100)}

        async def fn(x: int) -> int:
            if x % 2 == 0:
                await done[x + 1].wait()
            done[x].set()
            return x

        return fn

    items = list(range(100))
    ordered = run_of(pairwise_reversed(), items, concurrency=8, ordered=True)
    assert [o.item async for o in ordered] == items
    unordered = [o.item async for o in run_of(pairwise_reversed(), items, concurrency=8)]
    assert sorted(unordered) == items
    assert unordered[:2] == [1, 0]


async def test_a_huge_sync_generator_is_pulled_lazily() -> None:
    pulled = 0

    def numbers() -> Iterator[int]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield i

    run = run_of(double, numbers(), concurrency=8)
    consumed = 0
    max_ahead = 0
    stream = aiter(run)
    async for _ in stream:
        consumed += 1
        max_ahead = max(max_ahead, pulled - consumed)
        if consumed == 500:
            break
    await stream.aclose()
    assert consumed == 500
    assert pulled < 600
    assert max_ahead <= 8 + 1


async def test_a_huge_async_generator_is_pulled_lazily_when_ordered() -> None:
    pulled = 0

    async def numbers() -> AsyncIterator[int]:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield i

    consumed = 0
    max_ahead = 0
    stream = aiter(run_of(double, numbers(), concurrency=8, ordered=True))
    async for _ in stream:
        consumed += 1
        max_ahead = max(max_ahead, pulled - consumed)
        if consumed == 300:
            break
    await stream.aclose()
    assert max_ahead <= 2 * 8 + 1


async def test_concurrency_is_never_exceeded() -> None:
    in_flight = 0
    peak = 0

    async def track(x: int) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.001)
        in_flight -= 1
        return x

    await run_of(track, range(200), concurrency=7)
    assert peak == 7


async def test_cancelling_the_caller_cancels_items_in_flight() -> None:
    started = 0
    finished = 0
    cancelled = 0

    async def slow(x: int) -> int:
        nonlocal started, finished, cancelled
        started += 1
        try:
            await anyio.sleep(3600)
        except anyio.get_cancelled_exc_class():
            cancelled += 1
            raise
        finished += 1
        return x

    run = run_of(slow, range(100), concurrency=5)
    with anyio.move_on_after(0.05):
        await run
    assert started == 5
    assert cancelled == 5
    assert finished == 0


async def test_closing_the_iterator_early_cancels_the_items_in_flight() -> None:
    started = 0
    cancelled = 0
    finished = 0

    async def slow_after_first(x: int) -> int:
        nonlocal started, cancelled, finished
        started += 1
        if x == 0:
            return x
        try:
            await anyio.sleep(3600)
        except anyio.get_cancelled_exc_class():
            cancelled += 1
            raise
        finished += 1
        return x

    stream = aiter(run_of(slow_after_first, range(100), concurrency=4))
    first = await anext(stream)
    assert first.item == 0
    await stream.aclose()
    assert finished == 0
    assert cancelled == started - 1
    assert started >= 2


async def test_an_abandoned_iterator_cancels_its_items() -> None:
    cancelled = asyncio.Event()

    async def hang(x: int) -> int:
        if x == 0:
            return x
        try:
            await anyio.sleep(3600)
        except anyio.get_cancelled_exc_class():
            cancelled.set()
            raise
        return x

    async for _ in run_of(hang, range(10), concurrency=2):
        break
    with anyio.fail_after(5):
        await cancelled.wait()


async def test_progress_callback_sees_done_failed_total_and_rate() -> None:
    seen: list[Progress] = []

    async def odd_fails(x: int) -> int:
        if x % 2:
            raise ValueError
        return x

    await run_of(odd_fails, list(range(10)), concurrency=3, progress=seen.append)
    assert [p.done for p in seen] == list(range(1, 11))
    assert seen[-1].failed == 5
    assert all(p.total == 10 for p in seen)
    assert all(p.rate > 0 for p in seen)


async def test_total_is_unknown_for_generators_unless_given() -> None:
    report = await run_of(double, (i for i in range(3)))
    assert report.total is None
    report = await run_of(double, (i for i in range(3)), total=3)
    assert report.total == 3


async def test_report_serializes_to_json_with_error_facts() -> None:
    class FakeOktaError(Exception):
        status = 400
        error_code = "E0000001"
        error_summary = "Api validation failed: login"
        error_causes = ("login: An object with this field already exists",)
        request_id = "req-1"

    async def fails(x: int) -> int:
        raise FakeOktaError("duplicate")

    report = await run_of(fails, ["a"], key=str)
    data = __import__("orjson").loads(report.to_json())
    assert data["counts"] == {"failed": 1}
    failure = data["failures"][0]
    assert failure["key"] == "a"
    assert failure["error_code"] == "E0000001"
    assert failure["error_summary"] == "Api validation failed: login"
    assert failure["error_causes"] == ["login: An object with this field already exists"]
    assert failure["status"] == 400


async def test_an_error_in_the_input_iterable_propagates_as_itself() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        await run_of(double, broken())
    with pytest.raises(OSError, match="disk gone"):
        async for _ in run_of(double, broken()):
            pass


async def test_a_run_cannot_be_started_twice() -> None:
    run = run_of(double, [1])
    await run
    with pytest.raises(RuntimeError):
        await run


async def test_two_items_with_one_journal_key_in_flight_fail_the_later_one(tmp_path: Any) -> None:
    release = anyio.Event()

    async def wait(x: str) -> str:
        await release.wait()
        return x

    async def go() -> Any:
        journal = str(tmp_path / "j.sqlite")
        return await run_of(wait, ["a", "a", "b"], concurrency=3, key=str, journal=journal)

    async with anyio.create_task_group() as tg:
        results: list[Any] = []

        async def runner() -> None:
            results.append(await go())

        tg.start_soon(runner)
        await anyio.wait_all_tasks_blocked()
        release.set()
    report = results[0]
    assert report.counts == {"succeeded": 2, "failed": 1}
    assert report.failures[0].error.type == "DuplicateKeyError"

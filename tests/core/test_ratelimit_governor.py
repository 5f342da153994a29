"""RateLimitGovernor: per-bucket state, holding back before a bucket runs dry, in-flight cap."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from okta_async._core.ratelimit import BucketState, RateLimitGovernor
from tests.core.transport_support import FakeClock, Sleeps

SERVER_NOW = 1_800_000_000
BUCKET = "GET /api/v1/users"


def _headers(limit: int, remaining: int, reset_in: int) -> dict[str, str]:
    date = format_datetime(datetime.fromtimestamp(SERVER_NOW, timezone.utc), usegmt=True)
    return {
        "Date": date,
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(SERVER_NOW + reset_in),
    }


def _governor(**kwargs: int) -> tuple[RateLimitGovernor, FakeClock, Sleeps]:
    clock = FakeClock()
    sleeps = Sleeps(clock)
    governor = RateLimitGovernor(
        kwargs.pop("max_concurrent", 4),
        clock=clock,
        wall_clock=lambda: SERVER_NOW + 7200.0,  # skewed local wall clock: must be ignored
        sleep=sleeps,
        **kwargs,
    )
    return governor, clock, sleeps


def test_snapshot_uses_the_date_header_not_the_local_clock() -> None:
    governor, clock, _ = _governor()
    assert governor.snapshot(BUCKET) is None
    governor.observe(BUCKET, _headers(600, 590, 40))
    assert governor.snapshot(BUCKET) == BucketState(
        limit=600, remaining=590, reset_at=clock.now + 40, in_flight=0
    )


@pytest.mark.parametrize(
    ("local_offset", "reset_in_expected"),
    [(0.6, 0.4), (0.0, 1.0), (1.5, 1.0), (-0.3, 1.0)],
    ids=["within-the-date-second", "exactly-on-date", "a-second-off", "behind-date"],
)
def test_a_local_clock_agreeing_with_date_refines_its_whole_second(
    local_offset: float, reset_in_expected: float
) -> None:
    clock = FakeClock()
    governor = RateLimitGovernor(
        4, clock=clock, wall_clock=lambda: SERVER_NOW + local_offset, sleep=Sleeps(clock)
    )
    governor.observe(BUCKET, _headers(100, 50, 1))
    state = governor.snapshot(BUCKET)
    assert state is not None
    assert state.reset_at - clock.now == pytest.approx(reset_in_expected)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Rate-Limit-Limit": "600"},
        {"X-Rate-Limit-Limit": "x", "X-Rate-Limit-Remaining": "1", "X-Rate-Limit-Reset": "1"},
        _headers(0, 0, 30),  # concurrent-limit response: says nothing about the window
    ],
    ids=["none", "partial", "garbage", "concurrent-limit"],
)
def test_responses_without_usable_headers_leave_state_alone(headers: dict[str, str]) -> None:
    governor, _, _ = _governor()
    governor.observe(BUCKET, headers)
    assert governor.snapshot(BUCKET) is None


def test_out_of_order_responses_keep_the_lowest_remaining_of_a_window() -> None:
    governor, _, _ = _governor()
    governor.observe(BUCKET, _headers(600, 10, 30))
    governor.observe(BUCKET, _headers(600, 12, 30))
    snapshot = governor.snapshot(BUCKET)
    assert snapshot is not None and snapshot.remaining == 10


async def test_requests_go_straight_through_while_the_bucket_has_room() -> None:
    governor, _, sleeps = _governor()
    governor.observe(BUCKET, _headers(600, 100, 30))
    async with governor.slot(BUCKET):
        assert governor.in_flight(BUCKET) == 1
        assert governor.in_flight() == 1
    assert governor.in_flight(BUCKET) == 0
    assert sleeps.delays == []


async def test_governor_holds_back_before_the_bucket_runs_dry() -> None:
    governor, clock, sleeps = _governor(reserve=2)
    governor.observe(BUCKET, _headers(600, 2, 30))  # the server says two calls are left
    assert not governor.has_capacity(BUCKET)
    assert governor.delay_for(BUCKET) == pytest.approx(30.0)
    start = clock.now
    async with governor.slot(BUCKET):
        pass
    assert sleeps.delays == [pytest.approx(30.0)]  # held until the reset, not fired into a 429
    assert clock.now - start == pytest.approx(30.0)


async def test_requests_in_flight_count_against_what_is_left() -> None:
    governor, _, sleeps = _governor(reserve=2)
    governor.observe(BUCKET, _headers(600, 4, 30))
    entered: list[int] = []
    finish = asyncio.Event()

    async def call(n: int) -> None:
        async with governor.slot(BUCKET):
            entered.append(n)
            await finish.wait()
            governor.observe(BUCKET, _headers(600, 1, 30))  # each response: nearly dry

    tasks = [asyncio.create_task(call(n)) for n in range(4)]
    for _ in range(10):
        await asyncio.sleep(0)
    # 4 left: the first goes (4 - 0 > 2), the second goes (4 - 1 > 2), the third is held
    assert entered == [0, 1]
    assert sleeps.delays == []  # held on the in-flight requests, not on a timer
    finish.set()
    await asyncio.gather(*tasks)
    # the responses reported one call left, so the rest waited for the reset
    assert sleeps.delays == [pytest.approx(30.0), pytest.approx(30.0)]
    assert sorted(entered) == [0, 1, 2, 3]


async def test_after_a_reset_held_requests_do_not_all_fire_at_once() -> None:
    governor, clock, _ = _governor(reserve=1, max_concurrent=100)
    governor.observe(BUCKET, _headers(5, 0, 10))
    clock.now += 10  # the window has turned over, but no response has said so yet
    entered = 0
    finish = asyncio.Event()

    async def call() -> None:
        nonlocal entered
        async with governor.slot(BUCKET):
            entered += 1
            await finish.wait()

    tasks = [asyncio.create_task(call()) for _ in range(20)]
    for _ in range(10):
        await asyncio.sleep(0)
    assert entered == 4  # a fresh window of 5, less the reserve of 1
    finish.set()
    await asyncio.gather(*tasks)
    assert entered == 20


async def test_other_buckets_are_not_held_by_an_exhausted_one() -> None:
    governor, _, sleeps = _governor()
    governor.observe(BUCKET, _headers(600, 0, 30))
    async with governor.slot("GET /api/v1/groups"):
        pass
    assert sleeps.delays == []


async def test_total_hold_is_capped_by_max_wait() -> None:
    governor, _, sleeps = _governor(max_wait=10)
    governor.observe(BUCKET, _headers(600, 0, 3600))  # a bogus reset an hour away
    await governor.wait_for_capacity(BUCKET)
    async with governor.slot(BUCKET):
        pass
    assert sleeps.delays == [10.0]
    assert governor.has_capacity(BUCKET)


async def test_client_wide_cap_limits_requests_in_flight() -> None:
    governor, _, _ = _governor(max_concurrent=2)
    release = asyncio.Event()
    peak = 0

    async def call(bucket: str) -> None:
        nonlocal peak
        async with governor.slot(bucket):
            peak = max(peak, governor.in_flight())
            await release.wait()

    tasks = [asyncio.create_task(call(f"GET /b{i}")) for i in range(5)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert governor.in_flight() == 2
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 2
    assert governor.in_flight() == 0


async def test_slot_is_released_when_the_request_fails() -> None:
    governor, _, _ = _governor(max_concurrent=1)
    with pytest.raises(RuntimeError):
        async with governor.slot(BUCKET):
            raise RuntimeError("boom")
    assert governor.in_flight() == 0
    async with governor.slot(BUCKET):  # the only slot is free again
        pass


def test_max_concurrent_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimitGovernor(0)

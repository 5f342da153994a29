"""The rate-limit aware limiter: fewer slots while a bucket is low, all of them after its reset."""

from __future__ import annotations

import attrs

from okta_async.bulk.pacing import AdaptiveLimiter


@attrs.define
class Snap:
    remaining: int
    reset_at: float


@attrs.define
class FakeGovernor:
    clock: float = 0.0
    snaps: dict[str, Snap] = attrs.Factory(dict)

    def snapshot(self, bucket: str) -> Snap | None:
        return self.snaps.get(bucket)

    def now(self) -> float:
        return self.clock


async def test_slots_follow_the_remaining_calls_and_recover_after_the_reset() -> None:
    governor = FakeGovernor()
    limiter = AdaptiveLimiter(16, governor=governor, bucket="POST /api/v1/users")
    limiter.adjust()
    assert limiter.effective == 16  # nothing known yet
    governor.snaps["POST /api/v1/users"] = Snap(remaining=5, reset_at=10.0)
    limiter.adjust()
    assert limiter.effective == 5
    governor.snaps["POST /api/v1/users"] = Snap(remaining=0, reset_at=10.0)
    limiter.adjust()
    assert limiter.effective == 1  # never zero: one request waits in the governor for the reset
    governor.clock = 10.0
    limiter.adjust()
    assert limiter.effective == 16
    assert limiter.min_effective == 1


async def test_other_buckets_and_no_governor_leave_the_limit_alone() -> None:
    governor = FakeGovernor(snaps={"GET /api/v1/users": Snap(remaining=0, reset_at=99.0)})
    limiter = AdaptiveLimiter(8, governor=governor, bucket="POST /api/v1/users")
    limiter.adjust()
    assert limiter.effective == 8
    plain = AdaptiveLimiter(8)
    plain.adjust()
    assert plain.effective == 8


async def test_releasing_a_slot_re_reads_the_bucket() -> None:
    governor = FakeGovernor(snaps={"b": Snap(remaining=2, reset_at=5.0)})
    limiter = AdaptiveLimiter(4, governor=governor, bucket="b")
    token = object()
    await limiter.acquire(token)
    assert limiter.effective == 2
    governor.clock = 6.0
    limiter.release(token)
    assert limiter.effective == 4

"""Concurrency that follows the rate-limit bucket a job spends.

The transport's ``RateLimitGovernor`` already holds a request back when its bucket is about to
run dry. A bulk job adds a second, cheaper brake: its :class:`AdaptiveLimiter` lowers the number of
items allowed in flight to what the bucket has left, so that 32 workers do not all queue on an
empty bucket (or race one another into 429s on the last few calls). When the bucket's reset time
passes, the full concurrency returns. The limit is re-read on every acquire and release, so no
timer task is needed: at least one slot always stays open, and every completion re-evaluates it.
"""

from __future__ import annotations

from typing import Protocol

import anyio


class BucketSnapshot(Protocol):
    """What the limiter reads from the governor's view of one bucket."""

    @property
    def remaining(self) -> int | None: ...

    @property
    def reset_at(self) -> float | None: ...


class GovernorLike(Protocol):
    """The part of ``RateLimitGovernor`` the limiter uses."""

    def snapshot(self, bucket: str) -> BucketSnapshot | None: ...

    def now(self) -> float:
        """The clock ``reset_at`` is measured on."""
        ...


class AdaptiveLimiter:
    """A :class:`anyio.CapacityLimiter` whose size follows a rate-limit bucket's remaining calls.

    Reset times are compared against ``governor.now()``. Without a governor or bucket it is a
    plain fixed-size limiter.
    """

    def __init__(
        self,
        concurrency: int,
        *,
        governor: GovernorLike | None = None,
        bucket: str | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.concurrency = concurrency
        self._governor = governor
        self._bucket = bucket
        self._limiter = anyio.CapacityLimiter(concurrency)
        self.min_effective = concurrency

    @property
    def effective(self) -> int:
        """Items currently allowed in flight."""
        return int(self._limiter.total_tokens)

    @property
    def in_flight(self) -> int:
        """Items currently holding a slot."""
        return self._limiter.borrowed_tokens

    async def acquire(self, borrower: object) -> None:
        """Wait for a slot for ``borrower``."""
        self.adjust()
        await self._limiter.acquire_on_behalf_of(borrower)

    def release(self, borrower: object) -> None:
        """Give ``borrower``'s slot back."""
        self._limiter.release_on_behalf_of(borrower)
        self.adjust()

    def adjust(self) -> None:
        """Set the slot count from the bucket's latest snapshot."""
        target = self._target()
        if target != self._limiter.total_tokens:
            self._limiter.total_tokens = target
            self.min_effective = min(self.min_effective, target)

    def _target(self) -> int:
        if self._governor is None or self._bucket is None:
            return self.concurrency
        snap = self._governor.snapshot(self._bucket)
        if snap is None or snap.remaining is None or snap.reset_at is None:
            return self.concurrency
        if self._governor.now() >= snap.reset_at:
            return self.concurrency
        return max(1, min(self.concurrency, snap.remaining))

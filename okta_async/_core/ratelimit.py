"""Client-side rate-limit governor: hold requests back instead of firing them into a 429.

Okta reports, per bucket (method + path template), ``X-Rate-Limit-Limit``, ``-Remaining`` and
``-Reset`` (epoch seconds). The governor keeps the latest numbers per bucket, converts the reset
time to the local clock using the response's ``Date`` header (so skew between our clock and
Okta's does not matter), and when ``remaining - in_flight <= reserve`` makes new requests to that
bucket wait until the reset. A semaphore caps requests in flight across the whole client, by
default safely below Okta's org-wide limit of 75 concurrent requests.

Cold start: until a bucket's first response has arrived, only one request to it (a probe) is in
flight, so a burst cannot fire into a window whose size nobody knows yet. A reset that is absurd
against ``Date`` (milliseconds, hours ahead) is clamped to one window and logged once per bucket.
Every hold until a reset is logged at INFO with the bucket, the wait and the reason.

Public surface (also used by the bulk helpers to size their concurrency):
``slot(bucket)`` (async context manager around one request), ``wait_for_capacity(bucket)``,
``has_capacity(bucket)``, ``delay_for(bucket)``, ``observe(bucket, headers)``,
``snapshot(bucket)``, ``in_flight(bucket)``, ``max_concurrent``, ``cap`` and ``now()``.

Concurrency: a concurrent-limit 429 (``X-Rate-Limit-Limit`` and ``-Remaining`` both 0: the org's
cap on requests in flight is lower than ours) lowers the client's cap to the requests that were
in flight beside it; each full round of successes at the cap raises it by one again, up to
``max_concurrent``, so the retries of those 429s find a slot instead of failing their callers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

import attrs

from okta_async._core.logs import logger
from okta_async._core.retry import header_int, is_concurrent_limit, seconds_until


@attrs.frozen
class BucketState:
    """The latest rate-limit numbers of one bucket.

    ``reset_at`` is on the governor's clock, by default local epoch seconds (``time.time()``),
    already corrected for skew against Okta's clock: ``state.reset_at - time.time()`` is the
    time left in the window.
    """

    limit: int
    remaining: int
    reset_at: float
    in_flight: int = 0


class RateLimitGovernor:
    """Per-bucket rate-limit state plus a client-wide cap on requests in flight.

    ``reserve`` is how many calls of a bucket's window are left unused for other clients of
    the org; ``max_wait`` caps any single hold. ``clock`` (the time base of ``reset_at``),
    ``wall_clock`` (stands in for a missing ``Date`` header) and ``sleep`` are injectable so
    tests run without real time passing.
    """

    def __init__(
        self,
        max_concurrent: int = 48,
        *,
        reserve: int = 2,
        max_wait: float = 120.0,
        clock: Callable[[], float] = time.time,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self.reserve = reserve
        self.max_wait = max_wait
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self.cap = max_concurrent  # the current cap on requests in flight (adaptive)
        self._successes = 0  # answers at the current cap since it last changed
        # Set (and dropped) when any request ends; made only while someone waits for a slot.
        self._freed: asyncio.Event | None = None
        self._states: dict[str, BucketState] = {}
        self._in_flight: dict[str, int] = {}
        self._windows: dict[str, int] = {}  # bucket -> reset epoch of the state we hold
        self._released: dict[str, asyncio.Event] = {}  # set when a request to a bucket ends
        self._seen: set[str] = set()  # buckets that have answered at least once
        self._absurd_logged: set[str] = set()

    def now(self) -> float:
        """The governor's clock, the time base of :attr:`BucketState.reset_at`."""
        return self._clock()

    def snapshot(self, bucket: str) -> BucketState | None:
        """The bucket's latest numbers (with the current in-flight count), or None if unseen."""
        state = self._states.get(bucket)
        if state is None:
            return None
        return attrs.evolve(state, in_flight=self.in_flight(bucket))

    def in_flight(self, bucket: str | None = None) -> int:
        """Requests in flight to ``bucket``, or to the whole client when ``bucket`` is None."""
        if bucket is None:
            return sum(self._in_flight.values())
        return self._in_flight.get(bucket, 0)

    def delay_for(self, bucket: str) -> float:
        """Seconds until ``bucket`` resets if the server says it is nearly exhausted, else 0."""
        state = self._states.get(bucket)
        if state is None:
            return 0.0
        left = state.reset_at - self._clock()
        if left <= 0 or state.remaining > self.reserve:
            return 0.0
        return left

    def has_capacity(self, bucket: str) -> bool:
        """Whether one more request to ``bucket`` may be sent now.

        Unknown buckets may go (the first responses teach us their numbers). Otherwise the
        calls left in the window (all of them once its reset has passed), minus the requests
        already in flight, must stay above the reserve; with nothing in flight a request may
        always go once the window allows it.
        """
        state = self._states.get(bucket)
        if state is None:
            # Unknown numbers: a single probe goes first; an answer without rate-limit
            # headers then means the bucket is not limited.
            return bucket in self._seen or self.in_flight(bucket) == 0
        if self.delay_for(bucket) > 0:
            return False
        fresh = state.reset_at <= self._clock()
        remaining = state.limit if fresh else state.remaining
        in_flight = self.in_flight(bucket)
        return in_flight == 0 or remaining - in_flight > self.reserve

    async def wait_for_capacity(self, bucket: str) -> None:
        """Return once one more request to ``bucket`` may be sent.

        Waits for the reset while the server reports the bucket nearly exhausted, and for an
        in-flight request of the bucket to finish (and report fresh numbers) while the
        requests already in flight would use up what is left. Sleeping for resets is capped
        at ``max_wait`` in total: a bogus reset far in the future must not stall callers.
        """
        slept = 0.0
        while not self.has_capacity(bucket):
            delay = self.delay_for(bucket)
            if delay <= 0:
                await self._released.setdefault(bucket, asyncio.Event()).wait()
                continue
            if slept >= self.max_wait:
                state = self._states[bucket]
                self._states[bucket] = attrs.evolve(state, reset_at=self._clock())
                continue
            delay = min(delay, self.max_wait - slept)
            self._log_hold(bucket, delay)
            await self._sleep(delay)
            slept += delay

    def _log_hold(self, bucket: str, delay: float) -> None:
        state = self._states[bucket]
        logger.info(
            "holding %s for %.1f s: %d of %d calls left in its window (reserve %d) until reset",
            bucket,
            delay,
            state.remaining,
            state.limit,
            self.reserve,
        )

    def slot(self, bucket: str) -> Slot:
        """Hold one client-wide slot and count one request in flight to ``bucket``, for the body
        of ``async with governor.slot(bucket):``."""
        return Slot(self, bucket)

    async def _take(self, bucket: str) -> None:
        """Wait (only when there is no room now) for a slot, then count it."""
        if not (self.in_flight() < self.cap and self.has_capacity(bucket)):
            await self._wait_for_slot(bucket)
        # No await between the last check and the count: nobody can slip in.
        self._in_flight[bucket] = self._in_flight.get(bucket, 0) + 1

    def _give_back(self, bucket: str) -> None:
        """Uncount a slot taken by :meth:`_take` and wake whoever waits for one."""
        count = self._in_flight[bucket] - 1
        if count:
            self._in_flight[bucket] = count
        else:
            del self._in_flight[bucket]
        freed, self._freed = self._freed, None
        if freed is not None:
            freed.set()
        released = self._released.pop(bucket, None)
        if released is not None:
            released.set()

    async def _wait_for_slot(self, bucket: str) -> None:
        """Wait until a client-wide slot is free and ``bucket`` has capacity, both at once."""
        while True:
            await self.wait_for_capacity(bucket)
            if self.in_flight() < self.cap and self.has_capacity(bucket):
                return
            if self.in_flight() >= self.cap:
                if self._freed is None:
                    self._freed = asyncio.Event()
                await self._freed.wait()

    def _adapt_cap(self, headers: Mapping[str, str], status: int) -> None:
        """Lower the cap on a concurrent-limit 429; raise it by one per full round of answers."""
        if status == 429 and is_concurrent_limit(headers):
            lowered = max(1, min(self.cap, self.in_flight()) - 1)
            if lowered < self.cap:
                logger.info("concurrent-request limit reached: at most %d in flight now", lowered)
                self.cap, self._successes = lowered, 0
            return
        if self.cap < self.max_concurrent and status < 400:
            self._successes += 1
            if self._successes >= self.cap:
                self.cap, self._successes = self.cap + 1, 0

    def observe(self, bucket: str, headers: Mapping[str, str], status: int = 200) -> None:
        """Record the rate-limit headers of a response from ``bucket``.

        Responses without the headers, and concurrent-limit responses (Limit 0), leave the
        numbers alone: they say nothing about the bucket's window. A 429 with a reset marks the
        window exhausted even when it lacks the other headers, so the retry is held to its reset.
        """
        self._seen.add(bucket)
        self._adapt_cap(headers, status)
        limit = header_int(headers, "X-Rate-Limit-Limit")
        remaining = header_int(headers, "X-Rate-Limit-Remaining")
        reset = header_int(headers, "X-Rate-Limit-Reset")
        previous = self._states.get(bucket)
        if status == 429 and reset is not None and limit != 0:
            limit = limit or (previous.limit if previous else 1)
            remaining = 0
        if limit is None or remaining is None or reset is None or limit == 0:
            return
        if previous is not None and self._windows.get(bucket) == reset:
            # Responses of one window can arrive out of order: the lowest count is the newest.
            remaining = min(remaining, previous.remaining)
        left = self._seconds_left(bucket, headers, reset)
        self._states[bucket] = BucketState(
            limit=limit, remaining=remaining, reset_at=self._clock() + left
        )
        self._windows[bucket] = reset

    def _seconds_left(self, bucket: str, headers: Mapping[str, str], reset: int) -> float:
        """Seconds until the window of ``headers`` (resetting at epoch ``reset``) resets; an
        absurd reset is clamped and logged once.

        ``Date`` has whole-second resolution: when our clock agrees with it within that second,
        ours is the finer reading of the server's time (it matters for 1 s windows).
        """
        local_now = self._wall_clock()
        date = headers.get("Date")
        left, absurd = seconds_until(reset, date, local_now)
        if date and not absurd:
            local_left = max(0.0, reset - local_now)
            if 0.0 <= left - local_left < 1.0:
                left = local_left
        if absurd and bucket not in self._absurd_logged:
            self._absurd_logged.add(bucket)
            logger.warning(
                "%s: X-Rate-Limit-Reset %s is absurd against Date %s; assuming a %.0f s window",
                bucket,
                headers.get("X-Rate-Limit-Reset"),
                date or "(none)",
                left,
            )
        return left


class Slot:
    """``async with governor.slot(bucket):`` -- one request in flight for the body's duration.

    A plain class rather than ``@asynccontextmanager``: it is entered once per request, and a
    generator-based manager costs several more frames each time.
    """

    __slots__ = ("_bucket", "_governor")

    def __init__(self, governor: RateLimitGovernor, bucket: str) -> None:
        self._governor = governor
        self._bucket = bucket

    async def __aenter__(self) -> None:
        await self._governor._take(self._bucket)

    async def __aexit__(self, *exc_info: object) -> None:
        self._governor._give_back(self._bucket)

"""Progress and the end-of-job summary.

A job feeds every :class:`~okta_async.bulk.outcome.Outcome` to a :class:`ReportBuilder`, which keeps
counts by status and the first failures, calls the optional progress callback, and produces a
:class:`Report` that serializes to JSON (``report.to_json()``) for logs, tickets and dashboards.
Only counters and a bounded list of failures are kept, so a job of millions of items stays small.
"""

from __future__ import annotations

import inspect
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import orjson

from okta_async.bulk.outcome import FAILED, ErrorInfo, Outcome

MAX_FAILURES_KEPT = 1000
"""Failures listed in a report; more are counted in ``failures_omitted``."""


@attrs.frozen
class Progress:
    """A progress snapshot: items finished (failures included), failed, expected total, items/s.

    ``total`` is None when the input has no length and none was given.
    """

    done: int
    failed: int
    total: int | None
    rate: float
    elapsed: float


ProgressCallback = Callable[[Progress], "Awaitable[object] | object"]
"""Called after each item with a :class:`Progress`; may be a plain function or a coroutine one."""


@attrs.frozen
class Failure:
    """One failed item in a report: its key, position, attempts and the error facts."""

    key: str | None
    index: int
    attempts: int
    error: ErrorInfo

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON-friendly dict: key, index, attempts and the error facts side by side."""
        return {
            "key": self.key,
            "index": self.index,
            "attempts": self.attempts,
            **self.error.to_dict(),
        }


@attrs.frozen
class Report:
    """Summary of a bulk job: counts by outcome status and the failures with Okta's error codes.

    ``aborted`` is true when ``fail_fast`` stopped the job; ``min_concurrency`` is the lowest
    effective concurrency the rate-limit aware limiter used (equal to ``concurrency`` when no
    bucket ran low).
    """

    job: str
    total: int | None
    processed: int
    counts: dict[str, int]
    failures: tuple[Failure, ...]
    failures_omitted: int
    elapsed: float
    rate: float
    aborted: bool
    concurrency: int
    min_concurrency: int

    @property
    def failed(self) -> int:
        """Number of failed items."""
        return self.counts.get(FAILED, 0)

    @property
    def ok(self) -> bool:
        """True when no item failed and the job was not aborted."""
        return self.failed == 0 and not self.aborted

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict of the whole report."""
        return {
            "job": self.job,
            "total": self.total,
            "processed": self.processed,
            "counts": dict(self.counts),
            "failed": self.failed,
            "failures": [f.to_dict() for f in self.failures],
            "failures_omitted": self.failures_omitted,
            "elapsed_seconds": round(self.elapsed, 3),
            "rate_per_second": round(self.rate, 2),
            "aborted": self.aborted,
            "concurrency": self.concurrency,
            "min_concurrency": self.min_concurrency,
        }

    def to_json(self, *, indent: bool = False) -> str:
        """The report as a JSON string."""
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(self.to_dict(), option=option).decode()


class ReportBuilder:
    """Accumulates outcomes into counts and failures; drives the progress callback."""

    def __init__(
        self,
        *,
        job: str,
        total: int | None,
        concurrency: int,
        progress: ProgressCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job = job
        self.total = total
        self.concurrency = concurrency
        self.min_concurrency = concurrency
        self.aborted = False
        self._progress = progress
        self._clock = clock
        self._started = clock()
        self._counts: Counter[str] = Counter()
        self._failures: list[Failure] = []
        self._failures_omitted = 0

    @property
    def processed(self) -> int:
        """Items with an outcome so far."""
        return sum(self._counts.values())

    async def add(self, outcome: Outcome[Any, Any]) -> None:
        """Count one outcome, keep it if it failed, and report progress."""
        self._counts[outcome.status] += 1
        if outcome.status == FAILED and outcome.error is not None:
            if len(self._failures) < MAX_FAILURES_KEPT:
                info = ErrorInfo.from_exception(outcome.error)
                self._failures.append(Failure(outcome.key, outcome.index, outcome.attempts, info))
            else:
                self._failures_omitted += 1
        if self._progress is not None:
            result = self._progress(self.progress())
            if inspect.isawaitable(result):
                await result

    def progress(self) -> Progress:
        """Current progress snapshot."""
        elapsed = max(self._clock() - self._started, 1e-9)
        done = self.processed
        return Progress(
            done=done,
            failed=self._counts.get(FAILED, 0),
            total=self.total,
            rate=done / elapsed,
            elapsed=elapsed,
        )

    def note_concurrency(self, effective: int) -> None:
        """Remember the lowest effective concurrency seen."""
        self.min_concurrency = min(self.min_concurrency, effective)

    def build(self) -> Report:
        """Freeze the current state into a :class:`Report`."""
        snapshot = self.progress()
        return Report(
            job=self.job,
            total=self.total,
            processed=snapshot.done,
            counts=dict(self._counts),
            failures=tuple(self._failures),
            failures_omitted=self._failures_omitted,
            elapsed=snapshot.elapsed,
            rate=snapshot.rate,
            aborted=self.aborted,
            concurrency=self.concurrency,
            min_concurrency=self.min_concurrency,
        )

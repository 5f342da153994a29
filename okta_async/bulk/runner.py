"""The bounded-concurrency engine under every bulk job.

A :class:`BulkRun` pulls items from a sync or async iterable, runs an item function on each with
at most ``concurrency`` in flight (an anyio task group plus a rate-limit aware capacity limiter),
records each outcome in the optional journal, and hands outcomes on. It is both awaitable (to a
:class:`~okta_async.bulk.report.Report`) and async-iterable (over
:class:`~okta_async.bulk.outcome.Outcome`).

Backpressure: the next item is pulled only once a slot is free, and a finished item keeps its slot
until its outcome has been handed to the consumer, so a slow ``async for`` body slows the pulling.
At most ``concurrency`` items (``2 * concurrency`` with ``ordered=True``, which buffers finished
items until the ones before them finish) are ever pulled ahead of the consumer.

Cancellation: cancelling the caller (or leaving the ``async for`` early) cancels the items in
flight. An outcome is recorded in the journal under a shield, so every item is either recorded
with its final outcome or left as it was before this run; a create that was cut off mid-request
stays ``in_doubt`` and is resolved by a lookup on the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator, Iterable
from typing import Any, Generic, TypeVar

import anyio
import attrs

from okta_async._core.errors import OktaError
from okta_async.bulk.journal import JobBinding, Journal, JournalEntry
from okta_async.bulk.outcome import FAILED, SKIPPED, ErrorInfo, Outcome
from okta_async.bulk.pacing import AdaptiveLimiter, GovernorLike
from okta_async.bulk.report import ProgressCallback, Report, ReportBuilder

T = TypeVar("T")
R = TypeVar("R")


class BulkAbortedError(OktaError):
    """A ``fail_fast`` job stopped at its first failed item.

    ``outcome`` is that item's outcome; ``report`` summarizes what had finished until then.
    """

    def __init__(self, outcome: Outcome[Any, Any], report: Report) -> None:
        info = outcome.error_info
        detail = f": {info.type}: {info.message}" if info is not None else ""
        super().__init__(f"bulk job {report.job!r} aborted at item {outcome.key!r}{detail}")
        self.outcome = outcome
        self.report = report


class DuplicateKeyError(ValueError):
    """An item repeats the journal key of an earlier item of the same run; the later one fails.

    (Only items an earlier *run* finished are skipped; a repeat within one run is reported.)
    """


@attrs.define
class ItemContext:
    """Per-item state an item function may use: attempts, journal key and in-doubt evidence.

    ``prior`` is the journal entry an earlier run left (None without a journal or for a new item).
    An item function that sends a request which may change server state calls
    :meth:`before_unsafe_send` first, and sets ``ambiguous`` when such a request ended without a
    definitive answer (connection reset, 5xx), so that a later "already exists" answer can be told
    apart from a genuine conflict.
    """

    index: int
    key: str | None
    journal: Journal | None = None
    prior: JournalEntry | None = None
    attempts: int = 0
    ambiguous: bool = False
    _marked: bool = False

    @property
    def maybe_processed(self) -> bool:
        """True if an earlier request for this item (this run or a previous one) may have acted.

        Any unfinished row an earlier run left counts (in doubt, or failed: a "failed" written
        by mistake must be repairable), so a create finds out by a lookup whether it happened.
        """
        return self.ambiguous or (self.prior is not None and not self.prior.done)

    @property
    def in_doubt(self) -> bool:
        """True if a request that may have acted got no definitive answer (the row stays so)."""
        return self.ambiguous or (self.prior is not None and self.prior.in_doubt)

    async def before_unsafe_send(self) -> None:
        """Durably mark the item in doubt before its first state-changing request leaves."""
        if self._marked or self.journal is None or self.key is None:
            return
        with anyio.CancelScope(shield=True):
            await self.journal.mark_in_doubt(self.key, attempts=self.attempts)
        self._marked = True


ItemFunction = Callable[[T, ItemContext], Awaitable[tuple[str, R]]]
"""Runs one item: returns ``(status, result)`` or raises (the item then fails)."""


@attrs.frozen
class RunSpec(Generic[T, R]):
    """Everything a :class:`BulkRun` needs; built by :class:`~okta_async.bulk.BulkOperations`."""

    job: str
    fn: ItemFunction[T, R]
    items: Iterable[T] | AsyncIterable[T]
    concurrency: int = 16
    ordered: bool = False
    fail_fast: bool = False
    key: Callable[[T], str] | None = None
    journal: str | os.PathLike[str] | Journal | None = None
    progress: ProgressCallback | None = None
    total: int | None = None
    governor: GovernorLike | None = None
    bucket: str | None = None
    journal_value: Callable[[Any], Any] | None = None
    """What the journal keeps of a result (default: the result, if JSON can hold it)."""
    binding: JobBinding | None = None
    """The org, job and input a journal opened by path must belong to (see Journal.open)."""
    reset_journal: bool = False
    """Empty a journal opened by path before the run (start over)."""
    stops_job: Callable[[BaseException], bool] | None = None
    """Errors that end the whole run at their first occurrence (raised as themselves)."""


class BulkRun(Generic[T, R]):
    """One run of a bulk job: ``await`` it for a :class:`Report`, or ``async for`` its outcomes.

    A run executes once. After it finishes (either way), :attr:`report` holds the summary. Leaving
    an ``async for`` early cancels the items still in flight.
    """

    def __init__(self, spec: RunSpec[T, R]) -> None:
        if spec.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if spec.journal is not None and spec.key is None:
            raise ValueError("a journal needs a key function naming each item")
        self._spec = spec
        self._started = False
        self.report: Report | None = None
        self.pulled = 0
        """Items pulled from the input so far (for observing backpressure)."""

    def __await__(self) -> Generator[Any, None, Report]:
        return self._run_to_report().__await__()

    def __aiter__(self) -> OutcomeStream[T, R]:
        return OutcomeStream(self)

    async def _run_to_report(self) -> Report:
        async def discard(_outcome: Outcome[T, R]) -> None:
            return None

        return await self._drive(discard)

    def _claim(self) -> None:
        if self._started:
            raise RuntimeError("a BulkRun runs once; call the bulk method again for a new run")
        self._started = True

    async def _drive(self, emit: Callable[[Outcome[T, R]], Awaitable[None]]) -> Report:
        self._claim()
        spec = self._spec
        journal, owned = await _open_journal(spec)
        engine = _Engine(spec, journal, emit, self)
        unwrapped: BaseException | None = None
        try:
            await engine.run()
        except BaseException as exc:
            unwrapped = _unwrap_group(exc)
            if unwrapped is exc:
                raise
        finally:
            if owned and journal is not None:
                await journal.aclose()
            engine.builder.note_concurrency(engine.limiter.min_effective)
            self.report = engine.builder.build()
        if unwrapped is not None:
            raise unwrapped  # outside the except block: not chained to the group
        if engine.fatal is not None:
            raise engine.fatal
        if engine.abort_outcome is not None:
            raise BulkAbortedError(engine.abort_outcome, self.report)
        return self.report


class OutcomeStream(AsyncIterator[Outcome[T, R]]):
    """Async iterator over a run's outcomes; the workers run in a task of their own.

    Keeping the task group in a separate task means no cancel scope stays open while the consumer
    holds an outcome, so the consumer may stop at any point: :meth:`aclose` (or cancelling the
    consumer while it waits) cancels the items in flight and waits for them to unwind; an iterator
    that is simply dropped cancels them when it is garbage-collected.
    """

    def __init__(self, run: BulkRun[T, R]) -> None:
        self._run = run
        self._send, self._receive = anyio.create_memory_object_stream[Outcome[T, R]](0)
        self._driver: asyncio.Task[Report] | None = None

    def __aiter__(self) -> OutcomeStream[T, R]:
        return self

    async def __anext__(self) -> Outcome[T, R]:
        if self._driver is None:
            # The task must not reference this iterator, or dropping it could never free it.
            coro = _drive_into(self._run, self._send)
            self._driver = asyncio.get_running_loop().create_task(coro)
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            pass
        except BaseException:
            await self.aclose()
            raise
        self._receive.close()
        await self._driver  # re-raises what stopped the run (fail_fast, a broken input ...)
        raise StopAsyncIteration

    async def aclose(self) -> None:
        """Stop the run: cancel the items in flight and wait until they have unwound."""
        driver = self._driver
        if driver is not None and not driver.done():
            driver.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.wait([driver])
        if driver is not None and driver.done() and not driver.cancelled():
            driver.exception()  # mark retrieved: whoever closed early does not want it
        self._receive.close()
        self._send.close()

    def __del__(self) -> None:
        driver = self._driver
        if driver is not None and not driver.done():
            with contextlib.suppress(RuntimeError):  # the event loop may be closed already
                driver.cancel()
        self._receive.close()


async def _drive_into(
    run: BulkRun[T, R], send: anyio.abc.ObjectSendStream[Outcome[T, R]]
) -> Report:
    async with send:
        return await run._drive(send.send)


async def _open_journal(spec: RunSpec[Any, Any]) -> tuple[Journal | None, bool]:
    if spec.journal is None:
        return None, False
    if isinstance(spec.journal, Journal):
        return spec.journal, False
    journal = await Journal.open(
        spec.journal, job=spec.job, binding=spec.binding, reset=spec.reset_journal
    )
    return journal, True


def _unwrap_group(exc: BaseException) -> BaseException:
    """The one exception inside (nested) exception groups, or ``exc`` when there are several.

    The task group wraps what the input iterable or an item raised; callers get it as itself.
    """
    inner = getattr(exc, "exceptions", None)
    while isinstance(inner, tuple) and len(inner) == 1 and isinstance(inner[0], BaseException):
        exc = inner[0]
        inner = getattr(exc, "exceptions", None)
    return exc


class _Engine(Generic[T, R]):
    """The machinery of one run: producer loop, workers, ordering, abort."""

    def __init__(
        self,
        spec: RunSpec[T, R],
        journal: Journal | None,
        emit: Callable[[Outcome[T, R]], Awaitable[None]],
        run: BulkRun[T, R],
    ) -> None:
        self.spec = spec
        self.journal = journal
        self.emit = emit
        self.run_handle = run
        self.limiter = AdaptiveLimiter(spec.concurrency, governor=spec.governor, bucket=spec.bucket)
        self.builder = ReportBuilder(
            job=spec.job,
            total=spec.total if spec.total is not None else _len_or_none(spec.items),
            concurrency=spec.concurrency,
            progress=spec.progress,
        )
        self.window = anyio.Semaphore(2 * spec.concurrency) if spec.ordered else None
        self.abort_outcome: Outcome[T, R] | None = None
        self.fatal: BaseException | None = None
        self._producer_scope = anyio.CancelScope()
        self._cancel_scope: anyio.CancelScope | None = None
        self._reorder: dict[int, Outcome[T, R]] = {}
        self._next_index = 0
        self._order_lock = anyio.Lock()
        self._active_keys: dict[str, int] = {}

    async def run(self) -> None:
        async with anyio.create_task_group() as tg:
            self._cancel_scope = tg.cancel_scope
            with self._producer_scope:
                await self._produce(tg)

    async def _produce(self, tg: anyio.abc.TaskGroup) -> None:
        source = _aiter(self.spec.items)
        index = 0
        try:
            while True:
                if self.window is not None:
                    await self.window.acquire()
                borrower = object()
                try:
                    await self.limiter.acquire(borrower)
                except BaseException:
                    self._release_window()
                    raise
                try:
                    item = await source.__anext__()
                except StopAsyncIteration:
                    self._give_back(borrower)
                    return
                except BaseException:
                    self._give_back(borrower)
                    raise
                self.run_handle.pulled += 1
                tg.start_soon(self._work, index, item, borrower)
                index += 1
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()

    def _release_window(self) -> None:
        if self.window is not None:
            self.window.release()

    def _give_back(self, borrower: object) -> None:
        """Return the slots taken for an item that was never pulled."""
        self.limiter.release(borrower)
        self._release_window()

    async def _work(self, index: int, item: T, borrower: object) -> None:
        holding = True
        ctx = ItemContext(index=index, key=None, journal=self.journal)
        try:
            outcome = await self._process(item, ctx)
            with anyio.CancelScope(shield=True):
                await self._record(outcome, ctx)
            self._release_key(ctx)  # recorded: a later item with this key may go (and skip)
            await self.builder.add(outcome)
            if self._stops_job(outcome):
                self._stop_pulling(outcome)
            elif outcome.status == FAILED and self.spec.fail_fast:
                await self._abort(outcome)
            elif self.window is None:
                await self._deliver(outcome)
            else:
                self.limiter.release(borrower)
                holding = False
                await self._deliver_in_order(outcome)
        finally:
            self._release_key(ctx)
            if holding:
                self.limiter.release(borrower)

    async def _process(self, item: T, ctx: ItemContext) -> Outcome[T, R]:
        index = ctx.index
        try:
            if self.spec.key is not None:
                key = self.spec.key(item)
                ctx.key = key if self.journal is None else self._claim_key(key, index)
            if self.journal is not None and ctx.key is not None:
                ctx.prior = await self.journal.get(ctx.key)
                if ctx.prior is not None and ctx.prior.run == self.journal.run_id:
                    raise DuplicateKeyError(
                        f"item {index} repeats the key {key!r} of an earlier item"
                    )
                if ctx.prior is not None and ctx.prior.done:
                    return Outcome(index, item, ctx.key, SKIPPED, ctx.prior.result)
            status, result = await self.spec.fn(item, ctx)
        except Exception as exc:
            return Outcome(index, item, ctx.key, FAILED, error=exc, attempts=ctx.attempts)
        return Outcome(index, item, ctx.key, status, result, attempts=ctx.attempts)

    def _claim_key(self, key: str, index: int) -> str:
        """Refuse a key already in flight: two items with one key would race in the journal."""
        if key in self._active_keys:
            first = self._active_keys[key]
            raise DuplicateKeyError(f"item {index} has the same key {key!r} as item {first}")
        self._active_keys[key] = index
        return key

    def _release_key(self, ctx: ItemContext) -> None:
        if ctx.key is not None and self._active_keys.get(ctx.key) == ctx.index:
            del self._active_keys[ctx.key]

    async def _record(self, outcome: Outcome[T, R], ctx: ItemContext) -> None:
        if self.journal is None or outcome.key is None or outcome.status == SKIPPED:
            return
        if isinstance(outcome.error, DuplicateKeyError):
            return  # the row belongs to the earlier item with this key
        error = outcome.error_info
        keep = self.spec.journal_value
        await self.journal.record(
            outcome.key,
            done=outcome.ok,
            status=outcome.status,
            attempts=outcome.attempts,
            in_doubt=not outcome.ok and ctx.in_doubt,
            result=outcome.result if keep is None else keep(outcome.result),
            error=None if error is None else error.to_dict(),
        )

    def _stops_job(self, outcome: Outcome[T, R]) -> bool:
        stops = self.spec.stops_job
        return outcome.error is not None and stops is not None and stops(outcome.error)

    def _stop_pulling(self, outcome: Outcome[T, R]) -> None:
        """End the run at an error every other item would meet too (org down, bad token).

        No further item is pulled; those in flight finish (quickly, meeting the same error), so
        each is recorded for what happened to it instead of being cut off in doubt. The error
        itself is raised once, at the end, instead of being handed on with each item.
        """
        if self.fatal is None and outcome.error is not None:
            self.fatal = outcome.error
            self.builder.aborted = True
        self._producer_scope.cancel()

    async def _deliver(self, outcome: Outcome[T, R]) -> None:
        if self.abort_outcome is not None or self._stops_job(outcome):
            return
        # A closed stream means the consumer has gone and the run is being cancelled.
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            await self.emit(outcome)

    async def _deliver_in_order(self, outcome: Outcome[T, R]) -> None:
        self._reorder[outcome.index] = outcome
        async with self._order_lock:
            while self._next_index in self._reorder:
                ready = self._reorder.pop(self._next_index)
                self._next_index += 1
                self._release_window()
                await self._deliver(ready)

    async def _abort(self, outcome: Outcome[T, R]) -> None:
        if self.abort_outcome is not None:
            return
        self.abort_outcome = outcome
        self.builder.aborted = True
        try:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await self.emit(outcome)  # the consumer sees the failure before the run stops
        finally:
            if self._cancel_scope is not None:
                self._cancel_scope.cancel()


def _len_or_none(items: object) -> int | None:
    try:
        return len(items)  # type: ignore[arg-type]
    except TypeError:
        return None


def _aiter(items: Iterable[T] | AsyncIterable[T]) -> AsyncIterator[T]:
    """An async iterator over either kind of iterable, pulling one item per ``__anext__``."""
    if isinstance(items, AsyncIterable):
        return aiter(items)
    return _SyncSource(iter(items))


class _SyncSource(AsyncIterator[T]):
    """Adapts a sync iterator; ``next()`` runs in the event loop, so it should not block long."""

    def __init__(self, iterator: Iterable[T]) -> None:
        self._iterator = iter(iterator)

    async def __anext__(self) -> T:
        try:
            return next(self._iterator)
        except StopIteration:
            raise StopAsyncIteration from None

    def __aiter__(self) -> AsyncIterator[T]:
        return self


__all__ = [
    "BulkAbortedError",
    "BulkRun",
    "DuplicateKeyError",
    "ErrorInfo",
    "ItemContext",
    "ItemFunction",
    "OutcomeStream",
    "RunSpec",
]

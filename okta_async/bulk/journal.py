"""Durable per-item record of a bulk job, so that a rerun resumes instead of repeating.

One SQLite file (stdlib ``sqlite3``, WAL mode) holds one row per ``(job, key)``:

* ``in_doubt`` -- a request that may change server state (a create) is about to be sent, or was sent
  without a definitive answer. The row is committed *before* the request leaves, so a process
  killed at any point leaves evidence that the server may already have acted.
* ``done`` -- the item reached its end state; a rerun skips it.
* ``failed`` -- the item failed; a rerun tries it again. Its ``in_doubt`` flag says whether an
  earlier request may still have been processed.

A journal file belongs to one job: it records the org URL, the job name and a fingerprint of the
input (:class:`JobBinding`), and opening it for a different one raises
:class:`JournalMismatchError` naming both sides (``reset=True`` starts over). One process at a time
holds it: an OS lock on ``<path>.lock`` (released by the OS even on ``kill -9``) makes a second
opener fail with :class:`JournalLockedError` instead of fighting over rows. Closing the journal
(also on cancellation or Ctrl-C) checkpoints the write-ahead log, so the ``.sqlite`` file alone is
the complete record; only after a ``kill -9`` does progress also live in ``<path>-wal``, which the
next open merges back. Every error about a journal names its path (:class:`JournalError`).

SQLite calls block, so they run in one daemon thread per journal (a thread that can never hold up
interpreter exit, whatever loop runs the job). Writes are group-committed: callers queue
requests, and whoever holds the lock applies everything queued in one transaction, so a burst of
items costs one commit. A caller returns only after its own request is committed, so "recorded"
always means "on disk". ``PRAGMA synchronous=NORMAL`` (the default ``durability="process"``)
survives a killed process; ``durability="power"`` (``synchronous=FULL``) also survives power loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, TypeVar

import anyio
import attrs
import orjson

from okta_async.bulk._filelock import FileLock, LockHeldError

DONE = "done"
FAILED = "failed"
IN_DOUBT = "in_doubt"

SCHEMA_VERSION = "2"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bulk_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bulk_items (
    job TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    in_doubt INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    updated_at REAL NOT NULL,
    run TEXT,
    PRIMARY KEY (job, key)
) WITHOUT ROWID;
"""

_UPSERT = """
INSERT INTO bulk_items (job, key, state, status, attempts, in_doubt, result, error, updated_at, run)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (job, key) DO UPDATE SET
    state = excluded.state, status = excluded.status, attempts = excluded.attempts,
    in_doubt = excluded.in_doubt, result = excluded.result, error = excluded.error,
    updated_at = excluded.updated_at, run = excluded.run
"""

_COLUMNS = "key, state, status, attempts, in_doubt, result, error, run"
_SELECT = f"SELECT {_COLUMNS} FROM bulk_items WHERE job = ? AND key = ?"

Durability = Literal["process", "power"]
T = TypeVar("T")


class JournalError(Exception):
    """A journal file cannot be used; the message names the file and what is wrong."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"journal {path}: {problem}")
        self.path = path
        self.problem = problem


class JournalLockedError(JournalError):
    """Another process (or another open journal in this one) is using the file."""


class JournalMismatchError(JournalError):
    """The file records a different org, job or input than this run."""


@attrs.frozen
class JobBinding:
    """What a journal file belongs to: the org, the job, and a fingerprint of its input."""

    org: str
    job: str
    fingerprint: str | None = None

    def describe(self) -> str:
        """``org https://a.okta.com, job create_users, input sha256:12ab...`` (for messages)."""
        text = f"org {self.org}, job {self.job}"
        return text if self.fingerprint is None else f"{text}, input {self.fingerprint}"


@attrs.frozen
class JournalEntry:
    """What the journal knows about one item; ``run`` names the run that wrote it last."""

    key: str
    state: str
    status: str | None
    attempts: int
    in_doubt: bool
    result: Any = None
    error: dict[str, Any] | None = None
    run: str | None = None

    @property
    def done(self) -> bool:
        """True when a previous run finished this item; a rerun skips it."""
        return self.state == DONE


@attrs.define
class _Request:
    """A queued read or write; ``done`` flips once the batch holding it has committed."""

    sql: str
    params: tuple[Any, ...]
    read: bool = False
    done: bool = False
    row: tuple[Any, ...] | None = None
    error: BaseException | None = None


class _SqliteThread:
    """One daemon thread running a journal's blocking SQLite calls in order.

    A daemon thread, unlike a thread pool's, cannot keep the interpreter from exiting after an
    interrupt; a call it was running when the process ends is a rolled-back transaction.
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        thread = threading.Thread(target=self._serve, name=name, daemon=True)
        thread.start()

    def _serve(self) -> None:
        while (work := self._queue.get()) is not None:
            fn, args, loop, future = work
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # handed to the awaiting task
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, future, result, error)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the thread; waits for it even when cancelled, then re-raises."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((fn, args, loop, future))
        cancelled = False
        while not future.done():
            try:
                await asyncio.wait([future])
            except asyncio.CancelledError:
                cancelled = True
        if cancelled:
            raise asyncio.CancelledError
        return future.result()

    def stop(self) -> None:
        """Let the thread end once it has run what is queued."""
        self._queue.put(None)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Journal:
    """Durable ``(job, key) -> state`` store with group commit; open with :meth:`open`.

    Use as ``async with await Journal.open(path, job="create_users") as journal:``. A file holds
    one job (its :class:`JobBinding`) and is held by one open journal at a time.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        worker: _SqliteThread,
        lock: FileLock,
        *,
        path: str,
        job: str,
    ) -> None:
        self._conn = conn
        self._worker = worker
        self._file_lock = lock
        self.path = path
        self.job = job
        self.run_id = uuid.uuid4().hex
        """Names this opening in the rows it writes, so a key repeated within a run is seen."""
        self._lock = anyio.Lock()
        self._pending: list[_Request] = []
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        job: str,
        durability: Durability = "process",
        binding: JobBinding | None = None,
        reset: bool = False,
    ) -> Journal:
        """Open (creating if needed) the journal file at ``path`` for ``job``.

        With ``binding``, a file made for another org, job or input is refused
        (:class:`JournalMismatchError`) unless ``reset`` is true, which empties it first.
        """
        fspath = os.fspath(path)
        lock = _take_lock(fspath)
        worker = _SqliteThread(f"okta_async journal {os.path.basename(fspath)}")
        try:
            conn = await worker.call(_connect, fspath, durability)
            try:
                await worker.call(_bind, conn, fspath, job, binding, reset)
            except BaseException:
                await worker.call(conn.close)
                raise
        except BaseException:
            worker.stop()
            lock.release()
            raise
        return cls(conn, worker, lock, path=fspath, job=job)

    async def __aenter__(self) -> Journal:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key`` in this job, or None if the job never touched it."""
        request = _Request(_SELECT, (self.job, key), read=True)
        await self._submit(request)
        return None if request.row is None else _entry(request.row)

    async def mark_in_doubt(self, key: str, *, attempts: int, status: str | None = None) -> None:
        """Durably note that a state-changing request for ``key`` is about to be sent."""
        params = (
            self.job,
            key,
            IN_DOUBT,
            status,
            attempts,
            1,
            None,
            None,
            time.time(),
            self.run_id,
        )
        await self._submit(_Request(_UPSERT, params))

    async def record(
        self,
        key: str,
        *,
        done: bool,
        status: str,
        attempts: int,
        in_doubt: bool = False,
        result: Any = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        """Durably record the final outcome of ``key`` (``done`` or ``failed``)."""
        params = (
            self.job,
            key,
            DONE if done else FAILED,
            status,
            attempts,
            int(in_doubt),
            _dumps(result),
            _dumps(error),
            time.time(),
            self.run_id,
        )
        await self._submit(_Request(_UPSERT, params))

    async def aclose(self) -> None:
        """Commit anything still queued, checkpoint the log into the main file and close it."""
        if self._closed:
            return
        with anyio.CancelScope(shield=True):
            async with self._lock:
                batch, self._pending = self._pending, []
                if batch:
                    await self._call(self._apply, batch)
                self._closed = True
                try:
                    await self._call(_checkpoint_and_close, self._conn)
                finally:
                    self._worker.stop()
                    self._file_lock.release()

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking SQLite call in the journal's thread."""
        return await self._worker.call(fn, *args)

    async def _submit(self, request: _Request) -> None:
        if self._closed:
            raise JournalError(self.path, "closed")
        self._pending.append(request)
        async with self._lock:
            if not request.done:
                batch, self._pending = self._pending, []
                try:
                    await self._call(self._apply, batch)
                finally:
                    # Cancelled before the worker took the batch: put it back at the head of the
                    # queue. Other callers' requests are in it, and each of them returns only once
                    # its own request is done (a create goes out only after its mark committed).
                    self._pending[:0] = [r for r in batch if not r.done]
        if request.error is not None:
            raise request.error

    def _apply(self, batch: list[_Request]) -> None:
        """Run one batch in one transaction (worker thread; the lock serializes callers)."""
        try:
            with self._conn:
                for request in batch:
                    cursor = self._conn.execute(request.sql, request.params)
                    if request.read:
                        request.row = cursor.fetchone()
        except sqlite3.Error as exc:
            error = JournalError(self.path, f"{type(exc).__name__}: {exc}")
            for request in batch:
                request.error = error
        for request in batch:
            request.done = True


def _take_lock(path: str) -> FileLock:
    """The OS lock on ``<path>.lock``, or a JournalError saying who holds it."""
    try:
        return FileLock.acquire(path + ".lock")
    except LockHeldError as exc:
        holder = f" (process {exc.holder})" if exc.holder else ""
        raise JournalLockedError(
            path, f"in use by another job{holder}; wait for it to finish or use another journal"
        ) from None
    except OSError as exc:
        raise JournalError(path, f"cannot create its lock file: {exc.strerror or exc}") from None


def _connect(path: str, durability: Durability) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, timeout=30.0, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={'FULL' if durability == 'power' else 'NORMAL'}")
        with conn:
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(bulk_items)")}
            if "run" not in columns:  # a schema 1 file
                conn.execute("ALTER TABLE bulk_items ADD COLUMN run TEXT")
            conn.execute(
                "INSERT OR REPLACE INTO bulk_meta (name, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # merge what a killed run left in -wal
    except sqlite3.Error as exc:
        raise JournalError(path, f"cannot open it as SQLite ({exc})") from None
    return conn


def _bind(
    conn: sqlite3.Connection, path: str, job: str, binding: JobBinding | None, reset: bool
) -> None:
    """Check the file's binding against this run's (or record it); ``reset`` empties the file."""
    with conn:
        if reset:
            conn.execute("DELETE FROM bulk_items")
            conn.execute("DELETE FROM bulk_meta WHERE name = 'binding'")
        row = conn.execute("SELECT value FROM bulk_meta WHERE name = 'binding'").fetchone()
        if binding is None:
            return
        if row is None:
            value = orjson.dumps(attrs.asdict(binding)).decode()
            conn.execute("INSERT INTO bulk_meta (name, value) VALUES ('binding', ?)", (value,))
            return
        recorded = JobBinding(**orjson.loads(row[0]))
        if recorded != binding:
            raise JournalMismatchError(
                path,
                f"made for {recorded.describe()}; this run is {binding.describe()}",
            )


def _checkpoint_and_close(conn: sqlite3.Connection) -> None:
    """Fold the write-ahead log into the main file, so that file alone is the whole record."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _dumps(value: Any) -> str | None:
    """JSON text for the journal, or None for values JSON cannot hold (they are not stored)."""
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return None


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    key, state, status, attempts, in_doubt, result, error, run = row
    return JournalEntry(
        key=key,
        state=state,
        status=status,
        attempts=attempts,
        in_doubt=bool(in_doubt),
        result=None if result is None else orjson.loads(result),
        error=None if error is None else orjson.loads(error),
        run=run,
    )


def read_entries(path: str | os.PathLike[str], job: str) -> list[JournalEntry]:
    """All entries of ``job`` in the journal at ``path`` (blocking; for scripts and tests)."""
    fspath = os.fspath(path)
    try:
        conn = sqlite3.connect(fspath, timeout=30.0)
        try:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM bulk_items WHERE job = ? ORDER BY key", (job,)
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise JournalError(fspath, f"cannot read it ({exc})") from None
    return [_entry(row) for row in rows]

"""Durable per-item record of a bulk job, so that a rerun resumes instead of repeating.

One SQLite file (stdlib ``sqlite3``, WAL mode) holds one row per ``(job, key)``:

* ``in_doubt`` -- a request that may change server state (a create) is about to be sent, or was sent
  without a definitive answer. The row is committed *before* the request leaves, so a process
  killed at any point leaves evidence that the server may already have acted.
* ``done`` -- the item reached its end state; a rerun skips it.
* ``failed`` -- the item failed; a rerun tries it again. Its ``in_doubt`` flag says whether an
  earlier request may still have been processed.

SQLite calls block, so they run in a worker thread. Writes are group-committed: callers queue
requests, and whoever holds the lock applies everything queued in one transaction, so a burst of
items costs one commit. A caller returns only after its own request is committed, so "recorded"
always means "on disk". ``PRAGMA synchronous=NORMAL`` (the default ``durability="process"``)
survives a killed process; ``durability="power"`` (``synchronous=FULL``) also survives power loss.
"""

from __future__ import annotations

import os
import sqlite3
import time
from types import TracebackType
from typing import Any, Literal

import anyio
import anyio.to_thread
import attrs
import orjson

DONE = "done"
FAILED = "failed"
IN_DOUBT = "in_doubt"

SCHEMA_VERSION = "1"

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
    PRIMARY KEY (job, key)
) WITHOUT ROWID;
"""

_UPSERT = """
INSERT INTO bulk_items (job, key, state, status, attempts, in_doubt, result, error, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (job, key) DO UPDATE SET
    state = excluded.state, status = excluded.status, attempts = excluded.attempts,
    in_doubt = excluded.in_doubt, result = excluded.result, error = excluded.error,
    updated_at = excluded.updated_at
"""

_SELECT = (
    "SELECT key, state, status, attempts, in_doubt, result, error FROM bulk_items"
    " WHERE job = ? AND key = ?"
)

Durability = Literal["process", "power"]


@attrs.frozen
class JournalEntry:
    """What the journal knows about one item."""

    key: str
    state: str
    status: str | None
    attempts: int
    in_doubt: bool
    result: Any = None
    error: dict[str, Any] | None = None

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


class Journal:
    """Durable ``(job, key) -> state`` store with group commit; open with :meth:`open`.

    Use as ``async with await Journal.open(path, job="create_users") as journal:``. Several jobs may
    share one file (the job name is part of the key); several processes may too (WAL plus a busy
    timeout), although one job should run in one process at a time.
    """

    def __init__(self, conn: sqlite3.Connection, *, path: str, job: str) -> None:
        self._conn = conn
        self.path = path
        self.job = job
        self._lock = anyio.Lock()
        self._pending: list[_Request] = []
        self._closed = False

    @classmethod
    async def open(
        cls, path: str | os.PathLike[str], *, job: str, durability: Durability = "process"
    ) -> Journal:
        """Open (creating if needed) the journal file at ``path`` for ``job``."""
        fspath = os.fspath(path)
        conn = await anyio.to_thread.run_sync(_connect, fspath, durability)
        return cls(conn, path=fspath, job=job)

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
        params = (self.job, key, IN_DOUBT, status, attempts, 1, None, None, time.time())
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
        )
        await self._submit(_Request(_UPSERT, params))

    async def aclose(self) -> None:
        """Commit anything still queued and close the file."""
        if self._closed:
            return
        with anyio.CancelScope(shield=True):
            async with self._lock:
                batch, self._pending = self._pending, []
                if batch:
                    await anyio.to_thread.run_sync(self._apply, batch)
                self._closed = True
                await anyio.to_thread.run_sync(self._conn.close)

    async def _submit(self, request: _Request) -> None:
        if self._closed:
            raise RuntimeError(f"journal {self.path!r} is closed")
        self._pending.append(request)
        async with self._lock:
            if not request.done:
                batch, self._pending = self._pending, []
                try:
                    await anyio.to_thread.run_sync(self._apply, batch)
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
            for request in batch:
                request.error = exc
        for request in batch:
            request.done = True


def _connect(path: str, durability: Durability) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={'FULL' if durability == 'power' else 'NORMAL'}")
    with conn:
        conn.executescript(_SCHEMA)
        conn.execute(
            "INSERT OR IGNORE INTO bulk_meta (name, value) VALUES ('schema_version', ?)",
            (SCHEMA_VERSION,),
        )
    return conn


def _dumps(value: Any) -> str | None:
    """JSON text for the journal, or None for values JSON cannot hold (they are not stored)."""
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return None


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    key, state, status, attempts, in_doubt, result, error = row
    return JournalEntry(
        key=key,
        state=state,
        status=status,
        attempts=attempts,
        in_doubt=bool(in_doubt),
        result=None if result is None else orjson.loads(result),
        error=None if error is None else orjson.loads(error),
    )


def read_entries(path: str | os.PathLike[str], job: str) -> list[JournalEntry]:
    """All entries of ``job`` in the journal at ``path`` (blocking; for scripts and tests)."""
    conn = sqlite3.connect(os.fspath(path), timeout=30.0)
    try:
        rows = conn.execute(
            "SELECT key, state, status, attempts, in_doubt, result, error FROM bulk_items"
            " WHERE job = ? ORDER BY key",
            (job,),
        ).fetchall()
    finally:
        conn.close()
    return [_entry(row) for row in rows]

"""Bulk jobs: bounded concurrency, rate-limit aware, exactly-once creates, resumable via a journal.

``okta.bulk`` is a :class:`BulkOperations`. Each of its methods returns a :class:`BulkRun` that is
awaitable to a :class:`Report` and async-iterable over :class:`Outcome` objects::

    report = await okta.bulk.create_users(rows, concurrency=16, journal="migration.sqlite")
    print(report.to_json())
    async for outcome in okta.bulk.add_users_to_group(group_id, user_ids):
        if not outcome.ok:
            print(outcome.key, outcome.error_info)

What a job guarantees:

* **Bounded and lazy.** At most ``concurrency`` items are in flight, and the input (a list, a
  generator, an async generator) is pulled only as slots free up, so a million rows never sit in
  memory. ``ordered=True`` yields outcomes in input order.
* **Failures are per item.** A failed item becomes an outcome with status ``"failed"`` and the
  report lists it with Okta's errorCode and errorSummary; the rest go on. ``fail_fast=True`` stops
  at the first failure instead (:class:`BulkAbortedError`).
* **Exactly-once creates.** A create whose answer was lost (reset, timeout, 5xx) is resolved by
  looking the user up by login: it ends ``"existed"``, never as a duplicate or a failure.
  Memberships and assignments are idempotent; removing something absent ends ``"absent"``.
* **Resumable.** With ``journal="job.sqlite"`` every item's outcome is committed to SQLite before
  it is reported; a rerun skips what is done, retries what failed, and resolves creates that were
  in flight when the previous process died (even by SIGKILL) or were recorded as failed, by
  looking the login up. The file is bound to its org, job and input, and locked while in use.
* **Stops when nothing can succeed.** An org that cannot be reached or a refused token ends the
  job at once with that error; the input iterable's own exception is raised as itself.
* **Rate-limit aware.** Jobs share the client's rate-limit governor; while an endpoint's bucket is
  low, fewer items run, and full concurrency returns after the bucket resets.

Outcome statuses: ``created``, ``existed``, ``updated``, ``deactivated``, ``deleted``, ``added``,
``removed``, ``assigned``, ``unassigned``, ``absent``, ``skipped`` (done by an earlier run),
``succeeded`` (generic :meth:`BulkOperations.map`) and ``failed``.
"""

from __future__ import annotations

from okta_async.bulk.journal import (
    JobBinding,
    Journal,
    JournalEntry,
    JournalError,
    JournalLockedError,
    JournalMismatchError,
    read_entries,
)
from okta_async.bulk.operations import BulkOperations
from okta_async.bulk.outcome import ErrorInfo, Outcome
from okta_async.bulk.report import Failure, Progress, Report
from okta_async.bulk.runner import BulkAbortedError, BulkRun, DuplicateKeyError, ItemContext

__all__ = [
    "BulkAbortedError",
    "BulkOperations",
    "BulkRun",
    "DuplicateKeyError",
    "ErrorInfo",
    "Failure",
    "ItemContext",
    "JobBinding",
    "Journal",
    "JournalEntry",
    "JournalError",
    "JournalLockedError",
    "JournalMismatchError",
    "Outcome",
    "Progress",
    "Report",
    "read_entries",
]

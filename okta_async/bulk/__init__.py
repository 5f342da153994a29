"""Bulk jobs: bounded concurrency, rate-limit aware, exactly-once creates, resumable via a journal.

``okta.bulk`` is a :class:`BulkOperations`; each of its methods returns a :class:`BulkRun`, which is
awaitable to a :class:`Report` and async-iterable over :class:`Outcome` objects.
"""

from __future__ import annotations

from okta_async.bulk.journal import Journal, JournalEntry, read_entries
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
    "Journal",
    "JournalEntry",
    "Outcome",
    "Progress",
    "Report",
    "read_entries",
]

"""What happened to one item of a bulk job.

An :class:`Outcome` is yielded for every item a job pulls from its input, in completion order or,
with ``ordered=True``, in input order. Its ``status`` is a short word naming the effect
(``"created"``, ``"existed"``, ``"added"``, ``"absent"``, ``"skipped"``, ``"failed"``, ...); only
``"failed"`` counts as a failure, so a rerun or an idempotent no-op is never mistaken for one.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

T = TypeVar("T")
R = TypeVar("R")

SUCCEEDED = "succeeded"
"""Status of a generic :meth:`BulkOperations.map` item whose function returned."""
CREATED = "created"
EXISTED = "existed"
"""The object was already there: a create whose earlier attempt the server had in fact processed."""
UPDATED = "updated"
DEACTIVATED = "deactivated"
DELETED = "deleted"
ADDED = "added"
REMOVED = "removed"
ASSIGNED = "assigned"
UNASSIGNED = "unassigned"
ABSENT = "absent"
"""A removal found nothing to remove (404): the desired end state holds, so it is not a failure."""
SKIPPED = "skipped"
"""The journal shows this item done by an earlier run of the same job; nothing was sent."""
FAILED = "failed"


@attrs.frozen
class ErrorInfo:
    """JSON-friendly facts about an item's error, including Okta's errorCode and errorSummary.

    Read by duck typing from the exception so that any error type works; Okta API errors carry
    ``status``, ``error_code``, ``error_summary``, ``error_causes`` and ``request_id``.
    """

    type: str
    message: str
    status: int | None = None
    error_code: str | None = None
    error_summary: str | None = None
    error_causes: tuple[str, ...] = ()
    request_id: str | None = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        """Extract what a report needs; never includes headers or request bodies (no secrets)."""
        status = getattr(exc, "status", None)
        causes = getattr(exc, "error_causes", None) or ()
        return cls(
            type=type(exc).__name__,
            message=str(exc)[:500],
            status=status if isinstance(status, int) else None,
            error_code=_str_or_none(getattr(exc, "error_code", None)),
            error_summary=_str_or_none(getattr(exc, "error_summary", None)),
            error_causes=tuple(str(c) for c in causes),
            request_id=_str_or_none(getattr(exc, "request_id", None)),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorInfo:
        """Rebuild from :meth:`to_dict` output (as stored in a journal)."""
        return cls(
            type=str(data.get("type", "Exception")),
            message=str(data.get("message", "")),
            status=data.get("status"),
            error_code=data.get("error_code"),
            error_summary=data.get("error_summary"),
            error_causes=tuple(data.get("error_causes") or ()),
            request_id=data.get("request_id"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON; ``error_causes`` becomes a list."""
        data = attrs.asdict(self)
        data["error_causes"] = list(self.error_causes)
        return data


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


@attrs.frozen
class Outcome(Generic[T, R]):
    """The result of one item: its input, journal key, status, result or error, and attempts.

    ``attempts`` counts the requests (or function calls) made for the item in this run; a
    ``"skipped"`` outcome has 0. ``result`` is the operation's JSON result (for example the created
    user) or, for a skipped item, what the journal stored for it.
    """

    index: int
    item: T
    key: str | None
    status: str
    result: R | None = None
    error: Exception | None = attrs.field(default=None, eq=False)
    attempts: int = 0

    @property
    def ok(self) -> bool:
        """True unless the item failed."""
        return self.status != FAILED

    @property
    def error_info(self) -> ErrorInfo | None:
        """The error as JSON-friendly facts, or None when the item did not fail."""
        return None if self.error is None else ErrorInfo.from_exception(self.error)

"""Static description of one API operation, shared by generated resources and the transport."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import attrs


@attrs.frozen
class Operation:
    """An operation of the spec: its id, HTTP method and path template."""

    id: str
    method: str
    path: str

    @property
    def bucket(self) -> str:
        """Rate-limit bucket key: Okta keeps limits per method and endpoint template."""
        return f"{self.method} {self.path}"


class RequestOptions(TypedDict, total=False):
    """Per-call overrides accepted by every resource method."""

    timeout: float
    max_retries: int
    extra_headers: Mapping[str, str]


def request_options(
    *,
    timeout: float | None = None,
    max_retries: int | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> RequestOptions:
    """The options that were given (None means "not given", so the default applies)."""
    options: RequestOptions = {}
    if timeout is not None:
        options["timeout"] = timeout
    if max_retries is not None:
        options["max_retries"] = max_retries
    if extra_headers is not None:
        options["extra_headers"] = dict(extra_headers)
    return options

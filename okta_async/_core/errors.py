"""Every exception okta_async raises, and the mapping from an HTTP error response to one.

The tree::

    OktaError
    ├── ConfigError                  a setting is missing or invalid (says which, and from where)
    ├── ClientClosedError            the client was used after close()
    ├── DecodeError                  a 2xx body was not valid JSON, or not the object expected
    ├── MissingFieldError            a field Okta always sends was absent (also AttributeError)
    ├── ForeignOriginError           a URL outside the org's origin (credentials never sent)
    ├── PathParameterError           a path parameter is empty, "." or ".." (nothing was sent)
    ├── APIConnectionError           no HTTP response: DNS, refused, reset, TLS ...
    │   └── APITimeoutError          the call did not complete within its timeout
    └── APIStatusError               a non-2xx response (any status without a subclass)
        ├── TokenRequestError        the org's token endpoint issued no access token
        ├── BadRequestError          400
        ├── AuthenticationError      401
        ├── PermissionDeniedError    403
        ├── NotFoundError            404
        ├── ConflictError            409
        ├── RateLimitError           429
        └── InternalServerError      5xx

Messages are built only from the method, the path (never the query string), status, content
type and the response body; request headers, and therefore credentials, never reach them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson
import yarl

_SNIPPET = 200


class OktaError(Exception):
    """Base class of every error raised by okta_async."""


class ConfigError(OktaError):
    """A configuration setting is missing or invalid; names the setting and where it came from."""

    def __init__(self, setting: str, source: str, message: str) -> None:
        self.setting = setting
        self.source = source
        self.message = message
        super().__init__(f"{setting} (from {source}): {message}")


class ClientClosedError(OktaError):
    """The client (or its transport) was used after ``close()``."""

    def __init__(self, message: str = "the OktaClient is closed; create a new one") -> None:
        super().__init__(message)


class ForeignOriginError(OktaError):
    """A request URL is outside the org's origin; refused so credentials stay with the org."""

    def __init__(self, url: str | yarl.URL, org_origin: str | yarl.URL) -> None:
        self.origin = _origin(yarl.URL(url))
        self.org_origin = _origin(yarl.URL(org_origin))
        super().__init__(
            f"refusing to send a request to {self.origin}: only the org's origin "
            f"{self.org_origin} receives the Authorization header"
        )


def check_origin(url: yarl.URL, org_url: yarl.URL) -> None:
    """Raise :class:`ForeignOriginError` unless ``url`` is absolute and on the org's origin.

    Same scheme, host and port: the rule every URL must pass before it gets the credential.
    """
    if not url.is_absolute() or not same_origin(url, org_url):
        raise ForeignOriginError(url, org_url)


def same_origin(url: yarl.URL, other: yarl.URL) -> bool:
    """Same scheme, host (case-insensitive) and port, a default port given or not."""
    return (url.scheme.lower(), (url.host or "").lower(), url.port) == (
        other.scheme.lower(),
        (other.host or "").lower(),
        other.port,
    )


class PathParameterError(OktaError, ValueError):
    """A path parameter would change the request's target; refused before anything is sent.

    Empty values, ``.`` and ``..`` are refused (servers resolve dot segments, so
    ``DELETE /groups/../users/x`` would act on another resource); all else is percent-encoded.
    """

    def __init__(self, operation_id: str, name: str, problem: str) -> None:
        self.operation_id = operation_id
        self.name = name
        super().__init__(f"{operation_id}: path parameter {name!r} {problem}")


class DecodeError(OktaError):
    """A successful response could not be decoded as JSON, or was not the JSON object a
    single-object method returns (``null``, a list, a string, an empty body).

    The message names the operation, status, content type and the decoder's complaint; the
    body itself is kept on ``body_text`` (first 200 characters) but left out of the message,
    because a success body may hold secrets such as an application's client secret.
    """

    def __init__(
        self,
        *,
        operation_id: str,
        status: int,
        content_type: str,
        body: bytes,
        reason: str,
        as_json: bool = True,
    ) -> None:
        self.operation_id = operation_id
        self.status = status
        self.content_type = content_type
        self.body_text = body_snippet(body)
        super().__init__(
            f"could not decode the response of {operation_id} (status {status}, "
            f"content type {content_type or 'none'}, {len(body)} bytes)"
            f"{' as JSON' if as_json else ''}: {reason}"
        )


class MissingFieldError(OktaError, AttributeError):
    """A field typed as always present (``user.id``) was not in the response it was decoded from.

    Decoding never fails on it (one odd record must not fail a page); reading the attribute
    raises this instead of handing out a value that is not of the declared type.
    """

    def __init__(self, model: str, field: str, wire: str, request_id: str | None) -> None:
        self.model = model
        self.field = field
        self.request_id = request_id
        where = f" [request id {request_id}]" if request_id else ""
        super().__init__(
            f"{model}.{field}: the response had no {wire!r} (or it was null or not of the "
            f"declared type; see additional_properties){where}",
            name=field,
        )


class APIConnectionError(OktaError):
    """No HTTP response was received (connection refused or reset, DNS, TLS, proxy ...)."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        self.method = method
        self.path = path
        super().__init__(f"{method} {path}: {message}")


class APITimeoutError(APIConnectionError):
    """The request did not complete within its timeout."""


class APIStatusError(OktaError):
    """A non-2xx response, with Okta's error details parsed from the body.

    ``error_causes`` holds the ``errorSummary`` of each entry of Okta's ``errorCauses``;
    ``body_text`` holds the first 200 characters of a body that was not JSON; ``retry_after``
    (429 only) the seconds until the rate-limit window resets, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        headers: Mapping[str, str],
        request_id: str | None = None,
        error_code: str | None = None,
        error_summary: str | None = None,
        error_id: str | None = None,
        error_causes: list[str] | None = None,
        body_text: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        self.method = method
        self.url = url
        self.path = yarl.URL(url).path
        self.headers = headers
        self.request_id = request_id
        self.error_code = error_code
        self.error_summary = error_summary
        self.error_id = error_id
        self.error_causes = error_causes or []
        self.body_text = body_text
        super().__init__(message)


class TokenRequestError(APIStatusError):
    """The org's token endpoint answered without issuing an access token.

    ``error_code`` holds Okta's errorCode (``E0000047`` for a 429) or the OAuth ``error``
    (``invalid_client`` ...). An unreachable token endpoint raises :class:`APIConnectionError`
    instead. Never contains the client assertion.
    """

    @property
    def error(self) -> str | None:
        """The OAuth ``error`` (or Okta errorCode) of the answer."""
        return self.error_code

    @property
    def error_description(self) -> str | None:
        """The OAuth ``error_description`` (or Okta errorSummary) of the answer."""
        return self.error_summary


class BadRequestError(APIStatusError):
    """400: the request was invalid (Okta E0000001 validation errors and similar)."""


class AuthenticationError(APIStatusError):
    """401: the credential is missing, expired or invalid (Okta E0000011)."""


class PermissionDeniedError(APIStatusError):
    """403: the credential lacks the permission or scope (Okta E0000006)."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist (Okta E0000007)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state."""


class RateLimitError(APIStatusError):
    """429: a rate limit was exceeded and retries were exhausted (Okta E0000047)."""


class InternalServerError(APIStatusError):
    """5xx: Okta (or a proxy in between) failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status."""
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)


def error_from_response(
    *,
    status: int,
    method: str,
    url: str | yarl.URL,
    headers: Mapping[str, str],
    body: bytes,
    reason: str | None = None,
    note: str | None = None,
    retry_after: float | None = None,
    error_class: type[APIStatusError] | None = None,
) -> APIStatusError:
    """Build the exception for a non-2xx response.

    Understands Okta bodies (``errorCode``, ``errorSummary``, ``errorId``, ``errorCauses``),
    OAuth bodies (``error``, ``error_description``) and anything else (an HTML page from a
    proxy, say), whose first 200 characters are quoted with the content type. ``note`` is
    appended to the message (the transport explains a redirect it refused to follow).
    ``error_class`` overrides the class chosen by status (the token endpoint's errors).
    """
    target = yarl.URL(url)
    safe_url = str(target.with_query(None).with_fragment(None).with_user(None))
    request_id = headers.get("X-Okta-Request-Id")
    details = _ErrorBody.parse(body)
    status_text = f"{status} {reason}" if reason else str(status)
    parts = [f"{status_text} from {method} {target.path}", details.describe(headers, body)]
    if note:
        parts.append(f"; {note}")
    if request_id:
        parts.append(f" [request id {request_id}]")
    return (error_class or error_class_for(status))(
        "".join(parts),
        status=status,
        method=method,
        url=safe_url,
        headers=headers,
        request_id=request_id,
        error_code=details.code,
        error_summary=details.summary,
        error_id=details.error_id,
        error_causes=list(details.causes),
        body_text=details.body_text,
        retry_after=retry_after,
    )


class _ErrorBody(NamedTuple):
    """What an error body says: Okta's fields, OAuth's, or the start of anything else."""

    code: str | None = None
    summary: str | None = None
    error_id: str | None = None
    causes: tuple[str, ...] = ()
    body_text: str | None = None

    @classmethod
    def parse(cls, body: bytes) -> _ErrorBody:
        """Read an Okta body, an OAuth body, or quote the first 200 characters of another."""
        parsed = json_object(body)
        if parsed is not None and ("errorCode" in parsed or "errorSummary" in parsed):
            return cls(
                code=_opt_str(parsed.get("errorCode")),
                summary=_opt_str(parsed.get("errorSummary")),
                error_id=_opt_str(parsed.get("errorId")),
                causes=_causes(parsed.get("errorCauses")),
            )
        if parsed is not None and "error" in parsed:
            return cls(
                code=_opt_str(parsed.get("error")),
                summary=_opt_str(parsed.get("error_description")),
            )
        return cls(body_text=body_snippet(body) if body else None)

    def describe(self, headers: Mapping[str, str], body: bytes) -> str:
        """The message's middle: code and summary, causes, or the unexpected body quoted."""
        parts = []
        if self.code or self.summary:
            parts.append(": " + " ".join(p for p in (self.code, self.summary) if p))
        if self.causes:
            parts.append(" (causes: " + "; ".join(self.causes) + ")")
        if self.body_text is not None:
            content_type = headers.get("Content-Type", "") or "no content type"
            parts.append(f": unexpected body ({content_type}): {self.body_text!r}")
        elif not body:
            parts.append(": empty body")
        return "".join(parts)


def json_object(body: bytes) -> dict[str, Any] | None:
    """``body`` decoded when it is a JSON object; None when empty, malformed or another type."""
    if not body:
        return None
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def body_snippet(body: bytes) -> str:
    """The first 200 characters of a body, as quoted in messages about unexpected answers."""
    return body[:_SNIPPET].decode("utf-8", "replace")


def _causes(raw: object) -> tuple[str, ...]:
    """The ``errorSummary`` of each of Okta's ``errorCauses`` (a bare string kept as is)."""
    causes: list[str] = []
    for cause in raw if isinstance(raw, list) else ():
        text = cause.get("errorSummary") if isinstance(cause, dict) else cause
        if text is not None:
            causes.append(str(text))
    return tuple(causes)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _origin(url: yarl.URL) -> str:
    if not url.is_absolute():
        return str(url)
    return str(url.origin())


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigError",
    "ConflictError",
    "DecodeError",
    "ForeignOriginError",
    "InternalServerError",
    "NotFoundError",
    "OktaError",
    "PathParameterError",
    "PermissionDeniedError",
    "RateLimitError",
    "TokenRequestError",
    "body_snippet",
    "check_origin",
    "error_class_for",
    "error_from_response",
    "json_object",
    "same_origin",
]

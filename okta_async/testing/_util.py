"""Small shared helpers of the fake org: ids, Okta timestamps, error bodies, JSON responses.

Everything here speaks plain JSON values (dicts, lists, str); nothing comes from the SDK, so an SDK
serialisation bug cannot be masked by the fake org agreeing with it.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from typing import Any

import orjson
from aiohttp import web

Json = dict[str, Any]

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# byte -> base62 character; random bytes translated through it give ids at C speed
_BYTE_TO_BASE62 = "".join(_ALPHABET[b % 62] for b in range(256)).encode("ascii")


def okta_time(epoch: float | None = None) -> str:
    """Format ``epoch`` (default: now) the way Okta does: ``2013-07-02T21:36:25.344Z``."""
    if epoch is None:
        epoch = time.time()
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(text: str) -> float:
    """Parse an ISO-8601 timestamp as Okta accepts it (``Z`` or offset, optional millis)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


class IdFactory:
    """Deterministic Okta-shaped ids: a 3-char prefix (``00u``, ``00g``, ``0oa``) + 17 base62 chars.

    Ids come from a seeded ``random.Random`` so the same seed gives the same org.
    """

    def __init__(self, seed: int) -> None:
        self._label = f"ids:{seed}"
        self._rng = random.Random(self._label)
        self._seen: set[str] = set()

    def new(self, prefix: str, length: int = 20) -> str:
        """A new id: ``prefix`` plus base62 characters, ``length`` in all, never one seen before."""
        while True:
            raw = self._rng.randbytes(length - len(prefix)).translate(_BYTE_TO_BASE62)
            ident = prefix + raw.decode("ascii")
            if ident not in self._seen:
                self._seen.add(ident)
                return ident

    def derived(self, prefix: str, label: str, length: int = 20) -> str:
        """A fixed id for a well-known object (``label``), from a stream of its own.

        Drawing it from the shared stream would shift every id generated after it.
        """
        rng = random.Random(f"{label}:{self._label}")
        raw = rng.randbytes(length - len(prefix)).translate(_BYTE_TO_BASE62)
        ident = prefix + raw.decode("ascii")
        self._seen.add(ident)
        return ident

    def token(self, length: int = 20) -> str:
        """A random opaque token (activation tokens, temp passwords...)."""
        return self._rng.randbytes(length).translate(_BYTE_TO_BASE62).decode("ascii")


class ApiError(Exception):
    """Raised by handlers; rendered as Okta's error body with the given status."""

    def __init__(
        self,
        status: int,
        code: str,
        summary: str,
        causes: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {summary}")
        self.status = status
        self.code = code
        self.summary = summary
        self.causes = causes or []
        self.headers = headers or {}


def error_body(code: str, summary: str, causes: list[str] | None = None) -> Json:
    """Okta's error document: errorCode, errorSummary, errorLink, errorId, errorCauses."""
    error_id = "oae" + "".join(random.choices(_ALPHABET, k=22))
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": error_id,
        "errorCauses": [{"errorSummary": c} for c in causes or []],
    }


def not_found(ident: str, kind: str) -> ApiError:
    """Okta's 404 for an unknown id: ``Not found: Resource not found: <id> (<Kind>)``."""
    return ApiError(404, "E0000007", f"Not found: Resource not found: {ident} ({kind})")


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response encoded with orjson (``application/json``)."""
    return web.Response(
        body=orjson.dumps(data), status=status, content_type="application/json", charset="utf-8"
    )


def empty_response(status: int = 204) -> web.Response:
    """A response without body (204 for deletes and membership changes)."""
    return web.Response(status=status)


async def read_json(request: web.Request) -> Json:
    """The request body as a JSON object; Okta's 400 E0000003 when it is not valid JSON."""
    raw = await request.read()
    if not raw:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError(
            400, "E0000003", "The request body was not well-formed.", [str(exc)]
        ) from None
    if not isinstance(data, dict):
        raise ApiError(400, "E0000003", "The request body was not well-formed.")
    return data


def query_bool(request: web.Request, name: str, default: bool) -> bool:
    """A boolean query parameter (``true``/``false``, case-insensitive)."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() == "true"

"""Shared state handed to every handler: the store, id factory, clock and System Log writer.

Handlers reach it as ``request.app[STATE]``. The request being served is tracked in a context
variable so that log events can name the request id, client IP and user agent without every
handler passing them around.
"""

from __future__ import annotations

import contextvars
import random
import time
import uuid
from dataclasses import dataclass

from aiohttp import web

from okta_async.testing._util import IdFactory, Json, okta_time
from okta_async.testing.store import Store
from okta_async.testing.validation import PasswordPolicy


@dataclass(frozen=True)
class RequestInfo:
    """What the System Log records about the request that caused an event."""

    request_id: str
    path: str
    ip: str
    user_agent: str


CURRENT_REQUEST: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "fake_okta_request", default=None
)

ADMIN_ACTOR: Json = {
    "id": "00u0000000000000fake",
    "type": "User",
    "alternateId": "admin@fake-okta.example",
    "displayName": "Fake Org Admin",
    "detailEntry": None,
}


# Parts of every LogEvent that never vary; shared between events to keep 10^5 events cheap.
# Treat events in the store as read-only.
_AUTH_CONTEXT: Json = {
    "authenticationProvider": None,
    "credentialProvider": None,
    "credentialType": None,
    "issuer": None,
    "interface": None,
    "authenticationStep": 0,
    "externalSessionId": "trsFakeOrgSession00000",
}
_SECURITY_CONTEXT: Json = {
    "asNumber": None,
    "asOrg": None,
    "isp": None,
    "domain": None,
    "isProxy": None,
}
_SUCCESS: Json = {"result": "SUCCESS", "reason": None}


class OrgState:
    """The mutable org: store + id factory + event writer. Plain JSON all the way down."""

    def __init__(self, seed: int, password_policy: PasswordPolicy | None = None) -> None:
        self.seed = seed
        self.password_policy = password_policy or PasswordPolicy()
        self.store = Store()
        self.ids = IdFactory(seed)
        self._uuid_rng = random.Random(f"uuid:{seed}")
        self._last_time = 0.0
        self._clients: dict[tuple[str, str], tuple[Json, Json]] = {}

    def now(self) -> float:
        """Epoch seconds, never going backwards (so timestamps sort like creation order).

        Like Okta, several changes may share one millisecond; nothing is pushed into the future.
        """
        current = max(time.time(), self._last_time)
        self._last_time = current
        return current

    def timestamp(self) -> str:
        """:meth:`now` in Okta's format (``2013-07-02T21:36:25.344Z``), for ``created`` etc."""
        return okta_time(self.now())

    def emit(
        self,
        event_type: str,
        message: str,
        targets: list[Json],
        *,
        severity: str = "INFO",
        published: str | None = None,
    ) -> Json:
        """Append a LogEvent shaped like Okta's to the System Log and return it."""
        info = CURRENT_REQUEST.get()
        request_id = info.request_id if info else "internal"
        client, ip_chain = self._client(info)
        event_uuid = str(uuid.UUID(int=self._uuid_rng.getrandbits(128), version=4))
        event: Json = {
            "uuid": event_uuid,
            "published": published or self.timestamp(),
            "eventType": event_type,
            "version": "0",
            "severity": severity,
            "legacyEventType": None,
            "displayMessage": message,
            "actor": ADMIN_ACTOR,
            "client": client,
            "outcome": _SUCCESS,
            "target": targets,
            "transaction": {"type": "WEB", "id": request_id, "detail": {}},
            "debugContext": {
                "debugData": {
                    "requestId": request_id,
                    "requestUri": info.path if info else "",
                }
            },
            "authenticationContext": _AUTH_CONTEXT,
            "securityContext": _SECURITY_CONTEXT,
            "request": ip_chain,
        }
        self.store.logs.put(event_uuid, event)
        return event

    def _client(self, info: RequestInfo | None) -> tuple[Json, Json]:
        """The (shared) ``client`` and ``request`` sub-documents for a user agent and IP."""
        key = (info.user_agent, info.ip) if info else ("fake-okta", "127.0.0.1")
        cached = self._clients.get(key)
        if cached is None:
            agent, ip = key
            client: Json = {
                "userAgent": {"rawUserAgent": agent, "os": "Unknown", "browser": "UNKNOWN"},
                "zone": "null",
                "device": "Unknown",
                "id": None,
                "ipAddress": ip,
                "geographicalContext": None,
            }
            request: Json = {"ipChain": [{"ip": ip, "version": "V4", "source": None}]}
            cached = self._clients[key] = (client, request)
        return cached


def user_target(user: Json) -> Json:
    profile = user.get("profile", {})
    name = f"{profile.get('firstName', '')} {profile.get('lastName', '')}".strip()
    return {
        "id": user["id"],
        "type": "User",
        "alternateId": profile.get("login", "unknown"),
        "displayName": name or profile.get("login", "unknown"),
        "detailEntry": None,
    }


def group_target(group: Json) -> Json:
    return {
        "id": group["id"],
        "type": "UserGroup",
        "alternateId": "unknown",
        "displayName": group.get("profile", {}).get("name", "unknown"),
        "detailEntry": None,
    }


def app_target(app: Json) -> Json:
    return {
        "id": app["id"],
        "type": "AppInstance",
        "alternateId": app.get("label", "unknown"),
        "displayName": app.get("label", "unknown"),
        "detailEntry": {"signOnModeType": app.get("signOnMode")},
    }


STATE: web.AppKey[OrgState] = web.AppKey("fake_okta_state", OrgState)


def state_of(request: web.Request) -> OrgState:
    return request.app[STATE]


def base_url(request: web.Request) -> str:
    """Origin the client used, for absolute ``_links`` hrefs."""
    return str(request.url.origin())

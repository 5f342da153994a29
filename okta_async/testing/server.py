"""``FakeOrg``: the aiohttp application, its request pipeline and its lifecycle.

Every request goes through one middleware, in this order:

1. concurrency limit (429, ``X-Rate-Limit-Limit: 0``) — counted while the request is in flight;
2. the endpoint's rate-limit bucket (429 E0000047 when exhausted);
3. scripted/random faults that act *before* processing (latency, reset, 5xx);
4. authentication (``SSWS <token>``, or a ``Bearer`` token from ``/oauth2/v1/token``, or, when
   the org requires DPoP, a ``DPoP`` token with a valid proof: see ``dpop``);
5. the handler (plain-JSON store operations, Okta errors raised as ``ApiError``);
6. faults that act *after* processing (reset without answering, slow body).

Every answer carries ``X-Rate-Limit-Limit/-Remaining/-Reset``, ``Date`` and
``X-Okta-Request-Id``. Per-bucket counters are kept in ``org.stats`` and a record of every
request (never its credentials) in ``org.requests``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import itertools
import random
import socket
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from aiohttp import web

from okta_async.testing import apps, groups, logs, oauth, rules, users
from okta_async.testing._util import ApiError, Json, error_body, json_response
from okta_async.testing.dpop import DPOP, DPoPState, ProofError
from okta_async.testing.faults import Decision, FaultRule, Faults
from okta_async.testing.oauth import BEARER_TOKENS
from okta_async.testing.ratelimit import LimitLike, RateLimiter, RateLimits, Verdict
from okta_async.testing.seed import seed_org
from okta_async.testing.state import CURRENT_REQUEST, STATE, OrgState, RequestInfo
from okta_async.testing.store import Store
from okta_async.testing.validation import PasswordPolicy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RateLimitsLike = RateLimits | Mapping[str, LimitLike] | str | None
FaultsLike = Faults | str | FaultRule | Mapping[str, Any] | Iterable[FaultRule] | None

_NO_AUTH = frozenset({"/oauth2/v1/token"})
_HTML_5XX = {
    502: "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
    503: "<html><head><title>503 Service Unavailable</title></head>"
    "<body>Service Unavailable</body></html>",
}


def _abort(request: web.Request) -> None:
    """Drop the TCP connection with a reset and without writing anything."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _with_trailing_slashes(routes: list[web.RouteDef]) -> list[web.RouteDef]:
    """Each route plus its twin ending in ``/``, as Okta serves ``/api/v1/users/`` too.

    (Okta's official Python SDK sends ``POST /api/v1/users/?activate=false``.)
    """
    twins = [web.RouteDef(r.method, r.path + "/", r.handler, r.kwargs) for r in routes]
    return routes + twins


class FakeOrg:
    """An in-process fake Okta org serving the Management API over real HTTP.

    ``async with FakeOrg(users=1000) as org:`` seeds the store, listens on a free port of
    127.0.0.1 and exposes ``org.url``, ``org.token`` and ``org.store``. ``start()``/``stop()``
    do the same without a context manager. See ``ratelimit`` and ``faults`` for the
    ``rate_limits`` and ``faults`` formats; both can be changed while running with
    :meth:`set_rate_limits` and :meth:`set_faults` (or ``org.faults.script(...)``).
    """

    def __init__(
        self,
        users: int = 0,
        groups: int = 0,
        apps: int = 0,
        seed: int = 0,
        rate_limits: RateLimitsLike = None,
        faults: FaultsLike = None,
        token: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        request_log_size: int = 10_000,
        dpop: bool = False,
        password_policy: PasswordPolicy | None = None,
    ) -> None:
        self.seed = seed
        self.host = host
        self.port = port
        self.token = token or "00" + "".join(
            random.Random(f"token:{seed}").choices("0123456789abcdefABCDEF_-", k=40)
        )
        self.state = OrgState(seed, password_policy)
        seed_org(self.state, users=users, groups=groups, apps=apps)
        self.limiter = RateLimiter(RateLimits.coerce(rate_limits))
        self.faults = Faults.coerce(faults, seed)
        self.stats: dict[str, dict[str, int]] = {}
        self.requests: deque[Json] = deque(maxlen=request_log_size)
        self._request_ids = itertools.count(1)
        self._last_concurrency_event = 0.0
        self._runner: web.AppRunner | None = None
        self._dpop = DPoPState(seed, required=dpop)
        self.app = self._build_app()

    # -- public surface ------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The org's data as plain dicts (``okta_async.testing.store.Store``)."""
        return self.state.store

    @property
    def url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeOrg is not started")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def rate_limits(self) -> RateLimits:
        return self.limiter.config

    def set_rate_limits(self, rate_limits: RateLimitsLike) -> None:
        """Replace the rate-limit configuration (counters restart)."""
        self.limiter.reconfigure(RateLimits.coerce(rate_limits))

    def set_faults(self, faults: FaultsLike) -> None:
        """Replace the fault rules (scripted faults and occurrence counters restart)."""
        self.faults = Faults.coerce(faults, self.seed)

    def set_user_status(self, user_id: str, status: str) -> Json:
        """Force a user's status (e.g. LOCKED_OUT, which no API call produces)."""
        return users.set_user_status(self.state, user_id, status)

    def reset_stats(self) -> None:
        """Forget per-bucket counters and the request log (e.g. between benchmark phases)."""
        self.stats.clear()
        self.requests.clear()

    def expire_bearer_tokens(self) -> None:
        """Invalidate every issued Bearer and DPoP token (to exercise refresh-after-401)."""
        self.app[BEARER_TOKENS].clear()
        self._dpop.tokens.clear()

    @property
    def dpop(self) -> bool:
        """True when the org requires DPoP (see ``okta_async.testing.dpop``)."""
        return self._dpop.required

    def set_dpop(self, required: bool) -> None:
        """Require DPoP from now on (or stop requiring it); issued tokens stay as they are."""
        self._dpop.required = required

    def rotate_dpop_nonce(self) -> str:
        """Replace the token endpoint's DPoP nonce, as a server does from time to time."""
        return self._dpop.rotate_nonce()

    def events(self, event_type: str | None = None) -> list[Json]:
        """System Log events so far, optionally only of one ``eventType``."""
        return [
            e
            for e in self.state.store.logs.values()
            if event_type is None or e["eventType"] == event_type
        ]

    async def start(self) -> FakeOrg:
        if self._runner is not None:
            return self
        runner = web.AppRunner(
            self.app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        address = runner.addresses[0]
        self.port = int(address[1])
        self._runner = runner
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeOrg:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- pipeline ------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=8 * 1024 * 1024)
        app[STATE] = self.state
        app[BEARER_TOKENS] = {}
        app[DPOP] = self._dpop
        for module in (users, rules, groups, apps, logs, oauth):  # rules before /groups/{id}
            app.add_routes(_with_trailing_slashes(module.routes()))
        return app

    def _count(self, bucket: str, key: str) -> None:
        counters = self.stats.setdefault(
            bucket, {"requests": 0, "throttled": 0, "errors": 0, "resets": 0}
        )
        counters[key] = counters.get(key, 0) + 1

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        request_id = f"fake{next(self._request_ids):07d}" + "".join(
            random.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=16)
        )
        resource = request.match_info.route.resource
        template = resource.canonical.rstrip("/") if resource is not None else request.path
        method = request.method
        verdict: Verdict | None = None
        bucket = f"{method} {template}"
        record: Json = {
            "method": method,
            "path": request.path,
            "query": request.query_string,
            "bucket": bucket,
            "request_id": request_id,
            "retry_for": request.headers.get("X-Okta-Retry-For"),
            "retry_count": request.headers.get("X-Okta-Retry-Count"),
            "auth_scheme": request.headers.get("Authorization", "").split(" ", 1)[0] or None,
            "dpop_proof": "DPoP" in request.headers,
            "user_agent": request.headers.get("User-Agent"),
            "status": None,
            "fault": None,
        }
        self.requests.append(record)
        info = RequestInfo(
            request_id,
            request.path_qs,
            request.remote or "127.0.0.1",
            request.headers.get("User-Agent", ""),
        )
        context_token = CURRENT_REQUEST.set(info)
        try:
            if self.limiter.concurrency_exceeded():
                self._count(bucket, "requests")
                self._count(bucket, "throttled")
                self._concurrency_event()
                response: web.StreamResponse = self._error(
                    ApiError(
                        429, "E0000047", "API call exceeded rate limit due to too many requests."
                    )
                )
                reset = int(time.time()) + 1
                self._finish(response, request_id, Verdict(bucket, 0, 0, reset, True))
                record["status"] = 429
                return response
            self.limiter.in_flight += 1
            try:
                verdict = self.limiter.hit(method, template)
                bucket = verdict.bucket
                record["bucket"] = bucket
                self._count(bucket, "requests")
                response = await self._process(request, handler, verdict, record)
                self._finish(response, request_id, verdict)
                record["status"] = response.status
                if response.status >= 500:
                    self._count(bucket, "errors")
                return await self._after(request, response, record, bucket)
            finally:
                self.limiter.in_flight -= 1
        finally:
            CURRENT_REQUEST.reset(context_token)

    async def _process(
        self, request: web.Request, handler: Handler, verdict: Verdict, record: Json
    ) -> web.StreamResponse:
        if verdict.throttled:
            self._count(verdict.bucket, "throttled")
            return self._error(
                ApiError(429, "E0000047", "API call exceeded rate limit due to too many requests.")
            )
        body = await request.read()
        decision = self.faults.decide(request.method, request.path_qs, body)
        record["decision"] = decision
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if decision.reset_before:
            record["fault"] = "reset_before"
            return web.Response(status=599)  # marker: connection is dropped in _after
        if decision.error:
            record["fault"] = f"error_{decision.error}"
            if decision.error in _HTML_5XX:
                return web.Response(
                    status=decision.error, text=_HTML_5XX[decision.error], content_type="text/html"
                )
            return self._error(ApiError(decision.error, "E0000009", "Internal Server Error"))
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        exc = request.match_info.http_exception
        if exc is not None:
            if exc.status == 405:
                return self._error(
                    ApiError(
                        405, "E0000022", "The endpoint does not support the provided HTTP method"
                    )
                )
            return self._error(
                ApiError(404, "E0000007", f"Not found: Resource not found: {request.path} (Path)")
            )
        try:
            return await handler(request)
        except ApiError as error:
            return self._error(error)

    async def _after(
        self, request: web.Request, response: web.StreamResponse, record: Json, bucket: str
    ) -> web.StreamResponse:
        decision: Decision = record.get("decision") or Decision()
        if record["fault"] == "reset_before" or decision.reset_after:
            record["fault"] = record["fault"] or "reset_after"
            record["status"] = None
            self._count(bucket, "resets")
            _abort(request)
            return web.Response(status=204)
        if decision.slow_body and isinstance(response, web.Response) and response.body:
            record["fault"] = "slow_body"
            return await self._stream_slowly(request, response, decision.slow_body)
        return response

    async def _stream_slowly(
        self, request: web.Request, response: web.Response, seconds: float
    ) -> web.StreamResponse:
        body = response.body
        assert isinstance(body, bytes)
        stream = web.StreamResponse(status=response.status, headers=response.headers)
        stream.content_length = len(body)
        await stream.prepare(request)
        chunks = 10
        size = max(1, -(-len(body) // chunks))
        for offset in range(0, len(body), size):
            await stream.write(body[offset : offset + size])
            await asyncio.sleep(seconds / chunks)
        await stream.write_eof()
        return stream

    def _authenticate(self, request: web.Request) -> web.Response | None:
        if request.path.rstrip("/") in _NO_AUTH:
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        if scheme == "SSWS" and credential and credential == self.token:
            return None
        if scheme == "DPoP" and credential:
            return self._authenticate_dpop(request, credential)
        if scheme == "Bearer" and credential and self._dpop.required:
            return self._dpop_denied(request, "invalid_token", "DPoP is required for this org.")
        if scheme == "Bearer" and credential:
            expires = request.app[BEARER_TOKENS].get(credential)
            if expires is not None and expires > time.time():
                return None
            response = self._error(ApiError(401, "E0000011", "Invalid token provided"))
            response.headers["WWW-Authenticate"] = (
                f'Bearer authorization_uri="{request.url.origin()}/oauth2/v1/authorize", '
                'realm="Okta", scope="", error="invalid_token", '
                'error_description="The token is not valid.", resource="/api/v1"'
            )
            return response
        return self._error(ApiError(401, "E0000011", "Invalid token provided"))

    def _authenticate_dpop(self, request: web.Request, credential: str) -> web.Response | None:
        """A DPoP token must be live and come with a proof for this request by its bound key."""
        bound = self._dpop.tokens.get(credential)
        if bound is None or bound.expires <= time.time():
            return self._dpop_denied(request, "invalid_token", "The access token is not valid.")
        try:
            jkt = self._dpop.verify(
                request.headers.get("DPoP"), request.method, request.url, access_token=credential
            )
        except ProofError as exc:
            return self._dpop_denied(request, "invalid_dpop_proof", exc.description)
        if jkt != bound.jkt:
            return self._dpop_denied(
                request, "invalid_dpop_proof", "The DPoP proof key is not the token's key."
            )
        return None

    def _dpop_denied(self, request: web.Request, error: str, description: str) -> web.Response:
        response = self._error(ApiError(401, "E0000011", "Invalid token provided"))
        response.headers["WWW-Authenticate"] = (
            f'DPoP algs="ES256", realm="Okta", error="{error}", '
            f'error_description="{description}", resource="/api/v1"'
        )
        return response

    @staticmethod
    def _error(error: ApiError) -> web.Response:
        response = json_response(error_body(error.code, error.summary, error.causes), error.status)
        for name, value in error.headers.items():
            response.headers[name] = value
        return response

    @staticmethod
    def _finish(response: web.StreamResponse, request_id: str, verdict: Verdict) -> None:
        headers = response.headers
        headers["X-Rate-Limit-Limit"] = str(verdict.limit)
        headers["X-Rate-Limit-Remaining"] = str(verdict.remaining)
        headers["X-Rate-Limit-Reset"] = str(verdict.reset)
        headers["X-Okta-Request-Id"] = request_id
        headers["Date"] = email.utils.formatdate(usegmt=True)

    def _concurrency_event(self) -> None:
        """Okta logs the first concurrency violation of every minute."""
        now = time.time()
        if now - self._last_concurrency_event >= 60:
            self._last_concurrency_event = now
            self.state.emit(
                "core.concurrency.org.limit.violation",
                "Concurrency limit violation",
                [],
                severity="WARN",
            )

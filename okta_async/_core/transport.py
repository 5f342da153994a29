"""The one request pipeline every API call goes through, written above aiohttp.

Layers, each a small method owning one concern, one counter and at most one kind of wait:
``retries (backoff) -> auth (one refresh after a 401) -> same-origin redirects ->
governor slot (rate-limit holds) -> one send``. The whole call runs under its ``timeout``
deadline; decoding (orjson) happens on :meth:`RawResponse.json`. aiohttp's own silent resend of
idempotent requests on a dropped kept-alive connection is turned off, so the attempts on the wire
are exactly ``max_retries + 1``. Retries and throttling live here rather than in aiohttp
middleware because aioresponses, used by the tests, bypasses middleware.

Security rules enforced here: the Authorization header is only ever sent to the org's origin
(absolute URLs elsewhere raise :class:`ForeignOriginError`; redirects are never followed to
another origin), TLS verification is on unless the config turns it off, and log lines carry
only method, path (no query), status, duration and request id: request headers never reach them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
import math
import platform
import re
import ssl
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import aiohttp
import attrs
import orjson
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from okta_async._core import logs
from okta_async._core.config import org_proxy
from okta_async._core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    ConfigError,
    DecodeError,
    OktaError,
    PathParameterError,
    check_origin,
    error_from_response,
    same_origin,
)
from okta_async._core.operation import Operation, RequestOptions
from okta_async._core.ratelimit import RateLimitGovernor
from okta_async._core.retry import (
    RETRYABLE_STATUSES,
    RetryDecision,
    RetryPolicy,
    is_retryable_exception,
)
from okta_async._version import __version__

MAX_REDIRECTS = 5
_PATH_PARAM = re.compile(r"{([^{}]+)}")
T_co = TypeVar("T_co", covariant=True)

if sys.version_info >= (3, 11):
    # The whole call's deadline. asyncio's own, not anyio's: importing anyio's asyncio backend
    # costs ~20 ms before a client's first answer.
    _deadline = asyncio.timeout
else:  # pragma: no cover - Python 3.10 has no asyncio.timeout

    @contextlib.asynccontextmanager
    async def _deadline(delay: float | None) -> AsyncIterator[None]:
        import anyio

        with anyio.fail_after(delay):
            yield


class TransportConfig(Protocol):
    """The settings the transport reads; ``okta_async._core.config.OktaConfig`` provides them."""

    @property
    def org_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def attempt_timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def max_connections(self) -> int: ...
    @property
    def max_concurrent_requests(self) -> int: ...
    @property
    def max_rate_limit_wait(self) -> float: ...
    @property
    def proxy(self) -> str | None: ...
    @property
    def trust_env(self) -> bool: ...
    @property
    def ssl(self) -> ssl.SSLContext | bool | None: ...
    @property
    def ca_bundle(self) -> str | None: ...
    @property
    def user_agent_extra(self) -> str | None: ...


class TransportAuth(Protocol):
    """The auth strategy interface (``okta_async._core.auth.AuthStrategy``) the transport uses."""

    async def authorization(self, session: aiohttp.ClientSession) -> str: ...
    async def refresh_after_401(
        self, session: aiohttp.ClientSession, rejected_header: str
    ) -> bool: ...
    async def aclose(self) -> None: ...


@runtime_checkable
class PerRequestAuth(Protocol):
    """An auth strategy that builds the credential headers of every attempt itself.

    DPoP needs this: each attempt, retries included, carries a new proof for its method and
    URL. Strategies without ``request_headers`` get ``Authorization: authorization()``.
    """

    async def request_headers(
        self, session: aiohttp.ClientSession, method: str, url: yarl.URL
    ) -> Mapping[str, str]: ...


_CredentialSource = Callable[[aiohttp.ClientSession, str, yarl.URL], Awaitable[Mapping[str, str]]]


def credential_source(auth: TransportAuth) -> _CredentialSource:
    """What gives ``auth``'s headers for one attempt of ``method url``, decided once per auth.

    (The ``isinstance`` check against a runtime protocol costs microseconds: not per request.)
    """
    if isinstance(auth, PerRequestAuth):
        return auth.request_headers

    async def authorization_header(
        session: aiohttp.ClientSession, method: str, url: yarl.URL
    ) -> Mapping[str, str]:
        return {"Authorization": await auth.authorization(session)}

    return authorization_header


async def credential_headers(
    auth: TransportAuth, session: aiohttp.ClientSession, method: str, url: yarl.URL
) -> Mapping[str, str]:
    """The headers ``auth`` contributes to one attempt of ``method url``."""
    return await credential_source(auth)(session, method, url)


@attrs.frozen
class RawResponse:
    """A 2xx response, read in full; ``headers`` keeps repeated headers such as ``Link``."""

    status: int
    headers: CIMultiDictProxy[str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    method: str
    url: yarl.URL
    operation: Operation

    @property
    def request_id(self) -> str | None:
        """Okta's ``X-Okta-Request-Id``, the id to quote to Okta support."""
        return self.headers.get("X-Okta-Request-Id")

    def json(self) -> Any:
        """The body decoded with orjson; None when empty; :class:`DecodeError` when malformed."""
        if not self.body:
            return None
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(
                operation_id=self.operation.id,
                status=self.status,
                content_type=self.headers.get("Content-Type", ""),
                body=self.body,
                reason=str(exc),
            ) from None


@attrs.frozen
class APIResponse(Generic[T_co]):
    """A 2xx response beside the value its method returned: the raw-response view of one call.

    ``status``, ``headers`` and ``request_id`` come from the response; :meth:`parse` gives what
    the plain method returns (the generated model, a list, text or None), decoded once when the
    call completed; :meth:`json` gives the body as plain JSON.
    """

    raw: RawResponse
    parsed: T_co = attrs.field(repr=False)

    @property
    def status(self) -> int:
        return self.raw.status

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self.raw.headers

    @property
    def request_id(self) -> str | None:
        return self.raw.request_id

    def json(self) -> Any:
        """The body as plain JSON (see :meth:`RawResponse.json`)."""
        return self.raw.json()

    def parse(self) -> T_co:
        """What the plain method returns for this response (the model, for most)."""
        return self.parsed


def user_agent(extra: str | None = None) -> str:
    """``okta-async/<version> python/<x.y> aiohttp/<version>`` plus the configured extra."""
    py = ".".join(platform.python_version_tuple()[:2])
    agent = f"okta-async/{__version__} python/{py} aiohttp/{aiohttp.__version__}"
    return f"{agent} {extra}" if extra else agent


def ssl_setting(config: TransportConfig) -> ssl.SSLContext | bool:
    """What to pass to aiohttp as ``ssl=``: a given context, a CA bundle's context, or default."""
    if isinstance(config.ssl, ssl.SSLContext):
        return config.ssl
    if config.ssl is False:
        return False
    if config.ca_bundle:
        try:
            return ssl.create_default_context(cafile=config.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            source = _source_of(config, "ca_bundle")
            raise ConfigError("ca_bundle", source, f"cannot load CA bundle: {exc}") from None
    return True


class _Shared:
    """State shared by a transport and every ``with_options`` copy of it."""

    def __init__(
        self,
        config: TransportConfig,
        auth: TransportAuth,
        org_url: yarl.URL,
        session: aiohttp.ClientSession | None,
        trace_configs: Sequence[aiohttp.TraceConfig],
    ) -> None:
        self.config = config
        self.auth = auth
        self.credentials = credential_source(auth)
        self.https = org_url.scheme == "https"
        self.proxy, self.proxy_headers = _split_proxy(
            org_proxy(config.proxy, org_url, trust_env=config.trust_env)
        )
        self.session = session
        self.owns_session = session is None
        self.trace_configs = list(trace_configs)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False


class Transport:
    """Sends requests for one client: one aiohttp session, one governor, one retry policy.

    The session is created lazily, inside the running event loop, on the first request.
    ``with_options`` returns a copy with other per-call defaults sharing all of that.
    """

    org_url: yarl.URL
    governor: RateLimitGovernor
    retry_policy: RetryPolicy

    def __init__(
        self,
        config: TransportConfig,
        auth: TransportAuth,
        *,
        governor: RateLimitGovernor | None = None,
        retry_policy: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.org_url = yarl.URL(config.org_url.rstrip("/"))
        self._shared = _Shared(config, auth, self.org_url, session, trace_configs)
        self.retry_policy = policy = retry_policy or RetryPolicy()
        # One injectable clock and sleep: the governor's holds go through the retry policy's.
        self.governor = governor or RateLimitGovernor(
            config.max_concurrent_requests,
            max_wait=config.max_rate_limit_wait,
            wall_clock=lambda: policy.wall_clock(),
            sleep=lambda delay: policy.sleep(delay),
        )
        self._defaults: RequestOptions = {}

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Transport {self.org_url} {state}>"

    @property
    def config(self) -> TransportConfig:
        """The configuration this transport was built from."""
        return self._shared.config

    @property
    def auth(self) -> TransportAuth:
        """The auth strategy, shared with every copy."""
        return self._shared.auth

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` has run (on this transport or any copy)."""
        return self._shared.closed

    def with_options(self, options: RequestOptions) -> Transport:
        """A copy whose per-call defaults are ``options``, sharing session, auth and governor."""
        copy = object.__new__(Transport)
        copy.__dict__.update(self.__dict__)
        merged: RequestOptions = {**self._defaults, **options}
        if "extra_headers" in self._defaults and "extra_headers" in options:
            merged["extra_headers"] = {
                **(self._defaults["extra_headers"] or {}),
                **(options["extra_headers"] or {}),
            }
        copy._defaults = merged
        return copy

    async def aclose(self) -> None:
        """Close the auth strategy and the session (unless it was given to us); idempotent."""
        shared = self._shared
        if shared.closed:
            return
        shared.closed = True
        try:
            await shared.auth.aclose()
        finally:
            if shared.session is not None and shared.owns_session:
                await shared.session.close()
            shared.session = None

    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session, created on first use inside the running loop.

        A client belongs to the event loop it first ran in; use from another loop is refused
        with an :class:`OktaError` instead of failing deep inside aiohttp.
        """
        shared = self._shared
        if shared.closed:
            raise ClientClosedError()
        loop = asyncio.get_running_loop()
        if shared.loop is not loop:
            if shared.loop is not None:
                raise OktaError(
                    "this OktaClient is bound to the event loop it first ran in and cannot be "
                    "used from another one; create one client per event loop (e.g. per "
                    "asyncio.run)"
                )
            shared.loop = loop
            if shared.session is None:
                shared.session = self._new_session()
            # aiohttp silently resends an idempotent request once when a kept-alive connection
            # drops; our retry layer decides and counts every resend, so that one is turned off.
            if hasattr(shared.session, "_retry_connection"):
                shared.session._retry_connection = False
        assert shared.session is not None  # made, or given, when the loop was bound
        return shared.session

    def _new_session(self) -> aiohttp.ClientSession:
        """Our own session: ``trust_env`` off (no ``~/.netrc``; proxies are resolved by us).

        The TLS setting (a CA bundle's context is costly to build) is made here, once per
        session, and only for an https org: an http org never speaks TLS to it.
        """
        shared = self._shared
        config = shared.config
        tls = ssl_setting(config) if shared.https else True
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=config.max_connections, ssl=tls),
            trust_env=False,
            headers={"User-Agent": user_agent(config.user_agent_extra)},
            trace_configs=shared.trace_configs or None,
        )

    def build_url(
        self,
        op: Operation,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        url: str | yarl.URL | None = None,
    ) -> yarl.URL:
        """The request URL: the template filled in, or ``url`` after the same-origin check;
        ``query`` is added to either."""
        if url is None:
            target = yarl.URL(str(self.org_url) + _fill_path(op, path_params or {}), encoded=True)
        else:
            target = yarl.URL(url, encoded=True) if isinstance(url, str) else url
            if target.is_absolute():
                check_origin(target, self.org_url)
            else:
                target = self.org_url.join(target)
        if query:
            items = list(query.items()) if isinstance(query, Mapping) else list(query)
            target = target.extend_query(items)
        return target

    async def request(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        content_type: str | None = None,
        url: str | yarl.URL | None = None,
        options: RequestOptions | None = None,
    ) -> RawResponse:
        """Send ``op`` through the pipeline; return the 2xx response or raise an OktaError.

        ``options`` override the transport's defaults per call (None means "not given").
        ``timeout`` is the deadline of the whole call: governor holds, 429 waits, backoff and
        every attempt; ``attempt_timeout`` (a setting) bounds each attempt on its own.
        """
        if self.closed:
            raise ClientClosedError()
        call = self._prepare(op, path_params, query, json, data, content_type, url, options)
        try:
            async with _deadline(call.timeout or None):
                return await self._send_handling_retries(call)
        except TimeoutError:
            if self.closed:
                raise ClientClosedError() from None
            message = f"the call did not complete within its timeout of {call.timeout:g} s"
            raise APITimeoutError(message, method=call.method, path=call.target.path) from None

    def _prepare(
        self,
        op: Operation,
        path_params: Mapping[str, str] | None,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None,
        json: Any,
        data: bytes | str | None,
        content_type: str | None,
        url: str | yarl.URL | None,
        options: RequestOptions | None,
    ) -> _Call:
        """Resolve the URL, the per-call options and the headers every attempt shares."""
        target = self.build_url(op, path_params, query, url)
        opts: RequestOptions = {**self._defaults, **(options or {})}
        config = self._shared.config
        max_retries = opts.get("max_retries")
        timeout = opts.get("timeout")
        timeout = config.timeout if timeout is None else timeout
        # No attempt may outlast the call; 0 means "no limit" for either.
        attempt = min((t for t in (config.attempt_timeout, timeout) if t), default=None)
        headers: CIMultiDict[str] = CIMultiDict(Accept="application/json")
        body: bytes | str | None = data
        if json is not None:
            body = orjson.dumps(json)
            headers["Content-Type"] = "application/json"
        if content_type is not None:
            headers["Content-Type"] = content_type
        headers.update(self._defaults.get("extra_headers") or {})
        headers.update((options or {}).get("extra_headers") or {})
        headers.popall("Authorization", None)  # credentials come from the auth strategy only
        return _Call(
            op=op,
            method=op.method.upper(),
            target=target,
            headers=headers,
            body=body,
            max_retries=config.max_retries if max_retries is None else max_retries,
            timeout=timeout,
            deadline=asyncio.get_running_loop().time() + timeout if timeout else math.inf,
            attempt_timeout=_attempt_timeout(attempt),
        )

    async def _send_handling_retries(self, call: _Call) -> RawResponse:
        """Layer 1, retries: owns the retry counter and the backoff waits between attempts.

        Rate-limit windows are not waited out here: the governor owns those holds (a 429
        teaches it the window), so each wait has one owner and is never taken twice.
        """
        retries = 0
        first_request_id: str | None = None
        while True:
            headers = call.headers  # the layers below copy it before adding to it
            if retries:
                headers = headers.copy()
                headers["X-Okta-Retry-Count"] = str(retries)
                if first_request_id:
                    headers["X-Okta-Retry-For"] = first_request_id
            try:
                reply = await self._send_handling_auth(call, headers)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                decision = self._decide_after_exception(call, exc, retries)
            else:
                if 200 <= reply.status < 300:
                    return reply.raw(call.op)
                first_request_id = first_request_id or reply.request_id
                decision = self._decide_after_response(call, reply, retries)
            retries += 1
            logs.log_retry(call.method, call.target.path, retries, decision.delay, decision.reason)
            if decision.delay:
                await self.retry_policy.sleep(decision.delay)

    def _decide_after_exception(
        self, call: _Call, exc: BaseException, retries: int
    ) -> RetryDecision:
        """The retry decision after an attempt without a response; raises when there is none."""
        if self.closed:
            raise ClientClosedError() from None
        decision = self.retry_policy.for_exception(call.method, exc, retries + 1, call.max_retries)
        if decision is None:
            if is_retryable_exception(exc):
                failure = type(exc).__name__
                logs.log_give_up(call.method, call.target.path, failure, retries, call.max_retries)
            raise _connection_error(exc, call.method, call.target.path) from exc
        return decision

    def _decide_after_response(self, call: _Call, reply: _Reply, retries: int) -> RetryDecision:
        """The retry decision after a non-2xx answer; raises the mapped error when there is none.

        A 429 whose window resets later than ``max_rate_limit_wait`` (or the call's deadline)
        allows is raised at once, with ``retry_after``: no wait could make the retry succeed.
        """
        policy = self.retry_policy
        allowed = min(self.governor.max_wait, _time_left(call))
        wait = policy.rate_limit_wait(reply.headers) if reply.status == 429 else None
        if wait is not None and wait > allowed:
            note = f"the window resets in {wait:.1f} s; this call may wait {allowed:.1f} s"
            raise _status_error(reply, call.method, note, retry_after=wait)
        decision = policy.for_response(
            call.method, reply.status, reply.headers, retries + 1, call.max_retries
        )
        if decision is None:
            if reply.status in RETRYABLE_STATUSES:
                failure = str(reply.status)
                logs.log_give_up(call.method, call.target.path, failure, retries, call.max_retries)
            redirect = self._redirect_note(call, reply)
            raise _status_error(reply, call.method, redirect, retry_after=wait)
        return decision

    async def _send_handling_auth(self, call: _Call, headers: CIMultiDict[str]) -> _Reply:
        """Layer 2, auth: credentials per attempt, and one resend after a refreshable 401."""
        session = self.session()
        sent: list[str] = []

        async def credentials(target: yarl.URL) -> Mapping[str, str]:
            found = await self._shared.credentials(session, call.method, target)
            sent.append(found.get("Authorization", ""))
            return found

        reply = await self._send_handling_redirects(call, headers, credentials)
        if reply.status != 401 or not await self._shared.auth.refresh_after_401(session, sent[-1]):
            return reply
        logs.log_retry(call.method, call.target.path, 0, 0.0, "401, credential refreshed")
        return await self._send_handling_redirects(call, headers, credentials)

    async def _send_handling_redirects(
        self,
        call: _Call,
        headers: CIMultiDict[str],
        credentials: Callable[[yarl.URL], Awaitable[Mapping[str, str]]],
    ) -> _Reply:
        """Layer 3, redirects: follow same-origin GET/HEAD redirects, at most MAX_REDIRECTS."""
        target = call.target
        for _ in range(MAX_REDIRECTS):
            send_headers = headers.copy()
            send_headers.update(await credentials(target))
            reply = await self._send_single(call, target, send_headers)
            location = self._followable_redirect(call.method, reply)
            if location is None:
                return reply
            target = location
        send_headers = headers.copy()
        send_headers.update(await credentials(target))
        return await self._send_single(call, target, send_headers)

    def _followable_redirect(self, method: str, reply: _Reply) -> yarl.URL | None:
        """The Location of a same-origin redirect of a GET/HEAD, else None."""
        if not 300 <= reply.status < 400 or "Location" not in reply.headers:
            return None
        if method not in ("GET", "HEAD"):
            return None
        location = reply.url.join(yarl.URL(reply.headers["Location"], encoded=True))
        return location if same_origin(location, self.org_url) else None

    def _redirect_note(self, call: _Call, reply: _Reply) -> str | None:
        """Why a redirect answer was not followed (it becomes part of the error message)."""
        if not 300 <= reply.status < 400 or "Location" not in reply.headers:
            return None
        location = reply.url.join(yarl.URL(reply.headers["Location"], encoded=True))
        return _redirect_note(location, same_origin(location, self.org_url))

    async def _send_single(
        self, call: _Call, target: yarl.URL, headers: CIMultiDict[str]
    ) -> _Reply:
        """Layers 4 and 5: take a governor slot, then send exactly one request and read it.

        The DEBUG line times the exchange itself, not the hold before it.
        """
        shared = self._shared
        if shared.proxy_headers and target.scheme == "http":
            # Plain HTTP goes to the proxy as is; for HTTPS the header rides on CONNECT.
            headers.update(shared.proxy_headers)
        session = self.session()
        bucket = call.op.bucket
        async with self.governor.slot(bucket):
            started = time.perf_counter()
            try:
                async with session.request(
                    call.method,
                    target,
                    data=call.body,
                    headers=headers,
                    timeout=call.attempt_timeout,
                    allow_redirects=False,  # redirects are handled above, origin-checked
                    proxy=shared.proxy,
                    proxy_headers=shared.proxy_headers,
                ) as resp:
                    body = await resp.read()
            except BaseException as exc:
                _log_exchange(call, target, headers, started, None, type(exc).__name__)
                raise
            self.governor.observe(bucket, resp.headers, resp.status)
        reply = _Reply(resp.status, resp.reason, resp.headers, body, target)
        _log_exchange(call, target, headers, started, reply, None)
        return reply


@attrs.frozen
class _Call:
    """One call's fixed inputs, shared by every attempt the layers make."""

    op: Operation
    method: str
    target: yarl.URL
    headers: CIMultiDict[str] = attrs.field(repr=False)
    body: bytes | str | None = attrs.field(repr=False)
    max_retries: int
    timeout: float
    deadline: float  # the event loop's clock when ``timeout`` runs out; inf without one
    attempt_timeout: aiohttp.ClientTimeout


@attrs.frozen
class _Reply:
    """One attempt's answer, before the layers decide whether it becomes a RawResponse."""

    status: int
    reason: str | None
    headers: CIMultiDictProxy[str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    url: yarl.URL

    @property
    def request_id(self) -> str | None:
        return self.headers.get("X-Okta-Request-Id")

    def raw(self, op: Operation) -> RawResponse:
        """This answer as the caller's :class:`RawResponse`."""
        return RawResponse(
            status=self.status,
            headers=self.headers,
            body=self.body,
            method=op.method.upper(),
            url=self.url,
            operation=op,
        )


def _fill_path(op: Operation, params: Mapping[str, str]) -> str:
    """``op.path`` with its parameters percent-encoded; empty, ``.`` and ``..`` refused.

    Percent-encoding leaves dots alone and servers resolve dot segments, so a group id ``..``
    would turn ``DELETE /groups/{groupId}/users/x`` into a request for another resource.
    """

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise PathParameterError(op.id, name, "is missing")
        value = str(params[name])
        if value in ("", ".", ".."):
            raise PathParameterError(op.id, name, f"must not be {value!r}")
        return urllib.parse.quote(value, safe="")

    return _PATH_PARAM.sub(fill, op.path)


def _log_exchange(
    call: _Call,
    target: yarl.URL,
    headers: Mapping[str, str],
    started: float,
    reply: _Reply | None,
    failure: str | None,
) -> None:
    """The DEBUG line of one exchange; nothing is worked out for it while DEBUG is off."""
    if not logs.logger.isEnabledFor(logging.DEBUG):
        return
    elapsed = (time.perf_counter() - started) * 1000
    retry = int(headers.get("X-Okta-Retry-Count", "0"))
    status, request_id = (None, None) if reply is None else (reply.status, reply.request_id)
    logs.log_request(call.method, target.path, status, elapsed, request_id, retry, failure)


@functools.lru_cache(maxsize=16)
def _attempt_timeout(total: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's timeout of one attempt; immutable, so one object per value serves every call."""
    return aiohttp.ClientTimeout(total=total)


def _time_left(call: _Call) -> float:
    """Seconds left before the call's deadline (infinite without one)."""
    return call.deadline - asyncio.get_running_loop().time()


def _status_error(
    reply: _Reply, method: str, note: str | None, *, retry_after: float | None = None
) -> APIStatusError:
    return error_from_response(
        status=reply.status,
        method=method,
        url=reply.url,
        headers=reply.headers,
        body=reply.body,
        reason=reply.reason,
        note=note,
        retry_after=retry_after,
    )


def _split_proxy(proxy_url: str | None) -> tuple[yarl.URL | None, dict[str, str] | None]:
    """The proxy URL without credentials, and its credentials as a Proxy-Authorization header."""
    if proxy_url is None:
        return None, None
    proxy = yarl.URL(proxy_url)
    if proxy.user is None:
        return proxy, None
    basic = base64.b64encode(f"{proxy.user}:{proxy.password or ''}".encode()).decode()
    return proxy.with_user(None), {"Proxy-Authorization": f"Basic {basic}"}


def _connection_error(exc: BaseException, method: str, path: str) -> APIConnectionError:
    if isinstance(exc, asyncio.TimeoutError):
        return APITimeoutError(f"timed out ({type(exc).__name__})", method=method, path=path)
    detail = str(exc) or type(exc).__name__
    return APIConnectionError(f"{type(exc).__name__}: {detail}", method=method, path=path)


def _redirect_note(location: yarl.URL, same_origin: bool) -> str:
    if same_origin:
        return f"redirect to {location.path} not followed (only GET/HEAD, at most {MAX_REDIRECTS})"
    return (
        f"redirect to another origin ({location.origin()}) not followed: "
        "credentials are only sent to the org"
    )


def _source_of(config: TransportConfig, setting: str) -> str:
    """Where ``setting`` came from, for a ConfigError (``OktaConfig.sources`` when present)."""
    sources = getattr(config, "sources", None)
    if isinstance(sources, Mapping):
        return str(sources.get(setting, "configuration"))
    return "configuration"


__all__ = [
    "APIResponse",
    "PerRequestAuth",
    "RawResponse",
    "Transport",
    "TransportAuth",
    "TransportConfig",
    "credential_headers",
    "credential_source",
    "user_agent",
]

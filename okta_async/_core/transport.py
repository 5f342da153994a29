"""The one request loop every API call goes through, written above aiohttp.

``auth header -> rate-limit governor -> send -> status check -> retry decision -> error mapping``;
decoding (orjson) happens on :meth:`RawResponse.json`. Retries and throttling live here rather
than in aiohttp middleware because aioresponses, used by the tests, bypasses middleware.

Security rules enforced here: the Authorization header is only ever sent to the org's origin
(absolute URLs elsewhere raise :class:`ForeignOriginError`; redirects are never followed to
another origin), TLS verification is on unless the config turns it off, and log lines carry
only method, path (no query), status, duration and request id: request headers never reach them.
"""

from __future__ import annotations

import asyncio
import base64
import platform
import re
import ssl
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import aiohttp
import attrs
import orjson
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from okta_async._core import logs
from okta_async._core.config import is_loopback, org_proxy
from okta_async._core.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigError,
    DecodeError,
    check_origin,
    error_from_response,
)
from okta_async._core.operation import Operation, RequestOptions
from okta_async._core.ratelimit import RateLimitGovernor
from okta_async._core.retry import RETRYABLE_STATUSES, RetryPolicy, is_retryable_exception
from okta_async._version import __version__

MAX_REDIRECTS = 5
_PATH_PARAM = re.compile(r"{([^{}]+)}")


class TransportConfig(Protocol):
    """The settings the transport reads; ``okta_async._core.config.OktaConfig`` provides them."""

    @property
    def org_url(self) -> str: ...
    @property
    def request_timeout(self) -> float: ...
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


async def credential_headers(
    auth: TransportAuth, session: aiohttp.ClientSession, method: str, url: yarl.URL
) -> Mapping[str, str]:
    """The headers ``auth`` contributes to one attempt of ``method url``."""
    if isinstance(auth, PerRequestAuth):
        return await auth.request_headers(session, method, url)
    return {"Authorization": await auth.authorization(session)}


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

    def __init__(self, config: TransportConfig, auth: TransportAuth, org_host: str | None) -> None:
        self.config = config
        self.auth = auth
        self.ssl = ssl_setting(config)
        self.proxy, self.proxy_headers = _split_proxy(
            org_proxy(config.proxy, org_host, trust_env=config.trust_env)
        )
        self.session: aiohttp.ClientSession | None = None
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
    ) -> None:
        self.org_url = yarl.URL(config.org_url.rstrip("/"))
        self._shared = _Shared(config, auth, self.org_url.host)
        self.governor = governor or RateLimitGovernor(
            config.max_concurrent_requests, max_wait=config.max_rate_limit_wait
        )
        self.retry_policy = retry_policy or RetryPolicy(
            max_rate_limit_wait=config.max_rate_limit_wait
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
        """Close the session and the auth strategy; idempotent."""
        shared = self._shared
        if shared.closed:
            return
        shared.closed = True
        try:
            await shared.auth.aclose()
        finally:
            if shared.session is not None:
                await shared.session.close()
                shared.session = None

    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session, created on first use inside the running loop."""
        shared = self._shared
        if shared.closed:
            raise ClientClosedError()
        if shared.session is None:
            config = shared.config
            connector = aiohttp.TCPConnector(limit=config.max_connections, ssl=shared.ssl)
            shared.session = aiohttp.ClientSession(
                connector=connector,
                # Environment proxies are skipped for a loopback org (the embedded fake org):
                # a corporate HTTP_PROXY without NO_PROXY=127.0.0.1 would otherwise swallow it.
                trust_env=config.trust_env and not is_loopback(self.org_url.host),
                headers={"User-Agent": user_agent(config.user_agent_extra)},
            )
        return shared.session

    def build_url(
        self,
        op: Operation,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        url: str | yarl.URL | None = None,
    ) -> yarl.URL:
        """The request URL: the template filled in, or ``url`` after the same-origin check."""
        if url is not None:
            target = yarl.URL(url, encoded=True) if isinstance(url, str) else url
            if not target.is_absolute():
                return self.org_url.join(target)
            check_origin(target, self.org_url)
            return target
        params = path_params or {}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in params:
                raise ValueError(f"{op.id}: missing path parameter {name!r}")
            return urllib.parse.quote(str(params[name]), safe="")

        path = _PATH_PARAM.sub(fill, op.path)
        target = yarl.URL(str(self.org_url) + path, encoded=True)
        if query:
            items = list(query.items()) if isinstance(query, Mapping) else list(query)
            target = target.with_query(items)
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
        """Send ``op`` with retries; return the 2xx response or raise an :class:`OktaError`.

        ``options`` override the transport's defaults per call (None means "not given");
        ``timeout`` bounds each attempt, not the sum of attempts and the waits between them.
        """
        if self.closed:
            raise ClientClosedError()
        target = self.build_url(op, path_params, query, url)
        opts: RequestOptions = {**self._defaults, **(options or {})}
        config = self._shared.config
        max_retries = opts.get("max_retries")
        if max_retries is None:
            max_retries = config.max_retries
        timeout_s = opts.get("timeout")
        if timeout_s is None:
            timeout_s = config.request_timeout
        timeout = aiohttp.ClientTimeout(total=timeout_s or None)  # per attempt; 0 = none

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

        return await self._loop(op, op.method.upper(), target, headers, body, timeout, max_retries)

    async def _loop(
        self,
        op: Operation,
        method: str,
        target: yarl.URL,
        headers: CIMultiDict[str],
        body: bytes | str | None,
        timeout: aiohttp.ClientTimeout,
        max_retries: int,
    ) -> RawResponse:
        """Send until a 2xx, or raise: retries, one 401 refresh, same-origin GET/HEAD redirects."""
        retries = 0  # transient-failure retries, bounded by max_retries
        resends = 0  # every resend, including the one after a credential refresh
        redirects = 0
        refreshed = False
        first_request_id: str | None = None
        policy = self.retry_policy
        auth = self._shared.auth
        proxy_headers = self._shared.proxy_headers
        while True:
            session = self.session()
            credentials = await credential_headers(auth, session, method, target)
            authorization = credentials.get("Authorization", "")
            send_headers = headers.copy()
            send_headers.update(credentials)
            if proxy_headers and target.scheme == "http":
                # Plain HTTP goes to the proxy as is; for HTTPS the header rides on CONNECT.
                send_headers.update(proxy_headers)
            if resends:
                send_headers["X-Okta-Retry-Count"] = str(resends)
                if first_request_id:
                    send_headers["X-Okta-Retry-For"] = first_request_id
            started = time.perf_counter()
            try:
                reply = await self._send(
                    session, op.bucket, method, target, send_headers, body, timeout
                )
            except Exception as exc:
                elapsed = (time.perf_counter() - started) * 1000
                outcome = type(exc).__name__
                logs.log_request(method, target.path, None, elapsed, None, resends, outcome)
                if self.closed:
                    raise ClientClosedError() from None
                if not isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError):
                    raise
                decision = policy.for_exception(method, exc, retries + 1, max_retries)
                if decision is None:
                    if is_retryable_exception(exc):
                        logs.log_give_up(method, target.path, outcome, retries, max_retries)
                    raise _connection_error(exc, method, target.path) from exc
                retries += 1
                resends += 1
                logs.log_retry(method, target.path, resends, decision.delay, decision.reason)
                await policy.sleep(decision.delay)
                continue

            elapsed = (time.perf_counter() - started) * 1000
            first_request_id = first_request_id or reply.request_id
            logs.log_request(method, target.path, reply.status, elapsed, reply.request_id, resends)
            if 200 <= reply.status < 300:
                return RawResponse(
                    status=reply.status,
                    headers=reply.headers,
                    body=reply.body,
                    method=method,
                    url=target,
                    operation=op,
                )
            if reply.status == 401 and not refreshed:
                refreshed = True
                if await auth.refresh_after_401(session, authorization):
                    resends += 1
                    logs.log_retry(method, target.path, resends, 0.0, "401, credential refreshed")
                    continue
            note = None
            if 300 <= reply.status < 400 and "Location" in reply.headers:
                location = target.join(yarl.URL(reply.headers["Location"], encoded=True))
                same_origin = location.origin() == self.org_url.origin()
                if same_origin and method in ("GET", "HEAD") and redirects < MAX_REDIRECTS:
                    redirects += 1
                    target = location
                    continue
                note = _redirect_note(location, same_origin)
            decision = policy.for_response(
                method, reply.status, reply.headers, retries + 1, max_retries
            )
            if decision is None:
                if reply.status in RETRYABLE_STATUSES:
                    logs.log_give_up(method, target.path, str(reply.status), retries, max_retries)
                raise error_from_response(
                    status=reply.status,
                    method=method,
                    url=target,
                    headers=reply.headers,
                    body=reply.body,
                    reason=reply.reason,
                    note=note,
                )
            retries += 1
            resends += 1
            logs.log_retry(method, target.path, resends, decision.delay, decision.reason)
            await policy.sleep(decision.delay)

    async def _send(
        self,
        session: aiohttp.ClientSession,
        bucket: str,
        method: str,
        target: yarl.URL,
        headers: CIMultiDict[str],
        body: bytes | str | None,
        timeout: aiohttp.ClientTimeout,
    ) -> _Reply:
        """One attempt: take a governor slot, send, read the whole body, record rate limits."""
        async with (
            self.governor.slot(bucket),
            session.request(
                method,
                target,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,  # redirects are handled above, origin-checked
                proxy=self._shared.proxy,
                proxy_headers=self._shared.proxy_headers,
            ) as resp,
        ):
            payload = await resp.read()
            self.governor.observe(bucket, resp.headers)
            return _Reply(resp.status, resp.reason, resp.headers, payload)


@attrs.frozen
class _Reply:
    """One attempt's answer, before the loop decides whether it becomes a RawResponse."""

    status: int
    reason: str | None
    headers: CIMultiDictProxy[str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)

    @property
    def request_id(self) -> str | None:
        return self.headers.get("X-Okta-Request-Id")


def _split_proxy(proxy_url: str | None) -> tuple[yarl.URL | None, dict[str, str] | None]:
    """The proxy URL without credentials, and its credentials as a Proxy-Authorization header.

    With no proxy (None) aiohttp reads HTTP(S)_PROXY / NO_PROXY itself when ``trust_env``.
    """
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
    "PerRequestAuth",
    "RawResponse",
    "Transport",
    "TransportAuth",
    "TransportConfig",
    "credential_headers",
    "user_agent",
]

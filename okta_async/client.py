"""``OktaClient``: the entry point; owns one transport (one aiohttp session) per client.

Create it once (for instance in a FastAPI lifespan) and share it between concurrent tasks.
Use it as ``async with OktaClient(...) as okta`` or call ``await okta.close()`` yourself; the
HTTP session is only opened on the first request, inside the running event loop.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from ssl import SSLContext
from typing import TYPE_CHECKING, Any

import aiohttp

from okta_async._core.auth import AuthStrategy, PrivateKeyAuth, build_auth
from okta_async._core.config import SETTINGS, OktaConfig, load_config
from okta_async._core.operation import Operation, request_options
from okta_async._core.ratelimit import RateLimitGovernor
from okta_async._core.transport import RawResponse, Transport, TransportAuth, TransportConfig
from okta_async.resources import ResourceAccessors

if TYPE_CHECKING:
    from okta_async._core.retry import RetryPolicy
    from okta_async.bulk import BulkOperations


class OktaClient(ResourceAccessors):
    """Async client for the Okta Management API.

    Settings come from the arguments, then ``OKTA_CLIENT_*`` environment variables, then
    ``./okta.yaml``, then ``~/.okta/okta.yaml``; the keywords are the settings of
    ``okta_async._core.config.SETTINGS`` (README's settings table). ``timeout`` is the
    deadline of each whole call, the same name as the per-call ``timeout=``.

    Seams: ``config=`` a ready :class:`OktaConfig`; ``auth=`` your own auth strategy;
    ``session=`` your own ``aiohttp.ClientSession`` (never closed by the client; its ``trust_env``
    and connector settings are yours); ``trace_configs=`` aiohttp ``TraceConfig``s for the
    session the client opens (OpenTelemetry's aiohttp-client instrumentation).
    """

    _transport: Transport  # holds the config and auth; shared (session too) with copies

    def __init__(
        self,
        org_url: str | None = None,
        token: str | None = None,
        *,
        authorization_mode: str | None = None,
        client_id: str | None = None,
        scopes: str | Sequence[str] | None = None,
        private_key: str | os.PathLike[str] | None = None,
        key_id: str | None = None,
        dpop: bool | None = None,
        timeout: float | None = None,
        attempt_timeout: float | None = None,
        max_retries: int | None = None,
        max_rate_limit_wait: float | None = None,
        max_concurrent_requests: int | None = None,
        max_connections: int | None = None,
        proxy: str | None = None,
        trust_env: bool | None = None,
        ssl: SSLContext | bool | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        user_agent_extra: str | None = None,
        config: OktaConfig | TransportConfig | None = None,
        auth: AuthStrategy | TransportAuth | None = None,
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        config = _resolve_config(config, dict(locals()))
        if auth is None:
            if not isinstance(config, OktaConfig):
                raise TypeError("auth= is required when config= is not an OktaConfig")
            auth = build_auth(config)
        self._transport = Transport(config, auth, session=session, trace_configs=trace_configs)
        if isinstance(auth, PrivateKeyAuth):
            # One retry policy (one backoff, one injectable sleep) for API and token calls.
            auth.retry_policy = self._transport.retry_policy

    def __repr__(self) -> str:
        transport = self._transport
        mode = getattr(transport.config, "authorization_mode", type(transport.auth).__name__)
        state = " closed" if self.closed else ""
        return f"<OktaClient org_url={self._transport.org_url} auth={mode}{state}>"

    async def __aenter__(self) -> OktaClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (shared with every ``with_options`` copy); idempotent."""
        await self._transport.aclose()

    @property
    def closed(self) -> bool:
        """True once the client (or any copy sharing its session) has been closed."""
        return self._transport.closed

    @property
    def config(self) -> OktaConfig | TransportConfig:
        """The resolved configuration."""
        return self._transport.config

    @property
    def org_url(self) -> str:
        """The org's normalised URL (``https://acme.okta.com``: lowercase host, no default port)."""
        return str(self._transport.org_url)

    async def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Any:
        """Call an endpoint the generated resources lack; return the decoded JSON (None if empty).

        Goes through the same pipeline as every generated method: auth, governor, retries,
        typed errors. ``path`` is relative to the org (``/api/v1/...``), optionally a template
        whose ``{name}`` parts come from ``path_params`` (percent-encoded; ``.``, ``..`` and
        empty refused; the template is the rate-limit bucket), or an absolute URL on the org's
        origin (anything else raises :class:`ForeignOriginError`).
        """
        response = await self.request_raw(
            method,
            path,
            path_params=path_params,
            params=params,
            json=json,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
        )
        return response.json()

    async def request_raw(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None = None,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> RawResponse:
        """Like :meth:`request`, but return the response: ``status``, ``headers``,
        ``request_id``, ``json()``."""
        operation = Operation(id=f"{method.upper()} {path}", method=method.upper(), path=path)
        relative = path.startswith("/")
        items = params.items() if isinstance(params, Mapping) else (params or ())
        query = [(str(name), _query_text(value)) for name, value in items]
        options = request_options(timeout=timeout, max_retries=max_retries, extra_headers=headers)
        return await self._transport.request(
            operation,
            path_params={name: str(value) for name, value in (path_params or {}).items()},
            url=None if relative else path,
            query=query or None,
            json=json,
            options=options,
        )

    @property
    def governor(self) -> RateLimitGovernor:
        """The rate-limit governor shared by this client and its copies."""
        return self._transport.governor

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy shared by this client and its copies: its backoff, and the one
        injectable ``sleep`` every wait goes through (API and token calls, governor holds,
        bulk item retries, the log tail)."""
        return self._transport.retry_policy

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> OktaClient:
        """A copy with other per-call defaults that shares the session, auth and governor.

        Closing either closes both, since they share one session.
        """
        options = request_options(
            timeout=timeout, max_retries=max_retries, extra_headers=extra_headers
        )
        copy = object.__new__(type(self))
        # Only the transport: cached resource accessors must be rebuilt on the copy's transport.
        copy._transport = self._transport.with_options(options)
        return copy

    @cached_property
    def bulk(self) -> BulkOperations:
        """Bounded-concurrency bulk helpers (``okta_async.bulk.BulkOperations``), loaded lazily."""
        operations: BulkOperations = importlib.import_module("okta_async.bulk").BulkOperations(self)
        return operations


def _query_text(value: object) -> str:
    """A query value as Okta expects it: booleans lowercase, everything else as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _resolve_config(
    config: OktaConfig | TransportConfig | None, given: Mapping[str, Any]
) -> OktaConfig | TransportConfig:
    """``config`` as given, or loaded from the settings that were passed (not both)."""
    explicit = {s.name: given[s.name] for s in SETTINGS if s.keyword}
    explicit = {name: value for name, value in explicit.items() if value is not None}
    if config is None:
        return load_config(**explicit)
    if explicit:
        raise TypeError(
            "pass either config= or individual settings, not both: " + ", ".join(sorted(explicit))
        )
    return config

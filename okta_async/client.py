"""``OktaClient``: the entry point; owns one transport (one aiohttp session) per client.

Create it once (for instance in a FastAPI lifespan) and share it between concurrent tasks.
Use it as ``async with OktaClient(...) as okta`` or call ``await okta.close()`` yourself; the
HTTP session is only opened on the first request, inside the running event loop.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from okta_async._core.auth import AuthStrategy, build_auth
from okta_async._core.config import OktaConfig, load_config
from okta_async._core.operation import request_options
from okta_async._core.ratelimit import RateLimitGovernor
from okta_async._core.transport import Transport, TransportAuth, TransportConfig
from okta_async.resources import ResourceAccessors

if TYPE_CHECKING:
    from okta_async.bulk import BulkOperations


class OktaClient(ResourceAccessors):
    """Async client for the Okta Management API.

    Settings come from the arguments, then ``OKTA_CLIENT_*`` environment variables, then
    ``./okta.yaml``, then ``~/.okta/okta.yaml`` (see ``okta_async._core.config.load_config``).
    ``dpop=True`` (PrivateKey mode only) asks for DPoP-bound tokens, for service apps that
    require DPoP. Pass ``config=`` to use a ready :class:`OktaConfig`, and ``auth=`` to supply
    your own auth strategy instead of the one the configuration describes.
    """

    _transport: Transport  # holds the config and auth; shared (session too) with copies

    def __init__(
        self,
        org_url: str | None = None,
        token: str | None = None,
        *,
        authorization_mode: str | None = None,
        client_id: str | None = None,
        scopes: str | list[str] | tuple[str, ...] | None = None,
        private_key: str | None = None,
        key_id: str | None = None,
        dpop: bool | None = None,
        request_timeout: float | None = None,
        max_retries: int | None = None,
        max_connections: int | None = None,
        max_concurrent_requests: int | None = None,
        proxy: str | None = None,
        ssl: Any = None,
        config: OktaConfig | TransportConfig | None = None,
        auth: AuthStrategy | TransportAuth | None = None,
        **settings: Any,
    ) -> None:
        explicit: dict[str, Any] = {
            "org_url": org_url,
            "token": token,
            "authorization_mode": authorization_mode,
            "client_id": client_id,
            "scopes": scopes,
            "private_key": private_key,
            "key_id": key_id,
            "dpop": dpop,
            "request_timeout": request_timeout,
            "max_retries": max_retries,
            "max_connections": max_connections,
            "max_concurrent_requests": max_concurrent_requests,
            "proxy": proxy,
            "ssl": ssl,
            **settings,
        }
        explicit = {name: value for name, value in explicit.items() if value is not None}
        if config is not None:
            if explicit:
                raise TypeError(
                    "pass either config= or individual settings, not both: "
                    + ", ".join(sorted(explicit))
                )
        else:
            config = load_config(**explicit)
        if auth is None:
            if not isinstance(config, OktaConfig):
                raise TypeError("auth= is required when config= is not an OktaConfig")
            auth = build_auth(config)
        self._transport = Transport(config, auth)

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
    def governor(self) -> RateLimitGovernor:
        """The rate-limit governor shared by this client and its copies."""
        return self._transport.governor

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

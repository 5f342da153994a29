"""okta_async: an async-first, typed SDK for the Okta Management API.

Public names are loaded lazily (module ``__getattr__``) so that ``import okta_async`` costs little
more than importing aiohttp; models and resources load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from okta_async._core.unset import UNSET, Unset
from okta_async._version import __version__

if TYPE_CHECKING:
    from okta_async._core.config import OktaConfig
    from okta_async._core.errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosedError,
        ConfigError,
        ConflictError,
        DecodeError,
        ForeignOriginError,
        InternalServerError,
        MissingFieldError,
        NotFoundError,
        OktaError,
        PathParameterError,
        PermissionDeniedError,
        RateLimitError,
        TokenRequestError,
    )
    from okta_async._core.model import OpenStr
    from okta_async._core.pagination import AsyncPaginator, Page
    from okta_async._core.transport import APIResponse, RawResponse
    from okta_async.client import OktaClient

_LAZY: dict[str, str] = {
    "OktaClient": "okta_async.client",
    "OktaConfig": "okta_async._core.config",
    "AsyncPaginator": "okta_async._core.pagination",
    "Page": "okta_async._core.pagination",
    "OpenStr": "okta_async._core.model",
    "APIResponse": "okta_async._core.transport",
    "RawResponse": "okta_async._core.transport",
    **{
        name: "okta_async._core.errors"
        for name in (
            "OktaError",
            "ConfigError",
            "ClientClosedError",
            "DecodeError",
            "MissingFieldError",
            "ForeignOriginError",
            "APIConnectionError",
            "APITimeoutError",
            "APIStatusError",
            "BadRequestError",
            "AuthenticationError",
            "PermissionDeniedError",
            "NotFoundError",
            "ConflictError",
            "RateLimitError",
            "InternalServerError",
            "PathParameterError",
            "TokenRequestError",
        )
    },
}

__all__ = [
    "UNSET",
    "APIConnectionError",
    "APIResponse",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigError",
    "ConflictError",
    "DecodeError",
    "ForeignOriginError",
    "InternalServerError",
    "MissingFieldError",
    "NotFoundError",
    "OktaClient",
    "OktaConfig",
    "OktaError",
    "OpenStr",
    "Page",
    "PathParameterError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "TokenRequestError",
    "Unset",
    "__version__",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access, then keep the name in the namespace."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'okta_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, including those not imported yet."""
    return sorted(__all__)

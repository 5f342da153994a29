"""Authorization strategies: SSWS API token, static Bearer token, OAuth 2.0 ``private_key_jwt``.

The transport asks a strategy for the credential headers of each attempt
(:meth:`AuthStrategy.request_headers`: ``Authorization``, plus ``DPoP`` for DPoP-bound tokens)
and, after a 401, calls :meth:`AuthStrategy.refresh_after_401` once to learn whether a retry is
worth it. :class:`PrivateKeyAuth` runs the client-credentials grant: it signs a short-lived
client assertion, exchanges it at ``<org>/oauth2/v1/token``, caches the access token, renews it
ahead of expiry and makes sure concurrent callers share one token request (single flight).

With ``dpop=True`` (for service apps that require DPoP, RFC 9449) every token request carries a
DPoP proof from a per-client key (:mod:`okta_async._core.dpop`). When the token endpoint answers
``400 use_dpop_nonce`` with a ``DPoP-Nonce`` header, the request is repeated once with that
nonce, which is remembered for later token requests. A ``DPoP`` token is then sent as
``Authorization: DPoP <token>`` with a new proof (bound to the token by ``ath``) per request.

The token request is retried like any call (429 by its reset, 5xx and connection errors by
backoff, each attempt with a new assertion); its failures are :class:`TokenRequestError` (an
``APIStatusError``) or, without an answer, :class:`APIConnectionError`. ``aclose()`` during a
fetch ends every waiter with :class:`ClientClosedError`.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, cast, runtime_checkable

import aiohttp
import attrs
import yarl

from okta_async._core import logs
from okta_async._core.config import OktaConfig, org_proxy
from okta_async._core.errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigError,
    TokenRequestError,
    error_from_response,
    json_object,
)
from okta_async._core.logs import logger
from okta_async._core.retry import RETRYABLE_STATUSES, RetryDecision, RetryPolicy

if TYPE_CHECKING:  # cryptography loads only when a PrivateKeyAuth is built
    from okta_async._core.dpop import DPoPKey
    from okta_async._core.keys import SigningKey

__all__ = [
    "AuthStrategy",
    "BearerAuth",
    "PrivateKeyAuth",
    "SSWSAuth",
    "TokenRequestError",
    "build_auth",
]

TOKEN_PATH: Final = "/oauth2/v1/token"
CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: Lifetime of a client assertion; Okta accepts at most one hour, we keep it short.
ASSERTION_LIFETIME: Final = 300.0
#: Renew a cached access token this many seconds before it expires.
RENEW_MARGIN: Final = 60.0


@runtime_checkable
class AuthStrategy(Protocol):
    """What the transport needs from an authorization scheme."""

    async def authorization(self, session: aiohttp.ClientSession) -> str:
        """Return the full ``Authorization`` header value, e.g. ``"SSWS 00a..."``."""
        ...

    async def request_headers(
        self, session: aiohttp.ClientSession, method: str, url: yarl.URL
    ) -> Mapping[str, str]:
        """The credential headers for one attempt of ``method url`` (called again per retry)."""
        ...

    async def refresh_after_401(self, session: aiohttp.ClientSession, rejected_header: str) -> bool:
        """After a 401 for ``rejected_header``: True if a new credential is ready for one retry."""
        ...

    async def aclose(self) -> None:
        """Release anything the strategy holds (pending token requests)."""
        ...


class _StaticAuth:
    """A fixed header value; a 401 cannot be fixed by asking again."""

    _scheme: str = ""

    def __init__(self, token: str) -> None:
        self._header = f"{self._scheme} {token}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token=<redacted>)"

    async def authorization(self, session: aiohttp.ClientSession) -> str:
        return self._header

    async def request_headers(
        self, session: aiohttp.ClientSession, method: str, url: yarl.URL
    ) -> Mapping[str, str]:
        return {"Authorization": self._header}

    async def refresh_after_401(self, session: aiohttp.ClientSession, rejected_header: str) -> bool:
        return False

    async def aclose(self) -> None:
        return None


class SSWSAuth(_StaticAuth):
    """Okta API token: ``Authorization: SSWS <token>``."""

    _scheme = "SSWS"


class BearerAuth(_StaticAuth):
    """A pre-obtained OAuth access token: ``Authorization: Bearer <token>``."""

    _scheme = "Bearer"


@attrs.frozen
class _AccessToken:
    header: str = attrs.field(repr=False)  # "Bearer <access token>" or "DPoP <access token>"
    renew_at: float  # clock time after which a new token is fetched
    ath: str | None = attrs.field(default=None, repr=False)  # DPoP tokens: the proofs' ``ath``


class PrivateKeyAuth:
    """OAuth 2.0 client credentials with a ``private_key_jwt`` client assertion (RS256/ES256).

    ``dpop=True`` binds the tokens to a fresh in-memory EC P-256 key (see the module docstring).
    """

    def __init__(
        self,
        *,
        org_url: str,
        client_id: str,
        scopes: tuple[str, ...],
        private_key: str | SigningKey,
        key_id: str | None = None,
        attempt_timeout: float = 30.0,
        proxy: str | None = None,
        clock: Callable[[], float] = time.time,
        renew_margin: float = RENEW_MARGIN,
        dpop: bool = False,
        max_retries: int = 2,
        max_rate_limit_wait: float = 120.0,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        from okta_async._core.dpop import DPoPKey
        from okta_async._core.keys import SigningKey, load_signing_key

        self.token_url = f"{org_url.rstrip('/')}/oauth2/v1/token"
        self.client_id = client_id
        self.scopes = scopes
        self._key = (
            private_key if isinstance(private_key, SigningKey) else load_signing_key(private_key)
        )
        self.key_id = key_id or self._key.jwk_kid
        self._timeout = aiohttp.ClientTimeout(total=attempt_timeout or None)
        self._max_retries = max_retries
        self._max_rate_limit_wait = max_rate_limit_wait
        self.retry_policy = retry_policy or RetryPolicy()
        self._closed = False
        self._proxy = proxy
        self._clock = clock
        self._renew_margin = renew_margin
        self._cached: _AccessToken | None = None
        self._inflight: asyncio.Task[_AccessToken] | None = None
        self._dpop = DPoPKey(clock=clock) if dpop else None
        self._dpop_nonce: str | None = None  # the token endpoint's latest DPoP-Nonce

    def __repr__(self) -> str:
        return (
            f"PrivateKeyAuth(client_id={self.client_id!r}, scopes={self.scopes!r}, "
            f"algorithm={self._key.algorithm!r}, key_id={self.key_id!r}, "
            f"dpop={self._dpop is not None})"
        )

    @property
    def dpop_key(self) -> DPoPKey | None:
        """The key DPoP proofs are signed with, or None when DPoP is off."""
        return self._dpop

    def client_assertion(self) -> str:
        """A freshly signed client assertion JWT (unique ``jti``, expires within 5 minutes)."""
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + int(ASSERTION_LIFETIME),
            "jti": secrets.token_urlsafe(24),
        }
        from okta_async._core.keys import sign_jwt

        return sign_jwt(self._key, claims, kid=self.key_id)

    async def authorization(self, session: aiohttp.ClientSession) -> str:
        """The ``Authorization`` value; a DPoP token also needs :meth:`request_headers`' proof."""
        return (await self._current(session)).header

    async def request_headers(
        self, session: aiohttp.ClientSession, method: str, url: yarl.URL
    ) -> Mapping[str, str]:
        """``Authorization`` and, for a DPoP-bound token, a new ``DPoP`` proof for this request."""
        token = await self._current(session)
        if token.ath is None or self._dpop is None:
            return {"Authorization": token.header}
        proof = self._dpop.proof(method, url, access_token_hash=token.ath)
        return {"Authorization": token.header, "DPoP": proof}

    async def _current(self, session: aiohttp.ClientSession) -> _AccessToken:
        cached = self._cached
        if cached is not None and self._clock() < cached.renew_at:
            return cached
        return await self._shared_fetch(session)

    async def refresh_after_401(self, session: aiohttp.ClientSession, rejected_header: str) -> bool:
        """Drop the cached token if it is the rejected one, then get (or join) a fresh one.

        Many requests failing with the same stale token cause one token request between them.
        A token-endpoint failure propagates as :class:`TokenRequestError`.
        """
        cached = self._cached
        if cached is not None and cached.header != rejected_header:
            return True  # someone already replaced it; retry with the new token
        self._cached = None
        await self._shared_fetch(session)
        return True

    async def aclose(self) -> None:
        self._closed = True
        task, self._inflight = self._inflight, None
        self._cached = None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _shared_fetch(self, session: aiohttp.ClientSession) -> _AccessToken:
        """Start a token request unless one is running, and wait for it (single flight)."""
        task = self._inflight
        if task is None:
            task = asyncio.create_task(self._fetch(session), name="okta_async token request")
            task.add_done_callback(self._fetched)
            self._inflight = task
        # shield: a caller being cancelled must not cancel the request others are waiting on.
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if self._closed and task.cancelled():
                raise ClientClosedError() from None  # aclose() cancelled the fetch, not the caller
            raise

    def _fetched(self, task: asyncio.Task[_AccessToken]) -> None:
        if self._inflight is task:
            self._inflight = None
        if task.cancelled():
            return
        if task.exception() is None:  # also marks a failure as retrieved if nobody waits
            self._cached = task.result()

    async def _fetch(self, session: aiohttp.ClientSession) -> _AccessToken:
        started = self._clock()
        status, headers, body = await self._post_with_retries(session)
        payload = json_object(body)
        if self._dpop is not None and _asks_for_nonce(status, headers, payload):
            logger.debug("token endpoint asked for a DPoP nonce; repeating the request once")
            started = self._clock()
            status, headers, body = await self._post_with_retries(session)
            payload = json_object(body)
        if status != 200 or payload is None or not isinstance(payload.get("access_token"), str):
            raise self._token_error(status, headers, body, payload)
        access_token: str = payload["access_token"]
        token_type = str(payload.get("token_type", "Bearer"))
        expires_in = _expires_in(payload.get("expires_in"))
        renew_at = started + expires_in - min(self._renew_margin, expires_in / 2)
        if token_type.lower() == "bearer":
            return _AccessToken(header=f"Bearer {access_token}", renew_at=renew_at)
        if token_type.lower() == "dpop" and self._dpop is not None:
            return _AccessToken(
                header=f"DPoP {access_token}",
                renew_at=renew_at,
                ath=_access_token_hash(access_token),
            )
        hint = (
            "enable DPoP (dpop=True) to use it"
            if token_type.lower() == "dpop"
            else "only Bearer and DPoP tokens are supported"
        )
        raise self._token_error(status, headers, body, payload, f"a {token_type!r} token; {hint}")

    async def _post_with_retries(
        self, session: aiohttp.ClientSession
    ) -> tuple[int, Mapping[str, str], bytes]:
        """The token request, retried like any call; this loop owns the token endpoint's waits.

        Repeating it is harmless (each attempt signs a new assertion), so any method rules
        aside, a 429 waits for its reset (raised at once beyond ``max_rate_limit_wait``) and
        5xx answers and connection failures back off, up to ``max_retries`` retries.
        """
        retries = 0
        while True:
            try:
                answer = await self._post_token_request(session)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                decision = self.retry_policy.for_exception(
                    "POST", exc, retries + 1, self._max_retries, safe=True
                )
                if decision is None:
                    raise self._unreachable(exc) from None
            else:
                decision = self._retry_answer(answer[0], answer[1], retries)
                if decision is None:
                    return answer
            retries += 1
            logs.log_retry("POST", TOKEN_PATH, retries, decision.delay, decision.reason)
            await self.retry_policy.sleep(decision.delay)

    def _retry_answer(
        self, status: int, headers: Mapping[str, str], retries: int
    ) -> RetryDecision | None:
        """Whether (and after how long) to repeat the token request after ``status``."""
        if status not in RETRYABLE_STATUSES:
            return None
        policy = self.retry_policy
        wait = policy.rate_limit_wait(headers) if status == 429 else None
        if wait is not None:
            if wait > self._max_rate_limit_wait or retries >= self._max_retries:
                return None
            return RetryDecision(wait, "429 from the token endpoint; waiting for its reset")
        return policy.for_response(
            "POST", status, headers, retries + 1, self._max_retries, safe=True
        )

    def _unreachable(self, exc: BaseException) -> APIConnectionError:
        kind = APITimeoutError if isinstance(exc, asyncio.TimeoutError) else APIConnectionError
        return kind(
            f"could not reach the token endpoint {self.token_url}: {type(exc).__name__}",
            method="POST",
            path=TOKEN_PATH,
        )

    def _token_error(
        self,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        payload: dict[str, Any] | None,
        issued: str | None = None,
    ) -> TokenRequestError:
        """The error for an answer without a usable token, explaining DPoP mistakes."""
        note = f"the token endpoint issued {issued}" if issued else None
        if payload is not None and "access_token" not in payload and status == 200:
            note = "the answer has no access_token"
        error = payload.get("error") if payload is not None else None
        if error in ("invalid_dpop_proof", "use_dpop_nonce") and self._dpop is None:
            note = "the app requires DPoP: set dpop=True / OKTA_CLIENT_DPOP"
        wait = self.retry_policy.rate_limit_wait(headers) if status == 429 else None
        failure = error_from_response(
            status=status,
            method="POST",
            url=self.token_url,
            headers=headers,
            body=body,
            note=note,
            retry_after=wait,
            error_class=TokenRequestError,
        )
        return cast(TokenRequestError, failure)

    async def _post_token_request(
        self, session: aiohttp.ClientSession
    ) -> tuple[int, Mapping[str, str], bytes]:
        """POST one client-credentials request (new assertion and, with DPoP, a new proof).

        A ``DPoP-Nonce`` in the answer replaces the remembered nonce, whatever the status.
        """
        form = {
            "grant_type": "client_credentials",
            "scope": " ".join(self.scopes),
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
        }
        headers = {"Accept": "application/json"}
        if self._dpop is not None:
            headers["DPoP"] = self._dpop.proof("POST", self.token_url, nonce=self._dpop_nonce)
        started = time.perf_counter()
        try:
            async with session.post(
                self.token_url,
                data=form,
                headers=headers,
                timeout=self._timeout,
                proxy=self._proxy,
                allow_redirects=False,
            ) as response:
                status = response.status
                reply_headers = response.headers
                body = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            elapsed = (time.perf_counter() - started) * 1000
            logs.log_request("POST", TOKEN_PATH, None, elapsed, None, 0, type(exc).__name__)
            raise
        elapsed = (time.perf_counter() - started) * 1000
        request_id = reply_headers.get("X-Okta-Request-Id")
        logs.log_request("POST", TOKEN_PATH, status, elapsed, request_id)
        nonce = reply_headers.get("DPoP-Nonce")
        if self._dpop is not None and nonce:
            self._dpop_nonce = nonce
        return status, reply_headers, body


def _asks_for_nonce(
    status: int, headers: Mapping[str, str], payload: dict[str, Any] | None
) -> bool:
    """True for the token endpoint's ``400 use_dpop_nonce`` challenge that names a nonce."""
    return (
        status == 400
        and payload is not None
        and payload.get("error") == "use_dpop_nonce"
        and bool(headers.get("DPoP-Nonce"))
    )


def _expires_in(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 3600.0  # Okta's documented default lifetime for access tokens
    return seconds if seconds > 0 else 0.0


def build_auth(config: OktaConfig) -> AuthStrategy:
    """Return the strategy for ``config.authorization_mode`` (SSWS, Bearer or PrivateKey)."""
    mode = config.authorization_mode
    source = config.sources.get("authorization_mode", "OktaConfig")
    if mode == "PrivateKey":
        if not config.client_id or not config.private_key or not config.scopes:
            raise ConfigError(
                "authorization_mode", source, "PrivateKey needs client_id, scopes and private_key"
            )
        return PrivateKeyAuth(
            org_url=config.org_url,
            client_id=config.client_id,
            scopes=config.scopes,
            private_key=config.private_key,
            key_id=config.key_id,
            attempt_timeout=config.attempt_timeout,
            max_retries=config.max_retries,
            max_rate_limit_wait=config.max_rate_limit_wait,
            proxy=org_proxy(config.proxy, config.org_url, trust_env=config.trust_env),
            dpop=config.dpop,
        )
    if config.dpop:
        raise ConfigError(
            "dpop", config.sources.get("dpop", "OktaConfig"), f"DPoP needs PrivateKey, not {mode}"
        )
    if mode not in ("SSWS", "Bearer"):
        raise ConfigError(
            "authorization_mode", source, f"{mode!r} is not SSWS, Bearer or PrivateKey"
        )
    if not config.token:
        raise ConfigError("token", config.sources.get("token", "none"), f"{mode} needs a token")
    return BearerAuth(config.token) if mode == "Bearer" else SSWSAuth(config.token)


def _access_token_hash(access_token: str) -> str:
    """The DPoP ``ath`` claim for ``access_token`` (imported lazily with the DPoP module)."""
    from okta_async._core.dpop import access_token_hash

    return access_token_hash(access_token)

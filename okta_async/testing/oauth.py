"""A fake ``POST /oauth2/v1/token`` for the client-credentials + private_key_jwt flow.

Any non-empty ``client_assertion`` is accepted (the signature is not verified); the issued
access token is then valid as ``Authorization: Bearer <token>`` on the Management API. Errors
use the OAuth 2.0 error body (``error``, ``error_description``), not Okta's E-codes.

When the org requires DPoP (``okta_async.testing.dpop``), the request also needs a valid DPoP
proof carrying the current nonce, and the token issued is a ``DPoP`` token bound to its key.
"""

from __future__ import annotations

import time

from aiohttp import web

from okta_async.testing._util import json_response
from okta_async.testing.dpop import DPOP, BoundToken, NonceRequired, ProofError
from okta_async.testing.state import STATE

TOKEN_LIFETIME = 3600
BEARER_TOKENS: web.AppKey[dict[str, float]] = web.AppKey("fake_okta_bearer", dict)


def _oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> web.Response:
    response = json_response({"error": error, "error_description": description}, status)
    response.headers.update(headers or {})
    return response


async def token(request: web.Request) -> web.Response:
    form = await request.post()
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", "The authorization grant type is not supported."
        )
    assertion_type = form.get("client_assertion_type")
    assertion = form.get("client_assertion")
    if (
        assertion_type != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        or not isinstance(assertion, str)
        or assertion.count(".") != 2
    ):
        return _oauth_error(401, "invalid_client", "Client authentication failed.")
    scope = str(form.get("scope") or "okta.users.read")
    dpop = request.app[DPOP]
    if dpop.required:
        return _dpop_token(request, scope)
    access = "fake." + request.app[STATE].ids.token(40)
    request.app[BEARER_TOKENS][access] = time.time() + TOKEN_LIFETIME
    return json_response(
        {
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "access_token": access,
            "scope": scope,
        }
    )


def _dpop_token(request: web.Request, scope: str) -> web.Response:
    """Issue a DPoP-bound token for a valid proof; challenge for the nonce first."""
    dpop = request.app[DPOP]
    nonce = {"DPoP-Nonce": dpop.nonce}
    try:
        jkt = dpop.verify(request.headers.get("DPoP"), "POST", request.url, require_nonce=True)
    except NonceRequired as exc:
        return _oauth_error(400, "use_dpop_nonce", exc.description, nonce)
    except ProofError as exc:
        return _oauth_error(400, "invalid_dpop_proof", exc.description)
    access = "fake-dpop." + request.app[STATE].ids.token(40)
    dpop.tokens[access] = BoundToken(time.time() + TOKEN_LIFETIME, jkt)
    body = {
        "token_type": "DPoP",
        "expires_in": TOKEN_LIFETIME,
        "access_token": access,
        "scope": scope,
    }
    response = json_response(body)
    response.headers.update(nonce)
    return response


def routes() -> list[web.RouteDef]:
    return [web.post("/oauth2/v1/token", token)]

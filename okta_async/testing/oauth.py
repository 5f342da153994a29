"""A fake ``POST /oauth2/v1/token`` for the client-credentials + private_key_jwt flow.

Any non-empty ``client_assertion`` is accepted (the signature is not verified); the issued
access token is then valid as ``Authorization: Bearer <token>`` on the Management API. Errors
use the OAuth 2.0 error body (``error``, ``error_description``), not Okta's E-codes.
"""

from __future__ import annotations

import time

from aiohttp import web

from okta_async.testing._util import json_response
from okta_async.testing.state import STATE

TOKEN_LIFETIME = 3600
BEARER_TOKENS: web.AppKey[dict[str, float]] = web.AppKey("fake_okta_bearer", dict)


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return json_response({"error": error, "error_description": description}, status)


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


def routes() -> list[web.RouteDef]:
    return [web.post("/oauth2/v1/token", token)]

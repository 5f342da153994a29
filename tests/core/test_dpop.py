"""DPoP (RFC 9449): proofs, the token endpoint's nonce challenge, per-request proofs, secrecy.

Proofs are checked here with an independent verifier (the public key is rebuilt from the proof's
own ``jwk`` header), against local aiohttp servers on 127.0.0.1; no wall clock is asserted.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
import yarl
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from keyfactory import new_ec, pem

from okta_async._core.auth import (
    BearerAuth,
    PrivateKeyAuth,
    SSWSAuth,
    TokenRequestError,
    build_auth,
)
from okta_async._core.config import OktaConfig, load_config
from okta_async._core.dpop import DPoPKey, access_token_hash, proof_target
from okta_async._core.errors import ConfigError
from okta_async._core.operation import Operation
from okta_async._core.transport import credential_headers
from tests.core.transport_support import StaticAuth, open_transport

CLIENT_KEY = pem(new_ec())
NOW = 1_800_000_000.0
LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_proof(proof: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a proof's ES256 signature with the key in its own header; return (header, claims)."""
    head, body, signature = proof.split(".")
    header = orjson.loads(_unb64(head))
    jwk = header["jwk"]
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_unb64(jwk["x"]), "big"),
        int.from_bytes(_unb64(jwk["y"]), "big"),
        ec.SECP256R1(),
    ).public_key()
    raw = _unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    return header, orjson.loads(_unb64(body))


# --- the proof -----------------------------------------------------------------------------------


def test_proof_header_is_dpop_jwt_es256_with_only_the_public_jwk() -> None:
    header, _ = verify_proof(DPoPKey().proof("GET", "https://acme.okta.com/api/v1/users"))
    assert (header["typ"], header["alg"]) == ("dpop+jwt", "ES256")
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}  # no private "d"
    assert (header["jwk"]["kty"], header["jwk"]["crv"]) == ("EC", "P-256")


def test_proof_claims_name_method_url_time_and_a_unique_id() -> None:
    key = DPoPKey(clock=lambda: NOW)
    _, claims = verify_proof(key.proof("post", "https://acme.okta.com/oauth2/v1/token"))
    assert claims["htm"] == "POST"
    assert claims["htu"] == "https://acme.okta.com/oauth2/v1/token"
    assert claims["iat"] == int(NOW)
    assert isinstance(claims["jti"], str) and len(claims["jti"]) >= 22
    assert "nonce" not in claims and "ath" not in claims


def test_proof_htu_leaves_out_query_and_fragment() -> None:
    url = yarl.URL("https://acme.okta.com/api/v1/users?limit=2&search=x#frag")
    _, claims = verify_proof(DPoPKey().proof("GET", url))
    assert claims["htu"] == "https://acme.okta.com/api/v1/users"
    assert proof_target("https://acme.okta.com/a?b=c") == "https://acme.okta.com/a"


def test_every_proof_has_a_new_jti() -> None:
    key = DPoPKey()
    jtis = {verify_proof(key.proof("GET", "https://a.example/x"))[1]["jti"] for _ in range(100)}
    assert len(jtis) == 100


def test_proof_carries_nonce_and_ath_when_given() -> None:
    proof = DPoPKey().proof("GET", "https://a.example/", nonce="n-1", access_token_hash="h")
    _, claims = verify_proof(proof)
    assert (claims["nonce"], claims["ath"]) == ("n-1", "h")


def test_ath_is_the_base64url_sha256_of_the_access_token() -> None:
    # The example token and hash from RFC 9449, section 7.1.
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    assert access_token_hash(token) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"


def test_thumbprint_is_the_rfc7638_hash_of_the_public_jwk() -> None:
    key = DPoPKey()
    jwk = key.public_jwk
    canonical = '{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}'.format(jwk["x"], jwk["y"])
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=")
    assert key.thumbprint == expected.decode()


def test_each_key_is_fresh() -> None:
    assert DPoPKey().public_jwk != DPoPKey().public_jwk


# --- a token endpoint and API that speak DPoP ----------------------------------------------------

Answer = Callable[["DPoPServer", web.Request], web.Response]


def nonce_challenge(nonce: str) -> Answer:
    def answer(server: DPoPServer, request: web.Request) -> web.Response:
        body = {"error": "use_dpop_nonce", "error_description": "Nonce required."}
        return web.json_response(body, status=400, headers={"DPoP-Nonce": nonce})

    return answer


def issue(token_type: str = "DPoP", nonce: str | None = None) -> Answer:
    def answer(server: DPoPServer, request: web.Request) -> web.Response:
        body = {
            "access_token": f"ACCESS-TOKEN-{len(server.token_proofs)}-SECRET",
            "token_type": token_type,
            "expires_in": 3600,
        }
        return web.json_response(body, headers={"DPoP-Nonce": nonce} if nonce else None)

    return answer


class DPoPServer:
    """Answers token requests from a script and API calls with a list of statuses."""

    def __init__(self) -> None:
        self.url = ""
        self.token_answers: list[Answer] = []
        self.token_proofs: list[str | None] = []
        self.assertions: list[str] = []
        self.api_statuses: list[int] = []
        self.api_headers: list[dict[str, str]] = []

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.assertions.append(str(form["client_assertion"]))
        self.token_proofs.append(request.headers.get("DPoP"))
        answer = self.token_answers.pop(0) if self.token_answers else issue()
        return answer(self, request)

    async def users(self, request: web.Request) -> web.Response:
        self.api_headers.append(dict(request.headers))
        status = self.api_statuses.pop(0) if self.api_statuses else 200
        return web.json_response([], status=status)


@pytest.fixture
async def server() -> AsyncIterator[DPoPServer]:
    state = DPoPServer()
    app = web.Application()
    app.router.add_post("/oauth2/v1/token", state.token)
    app.router.add_get("/api/v1/users", state.users)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    state.url = str(test_server.make_url("")).rstrip("/")
    try:
        yield state
    finally:
        await test_server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def dpop_auth(server: DPoPServer, *, dpop: bool = True) -> PrivateKeyAuth:
    return PrivateKeyAuth(
        org_url=server.url,
        client_id="0oaCLIENT",
        scopes=("okta.users.read",),
        private_key=CLIENT_KEY,
        dpop=dpop,
    )


def claims_of(proof: str | None) -> dict[str, Any]:
    assert proof is not None
    return verify_proof(proof)[1]


# --- token requests ------------------------------------------------------------------------------


async def test_token_request_carries_a_proof_for_the_token_endpoint(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    auth = dpop_auth(server)
    assert await auth.authorization(session) == "DPoP ACCESS-TOKEN-1-SECRET"
    (proof,) = server.token_proofs
    claims = claims_of(proof)
    assert (claims["htm"], claims["htu"]) == ("POST", f"{server.url}/oauth2/v1/token")
    assert "ath" not in claims and "nonce" not in claims


async def test_use_dpop_nonce_is_answered_by_one_retry_with_the_nonce(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    server.token_answers = [nonce_challenge("nonce-1"), issue()]
    auth = dpop_auth(server)
    assert await auth.authorization(session) == "DPoP ACCESS-TOKEN-2-SECRET"
    first, second = (claims_of(proof) for proof in server.token_proofs)
    assert "nonce" not in first
    assert second["nonce"] == "nonce-1"
    assert first["jti"] != second["jti"]
    assert server.assertions[0] != server.assertions[1]  # a new client assertion too


async def test_the_nonce_is_remembered_for_the_next_token_request(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    server.token_answers = [nonce_challenge("nonce-1"), issue(), issue()]
    auth = dpop_auth(server)
    rejected = await auth.authorization(session)
    assert await auth.refresh_after_401(session, rejected)
    assert len(server.token_proofs) == 3  # no second challenge
    assert claims_of(server.token_proofs[2])["nonce"] == "nonce-1"


async def test_a_new_nonce_from_the_server_replaces_the_remembered_one(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    server.token_answers = [
        nonce_challenge("nonce-1"),
        issue(nonce="nonce-2"),  # a success may hand out the next nonce
        nonce_challenge("nonce-3"),  # and the server may rotate it again
        issue(),
    ]
    auth = dpop_auth(server)
    await auth.refresh_after_401(session, await auth.authorization(session))
    nonces = [claims_of(proof).get("nonce") for proof in server.token_proofs]
    assert nonces == [None, "nonce-1", "nonce-2", "nonce-3"]


async def test_a_second_nonce_challenge_in_a_row_is_raised(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    server.token_answers = [nonce_challenge("nonce-1"), nonce_challenge("nonce-2")]
    with pytest.raises(TokenRequestError) as caught:
        await dpop_auth(server).authorization(session)
    assert (caught.value.status, caught.value.error) == (400, "use_dpop_nonce")
    assert len(server.token_proofs) == 2


async def test_a_client_without_dpop_sends_no_proof_and_learns_the_app_needs_it(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    def missing(server: DPoPServer, request: web.Request) -> web.Response:
        body = {"error": "invalid_dpop_proof", "error_description": "The DPoP proof is missing."}
        return web.json_response(body, status=400)

    server.token_answers = [missing]
    with pytest.raises(TokenRequestError, match="set dpop=True") as caught:
        await dpop_auth(server, dpop=False).authorization(session)
    assert caught.value.error == "invalid_dpop_proof"
    assert server.token_proofs == [None]


async def test_a_bearer_token_issued_to_a_dpop_client_is_sent_without_proofs(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    server.token_answers = [issue(token_type="Bearer")]
    auth = dpop_auth(server)
    headers = await auth.request_headers(session, "GET", yarl.URL(f"{server.url}/api/v1/users"))
    assert headers == {"Authorization": "Bearer ACCESS-TOKEN-1-SECRET"}


# --- API requests --------------------------------------------------------------------------------


async def test_api_request_headers_carry_the_dpop_token_and_a_bound_proof(
    server: DPoPServer, session: aiohttp.ClientSession
) -> None:
    auth = dpop_auth(server)
    url = yarl.URL(f"{server.url}/api/v1/users?limit=5")
    first = await auth.request_headers(session, "GET", url)
    second = await auth.request_headers(session, "GET", url)
    assert first["Authorization"] == second["Authorization"] == "DPoP ACCESS-TOKEN-1-SECRET"
    one, two = claims_of(first["DPoP"]), claims_of(second["DPoP"])
    assert one["jti"] != two["jti"]
    assert one["ath"] == access_token_hash("ACCESS-TOKEN-1-SECRET")
    assert (one["htm"], one["htu"]) == ("GET", f"{server.url}/api/v1/users")
    key = auth.dpop_key
    assert key is not None
    assert verify_proof(first["DPoP"])[0]["jwk"] == key.public_jwk  # the token's key signs


async def test_every_attempt_of_a_retried_request_gets_its_own_proof(server: DPoPServer) -> None:
    server.api_statuses = [503, 200]
    auth = dpop_auth(server)
    async with open_transport(auth=auth, org_url=server.url, max_retries=2) as transport:
        response = await transport.request(LIST_USERS, query={"limit": "5"})
    assert response.status == 200
    first, second = server.api_headers
    assert first["Authorization"] == second["Authorization"] == "DPoP ACCESS-TOKEN-1-SECRET"
    claims = [claims_of(headers["DPoP"]) for headers in server.api_headers]
    assert claims[0]["jti"] != claims[1]["jti"]
    for each in claims:
        assert (each["htm"], each["htu"]) == ("GET", f"{server.url}/api/v1/users")
        assert each["ath"] == access_token_hash("ACCESS-TOKEN-1-SECRET")
    assert len(server.token_proofs) == 1


async def test_a_401_fetches_a_new_dpop_token_and_retries_with_a_new_proof(
    server: DPoPServer,
) -> None:
    server.api_statuses = [401, 200]
    async with open_transport(auth=dpop_auth(server), org_url=server.url) as transport:
        await transport.request(LIST_USERS)
    first, second = server.api_headers
    assert first["Authorization"] == "DPoP ACCESS-TOKEN-1-SECRET"
    assert second["Authorization"] == "DPoP ACCESS-TOKEN-2-SECRET"
    assert claims_of(second["DPoP"])["ath"] == access_token_hash("ACCESS-TOKEN-2-SECRET")


async def test_static_strategies_and_authorization_only_strategies_send_just_authorization(
    session: aiohttp.ClientSession,
) -> None:
    url = yarl.URL("https://acme.okta.com/api/v1/users")
    ssws = await credential_headers(SSWSAuth("t"), session, "GET", url)
    bearer = await credential_headers(BearerAuth("t"), session, "GET", url)
    legacy = await credential_headers(StaticAuth("t"), session, "GET", url)  # no request_headers
    assert (ssws, bearer, legacy) == (
        {"Authorization": "SSWS t"},
        {"Authorization": "Bearer t"},
        {"Authorization": "SSWS t"},
    )


# --- secrecy -------------------------------------------------------------------------------------


async def test_tokens_keys_and_proofs_stay_out_of_logs_reprs_and_errors(
    server: DPoPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.token_answers = [nonce_challenge("nonce-1"), issue()]
    server.api_statuses = [503, 200]
    auth = dpop_auth(server)
    async with open_transport(auth=auth, org_url=server.url, max_retries=2) as transport:
        await transport.request(LIST_USERS)
        server.token_answers = [nonce_challenge("nonce-2"), nonce_challenge("nonce-3")]
        with pytest.raises(TokenRequestError) as caught:
            await auth.refresh_after_401(transport.session(), "DPoP ACCESS-TOKEN-2-SECRET")
    key = auth.dpop_key
    assert key is not None
    private = key._signer.key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    d = base64.urlsafe_b64encode(private.private_numbers().private_value.to_bytes(32, "big"))
    secrets = [
        "ACCESS-TOKEN-",
        d.rstrip(b"=").decode(),
        *(proof for proof in server.token_proofs if proof),
        *(headers["DPoP"] for headers in server.api_headers),
        *server.assertions,
    ]
    visible = "".join([caplog.text, repr(auth), repr(key), str(caught.value), repr(caught.value)])
    assert "/oauth2/v1/token" in caplog.text and "DPoP nonce" in caplog.text
    for secret in secrets:
        assert secret not in visible


# --- configuration -------------------------------------------------------------------------------


def _load(tmp_path: Path, env: dict[str, str], **arguments: Any) -> OktaConfig:
    (tmp_path / "home").mkdir(exist_ok=True)
    return load_config(env=env, cwd=tmp_path, home=tmp_path / "home", **arguments)


PRIVATE_KEY_MODE = {
    "org_url": "https://acme.okta.com",
    "authorization_mode": "PrivateKey",
    "client_id": "0oaCLIENT",
    "scopes": ["okta.users.read"],
    "private_key": CLIENT_KEY,
}


def test_dpop_is_off_by_default(tmp_path: Path) -> None:
    config = _load(tmp_path, {}, **PRIVATE_KEY_MODE)
    assert config.dpop is False
    assert config.sources["dpop"] == "default"


@pytest.mark.parametrize(
    ("env", "yaml_value", "arguments", "expected", "source"),
    [
        ({"OKTA_CLIENT_DPOP": "true"}, None, {}, True, "env OKTA_CLIENT_DPOP"),
        ({}, True, {}, True, "./okta.yaml okta.client.dpop"),
        ({"OKTA_CLIENT_DPOP": "false"}, True, {}, False, "env OKTA_CLIENT_DPOP"),
        ({"OKTA_CLIENT_DPOP": "true"}, None, {"dpop": False}, False, "argument"),
        ({"OKTA_CLIENT_DPOPENABLED": "1"}, None, {}, True, "env OKTA_CLIENT_DPOPENABLED"),
    ],
)
def test_dpop_setting_follows_the_usual_precedence(
    tmp_path: Path,
    env: dict[str, str],
    yaml_value: bool | None,
    arguments: dict[str, Any],
    expected: bool,
    source: str,
) -> None:
    if yaml_value is not None:
        (tmp_path / "okta.yaml").write_text(f"okta:\n  client:\n    dpop: {yaml_value!s}\n")
    config = _load(tmp_path, env, **PRIVATE_KEY_MODE, **arguments)
    assert (config.dpop, config.sources["dpop"]) == (expected, source)
    auth = build_auth(config)
    assert isinstance(auth, PrivateKeyAuth)
    assert (auth.dpop_key is not None) is expected


def test_dpop_enabled_yaml_spelling_of_the_official_sdk_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "okta.yaml").write_text("okta:\n  client:\n    dpopEnabled: true\n")
    config = _load(tmp_path, {}, **PRIVATE_KEY_MODE)
    assert (config.dpop, config.sources["dpop"]) == (True, "./okta.yaml okta.client.dpopEnabled")


def test_dpop_outside_private_key_mode_names_the_setting_and_its_source(tmp_path: Path) -> None:
    env = {"OKTA_CLIENT_DPOP": "yes", "OKTA_CLIENT_TOKEN": "00SECRET"}
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, env, org_url="https://acme.okta.com")
    error = caught.value
    assert (error.setting, error.source) == ("dpop", "env OKTA_CLIENT_DPOP")
    assert "PrivateKey" in str(error) and "SSWS" in str(error)
    assert "00SECRET" not in str(error)


def test_dpop_value_that_is_not_a_boolean_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not true or false") as caught:
        _load(tmp_path, {"OKTA_CLIENT_DPOP": "maybe"}, **PRIVATE_KEY_MODE)
    assert caught.value.setting == "dpop"


def test_build_auth_refuses_dpop_with_a_static_token() -> None:
    config = OktaConfig(org_url="https://acme.okta.com", token="t", dpop=True)
    with pytest.raises(ConfigError) as caught:
        build_auth(config)
    assert caught.value.setting == "dpop"

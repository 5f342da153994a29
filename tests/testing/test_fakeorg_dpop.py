"""The fake org's opt-in DPoP mode, driven with hand-made proofs and plain aiohttp (no SDK)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from okta_async.testing import FakeOrg

FORM = {
    "grant_type": "client_credentials",
    "scope": "okta.users.read okta.users.manage",
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    "client_assertion": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJl",
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Prover:
    """A client-side DPoP key that writes proofs straight from RFC 9449."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        numbers = self.key.public_key().public_numbers()
        self.jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64(numbers.x.to_bytes(32, "big")),
            "y": b64(numbers.y.to_bytes(32, "big")),
        }

    def proof(
        self,
        method: str,
        url: str,
        *,
        nonce: str | None = None,
        token: str | None = None,
        header: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        jose = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk, **(header or {})}
        body: dict[str, Any] = {
            "htm": method,
            "htu": url,
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
        }
        if nonce is not None:
            body["nonce"] = nonce
        if token is not None:
            body["ath"] = b64(hashlib.sha256(token.encode()).digest())
        body.update(claims)
        signing_input = f"{b64(orjson.dumps(jose))}.{b64(orjson.dumps(body))}"
        r, s = decode_dss_signature(
            self.key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        )
        return f"{signing_input}.{b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


class Client:
    def __init__(self, org: FakeOrg, session: aiohttp.ClientSession) -> None:
        self.org = org
        self.session = session
        self.prover = Prover()

    @property
    def token_url(self) -> str:
        return f"{self.org.url}/oauth2/v1/token"

    async def token_request(self, proof: str | None) -> tuple[int, dict[str, str], Any]:
        headers = {"DPoP": proof} if proof is not None else {}
        async with self.session.post(self.token_url, data=FORM, headers=headers) as response:
            return response.status, dict(response.headers), await response.json()

    async def dpop_token(self) -> str:
        status, headers, _ = await self.token_request(self.prover.proof("POST", self.token_url))
        assert status == 400
        nonce = headers["DPoP-Nonce"]
        proof = self.prover.proof("POST", self.token_url, nonce=nonce)
        status, _, body = await self.token_request(proof)
        assert status == 200, body
        return str(body["access_token"])

    async def get(
        self, path: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], dict[str, Any] | list[Any]]:
        async with self.session.get(f"{self.org.url}{path}", headers=headers) as response:
            return response.status, dict(response.headers), await response.json()


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with FakeOrg(users=3, dpop=True) as org, aiohttp.ClientSession() as session:
        yield Client(org, session)


async def test_first_token_request_gets_the_use_dpop_nonce_challenge(client: Client) -> None:
    status, headers, body = await client.token_request(
        client.prover.proof("POST", client.token_url)
    )
    assert status == 400
    assert body["error"] == "use_dpop_nonce" and body["error_description"]
    assert headers["DPoP-Nonce"]


async def test_token_request_without_a_proof_is_invalid_dpop_proof(client: Client) -> None:
    status, _, body = await client.token_request(None)
    assert (status, body["error"]) == (400, "invalid_dpop_proof")
    assert "missing" in body["error_description"]


async def test_proof_with_the_nonce_gets_a_dpop_token(client: Client) -> None:
    _, headers, _ = await client.token_request(client.prover.proof("POST", client.token_url))
    proof = client.prover.proof("POST", client.token_url, nonce=headers["DPoP-Nonce"])
    status, answer_headers, body = await client.token_request(proof)
    assert status == 200
    assert body["token_type"] == "DPoP" and body["expires_in"] == 3600
    assert answer_headers["DPoP-Nonce"] == headers["DPoP-Nonce"]


async def test_a_rotated_nonce_is_challenged_again_with_the_new_one(client: Client) -> None:
    _, headers, _ = await client.token_request(client.prover.proof("POST", client.token_url))
    old = headers["DPoP-Nonce"]
    new = client.org.rotate_dpop_nonce()
    proof = client.prover.proof("POST", client.token_url, nonce=old)
    status, headers, body = await client.token_request(proof)
    assert (status, body["error"], headers["DPoP-Nonce"]) == (400, "use_dpop_nonce", new)


async def test_api_call_with_a_dpop_token_and_a_valid_proof_succeeds(client: Client) -> None:
    token = await client.dpop_token()
    proof = client.prover.proof("GET", f"{client.org.url}/api/v1/users", token=token)
    status, _, users = await client.get(
        "/api/v1/users?limit=2", {"Authorization": f"DPoP {token}", "DPoP": proof}
    )
    assert status == 200 and len(users) == 2
    record = client.org.requests[-1]
    assert (record["auth_scheme"], record["dpop_proof"]) == ("DPoP", True)
    assert all(token not in repr(r) and proof not in repr(r) for r in client.org.requests)


def _bad_proofs(client: Client, token: str) -> dict[str, str | None]:
    url = f"{client.org.url}/api/v1/users"
    prover = client.prover
    good = prover.proof("GET", url, token=token)
    head, _, signature = good.split(".")  # keep the signature, swap the claims
    tampered = f"{head}.{b64(orjson.dumps({'htm': 'GET', 'htu': url}))}.{signature}"
    return {
        "missing": None,
        "wrong method": prover.proof("POST", url, token=token),
        "wrong url": prover.proof("GET", f"{client.org.url}/api/v1/groups", token=token),
        "wrong ath": prover.proof("GET", url, token="another-token"),
        "no ath": prover.proof("GET", url),
        "another key": Prover().proof("GET", url, token=token),
        "old iat": prover.proof("GET", url, token=token, iat=int(time.time()) - 3600),
        "wrong typ": prover.proof("GET", url, token=token, header={"typ": "JWT"}),
        "bad signature": tampered,
    }


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("missing", "missing"),
        ("wrong method", "'htm'"),
        ("wrong url", "'htu'"),
        ("wrong ath", "'ath'"),
        ("no ath", "'ath'"),
        ("another key", "not the token's key"),
        ("old iat", "'iat'"),
        ("wrong typ", "'typ'"),
        ("bad signature", "signature"),
    ],
)
async def test_api_call_with_a_bad_proof_is_401_invalid_dpop_proof(
    client: Client, case: str, reason: str
) -> None:
    token = await client.dpop_token()
    proof = _bad_proofs(client, token)[case]
    headers = {"Authorization": f"DPoP {token}"} | ({"DPoP": proof} if proof else {})
    status, response_headers, body = await client.get("/api/v1/users", headers)
    assert status == 401
    assert isinstance(body, dict) and body["errorCode"] == "E0000011"
    challenge = response_headers["WWW-Authenticate"]
    assert challenge.startswith("DPoP ") and 'error="invalid_dpop_proof"' in challenge
    assert reason in challenge


async def test_a_replayed_proof_is_refused(client: Client) -> None:
    token = await client.dpop_token()
    proof = client.prover.proof("GET", f"{client.org.url}/api/v1/users", token=token)
    headers = {"Authorization": f"DPoP {token}", "DPoP": proof}
    assert (await client.get("/api/v1/users", headers))[0] == 200
    status, response_headers, _ = await client.get("/api/v1/users", headers)
    assert status == 401 and "used before" in response_headers["WWW-Authenticate"]


async def test_a_dpop_token_sent_as_bearer_is_refused(client: Client) -> None:
    token = await client.dpop_token()
    status, headers, body = await client.get("/api/v1/users", {"Authorization": f"Bearer {token}"})
    assert status == 401 and isinstance(body, dict) and body["errorCode"] == "E0000011"
    assert 'error="invalid_token"' in headers["WWW-Authenticate"]


async def test_expired_dpop_tokens_are_refused(client: Client) -> None:
    token = await client.dpop_token()
    client.org.expire_bearer_tokens()
    proof = client.prover.proof("GET", f"{client.org.url}/api/v1/users", token=token)
    status, headers, _ = await client.get(
        "/api/v1/users", {"Authorization": f"DPoP {token}", "DPoP": proof}
    )
    assert status == 401 and 'error="invalid_token"' in headers["WWW-Authenticate"]


async def test_dpop_mode_can_be_switched_at_runtime() -> None:
    async with FakeOrg() as org, aiohttp.ClientSession() as session:
        assert org.dpop is False
        org.set_dpop(True)
        client = Client(org, session)
        assert (await client.token_request(None))[0] == 400
        org.set_dpop(False)
        status, _, body = await client.token_request(None)
        assert (status, body["token_type"]) == (200, "Bearer")


def test_the_fake_org_loads_no_sdk_module_beyond_the_package_root() -> None:
    code = (
        "import sys, okta_async\n"
        "before = set(sys.modules)\n"
        "import okta_async.testing.server, okta_async.testing.dpop\n"
        "print(sorted(m for m in set(sys.modules) - before\n"
        "      if m.startswith('okta_async') and not m.startswith('okta_async.testing')))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"

"""DPoP (RFC 9449) for the fake org: proof checks, the token endpoint's nonce, bound tokens.

Opt-in with ``FakeOrg(dpop=True)`` or ``org.set_dpop(True)``; it then behaves like an org whose
service app requires DPoP:

- ``POST /oauth2/v1/token`` needs a ``DPoP`` proof header. Without the current nonce in it the
  answer is ``400 use_dpop_nonce`` with a ``DPoP-Nonce`` header; a valid proof gets a
  ``token_type: DPoP`` access token bound to the proof key's JWK thumbprint (``jkt``).
- Management API calls must send ``Authorization: DPoP <token>`` with a proof for that method
  and URL, signed by the bound key, whose ``ath`` hashes the token. ``Bearer`` is refused.

A proof is checked for: ``typ`` ``dpop+jwt``, ``alg`` ES256 (the only algorithm the fake
accepts), a public EC P-256 ``jwk``, a valid signature, ``htm``, ``htu`` (URL without query),
``iat`` within :data:`IAT_WINDOW` seconds of now, a ``jti`` not seen before and, where needed,
``nonce`` and ``ath``. Written from the RFC with ``cryptography`` alone and never with the SDK's
own DPoP code, so that each checks the other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from yarl import URL

#: How far a proof's ``iat`` may be from the fake org's clock, in seconds, either way.
IAT_WINDOW = 300.0


class ProofError(Exception):
    """A proof was missing or invalid; ``description`` is the OAuth ``error_description``."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class NonceRequired(ProofError):
    """A valid proof without the server's current nonce (token endpoint only)."""


@dataclass
class BoundToken:
    """A DPoP access token: when it expires and the thumbprint of the key it is bound to."""

    expires: float
    jkt: str


def _b64decode(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a string")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def access_token_hash(token: str) -> str:
    """``ath``: base64url(SHA-256(access token))."""
    return _b64encode(hashlib.sha256(token.encode("ascii")).digest())


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an EC public JWK: SHA-256 of its required members, sorted."""
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    return _b64encode(hashlib.sha256(orjson.dumps(members, option=orjson.OPT_SORT_KEYS)).digest())


def _public_key(jwk: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ProofError("The DPoP proof 'jwk' must be an EC P-256 public key.")
    if "d" in jwk:
        raise ProofError("The DPoP proof 'jwk' must not contain a private key.")
    try:
        x = int.from_bytes(_b64decode(jwk.get("x")), "big")
        y = int.from_bytes(_b64decode(jwk.get("y")), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (ValueError, binascii.Error):
        raise ProofError("The DPoP proof 'jwk' is not a valid P-256 public key.") from None


def _decode(proof: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS into header, claims, signing input and signature."""
    parts = proof.split(".")
    if len(parts) != 3:
        raise ProofError("The DPoP proof is not a compact JWT.")
    try:
        header = orjson.loads(_b64decode(parts[0]))
        claims = orjson.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, binascii.Error):
        raise ProofError("The DPoP proof is not a well-formed JWT.") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ProofError("The DPoP proof is not a well-formed JWT.")
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _check_signature(key: ec.EllipticCurvePublicKey, signing_input: bytes, raw: bytes) -> None:
    if len(raw) != 64:
        raise ProofError("The DPoP proof signature is invalid.")
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ProofError("The DPoP proof signature is invalid.") from None


@dataclass
class DPoPState:
    """The org's DPoP switch, its current nonce, the ``jti`` values seen and the bound tokens."""

    seed: int = 0
    required: bool = False
    tokens: dict[str, BoundToken] = field(default_factory=dict)
    seen_jtis: set[str] = field(default_factory=set)
    nonce: str = ""

    def __post_init__(self) -> None:
        self._rng = random.Random(f"dpop:{self.seed}")
        self.rotate_nonce()

    def rotate_nonce(self) -> str:
        """Issue a new nonce; proofs carrying the old one get a ``use_dpop_nonce`` answer."""
        self.nonce = _b64encode(self._rng.randbytes(16))
        return self.nonce

    def verify(
        self,
        proof: str | None,
        method: str,
        url: URL,
        *,
        access_token: str | None = None,
        require_nonce: bool = False,
    ) -> str:
        """Check ``proof`` for a request; return its key's thumbprint or raise ProofError."""
        if not proof:
            raise ProofError("The DPoP proof JWT header is missing.")
        header, claims, signing_input, signature = _decode(proof)
        if header.get("typ") != "dpop+jwt":
            raise ProofError("The DPoP proof 'typ' must be 'dpop+jwt'.")
        if header.get("alg") != "ES256":
            raise ProofError("The DPoP proof 'alg' is not supported (the fake org takes ES256).")
        jwk = header.get("jwk")
        if not isinstance(jwk, dict):
            raise ProofError("The DPoP proof header has no 'jwk'.")
        _check_signature(_public_key(jwk), signing_input, signature)
        if claims.get("htm") != method:
            raise ProofError("The DPoP proof 'htm' does not match the request method.")
        htu = claims.get("htu")
        if not isinstance(htu, str) or URL(htu) != url.with_query(None).with_fragment(None):
            raise ProofError("The DPoP proof 'htu' does not match the request URL.")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or abs(time.time() - iat) > IAT_WINDOW:
            raise ProofError("The DPoP proof 'iat' is missing or outside the allowed window.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise ProofError("The DPoP proof 'jti' is missing.")
        if jti in self.seen_jtis:
            raise ProofError("The DPoP proof 'jti' has been used before.")
        if access_token is not None and claims.get("ath") != access_token_hash(access_token):
            raise ProofError("The DPoP proof 'ath' does not match the access token.")
        if require_nonce and claims.get("nonce") != self.nonce:
            raise NonceRequired("Authorization server requires nonce in DPoP proof.")
        self.seen_jtis.add(jti)
        return jwk_thumbprint(jwk)


DPOP: web.AppKey[DPoPState] = web.AppKey("fake_okta_dpop", DPoPState)

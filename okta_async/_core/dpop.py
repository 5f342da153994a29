"""DPoP (OAuth 2.0 Demonstrating Proof of Possession, RFC 9449) proofs.

An Okta service app may require DPoP: its access tokens are then bound to a key pair the client
holds, and every request that uses such a token must carry a fresh proof (a ``dpop+jwt`` signed
with that key) for exactly that method and URL. A stolen token is useless without the key.

:class:`DPoPKey` is the client's key pair: EC P-256 (ES256), generated in memory per client and
never written, logged or shown in a ``repr``. Its :meth:`DPoPKey.proof` builds the proof JWT.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any, Final

import orjson
import yarl
from cryptography.hazmat.primitives.asymmetric import ec

from okta_async._core.keys import SigningKey, b64url, sign_jwt

__all__ = ["PROOF_TYPE", "DPoPKey", "access_token_hash", "proof_target"]

#: The JOSE ``typ`` of a DPoP proof.
PROOF_TYPE: Final = "dpop+jwt"


def access_token_hash(access_token: str) -> str:
    """The ``ath`` claim: base64url of the SHA-256 of the access token's ASCII bytes."""
    return b64url(hashlib.sha256(access_token.encode("ascii")).digest())


def proof_target(url: str | yarl.URL) -> str:
    """The ``htu`` claim: the request URL without query and fragment."""
    target = url if isinstance(url, yarl.URL) else yarl.URL(url)
    return str(target.with_query(None).with_fragment(None))


class DPoPKey:
    """A fresh EC P-256 key pair that signs DPoP proofs (one per client, held only in memory)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        private = ec.generate_private_key(ec.SECP256R1())
        self._signer = SigningKey("ES256", private)
        numbers = private.public_key().public_numbers()
        #: The public half as a JWK (RFC 7517); it travels in every proof's header.
        self.public_jwk: dict[str, str] = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }
        self._clock = clock

    def __repr__(self) -> str:
        return f"DPoPKey(ES256, jkt={self.thumbprint!r})"

    @property
    def thumbprint(self) -> str:
        """The RFC 7638 JWK thumbprint (``jkt``) the server binds tokens to; not a secret."""
        members = {name: self.public_jwk[name] for name in ("crv", "kty", "x", "y")}
        canonical = orjson.dumps(members, option=orjson.OPT_SORT_KEYS)
        return b64url(hashlib.sha256(canonical).digest())

    def proof(
        self,
        method: str,
        url: str | yarl.URL,
        *,
        nonce: str | None = None,
        access_token_hash: str | None = None,
    ) -> str:
        """A signed proof for one request: ``htm``, ``htu``, ``iat``, a unique ``jti``.

        ``nonce`` is the server's latest ``DPoP-Nonce``; ``access_token_hash`` (``ath``) is
        given when the request carries a DPoP-bound access token.
        """
        claims: dict[str, Any] = {
            "htm": method.upper(),
            "htu": proof_target(url),
            "iat": int(self._clock()),
            "jti": secrets.token_urlsafe(24),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token_hash is not None:
            claims["ath"] = access_token_hash
        return sign_jwt(self._signer, claims, header={"typ": PROOF_TYPE, "jwk": self.public_jwk})

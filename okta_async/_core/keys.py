"""Signing keys and compact JWTs for the ``private_key_jwt`` client assertion.

Keys come as PEM text or JWK JSON text; RSA keys sign with RS256 and EC P-256 keys with ES256.
The JWT is assembled by hand (base64url header and payload, raw ``r||s`` for ES256) so that no
JOSE library is needed. Error messages describe the problem and never echo key material.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import orjson
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

Algorithm = Literal["RS256", "ES256"]

#: Okta rejects RSA keys shorter than this for client assertions.
MIN_RSA_BITS = 2048


class InvalidKeyError(ValueError):
    """The key text could not be turned into a usable signing key (message holds no key data)."""


@attrs.frozen
class SigningKey:
    """A private key ready to sign, with its JWS algorithm and the JWK ``kid`` if it had one."""

    algorithm: Algorithm
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = attrs.field(repr=False)
    jwk_kid: str | None = None


def load_signing_key(text: str) -> SigningKey:
    """Parse PEM or JWK JSON text into a :class:`SigningKey`, or raise ``InvalidKeyError``."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return _from_jwk(stripped)
    if stripped.startswith("-----BEGIN"):
        return _from_pem(stripped)
    raise InvalidKeyError("not a PEM block or a JWK JSON object")


def _from_pem(text: str) -> SigningKey:
    # Keys pasted into a single-line environment variable often carry literal "\n".
    if "\n" not in text and "\\n" in text:
        text = text.replace("\\n", "\n")
    if "PUBLIC KEY-----" in text and "PRIVATE KEY-----" not in text:
        raise InvalidKeyError("this is a public key; a private key is needed to sign")
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except TypeError:
        raise InvalidKeyError("encrypted private keys are not supported; decrypt first") from None
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidKeyError("the PEM block is not a readable private key") from None
    return _checked(key, None)


def _from_jwk(text: str) -> SigningKey:
    try:
        jwk = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidKeyError("the JWK is not valid JSON") from None
    if isinstance(jwk, dict) and isinstance(jwk.get("keys"), list):
        keys = jwk["keys"]
        if len(keys) != 1:
            raise InvalidKeyError("a JWK set must hold exactly one key")
        jwk = keys[0]
    if not isinstance(jwk, dict):
        raise InvalidKeyError("the JWK must be a JSON object")
    kid = jwk.get("kid")
    kid = kid if isinstance(kid, str) and kid else None
    kty = jwk.get("kty")
    if kty == "RSA":
        return _checked(_rsa_from_jwk(jwk), kid)
    if kty == "EC":
        return _checked(_ec_from_jwk(jwk), kid)
    raise InvalidKeyError(f"unsupported JWK kty {kty!r}; use RSA or EC (P-256)")


def _b64_int(jwk: Mapping[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidKeyError(f"the JWK lacks the {name!r} member (a private key is needed)")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise InvalidKeyError(f"the JWK member {name!r} is not base64url") from None
    return int.from_bytes(raw, "big")


def _rsa_from_jwk(jwk: Mapping[str, Any]) -> rsa.RSAPrivateKey:
    n, e, d = (_b64_int(jwk, name) for name in ("n", "e", "d"))
    try:
        if all(name in jwk for name in ("p", "q", "dp", "dq", "qi")):
            p, q, dp, dq, qi = (_b64_int(jwk, name) for name in ("p", "q", "dp", "dq", "qi"))
        else:
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
            dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
        public = rsa.RSAPublicNumbers(e, n)
        return rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key()
    except ValueError:
        raise InvalidKeyError("the RSA JWK numbers do not form a valid private key") from None


def _ec_from_jwk(jwk: Mapping[str, Any]) -> ec.EllipticCurvePrivateKey:
    if jwk.get("crv") != "P-256":
        raise InvalidKeyError(f"unsupported EC curve {jwk.get('crv')!r}; ES256 needs P-256")
    x, y, d = (_b64_int(jwk, name) for name in ("x", "y", "d"))
    try:
        public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1())
        return ec.EllipticCurvePrivateNumbers(d, public).private_key()
    except ValueError:
        raise InvalidKeyError("the EC JWK numbers do not form a valid P-256 private key") from None


def _checked(key: object, kid: str | None) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidKeyError(f"RSA key has {key.key_size} bits; {MIN_RSA_BITS} needed")
        return SigningKey("RS256", key, kid)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise InvalidKeyError(f"EC key uses curve {key.curve.name}; ES256 needs P-256")
        return SigningKey("ES256", key, kid)
    raise InvalidKeyError(f"unsupported key type {type(key).__name__}; use RSA or EC P-256")


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWS compact serialization requires."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_jwt(
    key: SigningKey,
    claims: Mapping[str, Any],
    *,
    kid: str | None = None,
    header: Mapping[str, Any] | None = None,
) -> str:
    """Return the compact JWS ``header.payload.signature`` for ``claims`` signed by ``key``.

    ``header`` adds or overrides JOSE header members (a DPoP proof sets ``typ`` and ``jwk``);
    ``alg`` always follows the key.
    """
    jose: dict[str, Any] = {"alg": key.algorithm, "typ": "JWT"}
    if kid:
        jose["kid"] = kid
    jose.update(header or {})
    jose["alg"] = key.algorithm
    signing_input = f"{b64url(orjson.dumps(jose))}.{b64url(orjson.dumps(dict(claims)))}"
    data = signing_input.encode("ascii")
    if isinstance(key.key, rsa.RSAPrivateKey):
        signature = key.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.key.sign(data, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{b64url(signature)}"

"""Test helpers: fresh RSA / EC P-256 keys as PEM and JWK text, and JWT verification."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def new_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _b64(number: int, length: int | None = None) -> str:
    raw = number.to_bytes(length or (number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(key: PrivateKey, kid: str | None = None, *, crt: bool = True) -> str:
    """The private key as JWK JSON text (RSA with or without the CRT members)."""
    data: dict[str, str]
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        data = {"kty": "RSA", "n": _b64(n.public_numbers.n), "e": _b64(n.public_numbers.e)}
        data["d"] = _b64(n.d)
        if crt:
            data |= {"p": _b64(n.p), "q": _b64(n.q), "dp": _b64(n.dmp1)}
            data |= {"dq": _b64(n.dmq1), "qi": _b64(n.iqmp)}
    else:
        n2 = key.private_numbers()
        data = {"kty": "EC", "crv": "P-256", "x": _b64(n2.public_numbers.x, 32)}
        data |= {"y": _b64(n2.public_numbers.y, 32), "d": _b64(n2.private_value, 32)}
    if kid:
        data["kid"] = kid
    return orjson.dumps(data).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_jwt(token: str, key: PrivateKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check the signature with the key's public half; return (header, claims)."""
    head, body, sig = token.split(".")
    signing_input = f"{head}.{body}".encode()
    signature = _unb64(sig)
    header = orjson.loads(_unb64(head))
    public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        assert header["alg"] == "RS256"
        public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert header["alg"] == "ES256"
        assert len(signature) == 64
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        public.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    return header, orjson.loads(_unb64(body))

"""Signing keys from PEM / JWK text, and the hand-built JWS they produce."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from keyfactory import PrivateKey, jwk, new_ec, new_rsa, pem, verify_jwt

from okta_async._core.keys import InvalidKeyError, load_signing_key, sign_jwt

RSA_KEY = new_rsa()
EC_KEY = new_ec()


@pytest.mark.parametrize(
    ("key", "text", "algorithm"),
    [
        pytest.param(RSA_KEY, pem(RSA_KEY), "RS256", id="rsa-pem"),
        pytest.param(RSA_KEY, jwk(RSA_KEY), "RS256", id="rsa-jwk"),
        pytest.param(RSA_KEY, jwk(RSA_KEY, crt=False), "RS256", id="rsa-jwk-without-crt"),
        pytest.param(EC_KEY, pem(EC_KEY), "ES256", id="ec-pem"),
        pytest.param(EC_KEY, jwk(EC_KEY), "ES256", id="ec-jwk"),
    ],
)
def test_signature_verifies_with_the_public_key(key: PrivateKey, text: str, algorithm: str) -> None:
    signing_key = load_signing_key(text)
    assert signing_key.algorithm == algorithm
    token = sign_jwt(signing_key, {"sub": "x", "n": 1}, kid="k1")
    header, claims = verify_jwt(token, key)
    assert header == {"alg": algorithm, "typ": "JWT", "kid": "k1"}
    assert claims == {"sub": "x", "n": 1}


def test_no_kid_header_when_no_key_id() -> None:
    header, _ = verify_jwt(sign_jwt(load_signing_key(pem(EC_KEY)), {}), EC_KEY)
    assert "kid" not in header


def test_jwk_kid_and_single_key_jwk_set_are_understood() -> None:
    one = jwk(EC_KEY, kid="from-jwk")
    assert load_signing_key(one).jwk_kid == "from-jwk"
    assert load_signing_key(f'{{"keys": [{one}]}}').jwk_kid == "from-jwk"


def test_pem_with_literal_backslash_n_from_an_env_var_is_accepted() -> None:
    flattened = pem(EC_KEY).strip().replace("\n", "\\n")
    assert load_signing_key(flattened).algorithm == "ES256"


def test_repr_of_signing_key_hides_the_key() -> None:
    assert "RSAPrivateKey" not in repr(load_signing_key(pem(RSA_KEY)))


def _public_pem(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _encrypted_pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    ).decode()


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        pytest.param(pem(rsa.generate_private_key(65537, 1024)), "2048", id="short-rsa"),
        pytest.param(pem(ec.generate_private_key(ec.SECP384R1())), "P-256", id="p384-pem"),
        pytest.param(_public_pem(EC_KEY), "public key", id="public-key"),
        pytest.param(_encrypted_pem(EC_KEY), "encrypted", id="encrypted"),
        pytest.param('{"kty": "EC", "crv": "P-384"}', "P-256", id="p384-jwk"),
        pytest.param('{"kty": "RSA", "n": "AQAB", "e": "AQAB"}', "'d'", id="public-jwk"),
        pytest.param('{"keys": []}', "exactly one", id="empty-jwks"),
        pytest.param("[1, 2]", "not a PEM block or a JWK", id="json-array"),
        pytest.param("just some text", "not a PEM block", id="garbage"),
    ],
)
def test_unusable_keys_raise_a_descriptive_error(text: str, hint: str) -> None:
    with pytest.raises(InvalidKeyError, match=hint):
        load_signing_key(text)

"""TLS: verification on by default, custom CA bundle or SSLContext, bad bundle -> ConfigError."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from okta_async._core import errors
from okta_async._core.operation import Operation
from okta_async._core.transport import ssl_setting
from tests.core.transport_support import LocalConfig, Sleeps, open_transport

LIST_USERS = Operation(id="listUsers", method="GET", path="/api/v1/users")


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
async def tls_org(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    cert_path, key_path = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)

    async def handler(request: web.Request) -> web.Response:
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/api/v1/users", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(ssl=context)
    try:
        yield f"https://127.0.0.1:{server.port}", cert_path
    finally:
        await server.close()


async def test_unknown_certificate_is_rejected_by_default_and_not_retried(
    tls_org: tuple[str, Path],
) -> None:
    url, _ = tls_org
    sleeps = Sleeps()
    async with open_transport(sleeps, org_url=url) as transport:
        with pytest.raises(errors.APIConnectionError, match="Certificate"):
            await transport.request(LIST_USERS)
    assert sleeps.delays == []


async def test_ca_bundle_makes_a_private_ca_trusted(tls_org: tuple[str, Path]) -> None:
    url, cert_path = tls_org
    async with open_transport(org_url=url, ca_bundle=str(cert_path)) as transport:
        response = await transport.request(LIST_USERS)
    assert response.json() == []


async def test_an_ssl_context_can_be_given(tls_org: tuple[str, Path]) -> None:
    url, cert_path = tls_org
    context = ssl.create_default_context(cafile=str(cert_path))
    async with open_transport(org_url=url, ssl=context) as transport:
        assert (await transport.request(LIST_USERS)).status == 200


def test_ssl_setting_defaults_to_verification() -> None:
    assert ssl_setting(LocalConfig()) is True
    assert ssl_setting(LocalConfig(ssl=False)) is False


def test_unreadable_ca_bundle_is_a_config_error_naming_its_source(tmp_path: Path) -> None:
    config = LocalConfig(
        ca_bundle=str(tmp_path / "missing.pem"),
        sources={"ca_bundle": "env OKTA_CLIENT_CABUNDLE"},
    )
    with pytest.raises(errors.ConfigError) as info:
        ssl_setting(config)
    assert info.value.setting == "ca_bundle"
    assert info.value.source == "env OKTA_CLIENT_CABUNDLE"


async def test_an_http_org_never_reads_the_ca_bundle(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response([])

    app = web.Application()
    app.router.add_get("/api/v1/users", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    missing = str(tmp_path / "missing.pem")
    try:
        async with open_transport(
            org_url=f"http://127.0.0.1:{server.port}", ca_bundle=missing
        ) as t:
            assert (await t.request(LIST_USERS)).json() == []
    finally:
        await server.close()


async def test_an_https_org_reads_the_ca_bundle_when_its_session_starts(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.pem")
    async with open_transport(org_url="https://127.0.0.1:9", ca_bundle=missing) as transport:
        with pytest.raises(errors.ConfigError, match="cannot load CA bundle"):
            await transport.request(LIST_USERS)

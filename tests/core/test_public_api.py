"""The package root: ``__all__`` is what it exports, and no public object's repr shows a secret."""

from __future__ import annotations

from pathlib import Path

from keyfactory import new_ec, pem

import okta_async
from okta_async import OktaClient
from okta_async._core import errors
from okta_async._core.auth import PrivateKeyAuth, build_auth
from okta_async._core.config import load_config

EAGER = {"UNSET", "Unset", "__version__"}


def test_all_lists_exactly_the_eager_and_lazy_exports_and_each_resolves() -> None:
    assert len(okta_async.__all__) == len(set(okta_async.__all__))
    assert set(okta_async.__all__) == EAGER | set(okta_async._LAZY)
    assert okta_async.__dir__() == sorted(okta_async.__all__)
    namespace: dict[str, object] = {}
    exec("from okta_async import *", namespace)
    assert set(okta_async.__all__) <= set(namespace)


def test_every_public_error_class_is_exported_from_the_root() -> None:
    public = {name for name in errors.__all__ if name[0].isupper()}
    assert public <= set(okta_async.__all__)


async def test_no_secret_reaches_the_repr_of_config_client_transport_or_auth(
    tmp_path: Path,
) -> None:
    secrets = ("00TOKEN-secret-value", "proxy-pa55word", "PRIVATE KEY")
    token_config = load_config(
        org_url="https://acme.okta.com",
        token=secrets[0],
        proxy=f"http://agent:{secrets[1]}@proxy.example:3128",
        env={},
        cwd=tmp_path,
        home=None,
    )
    key_config = load_config(
        org_url="https://acme.okta.com",
        authorization_mode="PrivateKey",
        client_id="0oa1",
        scopes="okta.users.read",
        private_key=pem(new_ec()),
        env={},
        cwd=tmp_path,
        home=None,
    )
    key_auth = build_auth(key_config)
    assert isinstance(key_auth, PrivateKeyAuth)
    async with OktaClient(config=token_config) as okta:
        shown = [
            repr(token_config),
            repr(key_config),
            repr(build_auth(token_config)),
            repr(key_auth),
            repr(okta),
            repr(okta.with_options(timeout=1.0)),
            repr(okta._transport),
        ]
    for text in shown:
        for secret in secrets:
            assert secret not in text, text

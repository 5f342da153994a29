"""load_config(): precedence, validation, sources and secrecy."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from keyfactory import jwk, new_ec, new_rsa, pem

from okta_async._core.config import OktaConfig, load_config, validate_org_url
from okta_async._core.errors import ConfigError

LAYERS = ("argument", "env", "cwd", "home")


class Dirs:
    """A fake working directory and home directory, each optionally holding okta.yaml."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path / "project"
        self.home = tmp_path / "home"
        self.cwd.mkdir()
        (self.home / ".okta").mkdir(parents=True)

    def write(self, where: str, client: dict[str, Any]) -> None:
        path = self.cwd / "okta.yaml" if where == "cwd" else self.home / ".okta" / "okta.yaml"
        path.write_text(yaml.safe_dump({"okta": {"client": client}}))

    def load(self, env: dict[str, str] | None = None, **arguments: Any) -> OktaConfig:
        return load_config(env=env or {}, cwd=self.cwd, home=self.home, **arguments)


@pytest.fixture
def dirs(tmp_path: Path) -> Dirs:
    return Dirs(tmp_path)


# setting -> (argument name, env var, YAML path under okta.client, one distinct value per layer,
#             the parsed value each layer's raw value should produce, default)
MATRIX: dict[str, tuple[str, str, tuple[str, ...], dict[str, Any], dict[str, Any], Any]] = {
    "org_url": (
        "org_url",
        "OKTA_CLIENT_ORGURL",
        ("orgUrl",),
        {L: f"https://{L}.okta.com" for L in LAYERS},
        {L: f"https://{L}.okta.com" for L in LAYERS},
        None,
    ),
    "token": (
        "token",
        "OKTA_CLIENT_TOKEN",
        ("token",),
        {L: f"tok-{L}" for L in LAYERS},
        {L: f"tok-{L}" for L in LAYERS},
        None,
    ),
    "timeout": (
        "timeout",
        "OKTA_CLIENT_REQUESTTIMEOUT",
        ("requestTimeout",),
        {"argument": 1.5, "env": "2", "cwd": 3, "home": 4.5},
        {"argument": 1.5, "env": 2.0, "cwd": 3.0, "home": 4.5},
        120.0,
    ),
    "max_retries": (
        "max_retries",
        "OKTA_CLIENT_RATELIMIT_MAXRETRIES",
        ("rateLimit", "maxRetries"),
        {"argument": 0, "env": "5", "cwd": 6, "home": 7},
        {"argument": 0, "env": 5, "cwd": 6, "home": 7},
        2,
    ),
}

# Every combination of layers present, for every setting: the highest present layer must win.
CASES = [
    pytest.param(setting, present, id=f"{setting}-{'+'.join(present) or 'none'}")
    for setting in MATRIX
    for n in range(len(LAYERS) + 1)
    for present in itertools.combinations(LAYERS, n)
]


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    *parents, leaf = path
    nested: dict[str, Any] = {leaf: value}
    for key in reversed(parents):
        nested = {key: nested}
    return nested


@pytest.mark.parametrize(("setting", "present"), CASES)
def test_highest_precedence_layer_wins(dirs: Dirs, setting: str, present: tuple[str, ...]) -> None:
    arg_name, env_var, yaml_path, raw, parsed, default = MATRIX[setting]
    baseline = {"org_url": "https://base.okta.com", "token": "tok-base"}
    arguments: dict[str, Any] = {k: v for k, v in baseline.items() if k != setting}
    env: dict[str, str] = {}
    for where in ("cwd", "home"):
        if where in present:
            dirs.write(where, _nest(yaml_path, raw[where]))
    if "env" in present:
        env[env_var] = str(raw["env"])
    if "argument" in present:
        arguments[arg_name] = raw["argument"]
    if not present and default is None:
        with pytest.raises(ConfigError) as caught:
            dirs.load(env, **arguments)
        assert caught.value.setting == setting
        return
    config = dirs.load(env, **arguments)
    winner = next((layer for layer in LAYERS if layer in present), None)
    expected = parsed[winner] if winner else default
    assert getattr(config, setting) == expected
    expected_source = {
        None: "default",
        "argument": "argument",
        "env": f"env {env_var}",
        "cwd": f"./okta.yaml okta.client.{'.'.join(yaml_path)}",
        "home": f"~/.okta/okta.yaml okta.client.{'.'.join(yaml_path)}",
    }[winner]
    assert config.sources[setting] == expected_source


def test_settings_merge_key_by_key_across_layers(dirs: Dirs) -> None:
    dirs.write("home", {"orgUrl": "https://home.okta.com", "token": "tok-home"})
    dirs.write("cwd", {"requestTimeout": 9})
    config = dirs.load({"OKTA_CLIENT_RATELIMIT_MAXRETRIES": "4"})
    assert (config.org_url, config.token) == ("https://home.okta.com", "tok-home")
    assert (config.timeout, config.max_retries) == (9.0, 4)


def test_empty_environment_variable_counts_as_unset(dirs: Dirs) -> None:
    dirs.write("cwd", {"orgUrl": "https://cwd.okta.com", "token": "t"})
    config = dirs.load({"OKTA_CLIENT_ORGURL": "", "OKTA_CLIENT_TOKEN": "  "})
    assert config.org_url == "https://cwd.okta.com"
    assert config.sources["token"] == "./okta.yaml okta.client.token"


def test_defaults_when_only_required_settings_given(dirs: Dirs) -> None:
    config = dirs.load(org_url="https://acme.okta.com", token="t")
    assert config.authorization_mode == "SSWS"
    assert (config.timeout, config.max_retries) == (120.0, 2)
    assert (config.max_connections, config.max_concurrent_requests) == (100, 48)
    assert config.proxy is None and config.trust_env and config.ssl is None


def test_missing_org_url_explains_where_to_set_it(dirs: Dirs) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load(token="t")
    assert caught.value.setting == "org_url"
    assert "OKTA_CLIENT_ORGURL" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://acme.okta.com", "https://acme.okta.com"),
        ("https://acme.okta.com/", "https://acme.okta.com"),
        ("  HTTPS://ACME.Okta.com  ", "https://acme.okta.com"),
        ("https://acme.oktapreview.com:8443", "https://acme.oktapreview.com:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.9.9.9", "http://127.9.9.9"),
        ("http://localhost:1234/", "http://localhost:1234"),
        ("http://[::1]:5000", "http://[::1]:5000"),
    ],
)
def test_valid_org_urls_are_normalised(url: str, normalised: str) -> None:
    assert validate_org_url(url) == normalised


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("http://acme.okta.com", "https is required"),
        ("http://10.0.0.1", "https is required"),
        ("acme.okta.com", "use https://acme.okta.com"),
        ("https://acme.okta.com/api/v1", "no path"),
        ("https://acme.okta.com?x=1", "no path, query"),
        ("https://acme.okta.com/#frag", "fragment"),
        ("https://acme-admin.okta.com", "use https://acme.okta.com"),
        ("https://{yourOktaDomain}", "set it to your org URL"),
        ("ftp://acme.okta.com", "not supported"),
        ("https://acme.okta.com:99999", "not a valid URL"),
        ("https://", "no host"),
    ],
)
def test_invalid_org_urls_raise_config_error_with_a_hint(dirs: Dirs, url: str, hint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load({"OKTA_CLIENT_ORGURL": url}, token="t")
    error = caught.value
    assert (error.setting, error.source) == ("org_url", "env OKTA_CLIENT_ORGURL")
    assert hint in str(error)


def test_org_url_with_user_info_is_rejected_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_org_url("https://admin:hunter2@acme.okta.com")
    assert "hunter2" not in str(caught.value)


def test_oktaconfig_built_directly_still_validates_org_url() -> None:
    assert OktaConfig(org_url="https://acme.okta.com/").org_url == "https://acme.okta.com"
    with pytest.raises(ConfigError):
        OktaConfig(org_url="http://acme.okta.com")


@pytest.mark.parametrize(
    ("env_var", "value", "setting"),
    [
        ("OKTA_CLIENT_REQUESTTIMEOUT", "soon", "timeout"),
        ("OKTA_CLIENT_REQUESTTIMEOUT", "-1", "timeout"),
        ("OKTA_CLIENT_REQUESTTIMEOUT", "nan", "timeout"),
        ("OKTA_CLIENT_RATELIMIT_MAXRETRIES", "2.5", "max_retries"),
        ("OKTA_CLIENT_RATELIMIT_MAXRETRIES", "-3", "max_retries"),
        ("OKTA_CLIENT_PROXY_PORT", "http", "proxy_port"),
        ("OKTA_CLIENT_PROXY_PORT", "70000", "proxy_port"),
        ("OKTA_CLIENT_AUTHORIZATIONMODE", "Basic", "authorization_mode"),
    ],
)
def test_bad_values_name_the_setting_and_env_var(
    dirs: Dirs, env_var: str, value: str, setting: str
) -> None:
    env = {env_var: value, "OKTA_CLIENT_PROXY_HOST": "proxy.internal"}
    with pytest.raises(ConfigError) as caught:
        dirs.load(env, org_url="https://acme.okta.com", token="t")
    assert (caught.value.setting, caught.value.source) == (setting, f"env {env_var}")
    assert f"env {env_var}" in str(caught.value)


def test_bad_yaml_number_names_the_file_and_key(dirs: Dirs) -> None:
    dirs.write("home", {"rateLimit": {"maxRetries": "lots"}})
    with pytest.raises(ConfigError) as caught:
        dirs.load(org_url="https://acme.okta.com", token="t")
    assert caught.value.source == "~/.okta/okta.yaml okta.client.rateLimit.maxRetries"


def test_explicit_numeric_arguments_are_validated_too(dirs: Dirs) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load(org_url="https://acme.okta.com", token="t", max_connections=0)
    assert (caught.value.setting, caught.value.source) == ("max_connections", "argument")


def test_malformed_yaml_raises_config_error_naming_the_file(dirs: Dirs) -> None:
    (dirs.cwd / "okta.yaml").write_text("okta:\n  client: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        dirs.load(org_url="https://acme.okta.com", token="t")
    assert caught.value.source == "./okta.yaml"


def test_yaml_without_okta_client_section_is_ignored(dirs: Dirs) -> None:
    (dirs.cwd / "okta.yaml").write_text("something: else\n")
    assert dirs.load(org_url="https://acme.okta.com", token="t").token == "t"


@pytest.mark.parametrize("mode", ["SSWS", "Bearer", "bearer"])
def test_token_modes_require_a_token(dirs: Dirs, mode: str) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load({"OKTA_CLIENT_AUTHORIZATIONMODE": mode}, org_url="https://acme.okta.com")
    assert caught.value.setting == "token"
    assert "OKTA_CLIENT_TOKEN" in str(caught.value)


def test_token_with_scheme_prefix_is_rejected_without_echoing_it(dirs: Dirs) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load({"OKTA_CLIENT_TOKEN": "SSWS 00abcSECRET"}, org_url="https://acme.okta.com")
    assert caught.value.source == "env OKTA_CLIENT_TOKEN"
    assert "SECRET" not in str(caught.value)


def test_authorization_mode_is_case_insensitive(dirs: Dirs) -> None:
    config = dirs.load(org_url="https://acme.okta.com", token="t", authorization_mode="bEaReR")
    assert config.authorization_mode == "Bearer"


def test_private_key_mode_reads_env_keys_and_a_key_file(dirs: Dirs) -> None:
    (dirs.cwd / "key.pem").write_text(pem(new_rsa()))
    env = {
        "OKTA_CLIENT_AUTHORIZATIONMODE": "PrivateKey",
        "OKTA_CLIENT_CLIENTID": "0oa123",
        "OKTA_CLIENT_SCOPES": "okta.users.read, okta.groups.read",
        "OKTA_CLIENT_PRIVATEKEY": "key.pem",
        "OKTA_CLIENT_KEYID": "kid-1",
    }
    config = dirs.load(env, org_url="https://acme.okta.com")
    assert config.authorization_mode == "PrivateKey"
    assert config.scopes == ("okta.users.read", "okta.groups.read")
    assert config.private_key is not None and config.private_key.startswith("-----BEGIN")
    assert (config.client_id, config.key_id) == ("0oa123", "kid-1")
    assert config.token is None


def test_private_key_mode_from_yaml_with_inline_jwk_and_scope_list(dirs: Dirs) -> None:
    dirs.write(
        "home",
        {
            "orgUrl": "https://acme.okta.com",
            "authorizationMode": "PrivateKey",
            "clientId": "0oa9",
            "scopes": ["okta.users.read"],
            "privateKey": jwk(new_ec()),
            "kid": "k",
        },
    )
    config = dirs.load()
    assert config.scopes == ("okta.users.read",)
    assert config.sources["key_id"] == "~/.okta/okta.yaml okta.client.kid"


def test_official_sdk_kid_env_spelling_is_accepted(dirs: Dirs) -> None:
    env = {"OKTA_CLIENT_KID": "legacy", "OKTA_CLIENT_PRIVATEKEY": pem(new_ec())}
    config = dirs.load(
        env,
        org_url="https://acme.okta.com",
        authorization_mode="PrivateKey",
        client_id="c",
        scopes=["s"],
    )
    assert config.key_id == "legacy"


@pytest.mark.parametrize(
    ("missing", "setting"),
    [("client_id", "client_id"), ("scopes", "scopes"), ("private_key", "private_key")],
)
def test_private_key_mode_requires_client_id_scopes_and_key(
    dirs: Dirs, missing: str, setting: str
) -> None:
    arguments: dict[str, Any] = {
        "org_url": "https://acme.okta.com",
        "authorization_mode": "PrivateKey",
        "client_id": "c",
        "scopes": ["s"],
        "private_key": pem(new_ec()),
    }
    del arguments[missing]
    with pytest.raises(ConfigError) as caught:
        dirs.load(**arguments)
    assert caught.value.setting == setting


@pytest.mark.parametrize(
    ("key_text", "hint"),
    [
        ("does/not/exist.pem", "cannot read the key file"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "not a readable"),
        ('{"kty": "oct", "k": "c2VjcmV0"}', "unsupported JWK kty"),
        ('{"kty": "RSA"', "not valid JSON"),
        ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nSECRETBYTES", "not PEM text"),
    ],
)
def test_unreadable_or_unparsable_key_names_its_source(
    dirs: Dirs, key_text: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load(
            {"OKTA_CLIENT_PRIVATEKEY": key_text},
            org_url="https://acme.okta.com",
            authorization_mode="PrivateKey",
            client_id="c",
            scopes="s",
        )
    assert (caught.value.setting, caught.value.source) == (
        "private_key",
        "env OKTA_CLIENT_PRIVATEKEY",
    )
    assert hint in str(caught.value)
    assert "SECRETBYTES" not in str(caught.value)


def test_proxy_url_is_built_from_parts_with_escaped_credentials(dirs: Dirs) -> None:
    dirs.write("cwd", {"proxy": {"host": "proxy.internal", "port": 3128, "username": "me"}})
    config = dirs.load(
        {"OKTA_CLIENT_PROXY_PASSWORD": "p@ss:word"}, org_url="https://acme.okta.com", token="t"
    )
    assert config.proxy == "http://me:p%40ss%3Aword@proxy.internal:3128"
    assert config.sources["proxy"] == "./okta.yaml okta.client.proxy.host"


def test_proxy_argument_beats_proxy_parts(dirs: Dirs) -> None:
    env = {"OKTA_CLIENT_PROXY_HOST": "ignored"}
    config = dirs.load(env, org_url="https://acme.okta.com", token="t", proxy="http://p:1")
    assert config.proxy == "http://p:1"
    assert config.sources["proxy"] == "argument"


def test_missing_ca_bundle_file_is_a_config_error(dirs: Dirs) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load(org_url="https://acme.okta.com", token="t", ca_bundle="nope.pem")
    assert caught.value.setting == "ca_bundle"


def test_secrets_never_appear_in_repr_or_str(dirs: Dirs) -> None:
    key = pem(new_rsa())
    config = dirs.load(
        {"OKTA_CLIENT_PROXY_HOST": "proxy", "OKTA_CLIENT_PROXY_PASSWORD": "proxypass"},
        org_url="https://acme.okta.com",
        authorization_mode="PrivateKey",
        client_id="c",
        scopes="s",
        private_key=key,
    )
    token_config = dirs.load(org_url="https://acme.okta.com", token="00TOKENVALUE")
    for text in (repr(config), str(config), repr(token_config), str(token_config)):
        assert "proxypass" not in text
        assert "PRIVATE KEY" not in text
        assert "00TOKENVALUE" not in text
    assert "client_id='c'" in repr(config)


def test_sources_mapping_is_read_only(dirs: Dirs) -> None:
    config = dirs.load(org_url="https://acme.okta.com", token="t")
    with pytest.raises(TypeError):
        config.sources["token"] = "x"  # type: ignore[index]


def test_single_line_pem_from_an_env_var_is_usable(dirs: Dirs) -> None:
    flattened = pem(new_ec()).strip().replace("\n", "\\n")
    config = dirs.load(
        {"OKTA_CLIENT_PRIVATEKEY": flattened},
        org_url="https://acme.okta.com",
        authorization_mode="PrivateKey",
        client_id="c",
        scopes="s",
    )
    assert config.sources["private_key"] == "env OKTA_CLIENT_PRIVATEKEY"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"ssl": "yes"}, "ssl (from argument): expected an ssl.SSLContext or a bool, got str"),
        ({"proxy": "user:pw@proxy.corp"}, "proxy (from argument): invalid value"),
        ({"proxy": "ftp://proxy.corp:21"}, "proxy (from argument): invalid value"),
    ],
)
def test_an_unusable_ssl_or_proxy_is_a_config_error_without_echoing_it(
    dirs: Dirs, arguments: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        dirs.load(org_url="https://acme.okta.com", token="t", **arguments)
    assert str(caught.value) == expected and "pw" not in str(caught.value)


def test_an_http_proxy_url_and_an_ssl_context_are_accepted(dirs: Dirs) -> None:
    import ssl

    context = ssl.create_default_context()
    config = dirs.load(
        org_url="https://acme.okta.com", token="t", proxy="http://u:p@proxy.corp:3128", ssl=context
    )
    assert config.proxy == "http://u:p@proxy.corp:3128" and config.ssl is context

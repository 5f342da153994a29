"""Client configuration: :class:`OktaConfig` and :func:`load_config`.

Settings use the same names as Okta's official SDKs, so an existing ``okta.yaml`` or set of
``OKTA_CLIENT_*`` variables works unchanged. :func:`load_config` resolves every setting on its own
and takes the first layer that provides it, in this order:

1. constructor arguments (``load_config(token=...)`` / ``OktaClient(token=...)``);
2. environment variables (``OKTA_CLIENT_TOKEN`` ...);
3. ``./okta.yaml`` in the working directory (``okta: client: token: ...``);
4. ``~/.okta/okta.yaml``;
5. built-in defaults.

Empty environment variables and YAML nulls count as "not set". Every setting remembers where it
came from (:attr:`OktaConfig.sources`), and each :class:`~okta_async._core.errors.ConfigError`
names the setting and that source. Secrets (token, private key, proxy credentials) are excluded
from ``repr`` and never quoted in error messages.
"""

from __future__ import annotations

import ipaddress
import math
import os
import ssl as ssl_module
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlsplit

import attrs

from okta_async._core.errors import ConfigError

__all__ = [
    "AUTHORIZATION_MODES",
    "OktaConfig",
    "is_loopback",
    "load_config",
    "org_proxy",
    "validate_org_url",
]

#: Canonical spelling of each authorization mode, keyed by its lower-case form.
AUTHORIZATION_MODES: Final = {"ssws": "SSWS", "bearer": "Bearer", "privatekey": "PrivateKey"}

ARGUMENT: Final = "argument"
DEFAULT: Final = "default"

T = TypeVar("T")


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` names this machine: ``localhost``, ``*.localhost`` or a loopback IP.

    Such an org may use plain http (the embedded fake org), and skips environment proxies.
    """
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def org_proxy(proxy: str | None, org_host: str | None, *, trust_env: bool) -> str | None:
    """The configured ``proxy`` for requests to the org, or None when ``NO_PROXY`` exempts it.

    ``NO_PROXY`` is only consulted when the environment is trusted (``trust_env``).
    """
    if proxy is None:
        return None
    import urllib.request  # lazily: only a configured proxy needs it

    if trust_env and org_host and urllib.request.proxy_bypass(org_host):
        return None
    return proxy


def validate_org_url(value: str, *, source: str = ARGUMENT) -> str:
    """Return the org URL as ``scheme://host[:port]`` or raise ``ConfigError`` saying why not.

    https is required; plain http is allowed only for loopback hosts (the embedded fake org).
    A path other than ``/``, a query, a fragment or user info is rejected, because every API
    path is appended to this URL and the Authorization header is only ever sent to its origin.
    """
    setting = "org_url"
    text = value.strip()
    if not text or "{" in text:
        raise ConfigError(setting, source, "set it to your org URL, e.g. https://acme.okta.com")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(setting, source, f"not a valid URL ({exc})") from None
    shown = text if parts.username is None and parts.password is None else "<url with user info>"
    if not parts.scheme:
        raise ConfigError(setting, source, f"{shown!r} lacks https://; use https://{text}")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        raise ConfigError(setting, source, f"{shown!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(setting, source, "must not contain user info (user:password@)")
    if scheme not in ("https", "http"):
        raise ConfigError(setting, source, f"scheme {scheme!r} is not supported; use https://")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            setting, source, f"{shown!r} uses http; https is required except for loopback hosts"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            setting,
            source,
            f"{shown!r} must be just scheme and host (no path, query or fragment), "
            "e.g. https://acme.okta.com",
        )
    first_label = host.split(".", 1)[0]
    if first_label.endswith("-admin"):
        fixed = host.replace(f"{first_label}", first_label[: -len("-admin")], 1)
        raise ConfigError(
            setting, source, f"{shown!r} is the Admin Console URL; use {scheme}://{fixed}"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def _freeze_sources(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


@attrs.frozen
class OktaConfig:
    """Validated, immutable client settings; build it with :func:`load_config`.

    Constructing it directly is allowed (the org URL is still validated and normalised), but
    only :func:`load_config` reads the environment and ``okta.yaml`` files and checks that the
    chosen authorization mode has its credentials.
    """

    org_url: str = attrs.field(converter=validate_org_url)
    authorization_mode: str = "SSWS"
    token: str | None = attrs.field(default=None, repr=False)
    client_id: str | None = None
    scopes: tuple[str, ...] = ()
    private_key: str | None = attrs.field(default=None, repr=False)
    key_id: str | None = None
    dpop: bool = False
    request_timeout: float = 30.0
    max_retries: int = 2
    max_connections: int = 100
    max_concurrent_requests: int = 48
    max_rate_limit_wait: float = 120.0
    proxy: str | None = attrs.field(default=None, repr=False)
    trust_env: bool = True
    ssl: ssl_module.SSLContext | bool | None = None
    ca_bundle: str | None = None
    user_agent_extra: str | None = None
    sources: Mapping[str, str] = attrs.field(
        factory=dict, converter=_freeze_sources, eq=False, hash=False
    )


# ---------------------------------------------------------------------------------------------
# Layers: each maps a setting name to (raw value, source description).

Layer = dict[str, tuple[Any, str]]

#: setting -> (environment variable names, first preferred; YAML path below ``okta.client``).
_KEYS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "org_url": (("OKTA_CLIENT_ORGURL",), ("orgUrl",)),
    "token": (("OKTA_CLIENT_TOKEN",), ("token",)),
    "authorization_mode": (("OKTA_CLIENT_AUTHORIZATIONMODE",), ("authorizationMode",)),
    "client_id": (("OKTA_CLIENT_CLIENTID",), ("clientId",)),
    "scopes": (("OKTA_CLIENT_SCOPES",), ("scopes",)),
    "private_key": (("OKTA_CLIENT_PRIVATEKEY",), ("privateKey",)),
    # The official SDKs derive OKTA_CLIENT_KID from the YAML key ``kid``; accept both spellings.
    "key_id": (("OKTA_CLIENT_KEYID", "OKTA_CLIENT_KID"), ("kid",)),
    # okta-sdk-python 3.4 calls its DPoP switch ``dpopEnabled``; accept that spelling too.
    "dpop": (("OKTA_CLIENT_DPOP", "OKTA_CLIENT_DPOPENABLED"), ("dpop",)),
    "request_timeout": (("OKTA_CLIENT_REQUESTTIMEOUT",), ("requestTimeout",)),
    "max_retries": (("OKTA_CLIENT_RATELIMIT_MAXRETRIES",), ("rateLimit", "maxRetries")),
    "proxy_host": (("OKTA_CLIENT_PROXY_HOST",), ("proxy", "host")),
    "proxy_port": (("OKTA_CLIENT_PROXY_PORT",), ("proxy", "port")),
    "proxy_username": (("OKTA_CLIENT_PROXY_USERNAME",), ("proxy", "username")),
    "proxy_password": (("OKTA_CLIENT_PROXY_PASSWORD",), ("proxy", "password")),
}


#: Further YAML spellings of a setting, tried in order after the one in ``_KEYS``.
_YAML_ALIASES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {"dpop": (("dpopEnabled",),)}


def _env_layer(env: Mapping[str, str]) -> Layer:
    layer: Layer = {}
    for setting, (names, _) in _KEYS.items():
        for name in names:
            value = env.get(name)
            if value is not None and value.strip() != "":
                layer[setting] = (value, f"env {name}")
                break
    return layer


def _yaml_layer(path: Path, label: str) -> Layer:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError("okta.yaml", label, f"cannot read {path}: {exc.strerror}") from None
    import yaml  # lazily: most processes have no okta.yaml at all

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError("okta.yaml", label, f"{path} is not valid YAML{at}") from None
    client = _dig(document, ("okta", "client"))
    if client is None:
        return {}
    if not isinstance(client, Mapping):
        raise ConfigError("okta.yaml", label, f"{path}: okta.client must be a mapping")
    layer: Layer = {}
    for setting, (_, yaml_path) in _KEYS.items():
        for keys in (yaml_path, *_YAML_ALIASES.get(setting, ())):
            value = _dig(client, keys)
            if value is not None and value != "":
                layer[setting] = (value, f"{label} okta.client.{'.'.join(keys)}")
                break
    return layer


def _dig(node: Any, path: Iterable[str]) -> Any:
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


# ---------------------------------------------------------------------------------------------
# Parsers: raw layer value -> typed value, or ValueError with a message that holds no secret.


def _parse_str(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return str(value).strip()


def _parse_mode(value: Any) -> str:
    text = _parse_str(value)
    try:
        return AUTHORIZATION_MODES[text.lower()]
    except KeyError:
        raise ValueError(f"{text!r} is not one of SSWS, Bearer, PrivateKey") from None


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"{str(value)!r} is not true or false")


def _parse_scopes(value: Any) -> tuple[str, ...]:
    items: Iterable[Any]
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise ValueError("expected a comma-separated string or a list of scopes")
    scopes = tuple(_parse_str(item) for item in items)
    return tuple(scope for scope in scopes if scope)


def _number(value: Any, kind: Callable[[str], T], what: str) -> T:
    if isinstance(value, bool):
        raise ValueError(f"expected {what}, got a boolean")
    try:
        return kind(str(value).strip())
    except ValueError:
        raise ValueError(f"{str(value)!r} is not {what}") from None


def _non_negative_float(value: Any) -> float:
    number = _number(value, float, "a number of seconds")
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{number!r} must be a finite number >= 0")
    return number


def _non_negative_int(value: Any) -> int:
    number = _number(value, int, "a whole number")
    if number < 0:
        raise ValueError(f"{number} must be >= 0")
    return number


def _positive_int(value: Any) -> int:
    number = _number(value, int, "a whole number")
    if number < 1:
        raise ValueError(f"{number} must be >= 1")
    return number


def _port(value: Any) -> int:
    number = _number(value, int, "a port number")
    if not 1 <= number <= 65535:
        raise ValueError(f"{number} is not a port number (1-65535)")
    return number


#: Parser for each setting that may come from anywhere; secrets' parsers never echo the value.
_PARSERS: Final[dict[str, Callable[[Any], Any]]] = {
    "org_url": _parse_str,
    "token": _parse_str,
    "authorization_mode": _parse_mode,
    "client_id": _parse_str,
    "scopes": _parse_scopes,
    "private_key": _parse_str,
    "key_id": _parse_str,
    "dpop": _parse_bool,
    "request_timeout": _non_negative_float,
    "max_retries": _non_negative_int,
    "proxy_host": _parse_str,
    "proxy_port": _port,
    "proxy_username": _parse_str,
    "proxy_password": _parse_str,
    "max_connections": _positive_int,
    "max_concurrent_requests": _positive_int,
    "max_rate_limit_wait": _non_negative_float,
    "user_agent_extra": _parse_str,
    "ca_bundle": _parse_str,
}
#: Settings with a default on :class:`OktaConfig`, which ``load_config`` falls back to.
_TUNABLES: Final = (
    "request_timeout",
    "max_retries",
    "max_connections",
    "max_concurrent_requests",
    "max_rate_limit_wait",
)
_SECRETS: Final = frozenset({"token", "private_key", "proxy_password", "proxy"})


class _Resolver:
    """Looks settings up through the layers in precedence order and records their sources."""

    def __init__(self, layers: list[Layer]) -> None:
        self.layers = layers
        self.sources: dict[str, str] = {}

    def raw(self, setting: str) -> tuple[Any, str] | None:
        for layer in self.layers:
            if setting in layer:
                return layer[setting]
        return None

    def get(self, setting: str, default: Any = None) -> Any:
        found = self.raw(setting)
        if found is None:
            if default is not None:
                self.sources[setting] = DEFAULT
            return default
        value, source = found
        try:
            parsed = _PARSERS[setting](value)
        except ValueError as exc:
            message = "invalid value" if setting in _SECRETS else str(exc)
            raise ConfigError(setting, source, message) from None
        self.sources[setting] = source
        return parsed


def _resolve_private_key(value: str, source: str, cwd: Path) -> str:
    """Return PEM/JWK text: inline text as is, anything else read as a file path.

    The path is not quoted in errors: a mangled key (say, PEM without its header) would be
    taken for a path, and quoting it would leak key material.
    """
    stripped = value.strip()
    if stripped.startswith(("{", "-----BEGIN")):
        text = stripped
    else:
        if "\n" in stripped or len(stripped) > 4096:
            raise ConfigError("private_key", source, "not PEM text, JWK JSON or a file path")
        path = Path(stripped).expanduser()
        if not path.is_absolute():
            path = cwd / path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigError(
                "private_key", source, f"cannot read the key file it names ({reason})"
            ) from None
        except UnicodeDecodeError:
            raise ConfigError("private_key", source, "the key file is not text") from None
    from okta_async._core.keys import InvalidKeyError, load_signing_key  # cryptography: lazily

    try:
        load_signing_key(text)
    except InvalidKeyError as exc:
        raise ConfigError("private_key", source, f"unusable private key: {exc}") from None
    return text


def _proxy_url(resolver: _Resolver) -> str | None:
    host = resolver.get("proxy_host")
    if not host:
        return None
    port = resolver.get("proxy_port")
    user = resolver.get("proxy_username")
    password = resolver.get("proxy_password")
    scheme, _, bare = host.rpartition("://")
    scheme = scheme or "http"
    netloc = f"[{bare}]" if ":" in bare and not bare.startswith("[") else bare
    if port is not None:
        netloc = f"{netloc}:{port}"
    if user:
        credentials = quote(user, safe="")
        if password:
            credentials += ":" + quote(password, safe="")
        netloc = f"{credentials}@{netloc}"
    return f"{scheme}://{netloc}"


def load_config(
    *,
    org_url: str | None = None,
    token: str | None = None,
    authorization_mode: str | None = None,
    client_id: str | None = None,
    scopes: Iterable[str] | str | None = None,
    private_key: str | None = None,
    key_id: str | None = None,
    dpop: bool | None = None,
    request_timeout: float | None = None,
    max_retries: int | None = None,
    max_connections: int | None = None,
    max_concurrent_requests: int | None = None,
    max_rate_limit_wait: float | None = None,
    proxy: str | None = None,
    trust_env: bool = True,
    ssl: ssl_module.SSLContext | bool | None = None,
    ca_bundle: str | os.PathLike[str] | None = None,
    user_agent_extra: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
) -> OktaConfig:
    """Resolve settings (arguments > env > ./okta.yaml > ~/.okta/okta.yaml > defaults).

    ``env``, ``cwd`` and ``home`` default to the process environment, working directory and
    home directory; tests pass their own. ``private_key`` may be PEM text, JWK JSON text or a
    path to a file holding either (relative paths resolve against ``cwd``). ``dpop``
    (``OKTA_CLIENT_DPOP``, ``okta.client.dpop``, or okta-sdk-python's ``dpopEnabled`` spelling;
    same precedence) asks for DPoP-bound tokens and is only valid with PrivateKey mode.
    Raises ``ConfigError`` naming the offending setting and its source.
    """
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    if home is None:
        try:
            home = Path.home()
        except RuntimeError:  # no HOME and no passwd entry: skip the user-level file
            home = None
    arguments: Layer = {
        name: (value, ARGUMENT)
        for name, value in {
            "org_url": org_url,
            "token": token,
            "authorization_mode": authorization_mode,
            "client_id": client_id,
            "scopes": None
            if scopes is None
            else (scopes if isinstance(scopes, str) else [*scopes]),
            "private_key": None if private_key is None else os.fspath(private_key),
            "key_id": key_id,
            "dpop": dpop,
            "request_timeout": request_timeout,
            "max_retries": max_retries,
            "max_connections": max_connections,
            "max_concurrent_requests": max_concurrent_requests,
            "max_rate_limit_wait": max_rate_limit_wait,
            "user_agent_extra": user_agent_extra,
            "ca_bundle": None if ca_bundle is None else os.fspath(ca_bundle),
        }.items()
        if value is not None
    }
    layers = [arguments, _env_layer(env), _yaml_layer(cwd / "okta.yaml", "./okta.yaml")]
    if home is not None:
        layers.append(_yaml_layer(home / ".okta" / "okta.yaml", "~/.okta/okta.yaml"))
    r = _Resolver(layers)

    url_value = r.get("org_url")
    if not url_value:
        raise ConfigError(
            "org_url", "none", "no org URL: pass org_url=, set OKTA_CLIENT_ORGURL or okta.yaml"
        )
    url = validate_org_url(url_value, source=r.sources["org_url"])
    defaults = attrs.fields(OktaConfig)
    mode = r.get("authorization_mode", defaults.authorization_mode.default)
    settings: dict[str, Any] = {
        "org_url": url,
        "authorization_mode": mode,
        **{name: r.get(name, getattr(defaults, name).default) for name in _TUNABLES},
        "user_agent_extra": r.get("user_agent_extra"),
        "trust_env": trust_env,
        "ssl": ssl,
    }
    if mode == "PrivateKey":
        settings.update(_private_key_settings(r, cwd))
    else:
        settings["token"] = _token(r, mode)
    settings["dpop"] = _dpop(r, mode)
    settings["proxy"] = proxy if proxy is not None else _proxy_url(r)
    if proxy is not None:
        r.sources["proxy"] = ARGUMENT
    elif settings["proxy"] is not None:
        r.sources["proxy"] = r.sources["proxy_host"]
    r.sources["trust_env"] = r.sources["ssl"] = ARGUMENT
    bundle = r.get("ca_bundle")
    if bundle is not None:
        bundle_path = Path(bundle).expanduser()
        bundle_path = bundle_path if bundle_path.is_absolute() else cwd / bundle_path
        if not bundle_path.is_file():
            raise ConfigError("ca_bundle", r.sources["ca_bundle"], f"no such file: {bundle_path}")
        bundle = str(bundle_path)
    settings["ca_bundle"] = bundle
    return OktaConfig(**settings, sources=r.sources)


def _token(r: _Resolver, mode: str) -> str:
    token = r.get("token")
    if not token:
        raise ConfigError(
            "token",
            "none",
            f"authorization mode {mode} needs a token: pass token=, set OKTA_CLIENT_TOKEN "
            "or okta.client.token in okta.yaml",
        )
    if "{" in token or token.lower().startswith(("ssws ", "bearer ")):
        raise ConfigError(
            "token", r.sources["token"], "give the bare token, without a placeholder or prefix"
        )
    return str(token)


def _dpop(r: _Resolver, mode: str) -> bool:
    """The DPoP switch; turning it on outside PrivateKey mode is a mistake worth reporting."""
    dpop = bool(r.get("dpop", False))
    if dpop and mode != "PrivateKey":
        raise ConfigError(
            "dpop",
            r.sources["dpop"],
            f"DPoP needs authorization mode PrivateKey, but the mode is {mode} "
            f"(from {r.sources.get('authorization_mode', DEFAULT)})",
        )
    return dpop


def _private_key_settings(r: _Resolver, cwd: Path) -> dict[str, Any]:
    client_id = r.get("client_id")
    if not client_id:
        raise ConfigError(
            "client_id", "none", "PrivateKey mode needs a client id (OKTA_CLIENT_CLIENTID)"
        )
    scopes = r.get("scopes") or ()
    if not scopes:
        raise ConfigError(
            "scopes",
            r.sources.get("scopes", "none"),
            "PrivateKey mode needs at least one scope, e.g. okta.users.read",
        )
    raw_key = r.raw("private_key")
    if raw_key is None:
        raise ConfigError(
            "private_key", "none", "PrivateKey mode needs a private key (OKTA_CLIENT_PRIVATEKEY)"
        )
    key_text = _resolve_private_key(r.get("private_key"), raw_key[1], cwd)
    return {
        "client_id": client_id,
        "scopes": scopes,
        "private_key": key_text,
        "key_id": r.get("key_id") or None,
    }

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


def org_proxy(proxy: str | None, org_url: object, *, trust_env: bool) -> str | None:
    """The proxy for requests to the org, resolved here rather than by aiohttp's ``trust_env``.

    The configured ``proxy`` wins; otherwise, when the environment is trusted, the org
    scheme's ``HTTPS_PROXY``/``HTTP_PROXY``. ``NO_PROXY`` (when trusted) exempts the org from
    either, and environment proxies are skipped for a loopback org (the embedded fake org), which
    a corporate HTTP_PROXY without NO_PROXY=127.0.0.1 would otherwise swallow. aiohttp's own
    ``trust_env`` is never used: it would also read ``~/.netrc`` and send its credentials.
    """
    import urllib.request  # lazily: getproxies reads the environment

    parts = urlsplit(str(org_url))
    host = parts.hostname
    bypass = bool(trust_env and host and urllib.request.proxy_bypass(host))
    if proxy is not None:
        return None if bypass else proxy
    if not trust_env or bypass or is_loopback(host):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def validate_org_url(value: str, *, source: str = ARGUMENT) -> str:
    """Return the org URL as ``scheme://host[:port]`` or raise ``ConfigError`` saying why not.

    The host is lowercased and a default port (443, or 80 for http) dropped, so that the org's
    origin compares equal to the links Okta sends back.

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
    if port is not None and port != {"https": 443, "http": 80}[scheme]:
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
    timeout: float = 120.0
    attempt_timeout: float = 30.0
    max_retries: int = 2
    max_rate_limit_wait: float = 120.0
    max_concurrent_requests: int = 48
    max_connections: int = 100
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


def _env_layer(env: Mapping[str, str]) -> Layer:
    layer: Layer = {}
    for setting in SETTINGS:
        for name in setting.env:
            value = env.get(name)
            if value is not None and value.strip() != "":
                layer[setting.name] = (value, f"env {name}")
                break
    return layer


def _yaml_layer(path: Path, label: str) -> Layer:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError("okta.yaml", label, f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError("okta.yaml", label, f"{path} is not UTF-8 text") from None
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
    for setting in SETTINGS:
        for keys in setting.yaml:
            value = _dig(client, keys)
            if value is not None and value != "":
                layer[setting.name] = (value, f"{label} okta.client.{'.'.join(keys)}")
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


def _parse_path(value: Any) -> str:
    return _parse_str(os.fspath(value) if isinstance(value, os.PathLike) else value)


def _parse_ssl(value: Any) -> ssl_module.SSLContext | bool:
    if isinstance(value, bool | ssl_module.SSLContext):
        return value
    raise ValueError(f"expected an ssl.SSLContext or a bool, got {type(value).__name__}")


def _parse_proxy(value: Any) -> str:
    """A proxy URL with an http(s) scheme and a host (the message never quotes it: credentials)."""
    text = _parse_str(value)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http:// or https:// URL with a host")
    return text


@attrs.frozen
class Setting:
    """One client setting, declared once: everything else (``load_config``'s layers, the
    constructor keywords checked by a test, README's settings table) derives from this entry.

    ``yaml`` lists paths below ``okta.client`` (first preferred); ``env`` the variable names
    (first preferred). ``keyword`` is False for the parts the ``proxy`` URL is built from;
    ``plain`` settings resolve by the generic rule (first layer that has it, else default).
    """

    name: str
    type: str
    default: Any
    env: tuple[str, ...]
    yaml: tuple[tuple[str, ...], ...]
    doc: str
    parse: Callable[[Any], Any]
    keyword: bool = True
    plain: bool = False
    secret: bool = False


def _s(
    name: str, type_: str, default: Any, env: str, yaml: str, doc: str, parse: Any, **kw: Any
) -> Setting:
    """A :class:`Setting` from compact text: ``env`` and ``yaml`` are space-separated lists."""
    return Setting(
        name=name,
        type=type_,
        default=default,
        env=tuple(f"OKTA_CLIENT_{var}" for var in env.split()),
        yaml=tuple(tuple(path.split(".")) for path in yaml.split()),
        doc=doc,
        parse=parse,
        **kw,
    )


#: Every setting, in the order of the constructor's keywords.
SETTINGS: Final[tuple[Setting, ...]] = (
    _s(
        "org_url",
        "str",
        None,
        "ORGURL",
        "orgUrl",
        "Your org, e.g. `https://acme.okta.com` (host lowercased, default port dropped).",
        _parse_str,
    ),
    _s(
        "token",
        "str",
        None,
        "TOKEN",
        "token",
        "API token (SSWS) or access token (Bearer).",
        _parse_str,
        secret=True,
    ),
    _s(
        "authorization_mode",
        "str",
        "SSWS",
        "AUTHORIZATIONMODE",
        "authorizationMode",
        "`SSWS`, `Bearer` or `PrivateKey`.",
        _parse_mode,
    ),
    _s(
        "client_id",
        "str",
        None,
        "CLIENTID",
        "clientId",
        "PrivateKey mode: the service app's client id.",
        _parse_str,
    ),
    _s(
        "scopes",
        "list[str]",
        (),
        "SCOPES",
        "scopes",
        "PrivateKey mode: scopes to request (comma- or space-separated).",
        _parse_scopes,
    ),
    _s(
        "private_key",
        "str",
        None,
        "PRIVATEKEY",
        "privateKey",
        "PrivateKey mode: PEM or JWK text, or a path to a file holding it.",
        _parse_path,
        secret=True,
    ),
    _s(
        "key_id",
        "str",
        None,
        "KEYID KID",
        "kid",
        "PrivateKey mode: the key's `kid` (default: its JWK thumbprint).",
        _parse_str,
    ),
    _s(
        "dpop",
        "bool",
        False,
        "DPOP DPOPENABLED",
        "dpop dpopEnabled",
        "PrivateKey mode: ask for DPoP-bound tokens.",
        _parse_bool,
    ),
    _s(
        "timeout",
        "float",
        120.0,
        "REQUESTTIMEOUT",
        "requestTimeout",
        "Deadline of one whole call in seconds: holds, 429 waits, retries included (0: none). "
        "Per call: `timeout=`.",
        _non_negative_float,
        plain=True,
    ),
    _s(
        "attempt_timeout",
        "float",
        30.0,
        "ATTEMPTTIMEOUT",
        "attemptTimeout",
        "Deadline of each single HTTP attempt in seconds (0: none).",
        _non_negative_float,
        plain=True,
    ),
    _s(
        "max_retries",
        "int",
        2,
        "RATELIMIT_MAXRETRIES",
        "rateLimit.maxRetries",
        "Retries of a failed call (429, 5xx, connection errors). Per call: `max_retries=`.",
        _non_negative_int,
        plain=True,
    ),
    _s(
        "max_rate_limit_wait",
        "float",
        120.0,
        "RATELIMIT_MAXWAIT",
        "rateLimit.maxWait",
        "Longest rate-limit hold in seconds; a 429 resetting later raises `RateLimitError` "
        "at once.",
        _non_negative_float,
        plain=True,
    ),
    _s(
        "max_concurrent_requests",
        "int",
        48,
        "RATELIMIT_MAXCONCURRENT",
        "rateLimit.maxConcurrent",
        "Requests in flight per client (Okta allows 75 per org); lowered on concurrency 429s.",
        _positive_int,
        plain=True,
    ),
    _s(
        "max_connections",
        "int",
        100,
        "MAXCONNECTIONS",
        "maxConnections",
        "Size of the HTTP connection pool.",
        _positive_int,
        plain=True,
    ),
    _s(
        "proxy",
        "str",
        None,
        "",
        "",
        "Proxy URL; else built from the `PROXY_*` settings; else `HTTPS_PROXY` (trust_env).",
        _parse_proxy,
        secret=True,
    ),
    _s(
        "proxy_host",
        "str",
        None,
        "PROXY_HOST",
        "proxy.host",
        "Proxy host.",
        _parse_str,
        keyword=False,
    ),
    _s("proxy_port", "int", None, "PROXY_PORT", "proxy.port", "Proxy port.", _port, keyword=False),
    _s(
        "proxy_username",
        "str",
        None,
        "PROXY_USERNAME",
        "proxy.username",
        "Proxy user.",
        _parse_str,
        keyword=False,
    ),
    _s(
        "proxy_password",
        "str",
        None,
        "PROXY_PASSWORD",
        "proxy.password",
        "Proxy password.",
        _parse_str,
        keyword=False,
        secret=True,
    ),
    _s(
        "trust_env",
        "bool",
        True,
        "",
        "",
        "Read `HTTP(S)_PROXY`/`NO_PROXY` (never `~/.netrc`).",
        _parse_bool,
        plain=True,
    ),
    _s(
        "ssl",
        "SSLContext | bool",
        None,
        "",
        "",
        "An `ssl.SSLContext`, or `False` to skip verification (never in production).",
        _parse_ssl,
    ),
    _s(
        "ca_bundle",
        "str",
        None,
        "CABUNDLE",
        "caBundle",
        "File of CA certificates to trust instead of the system's.",
        _parse_path,
    ),
    _s(
        "user_agent_extra",
        "str",
        None,
        "USERAGENT",
        "userAgent",
        "Appended to the User-Agent header.",
        _parse_str,
        plain=True,
    ),
)
_BY_NAME: Final = {setting.name: setting for setting in SETTINGS}


def settings_table() -> str:
    """README's settings table (a test checks README holds exactly this)."""
    rows = ["| setting | type | default | environment | okta.yaml (`okta.client.`) | meaning |"]
    rows.append("|---|---|---|---|---|---|")
    for s in SETTINGS:
        env = ", ".join(f"`{name}`" for name in s.env) or "-"
        yaml = ", ".join(f"`{'.'.join(path)}`" for path in s.yaml) or "-"
        default = "-" if s.default is None else f"`{s.default!r}`"
        name = f"`{s.name}`" if s.keyword else f"({s.name})"
        rows.append(f"| {name} | {s.type} | {default} | {env} | {yaml} | {s.doc} |")
    return "\n".join(rows) + "\n"


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
            parsed = _BY_NAME[setting].parse(value)
        except ValueError as exc:
            message = "invalid value" if _BY_NAME[setting].secret else str(exc)
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
    private_key: str | os.PathLike[str] | None = None,
    key_id: str | None = None,
    dpop: bool | None = None,
    timeout: float | None = None,
    attempt_timeout: float | None = None,
    max_retries: int | None = None,
    max_rate_limit_wait: float | None = None,
    max_concurrent_requests: int | None = None,
    max_connections: int | None = None,
    proxy: str | None = None,
    trust_env: bool | None = None,
    ssl: ssl_module.SSLContext | bool | None = None,
    ca_bundle: str | os.PathLike[str] | None = None,
    user_agent_extra: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
) -> OktaConfig:
    """Resolve settings (arguments > env > ./okta.yaml > ~/.okta/okta.yaml > defaults).

    The keywords are the :data:`SETTINGS` (a test keeps them in step). ``env``, ``cwd`` and
    ``home`` default to the process environment, working directory and home directory; tests
    pass their own. ``private_key`` may be PEM text, JWK JSON text or a path to a file holding
    either (relative paths resolve against ``cwd``). Raises ``ConfigError`` naming the
    offending setting and its source.
    """
    given = dict(locals())
    arguments: Layer = {
        s.name: (_argument(given[s.name]), ARGUMENT)
        for s in SETTINGS
        if s.keyword and given[s.name] is not None
    }
    layers = [arguments, *_file_layers(env, cwd, home)]
    r = _Resolver(layers)
    cwd = Path.cwd() if cwd is None else cwd
    url_value = r.get("org_url")
    if not url_value:
        raise ConfigError(
            "org_url", "none", "no org URL: pass org_url=, set OKTA_CLIENT_ORGURL or okta.yaml"
        )
    mode = r.get("authorization_mode", _BY_NAME["authorization_mode"].default)
    settings: dict[str, Any] = {
        "org_url": validate_org_url(url_value, source=r.sources["org_url"]),
        "authorization_mode": mode,
        **{s.name: r.get(s.name, s.default) for s in SETTINGS if s.plain},
        "ssl": r.get("ssl"),
        "dpop": _dpop(r, mode),
        "proxy": _proxy(r),
        "ca_bundle": _ca_bundle(r, cwd),
    }
    if mode == "PrivateKey":
        settings.update(_private_key_settings(r, cwd))
    else:
        settings["token"] = _token(r, mode)
    return OktaConfig(**settings, sources=r.sources)


def _argument(value: Any) -> Any:
    """An argument as the parsers take it: iterables of scopes as lists."""
    if isinstance(value, (str, bytes, os.PathLike, ssl_module.SSLContext)):
        return value
    if isinstance(value, Iterable):
        return list(value)
    return value


def _file_layers(env: Mapping[str, str] | None, cwd: Path | None, home: Path | None) -> list[Layer]:
    """The environment and okta.yaml layers, in precedence order."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    if home is None:
        try:
            home = Path.home()
        except RuntimeError:  # no HOME and no passwd entry: skip the user-level file
            home = None
    layers = [_env_layer(env), _yaml_layer(cwd / "okta.yaml", "./okta.yaml")]
    if home is not None:
        layers.append(_yaml_layer(home / ".okta" / "okta.yaml", "~/.okta/okta.yaml"))
    return layers


def _proxy(r: _Resolver) -> str | None:
    """The ``proxy`` argument, or the URL built from the ``proxy_*`` settings."""
    proxy: str | None = r.get("proxy")
    if proxy is not None:
        return proxy
    built = _proxy_url(r)
    if built is not None:
        r.sources["proxy"] = r.sources["proxy_host"]
    return built


def _ca_bundle(r: _Resolver, cwd: Path) -> str | None:
    """The CA bundle as an absolute path to an existing file, or None."""
    bundle = r.get("ca_bundle")
    if bundle is None:
        return None
    path = Path(bundle).expanduser()
    path = path if path.is_absolute() else cwd / path
    if not path.is_file():
        raise ConfigError("ca_bundle", r.sources["ca_bundle"], f"no such file: {path}")
    return str(path)


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
    if any(c.isspace() or not c.isprintable() for c in token):
        raise ConfigError(
            "token", r.sources["token"], "contains whitespace or control characters (pasted?)"
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

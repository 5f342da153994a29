"""Per-endpoint rate limits and the org-wide concurrent-request limit.

Configuration (``RateLimits``) maps bucket keys to limits:

- ``"POST /api/v1/users"`` — one method on one path template (the SDK's ``Operation.bucket``);
- ``"/api/v1/users/{userId}"`` — every method on that template, sharing one counter;
- ``"*"`` — the default for any other endpoint; each endpoint still gets its own counter, as
  Okta counts per endpoint.

A limit is ``Limit(count, window)``; windows are fixed and aligned to multiples of the window
length since the epoch (60 s = whole minutes, like Okta), and ``X-Rate-Limit-Reset`` is the epoch
second at which the current window ends. When a bucket is exhausted the fake answers 429
E0000047. When more requests are in flight than ``concurrent`` allows, it answers 429 with
``X-Rate-Limit-Limit: 0`` and ``X-Rate-Limit-Remaining: 0`` (how Okta reports a concurrency
violation) and a reset one second ahead.

Spec strings (CLI ``--rate-limit``): entries separated by ``;`` or ``,``, each ``KEY=VALUE``
where VALUE is ``N`` (per minute), ``N/s``, ``N/min``, ``N/<seconds>s``; ``concurrent=N`` sets the
concurrency limit; ``okta`` alone selects Okta's documented defaults.
Example: ``"POST /api/v1/users=100/s;*=600/min;concurrent=75"``.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

LimitLike = Union["Limit", int, str, tuple[int, float]]


@dataclass(frozen=True)
class Limit:
    """``count`` requests per ``window`` seconds."""

    count: int
    window: float = 60.0


@dataclass
class RateLimits:
    """The rate-limit configuration of a fake org (see the module docstring)."""

    buckets: dict[str, Limit] = field(default_factory=dict)
    default: Limit | None = field(default_factory=lambda: Limit(100_000, 60.0))
    concurrent: int | None = None

    @classmethod
    def okta_defaults(cls) -> RateLimits:
        """Okta's documented default per-minute limits for the endpoints the fake serves."""
        return cls(
            buckets={
                "/api/v1/users": Limit(600),
                "GET /api/v1/users/{userId}": Limit(2000),
                "/api/v1/groups": Limit(500),
                "/api/v1/apps": Limit(100),
                "/api/v1/logs": Limit(120),
                "POST /oauth2/v1/token": Limit(600),
            },
            default=Limit(1200),
            concurrent=75,
        )

    @classmethod
    def coerce(cls, value: RateLimits | Mapping[str, LimitLike] | str | None) -> RateLimits:
        """Build from ``None`` (generous defaults), a mapping, a spec string or an instance."""
        if value is None:
            return cls()
        if isinstance(value, RateLimits):
            return value
        if isinstance(value, str):
            return parse_rate_limit_spec(value)
        out = cls()
        for key, raw in value.items():
            out._set(key, raw)
        return out

    def _set(self, key: str, raw: LimitLike) -> None:
        key = normalize_key(key)
        if key == "concurrent":
            self.concurrent = int(raw) if not isinstance(raw, (Limit, tuple)) else None
            return
        limit = to_limit(raw)
        if key == "*":
            self.default = limit
        else:
            self.buckets[key] = limit


def normalize_key(key: str) -> str:
    """``"post:/api/v1/users?x=1"`` -> ``"POST /api/v1/users"``."""
    key = key.strip()
    if key in ("*", "concurrent", "default"):
        return "*" if key == "default" else key
    key = key.split("?", 1)[0]
    match = re.match(r"^([A-Za-z]+)[\s:]+(/.*)$", key)
    if match:
        return f"{match.group(1).upper()} {match.group(2)}"
    return key


def to_limit(raw: LimitLike) -> Limit:
    if isinstance(raw, Limit):
        return raw
    if isinstance(raw, int):
        return Limit(raw, 60.0)
    if isinstance(raw, tuple):
        return Limit(int(raw[0]), float(raw[1]))
    match = re.match(r"^\s*(\d+)\s*(?:/\s*(\d*\.?\d*)\s*(s|sec|m|min)?)?\s*$", raw)
    if not match:
        raise ValueError(f"bad rate limit {raw!r}; expected N, N/s, N/min or N/<seconds>s")
    count = int(match.group(1))
    if match.group(2) is None and match.group(3) is None:
        return Limit(count, 60.0)
    amount = float(match.group(2)) if match.group(2) else 1.0
    unit = match.group(3) or "s"
    return Limit(count, amount * (60.0 if unit in ("m", "min") else 1.0))


def parse_rate_limit_spec(spec: str) -> RateLimits:
    """Parse the CLI ``--rate-limit`` string (see the module docstring)."""
    if spec.strip().lower() == "okta":
        return RateLimits.okta_defaults()
    out = RateLimits()
    for entry in re.split(r"[;,]", spec):
        if not entry.strip():
            continue
        if "=" not in entry:
            raise ValueError(f"bad rate limit entry {entry!r}; expected KEY=VALUE")
        key, value = entry.rsplit("=", 1)
        out._set(key, value.strip())
    return out


@dataclass
class _Window:
    start: float
    used: int = 0


@dataclass(frozen=True)
class Verdict:
    """Outcome of counting one request: headers to send and whether it is throttled."""

    bucket: str
    limit: int
    remaining: int
    reset: int
    throttled: bool


class RateLimiter:
    """Counts requests per bucket in fixed windows and tracks requests in flight."""

    def __init__(self, config: RateLimits) -> None:
        self.config = config
        self._windows: dict[str, _Window] = {}
        self.in_flight = 0

    def reconfigure(self, config: RateLimits) -> None:
        self.config = config
        self._windows.clear()

    def resolve(self, method: str, template: str) -> tuple[str, Limit | None]:
        """The bucket id and limit for a request to ``template``."""
        exact = f"{method} {template}"
        buckets = self.config.buckets
        if exact in buckets:
            return exact, buckets[exact]
        if template in buckets:
            return template, buckets[template]
        return exact, self.config.default

    def hit(self, method: str, template: str, now: float | None = None) -> Verdict:
        """Count one request against its bucket."""
        now = time.time() if now is None else now
        bucket, limit = self.resolve(method, template)
        if limit is None:
            return Verdict(bucket, 0, 0, 0, False)
        start = math.floor(now / limit.window) * limit.window
        window = self._windows.get(bucket)
        if window is None or window.start != start:
            window = self._windows[bucket] = _Window(start)
        reset = math.ceil(start + limit.window)
        if window.used >= limit.count:
            return Verdict(bucket, limit.count, 0, reset, True)
        window.used += 1
        return Verdict(bucket, limit.count, limit.count - window.used, reset, False)

    def concurrency_exceeded(self) -> bool:
        """True when the org's concurrent-request cap is set and already reached."""
        limit = self.config.concurrent
        return limit is not None and self.in_flight >= limit

"""Deterministic fault injection: latency, 5xx errors, connection resets, slow bodies.

Rules (``FaultRule``) are scoped by method and path prefix; the first rule that matches a
request decides its faults. Every decision is a pure function of ``(seed, method, path+query,
body digest, n)`` where ``n`` counts earlier identical requests, so a run is reproducible even
when requests interleave differently, and a retried request draws fresh odds.

Kinds of fault, checked in this order:

- ``latency``: sleep before handling (seconds, fixed or a ``lo-hi`` range);
- ``reset_before``: drop the connection before the request touches the store;
- ``error_rate``: answer one of ``errors`` (500 -> Okta's E0000009 JSON, 502/503 -> an HTML
  page as a load balancer would send) without touching the store;
- ``reset_after``: apply the request, then drop the connection without answering (the case
  that makes a blind retry of a POST create duplicates);
- ``slow_body``: stream the response body in 10 chunks over ``slow_body_seconds``.

Spec strings (CLI ``--faults``): rules separated by ``;``, each ``[SCOPE:]k=v,k=v`` where SCOPE
is ``METHOD /prefix``, ``/prefix`` or ``METHOD``. Keys: ``latency`` (``0.05``, ``20ms``,
``0.01-0.1``), ``error_rate``, ``errors`` (``500/502/503``), ``reset_before``, ``reset_after``,
``slow_body``, ``slow_body_seconds``.
Example: ``"latency=5ms-20ms,error_rate=0.02;POST /api/v1/users:reset_after=0.1"``.

Tests can also script exact faults: ``org.faults.script("reset_after", "POST", "/api/v1/users")``
makes the next matching request fail that way, regardless of the odds.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = ("latency", "reset_before", "error", "reset_after", "slow_body")


@dataclass(frozen=True)
class FaultRule:
    """Fault odds for requests whose method and path match this rule."""

    method: str = "*"
    path_prefix: str = "/"
    latency: tuple[float, float] = (0.0, 0.0)
    error_rate: float = 0.0
    errors: tuple[int, ...] = (500, 502, 503)
    reset_before: float = 0.0
    reset_after: float = 0.0
    slow_body: float = 0.0
    slow_body_seconds: float = 1.0

    def matches(self, method: str, path: str) -> bool:
        """True if this rule applies to ``method`` (or is ``*``) and a path under its prefix."""
        return (self.method in ("*", method)) and path.startswith(self.path_prefix)


@dataclass(frozen=True)
class Decision:
    """What happens to one request."""

    latency: float = 0.0
    reset_before: bool = False
    error: int | None = None
    reset_after: bool = False
    slow_body: float | None = None


@dataclass
class _Scripted:
    kind: str
    method: str
    path_prefix: str
    times: int
    status: int
    seconds: float


@dataclass
class Faults:
    """Fault configuration plus the counters that make decisions reproducible."""

    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 0
    _occurrences: dict[str, int] = field(default_factory=dict)
    _scripted: list[_Scripted] = field(default_factory=list)

    @classmethod
    def coerce(
        cls,
        value: Faults | str | FaultRule | Mapping[str, Any] | Iterable[FaultRule] | None,
        seed: int,
    ) -> Faults:
        if value is None:
            return cls(seed=seed)
        if isinstance(value, Faults):
            return value
        if isinstance(value, str):
            return cls(parse_faults_spec(value), seed)
        if isinstance(value, FaultRule):
            return cls([value], seed)
        if isinstance(value, Mapping):
            return cls([rule_from_mapping(value)], seed)
        return cls(list(value), seed)

    def script(
        self,
        kind: str,
        method: str = "*",
        path_prefix: str = "/",
        *,
        times: int = 1,
        status: int = 503,
        seconds: float = 1.0,
    ) -> None:
        """Force the next ``times`` matching requests to fail with fault ``kind``.

        ``kind`` is one of ``latency`` (sleep ``seconds``), ``reset_before``, ``error``
        (answer ``status``), ``reset_after``, ``slow_body`` (stream over ``seconds``).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        self._scripted.append(_Scripted(kind, method.upper(), path_prefix, times, status, seconds))

    def clear(self) -> None:
        """Drop every rule and scripted fault: requests are served untouched again."""
        self.rules.clear()
        self._scripted.clear()

    def decide(self, method: str, path_qs: str, body: bytes) -> Decision:
        """The faults for this request (consumes one scripted fault if one matches)."""
        path = path_qs.split("?", 1)[0]
        for scripted in self._scripted:
            if scripted.method in ("*", method) and path.startswith(scripted.path_prefix):
                scripted.times -= 1
                if scripted.times <= 0:
                    self._scripted.remove(scripted)
                return _scripted_decision(scripted)
        rule = next((r for r in self.rules if r.matches(method, path)), None)
        if rule is None:
            return Decision()
        digest = hashlib.blake2b(body, digest_size=8).hexdigest()
        key = f"{method} {path_qs} {digest}"
        n = self._occurrences.get(key, 0)
        self._occurrences[key] = n + 1
        seed_material = hashlib.blake2b(f"{self.seed}|{key}|{n}".encode(), digest_size=8)
        rng = random.Random(int.from_bytes(seed_material.digest(), "big"))
        lo, hi = rule.latency
        latency = lo + (hi - lo) * rng.random() if hi > lo else lo
        reset_before = rng.random() < rule.reset_before
        error_roll = rng.random() < rule.error_rate
        error = rng.choice(rule.errors) if rule.errors else 500
        reset_after = rng.random() < rule.reset_after
        slow = rng.random() < rule.slow_body
        if reset_before:
            return Decision(latency=latency, reset_before=True)
        if error_roll:
            return Decision(latency=latency, error=error)
        return Decision(
            latency=latency,
            reset_after=reset_after,
            slow_body=rule.slow_body_seconds if slow and not reset_after else None,
        )


def _scripted_decision(scripted: _Scripted) -> Decision:
    if scripted.kind == "latency":
        return Decision(latency=scripted.seconds)
    if scripted.kind == "reset_before":
        return Decision(reset_before=True)
    if scripted.kind == "error":
        return Decision(error=scripted.status)
    if scripted.kind == "reset_after":
        return Decision(reset_after=True)
    return Decision(slow_body=scripted.seconds)


def _seconds(text: str) -> float:
    text = text.strip().lower()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000.0
    if text.endswith("s"):
        return float(text[:-1])
    return float(text)


def _latency(text: str) -> tuple[float, float]:
    match = re.match(r"^\s*([0-9.]+\s*m?s?)\s*(?:-\s*([0-9.]+\s*m?s?))?\s*$", text)
    if not match:
        raise ValueError(f"bad latency {text!r}")
    lo = _seconds(match.group(1))
    hi = _seconds(match.group(2)) if match.group(2) else lo
    return (lo, hi)


def rule_from_mapping(values: Mapping[str, Any], method: str = "*", prefix: str = "/") -> FaultRule:
    """A rule from keyword values (the same keys as the spec string)."""
    rule = FaultRule(
        method=str(values.get("method", method)).upper(),
        path_prefix=str(values.get("path_prefix", prefix)),
    )
    for key, raw in values.items():
        if key in ("method", "path_prefix"):
            continue
        if key == "latency":
            lat = (
                raw
                if isinstance(raw, tuple)
                else _latency(str(raw))
                if isinstance(raw, str)
                else (float(raw), float(raw))
            )
            rule = replace(rule, latency=(float(lat[0]), float(lat[1])))
        elif key == "errors":
            items: Sequence[Any] = raw if isinstance(raw, (list, tuple)) else str(raw).split("/")
            rule = replace(rule, errors=tuple(int(x) for x in items))
        elif key == "error_rate":
            rule = replace(rule, error_rate=float(raw))
        elif key == "reset_before":
            rule = replace(rule, reset_before=float(raw))
        elif key == "reset_after":
            rule = replace(rule, reset_after=float(raw))
        elif key == "slow_body":
            rule = replace(rule, slow_body=float(raw))
        elif key == "slow_body_seconds":
            rule = replace(rule, slow_body_seconds=_seconds(str(raw)))
        else:
            raise ValueError(f"unknown fault setting {key!r}")
    return rule


def parse_faults_spec(spec: str) -> list[FaultRule]:
    """Parse the CLI ``--faults`` string (see the module docstring)."""
    rules = []
    for chunk in spec.split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        method, prefix = "*", "/"
        head, sep, rest = chunk.partition(":")
        if sep and "=" not in head:
            scope = head.split()
            for part in scope:
                if part.startswith("/"):
                    prefix = part
                elif part != "*":
                    method = part.upper()
            chunk = rest
        values: dict[str, str] = {}
        for item in chunk.split(","):
            if not item.strip():
                continue
            if "=" not in item:
                raise ValueError(f"bad fault setting {item!r}; expected key=value")
            key, value = item.split("=", 1)
            values[key.strip()] = value.strip()
        rules.append(rule_from_mapping(values, method, prefix))
    return rules

"""Deterministic fault injection over real HTTP."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from okta_async.testing import FakeOrg, FaultRule, Faults
from okta_async.testing.faults import parse_faults_spec
from tests.testing.conftest import Api


async def _statuses(seed: int, n: int = 40) -> list[Any]:
    org = FakeOrg(seed=seed, faults="GET /api/v1/groups:error_rate=0.3,reset_before=0.1")
    out: list[Any] = []
    async with org, aiohttp.ClientSession() as session:
        headers = {"Authorization": f"SSWS {org.token}"}
        for _ in range(n):
            try:
                async with session.get(f"{org.url}/api/v1/groups", headers=headers) as resp:
                    await resp.read()
                    out.append(resp.status)
            except aiohttp.ClientConnectionError:
                pass
    # Server-side view: aiohttp may transparently resend a GET whose pooled connection was
    # reset, so the client alone cannot see every fault.
    return [r["fault"] or r["status"] for r in org.requests]


async def test_same_seed_gives_the_same_faults() -> None:
    first = await _statuses(seed=7)
    assert first == await _statuses(seed=7)
    assert {200, "reset_before"} <= set(first)
    assert set(first) & {"error_500", "error_502", "error_503"}


async def test_different_seed_gives_different_faults() -> None:
    assert await _statuses(seed=1) != await _statuses(seed=2)


async def test_reset_after_processing_applies_the_change(api: Api) -> None:
    api.org.faults.script("reset_after", "POST", "/api/v1/users")
    body = {
        "profile": {
            "login": "twice@example.com",
            "email": "twice@example.com",
            "firstName": "T",
            "lastName": "W",
        }
    }
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.post("/api/v1/users", body)
    assert api.org.store.find_user("twice@example.com") is not None
    assert api.org.events("user.lifecycle.create")
    assert api.org.requests[-1]["fault"] == "reset_after"
    retry = await api.post("/api/v1/users", body)  # what a blind POST retry runs into
    assert retry.status == 400 and retry.body["errorCode"] == "E0000001"


async def test_reset_before_processing_changes_nothing(api: Api) -> None:
    api.org.faults.script("reset_before", "POST", "/api/v1/groups")
    with pytest.raises(aiohttp.ClientConnectionError):
        await api.post("/api/v1/groups", {"profile": {"name": "never"}})
    assert [g["profile"]["name"] for g in api.org.store.groups.values()] == ["Everyone"]
    assert (await api.post("/api/v1/groups", {"profile": {"name": "never"}})).status == 200
    assert api.org.stats["POST /api/v1/groups"]["resets"] == 1


async def test_injected_500_is_okta_json_and_503_is_html(api: Api) -> None:
    api.org.faults.script("error", "GET", "/api/v1/users", status=500)
    api.org.faults.script("error", "GET", "/api/v1/users", status=503)
    five_hundred = await api.get("/api/v1/users")
    assert five_hundred.status == 500 and five_hundred.body["errorCode"] == "E0000009"
    unavailable = await api.get("/api/v1/users")
    assert unavailable.status == 503 and "Service Unavailable" in unavailable.body
    assert "X-Okta-Request-Id" in unavailable.headers
    assert (await api.get("/api/v1/users")).status == 200


@pytest.mark.parametrize("fake_okta", [{"users": 40}], indirect=True)
async def test_slow_body_still_delivers_the_whole_document(api: Api) -> None:
    api.org.faults.script("slow_body", "GET", "/api/v1/users", seconds=0.05)
    reply = await api.get("/api/v1/users")
    assert reply.status == 200 and len(reply.body) == 40
    assert api.org.requests[-1]["fault"] == "slow_body"


async def test_latency_is_decided_and_recorded(api: Api) -> None:
    api.org.set_faults([FaultRule(method="GET", path_prefix="/api/v1/logs", latency=(0.01, 0.02))])
    await api.get("/api/v1/logs")
    assert 0.01 <= api.org.requests[-1]["decision"].latency <= 0.02
    await api.get("/api/v1/users")
    assert api.org.requests[-1]["decision"].latency == 0


def test_faults_spec_parsing() -> None:
    rules = parse_faults_spec(
        "latency=5ms-20ms,error_rate=0.02; POST /api/v1/users: reset_after=0.1,errors=502/503;"
        "/api/v1/logs:slow_body=0.5,slow_body_seconds=2"
    )
    assert rules[0] == FaultRule(latency=(0.005, 0.02), error_rate=0.02)
    assert rules[1].method == "POST" and rules[1].path_prefix == "/api/v1/users"
    assert rules[1].reset_after == 0.1 and rules[1].errors == (502, 503)
    assert rules[2].slow_body == 0.5 and rules[2].slow_body_seconds == 2.0
    with pytest.raises(ValueError):
        parse_faults_spec("explode=1")


def test_first_matching_rule_wins() -> None:
    faults = Faults(
        [FaultRule(method="POST", error_rate=1.0, errors=(502,)), FaultRule(error_rate=0.0)]
    )
    assert faults.decide("POST", "/api/v1/users", b"{}").error == 502
    assert faults.decide("GET", "/api/v1/users", b"").error is None

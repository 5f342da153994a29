"""``ProfileMapping.properties`` is readOnly in the 2.4.0 spec and a single object in the current
one; the overrides make it a sent map, so ``update_profile_mapping`` no longer sends ``{}``."""

from __future__ import annotations

from typing import Any

import orjson

from okta_async import OktaClient, models
from tests.support.http_mock import mocked_okta

ORG = "https://acme.okta.com"
MAPPING = {"id": "prm1", "properties": {"fullName": {"expression": "user.firstName"}}}


def _sent_json(mocked: Any) -> list[Any]:
    calls = [call for calls in mocked.requests.values() for call in calls]
    return [orjson.loads(call.kwargs.get("data") or b"null") for call in calls]


async def test_update_profile_mapping_sends_the_mapped_properties() -> None:
    mapping = models.ProfileMapping.from_dict(MAPPING)
    mapping.properties["nickName"] = models.ProfileMappingProperty(expression="user.nick")
    async with OktaClient(org_url=ORG, token="test-token") as okta:
        with mocked_okta() as mocked:
            mocked.post(f"{ORG}/api/v1/mappings/prm1", payload=MAPPING)
            await okta.mappings.update_profile_mapping("prm1", mapping)
    assert _sent_json(mocked) == [
        {
            "properties": {
                "fullName": {"expression": "user.firstName"},
                "nickName": {"expression": "user.nick"},
            }
        }
    ]

"""Every operation of the current spec, called through the SDK against the fake org, gets an
answer in Okta's shape: success for what the fake org implements, otherwise an Okta error body
(404 E0000007 for an endpoint it does not serve, 405 E0000022 for a method it does not serve,
4xx for arguments it rejects). Never a 5xx, a dropped connection or an undecodable answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from okta_async import OktaClient
from okta_async._core.errors import APIStatusError
from okta_async.testing import FakeOrg
from tests.codegen.test_coverage import _arguments, current_operations


@pytest.fixture
async def okta() -> AsyncIterator[OktaClient]:
    async with (
        FakeOrg(users=2, seed=3) as org,
        OktaClient(org_url=org.url, token=org.token, max_retries=0) as client,
    ):
        yield client


async def test_every_operation_gets_an_okta_shaped_answer(
    okta_doc: dict[str, Any], okta: OktaClient
) -> None:
    outcomes: Counter[str] = Counter()
    odd = {}
    for spec_op in current_operations(okta_doc):
        method = getattr(getattr(okta, spec_op["namespace"]), spec_op["name"])
        args, kwargs = _arguments(method)
        try:
            await method(*args, **kwargs)
        except APIStatusError as error:
            outcomes[f"{error.status} {error.error_code}"] += 1
            if error.status >= 500 or not error.error_code:
                odd[f"{spec_op['method']} {spec_op['path']}"] = repr(error)
        else:
            outcomes["ok"] += 1
    assert odd == {}
    assert outcomes["404 E0000007"] > 600  # most of the API is not implemented by the fake
    assert outcomes["ok"] > 0

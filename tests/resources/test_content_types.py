"""Media types over real HTTP on 127.0.0.1: multipart uploads, text answers, Accept and
Content-Type per spec entry, deepObject query parameters."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from okta_async import OktaClient
from okta_async._core.resource import encode_query
from tests.support.loopback import client_for

LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


class Org:
    """Answers with ``reply`` and keeps what each request carried (multipart parsed by aiohttp)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.reply: web.Response = web.Response(status=201)
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._answer)

    async def _answer(self, request: web.Request) -> web.Response:
        record: dict[str, Any] = {"method": request.method, "headers": request.headers}
        if request.content_type == "multipart/form-data":
            form = await request.post()
            record["files"] = {
                k: (v.filename, v.content_type, v.file.read()) for k, v in form.items()
            }
        else:
            record["body"] = await request.read()
        self.seen.append(record)
        return self.reply


@pytest.fixture
async def org() -> AsyncIterator[tuple[Org, OktaClient]]:
    org = Org()
    async with client_for(org.app, "00tok") as okta:
        yield org, okta


async def test_an_app_logo_goes_as_multipart_form_data_from_bytes(
    org: tuple[Org, OktaClient],
) -> None:
    recorder, okta = org
    await okta.apps.upload_application_logo("0oa1", LOGO)
    [sent] = recorder.seen
    assert sent["files"] == {"file": ("file", "application/octet-stream", LOGO)}


async def test_a_brand_logo_goes_as_multipart_form_data_from_a_file(
    org: tuple[Org, OktaClient],
) -> None:
    recorder, okta = org
    recorder.reply = web.json_response({"url": "https://x/logo.png"})
    upload = io.BytesIO(LOGO)
    upload.name = "/home/me/logo.png"
    await okta.brands.upload_brand_theme_logo("bnd1", "thm1", upload)
    [sent] = recorder.seen
    assert sent["files"] == {"file": ("logo.png", "image/png", LOGO)}


async def test_saml_metadata_comes_back_as_text_asked_for_as_xml(
    org: tuple[Org, OktaClient],
) -> None:
    recorder, okta = org
    xml = '<?xml version="1.0"?><md:EntityDescriptor entityID="x"/>'
    recorder.reply = web.Response(text=xml, content_type="text/xml")
    metadata = await okta.apps.preview_saml_metadata_for_application("0oa1", kid="k1")
    assert metadata == xml
    assert recorder.seen[0]["headers"]["Accept"] == "text/xml"


async def test_a_certificate_is_sent_with_the_content_type_the_caller_names(
    org: tuple[Org, OktaClient],
) -> None:
    recorder, okta = org
    recorder.reply = web.json_response({"kid": "k1"})
    key = await okta.idps.publish_csr_for_identity_provider(
        "0oa1", "csr1", b"\x30\x82", content_type="application/x-pem-file"
    )
    assert key.kid == "k1"
    [sent] = recorder.seen
    assert sent["headers"]["Content-Type"] == "application/x-pem-file"
    assert sent["body"] == b"\x30\x82"


async def test_a_merge_patch_body_is_sent_as_merge_patch_json(
    org: tuple[Org, OktaClient],
) -> None:
    recorder, okta = org
    recorder.reply = web.json_response({})
    await okta.authenticators.update_custom_aaguid("aut1", "aaguid1", {"name": "Key"})
    [sent] = recorder.seen
    assert sent["headers"]["Content-Type"] == "application/merge-patch+json"
    assert sent["body"] == b'{"name":"Key"}'


def test_a_dict_query_value_is_sent_deep_object_style() -> None:
    assert encode_query({"filter": {"status": "ACTIVE", "type": "X"}, "limit": 2}) == [
        ("filter[status]", "ACTIVE"),
        ("filter[type]", "X"),
        ("limit", "2"),
    ]

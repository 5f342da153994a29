"""What generated methods send and return, through a recording transport (no network).

The same scenarios over real HTTP (aioresponses + OktaClient) are in test_http.py.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from okta_async import UNSET, MissingFieldError, models
from okta_async._core import serde

USER_JSON: dict[str, Any] = {
    "id": "00ub0oNGTSWTBKOLGLNR",
    "status": "ACTIVE",
    "created": "2013-07-02T21:36:25.344Z",
    "activated": None,
    "statusChanged": None,
    "lastLogin": "2013-07-02T21:36:25.344Z",
    "lastUpdated": "2013-07-02T21:36:25.344Z",
    "passwordChanged": "2013-07-02T21:36:25.344Z",
    "profile": {
        "firstName": "Isaac",
        "lastName": "Brock",
        "email": "isaac.brock@example.com",
        "login": "isaac.brock@example.com",
        "mobilePhone": "555-415-1337",
        "favouriteBand": "Modest Mouse",
    },
    "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
    "_links": {"self": {"href": "https://acme.okta.com/api/v1/users/00ub0oNGTSWTBKOLGLNR"}},
}


async def test_create_user_inactive_with_nested_credentials(client: Any, transport: Any) -> None:
    transport.replies.append({**USER_JSON, "status": "STAGED"})
    body = models.CreateUserRequest(
        profile=models.UserProfile(
            first_name="Isaac", last_name="Brock", email="isaac@example.com", login="isaac"
        ),
        credentials=models.UserCredentials(
            password=models.PasswordCredential(value="tlpWENT2m"),
            recovery_question=models.RecoveryQuestionCredential(
                question="Who's a major player in the cowboy scene?", answer="Annie Oakley"
            ),
        ),
    )
    user = await client.users.create_user(body, activate=False)
    (sent,) = transport.requests
    assert (sent["op"].method, sent["op"].path) == ("POST", "/api/v1/users")
    assert sent["query"] == [("activate", "false")]
    assert sent["json"] == {
        "profile": {
            "firstName": "Isaac",
            "lastName": "Brock",
            "email": "isaac@example.com",
            "login": "isaac",
        },
        "credentials": {
            "password": {"value": "tlpWENT2m"},
            "recovery_question": {
                "question": "Who's a major player in the cowboy scene?",
                "answer": "Annie Oakley",
            },
        },
    }
    assert isinstance(user, models.User)
    assert user.status is models.UserStatus.STAGED
    assert user.created == datetime.datetime(
        2013, 7, 2, 21, 36, 25, 344000, tzinfo=datetime.timezone.utc
    )
    assert "tlpWENT2m" not in repr(body)


async def test_partial_update_sends_only_the_fields_that_were_set(
    client: Any, transport: Any
) -> None:
    transport.replies.append(USER_JSON)
    patch = models.User(profile=models.UserProfile(nick_name="ib", title=None))
    await client.users.update_user("00ub0oNGTSWTBKOLGLNR", patch)
    (sent,) = transport.requests
    assert (sent["op"].method, sent["op"].path) == ("POST", "/api/v1/users/{id}")
    assert sent["path_params"] == {"id": "00ub0oNGTSWTBKOLGLNR"}
    assert sent["json"] == {"profile": {"nickName": "ib", "title": None}}


async def test_read_modify_write_keeps_custom_attributes_and_drops_read_only(
    client: Any, transport: Any
) -> None:
    transport.replies.extend([USER_JSON, USER_JSON])
    user = await client.users.get_user("00ub0oNGTSWTBKOLGLNR")
    assert user.profile.additional_properties == {"favouriteBand": "Modest Mouse"}
    user.profile.mobile_phone = None
    await client.users.replace_user(user.id, user)
    sent = transport.requests[1]["json"]
    assert {"profile", "credentials"} <= set(sent)
    assert not set(sent) & {"id", "created", "activated", "lastLogin", "lastUpdated"}  # readOnly
    assert sent["profile"]["favouriteBand"] == "Modest Mouse"
    assert sent["profile"]["mobilePhone"] is None


async def test_unknown_user_status_is_kept(client: Any, transport: Any) -> None:
    transport.replies.append({**USER_JSON, "status": "HIBERNATING", "transitioningToStatus": None})
    user = await client.users.get_user("00ub0oNGTSWTBKOLGLNR")
    assert user.status == "HIBERNATING"
    assert not isinstance(user.status, models.UserStatus)
    assert user.transitioning_to_status is None
    assert serde.unstructure(user)["status"] == "HIBERNATING"


def test_mixed_application_page_decodes_to_subclasses_and_base() -> None:
    page = [
        {"id": "0oa1", "name": "zendesk", "signOnMode": "SAML_2_0", "settings": {"signOn": {}}},
        {"id": "0oa2", "name": "bookmark", "signOnMode": "BOOKMARK", "label": "Wiki"},
        {"id": "0oa3", "name": "future_app", "signOnMode": "QUANTUM_SSO", "newField": [1, 2]},
        "not even an object",
    ]
    decode = serde.decoder(models.Application)
    saml, bookmark, unknown, odd = [decode(item) for item in page]
    assert type(saml) is models.SamlApplication
    assert isinstance(saml.settings, models.SamlApplicationSettings)
    assert type(bookmark) is models.BookmarkApplication
    assert type(unknown) is models.Application
    assert unknown.sign_on_mode == "QUANTUM_SSO"
    # ``name`` is declared by the subclasses only (the current spec), so here it is an extra key
    assert unknown.additional_properties == {"name": "future_app", "newField": [1, 2]}
    assert serde.unstructure(unknown) == page[2]
    assert odd == "not even an object"


def test_wrong_typed_values_never_fail_decoding_and_are_written_back() -> None:
    data = {"id": 42, "created": "yesterday", "profile": "??", "activated": ["x"]}
    user = serde.structure(data, models.User)
    assert user.activated is UNSET
    for name in ("id", "created", "profile"):  # always-present fields: raise only when read
        with pytest.raises(MissingFieldError):
            getattr(user, name)
    assert user.additional_properties == data
    assert serde.unstructure(user) == data


async def test_non_json_bodies_and_header_parameters(client: Any, transport: Any) -> None:
    transport.replies.extend([{"kid": "k1"}, {"factorResult": "SUCCESS"}])
    key = await client.apps.publish_csr_from_application(
        "0oa1", "csr1", b"\x30\x82", content_type="application/pkix-cert"
    )
    assert isinstance(key, models.JsonWebKey)
    (publish,) = transport.requests[:1]
    assert publish["data"] == b"\x30\x82"
    assert publish["content_type"] == "application/pkix-cert"
    assert publish["json"] is None
    await client.users.verify_factor(
        "00u1",
        "f1",
        {"passCode": "123456"},
        x_forwarded_for="1.2.3.4",
        extra_headers={"X-Test": "1"},
        timeout=3.0,
    )
    verify = transport.requests[1]
    assert verify["options"] == {
        "timeout": 3.0,
        "extra_headers": {"X-Forwarded-For": "1.2.3.4", "X-Test": "1"},
    }
    assert verify["json"] == {"passCode": "123456"}

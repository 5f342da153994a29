"""Generated resources end to end against the embedded fake org (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from okta_async import UNSET, models


@pytest.fixture
async def okta() -> AsyncIterator[Any]:
    from okta_async import OktaClient
    from okta_async.testing import FakeOrg

    async with (
        FakeOrg(users=3, seed=1) as org,
        OktaClient(org_url=org.url, token=org.token) as client,
    ):
        client.fake_org = org
        yield client


async def test_user_lifecycle_round_trip(okta: Any) -> None:
    created = await okta.users.create_user(
        models.CreateUserRequest(
            profile=models.UserProfile(
                first_name="Isaac",
                last_name="Brock",
                email="isaac@example.com",
                login="isaac@example.com",
                additional_properties={"favouriteBand": "Modest Mouse"},
            ),
            credentials=models.UserCredentials(
                password=models.PasswordCredential(value="Abcd1234!")
            ),
        ),
        activate=False,
    )
    assert isinstance(created, models.User)
    assert created.status is models.UserStatus.STAGED
    assert created.created is not UNSET and created.created.tzinfo is not None
    stored = okta.fake_org.store.users.get(created.id)
    assert stored["profile"]["favouriteBand"] == "Modest Mouse"

    updated = await okta.users.update_user(
        created.id, models.User(profile=models.UserProfile(nick_name="ib"))
    )
    assert updated.profile.nick_name == "ib"
    assert updated.profile.first_name == "Isaac"  # a partial update keeps the rest

    fetched = await okta.users.get_user(created.id)
    assert fetched.profile.additional_properties["favouriteBand"] == "Modest Mouse"
    logins = [u.profile.login async for u in okta.users.list_users()]
    assert "isaac@example.com" in logins


async def test_applications_page_with_known_and_unknown_sign_on_modes(okta: Any) -> None:
    saml = await okta.apps.create_application(
        models.SamlApplication(label="Zendesk", sign_on_mode="SAML_2_0", name="zendesk")
    )
    wiki = await okta.apps.create_application(
        models.BookmarkApplication(
            label="Wiki",
            settings=models.BookmarkApplicationSettings(
                app=models.BookmarkApplicationSettingsApplication(url="https://wiki.example.com")
            ),
        )
    )
    future = await okta.apps.create_application({"label": "Future", "signOnMode": "QUANTUM_SSO"})
    apps = await okta.apps.list_applications().collect()
    by_id = {app.id: app for app in apps}
    assert type(by_id[saml.id]) is models.SamlApplication
    assert type(by_id[wiki.id]) is models.BookmarkApplication
    assert by_id[wiki.id].settings.app.url == "https://wiki.example.com"
    listed = by_id[future.id]
    assert type(listed) is models.Application
    assert listed.sign_on_mode == "QUANTUM_SSO"
    assert listed.id is not UNSET


async def test_unknown_user_status_from_the_org_is_kept(okta: Any) -> None:
    user = (await okta.users.list_users(limit=1).collect())[0]
    okta.fake_org.set_user_status(user.id, "HIBERNATING")
    fetched = await okta.users.get_user(user.id)
    assert fetched.status == "HIBERNATING"

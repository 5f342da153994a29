"""What a user's editor and mypy see on the common paths (checked by mypy, never run).

``tests/typing/test_mypy.py`` runs ``mypy --strict`` on this module: each ``assert_type`` states
the type a user gets, so a regression in the generated annotations fails the suite.
"""

from __future__ import annotations

import datetime

from typing_extensions import assert_type

from okta_async import AsyncPaginator, NotFoundError, OktaClient, OpenStr, Page, models


async def get_and_read_fields(okta: OktaClient) -> None:
    """Fields Okta always sends are plain values: no UNSET/None narrowing needed."""
    user = await okta.users.get_user("00u1")
    assert_type(user, models.UserGetSingleton)
    assert_type(user.id, str)
    assert_type(user.profile.login, str)
    assert_type(user.created, datetime.datetime)
    assert_type(user.status, models.UserStatus | str)  # response enums stay open
    group = await okta.groups.get_group("00g1")
    assert_type(group.profile.name, str)
    app = await okta.apps.get_application("0oa1")
    assert_type(app.label, str)


async def list_users(okta: OktaClient) -> None:
    """``async for`` over a listing, and one page's items."""
    listing = okta.users.list_users(search='profile.department eq "Engineering"')
    assert_type(listing, AsyncPaginator[models.User])
    async for user in listing:
        assert_type(user, models.User)
        assert_type(user.profile.login, str)
    page = await okta.groups.list_groups(limit=200)
    assert_type(page, Page[models.Group])
    assert_type(page.items, list[models.Group])
    assert_type(page.items[0].id, str)


async def create_user(okta: OktaClient) -> None:
    """A body is the model or a TypedDict with wire names; request enums take Literal values."""
    from_dict = await okta.users.create_user(
        {"profile": {"login": "ada@example.com", "email": "ada@example.com"}},
        activate=False,
        next_login="changePassword",
    )
    assert_type(from_dict, models.User)
    body = models.CreateUserRequest(
        profile=models.UserProfile(login="ada@example.com", email="ada@example.com")
    )
    from_model = await okta.users.create_user(body)
    assert_type(from_model, models.User)
    typed: models.CreateUserRequestDict = {"profile": {"login": "ada@example.com"}}
    await okta.users.create_user(typed, next_login=OpenStr("aValueOktaAddsLater"))
    await okta.apps.create_application(
        {"name": "bookmark", "label": "Wiki", "signOnMode": "BOOKMARK"}
    )


async def error_codes(okta: OktaClient) -> None:
    """Errors carry Okta's code and summary, typed."""
    try:
        await okta.users.get_user("nobody")
    except NotFoundError as exc:
        assert_type(exc.error_code, str | None)
        assert_type(exc.error_summary, str | None)
        assert_type(exc.status, int)
        assert_type(exc.request_id, str | None)

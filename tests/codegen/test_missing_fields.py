"""A model lacking an always-present field still compares, copies, pickles, evolves and prints.

attrs' own code (``__eq__``, ``evolve``, ``asdict``) reads such a field as ``ABSENT``; copies and
pickles keep it absent; any other read raises ``MissingFieldError``, on the copies too.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import attrs
import orjson
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from okta_async import MissingFieldError, models
from okta_async._core.model import ABSENT, decoding_request_id
from tests.support.loopback import client_for

FULL_USER: dict[str, Any] = {
    "id": "00u1",
    "status": "ACTIVE",
    "created": "2013-06-24T16:39:18.000Z",
    "lastUpdated": "2013-07-02T21:36:25.344Z",
    "profile": {"login": "isaac@example.com", "email": "isaac@example.com"},
    "_links": {"self": {"href": "https://example.okta.com/api/v1/users/00u1"}},
}
ALWAYS = {"id": "id", "status": "status", "created": "created", "lastUpdated": "last_updated"}

dropped_keys = st.sets(st.sampled_from(sorted(ALWAYS)))
COPIERS: dict[str, Callable[[Any], Any]] = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "pickle": lambda model: pickle.loads(pickle.dumps(model)),
    "evolve": attrs.evolve,
}


def user_without(dropped: set[str], drop_login: bool = False) -> models.User:
    data = {k: v for k, v in FULL_USER.items() if k not in dropped}
    if drop_login:
        data["profile"] = {"email": "isaac@example.com"}
    return models.User.from_dict(data)


def assert_absent(model: Any, names: list[str]) -> None:
    for name in names:
        with pytest.raises(MissingFieldError):
            getattr(model, name)


@given(dropped=dropped_keys, drop_login=st.booleans())
def test_equality_compares_the_presence_of_always_present_fields(
    dropped: set[str], drop_login: bool
) -> None:
    user = user_without(dropped, drop_login)
    assert user == user_without(dropped, drop_login)
    assert (user == user_without(set())) is (not dropped and not drop_login)


def test_a_present_value_never_equals_an_absent_one() -> None:
    assert user_without({"id"}) != user_without(set())
    assert user_without(set()) != user_without({"id"})
    assert user_without({"id"}) != user_without({"status"})


@pytest.mark.parametrize("how", sorted(COPIERS))
@given(dropped=dropped_keys, drop_login=st.booleans())
def test_copies_keep_absent_fields_absent_and_the_rest_equal(
    how: str, dropped: set[str], drop_login: bool
) -> None:
    user = user_without(dropped, drop_login)
    duplicate = COPIERS[how](user)
    assert duplicate == user and duplicate is not user
    assert duplicate.to_dict() == user.to_dict()
    assert_absent(duplicate, [ALWAYS[k] for k in dropped])
    if drop_login:
        assert_absent(duplicate.profile, ["login"])
    for key in set(ALWAYS) - dropped:
        assert getattr(duplicate, ALWAYS[key]) == getattr(user, ALWAYS[key])


def test_a_deep_copy_shares_no_nested_model_and_a_shallow_copy_does() -> None:
    user = user_without({"created"})
    assert copy.deepcopy(user).profile is not user.profile
    assert copy.copy(user).profile is user.profile


def test_evolve_fills_an_absent_field_it_is_given_and_keeps_the_others_absent() -> None:
    user = user_without({"id", "status"})
    evolved = attrs.evolve(user, id="00u9")
    assert evolved.id == "00u9" and evolved.created == user.created
    assert_absent(evolved, ["status"])


def test_asdict_and_astuple_show_an_absent_field_as_absent() -> None:
    user = user_without({"id"})
    as_dict = attrs.asdict(user)
    assert as_dict["id"] is ABSENT and as_dict["status"] == "ACTIVE"
    assert ABSENT in attrs.astuple(user)


def test_repr_and_to_dict_leave_an_absent_field_out_without_raising() -> None:
    user = user_without({"id", "created"})
    assert "id=" not in repr(user) and "created" not in repr(user)
    assert user.to_dict() == {k: v for k, v in FULL_USER.items() if k not in ("id", "created")}


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])  # evolve builds a new model
def test_a_copy_keeps_the_request_id_the_missing_field_error_names(how: str) -> None:
    token = decoding_request_id.set("req-42")
    try:
        user = user_without({"status"})
    finally:
        decoding_request_id.reset(token)
    with pytest.raises(MissingFieldError, match="req-42"):
        COPIERS[how](user).status  # noqa: B018 - the read is the point


def test_a_direct_read_still_raises_outside_attrs() -> None:
    user = user_without({"id"})
    with pytest.raises(MissingFieldError, match=r"User\.id"):
        getattr(user, "id")  # noqa: B009 - a dynamic read, as a user's helper would do
    assert getattr(user, "id", None) is None


async def test_a_raw_response_parse_of_an_incomplete_user_names_its_request_id() -> None:
    partial = {k: v for k, v in FULL_USER.items() if k != "lastUpdated"}

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=orjson.dumps(partial),
            content_type="application/json",
            headers={"X-Okta-Request-Id": "req-raw"},
        )

    app = web.Application()
    app.router.add_get("/api/v1/users/00u1", answer)
    async with client_for(app, "00tok") as okta:
        raw = await okta.users.with_raw_response.get_user("00u1")
    user = raw.parse()
    assert raw.request_id == "req-raw" and user.id == "00u1"
    for duplicate in (user, copy.deepcopy(user), pickle.loads(pickle.dumps(user))):
        with pytest.raises(MissingFieldError, match="req-raw"):
            duplicate.last_updated  # noqa: B018


async def test_a_listed_user_lacking_a_field_names_the_request_id_of_its_page() -> None:
    partial = {k: v for k, v in FULL_USER.items() if k != "created"}

    async def answer(request: web.Request) -> web.Response:
        return web.Response(
            body=orjson.dumps([FULL_USER, partial]),
            content_type="application/json",
            headers={"X-Okta-Request-Id": "req-page"},
        )

    app = web.Application()
    app.router.add_get("/api/v1/users", answer)
    async with client_for(app, "00tok") as okta:
        complete, incomplete = [user async for user in okta.users.list_users()]
    assert complete.created.year == 2013
    with pytest.raises(MissingFieldError, match="req-page"):
        incomplete.created  # noqa: B018
    assert decoding_request_id.get() is None  # not left set after the page

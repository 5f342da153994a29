"""The decoder's speed paths give what the plain rules give, on a large generated corpus.

Three paths exist for speed (see ``okta_async._core.serde``): a record whose keys form a shape
seen before is decoded by a straight-line decoder compiled for that shape
(``okta_async._core.shapes``), HAL sub-objects (``_links``) and ``credentials`` are kept as JSON
and decoded on first read, and a date-time in Okta's own format becomes a plain datetime instead
of a ``WireDatetime``. Hypothesis draws Okta-shaped records with odd values mixed in (wrong JSON
types, unknown keys and enum values, non-Okta date formats) and checks that each record decodes
without an error, writes back unchanged, that a shape's decoder builds the model the general,
tolerant path builds, and that every lazily read field equals what decoding its JSON at once
gives.
"""

from __future__ import annotations

import copy
import datetime
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okta_async import UNSET, models
from okta_async._core import serde, shapes
from okta_async._core.model import Model
from okta_async._core.unset import Unset
from tests.resources.test_honest_types import FULL_USER

UTC = datetime.timezone.utc
CORPUS = settings(max_examples=400, deadline=None)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
okta_times = st.datetimes(
    min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2100, 1, 1)
).map(lambda d: f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond // 1000:03d}Z")
other_times = st.sampled_from(
    [
        "2021-06-14",
        "2021-06-14T14:45:41Z",
        "2021-06-14T14:45:41.5+05:30",
        "2021-06-14 14:45:46",
        "2021-06-14T24:00:00.000Z",
        "2021-W24-1T14:45:41.000Z",
        "not a date",
    ]
)
times = okta_times | other_times | json_values


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the well-typed value, sometimes any JSON value at all."""
    return st.one_of(strategy, strategy, strategy, json_values)


hrefs = _maybe(
    st.fixed_dictionaries(
        {"href": st.text(max_size=20)},
        optional={"method": st.sampled_from(["GET", "POST"]), "hints": json_values},
    )
)
user_links = _maybe(
    st.dictionaries(
        st.sampled_from(["self", "suspend", "activate", "type", "changePassword", "newRel"]),
        hrefs,
        max_size=5,
    )
)
profiles = _maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "login": _maybe(st.text(max_size=10)),
            "email": _maybe(st.text(max_size=10)),
            "firstName": _maybe(st.text(max_size=10)),
            "department": _maybe(st.text(max_size=10)),
            "customAttribute": json_values,
        },
    )
)
credentials = _maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "password": _maybe(st.fixed_dictionaries({}, optional={"value": st.text()})),
            "provider": _maybe(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "type": _maybe(st.sampled_from(["OKTA", "LDAP", "A_NEW_ONE"])),
                        "name": _maybe(st.text(max_size=6)),
                    },
                )
            ),
        },
    )
)
users = st.fixed_dictionaries(
    {},
    optional={
        "id": _maybe(st.text(max_size=20)),
        "status": _maybe(st.sampled_from(["ACTIVE", "STAGED", "SUSPENDED", "NOT_IN_THE_SPEC"])),
        "created": times,
        "lastLogin": times,
        "lastUpdated": times,
        "profile": profiles,
        "credentials": credentials,
        "type": _maybe(st.fixed_dictionaries({"id": st.text(max_size=6)})),
        "_links": user_links,
        "_embedded": json_values,
        "someNewField": json_values,
    },
)
applications = st.fixed_dictionaries(
    {"signOnMode": _maybe(st.sampled_from(["SAML_2_0", "OPENID_CONNECT", "BOOKMARK", "NEW_MODE"]))},
    optional={
        "id": _maybe(st.text(max_size=10)),
        "label": _maybe(st.text(max_size=10)),
        "created": times,
        "_links": _maybe(st.dictionaries(st.sampled_from(["appLinks", "users", "x"]), hrefs)),
    },
)


@CORPUS
@given(users)
def test_a_user_record_decodes_and_writes_back_unchanged(record: dict[str, Any]) -> None:
    user = serde.decoder(models.User)(record)
    assert isinstance(user, models.User)
    assert serde.unstructure(user) == record


@pytest.mark.parametrize(
    ("wire", "name", "model"),
    [("_links", "links", "UserLinks"), ("credentials", "credentials", "UserCredentials")],
)
@CORPUS
@given(record=users)
def test_lazily_read_objects_equal_objects_decoded_at_once(
    wire: str, name: str, model: str, record: dict[str, Any]
) -> None:
    user = serde.structure(record, models.User)
    sent = record.get(wire, UNSET)
    if isinstance(sent, dict):
        assert type(user).__dict__[name].slot.__get__(user) is sent  # held as it came
        assert _same(getattr(user, name), serde.structure(sent, getattr(models, model)))
        assert getattr(user, name) is getattr(user, name)  # decoded once, then kept
    else:
        assert getattr(user, name) is (None if sent is None else UNSET)
        assert user.additional_properties.get(wire, UNSET) == (UNSET if sent is None else sent)


@CORPUS
@given(users)
def test_every_field_of_a_decoded_user_reads_as_the_rules_say(record: dict[str, Any]) -> None:
    user = serde.structure(record, models.User)
    for field in attrs.fields(models.User):
        wire = field.metadata.get("wire")
        value = getattr(user, field.name, UNSET)  # an absent always-present field raises
        if wire is None:  # additional_properties: exactly the keys that did not fit
            assert all(record[k] == v for k, v in value.items())
        elif wire not in record or wire in user.additional_properties:
            assert value is UNSET
        elif record[wire] is None:
            assert value is None
        else:
            assert value is not UNSET


@CORPUS
@given(okta_times)
def test_a_time_in_okta_format_reads_as_the_general_parser_reads_it(text: str) -> None:
    parsed = serde.parse_datetime(text)
    general = datetime.datetime.fromisoformat(text[:-1] + "+00:00")
    assert parsed == general
    assert parsed.utcoffset() == datetime.timedelta(0)
    assert serde.format_datetime(parsed) == text
    assert repr(parsed) == repr(general.replace(tzinfo=UTC))


@CORPUS
@given(applications)
def test_applications_dispatch_on_sign_on_mode_and_keep_their_links(record: dict[str, Any]) -> None:
    app = serde.structure(record, models.Application)
    mapping = models.Application.__okta_discriminator__[1]
    mode = record["signOnMode"]
    expected = mapping.get(mode) if isinstance(mode, str) else None
    assert type(app).__name__ == (expected or "Application")
    if isinstance(record.get("_links"), dict):
        assert isinstance(app.links, models.ApplicationLinks)
    assert serde.unstructure(app) == record


@CORPUS
@given(st.lists(users | json_values, max_size=6))
def test_a_page_of_odd_items_never_fails(items: list[Any]) -> None:
    decode = serde.decoder(models.User)
    decoded = [decode(item) for item in items]
    for item, result in zip(items, decoded, strict=True):
        assert isinstance(result, models.User) == isinstance(item, dict)
        assert (serde.unstructure(result) if isinstance(item, dict) else result) == item


def _same(a: Any, b: Any) -> bool:
    """Same class and same wire form (``==`` reads every field, and an absent always-present
    field raises when read)."""
    return type(a) is type(b) and serde.unstructure(a) == serde.unstructure(b)


LINKED = FULL_USER | {"_links": {"self": {"href": "https://x/1"}, "rel": {"href": "h"}}}


def test_a_lazy_field_can_be_replaced_deleted_copied_and_pickled() -> None:
    user = serde.structure(LINKED, models.User)
    assert _same(copy.deepcopy(user), user)
    assert _same(pickle.loads(pickle.dumps(user)), user)
    assert "HrefObject(href='https://x/1')" in repr(user)
    user.links = None
    assert user.links is None and user.to_dict() == LINKED | {"_links": None}
    fresh = serde.structure(LINKED, models.User)
    assert fresh.links is not None and fresh.links.self_ == models.HrefObject(href="https://x/1")
    assert fresh.links.additional_properties == {"rel": {"href": "h"}}


def test_the_class_attribute_of_a_lazy_field_is_still_the_slot() -> None:
    serde.structure(LINKED, models.User)
    assert type(models.User.__dict__["links"]).__name__ == "_LazySlot"
    assert type(models.User.links).__name__ == "member_descriptor"


@CORPUS
@given(st.sampled_from(["ACTIVE", "STAGED", "NOT_IN_THE_SPEC"]) | json_values)
def test_an_enum_field_holds_the_member_an_unlisted_string_or_keeps_the_value_aside(
    status: Any,
) -> None:
    user = serde.structure({"status": status}, models.User)
    if status is None or not isinstance(status, str):
        assert user.additional_properties == {"status": status}  # kept aside, read raises
    elif status in models.UserStatus._value2member_map_:
        assert user.status is models.UserStatus(status)
    else:
        assert user.status == status and type(user.status) is str
    assert serde.unstructure(user) == {"status": status}


@CORPUS
@given(_maybe(st.dictionaries(st.text(max_size=4), json_values, max_size=3)))
def test_a_free_form_object_field_keeps_an_object_and_sets_anything_else_aside(
    value: Any,
) -> None:
    user = serde.structure({"type": value}, models.User)
    if value is None or isinstance(value, dict):
        assert user.type == value and "type" not in user.additional_properties
    else:
        assert user.type is UNSET and user.additional_properties == {"type": value}


def _shape_decoder(cls: type[Any], record: dict[str, Any]) -> Any:
    """A freshly compiled decoder for the record's shape, and the general path it falls back to."""
    plan = serde._plan(cls)

    def general(data: dict[str, Any]) -> Any:
        return serde._structure_record(data, cls, plan)

    fields, always, pinned, slots = plan.fields, plan.always, plan.pinned, plan.slots
    decode = shapes.compile_shape(cls, fields, always, pinned, slots, tuple(record), general)
    return decode, general


def _equal_models(a: Any, b: Any) -> bool:
    """Same class, equal fields (attrs' ``==``: extras included, an absent field compared as
    absent) and the same wire form."""
    return _same(a, b) and a == b


@CORPUS
@given(users)
def test_a_user_shape_decoder_builds_what_the_general_path_builds(record: dict[str, Any]) -> None:
    fast, general = _shape_decoder(models.User, record)
    assert _equal_models(fast(record), general(record))


@CORPUS
@given(profiles.filter(lambda value: isinstance(value, dict)))
def test_a_profile_shape_decoder_builds_what_the_general_path_builds(
    record: dict[str, Any],
) -> None:
    fast, general = _shape_decoder(models.UserProfile, record)
    assert _equal_models(fast(record), general(record))


@CORPUS
@given(applications)
def test_an_application_shape_decoder_builds_what_the_general_path_builds(
    record: dict[str, Any],
) -> None:
    app = serde.structure(record, models.Application)  # the discriminator picks the class first
    fast, general = _shape_decoder(type(app), record)
    assert _equal_models(fast(record), general(record))
    assert _equal_models(app, general(record))


def test_records_of_a_seen_shape_take_its_compiled_decoder() -> None:
    record = FULL_USER | {"lastLogin": None, "someNewField": [1]}
    first = serde.structure(record, models.User)
    plan = serde._plan(models.User)
    assert tuple(record) in plan.shapes or len(plan.shapes) == shapes.MAX_SHAPES
    again = serde.structure(dict(record), models.User)
    assert _equal_models(first, again)
    assert again.additional_properties == {"someNewField": [1]} and again.last_login is None


def test_a_class_compiles_a_bounded_number_of_shapes_and_decodes_the_rest_generally() -> None:
    for n in range(shapes.MAX_SHAPES + 5):
        record = {"login": f"user{n}@example.com"} | {f"custom{i}": i for i in range(n)}
        profile = serde.structure(record, models.UserProfile)
        assert profile.login == record["login"]
        assert profile.additional_properties == {f"custom{i}": i for i in range(n)}
    assert len(serde._plan(models.UserProfile).shapes) == shapes.MAX_SHAPES


def test_a_frozen_model_class_is_built_by_its_init_not_by_a_shape_decoder() -> None:
    # A shape decoder stores slots without __init__, which a frozen class refuses.
    @attrs.frozen(kw_only=True, repr=False)
    class Frozen(Model):
        name: str | Unset = attrs.field(default=UNSET, metadata={"wire": "name"})

    for _ in range(2):  # a second record of the same shape too
        assert serde.structure({"name": "x", "extra": 1}, Frozen) == Frozen(
            name="x", additional_properties={"extra": 1}
        )

"""serde helpers: Okta date-times, query values, unstructure rules, containers of models."""

from __future__ import annotations

import datetime
from types import ModuleType
from typing import Any

import pytest

from okta_async import UNSET, models
from okta_async._core import serde
from okta_async._core.resource import encode_query, request_options

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-07-02T21:36:25.344Z", datetime.datetime(2013, 7, 2, 21, 36, 25, 344000, UTC)),
        ("2013-07-02T21:36:25Z", datetime.datetime(2013, 7, 2, 21, 36, 25, tzinfo=UTC)),
        (
            "2013-07-02T23:36:25.344+02:00",
            datetime.datetime(2013, 7, 2, 21, 36, 25, 344000, UTC),
        ),
        ("2013-07-02T21:36:25.344", datetime.datetime(2013, 7, 2, 21, 36, 25, 344000, UTC)),
    ],
)
def test_parse_datetime_reads_okta_timestamps_as_aware_utc(
    text: str, expected: datetime.datetime
) -> None:
    parsed = serde.parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_format_datetime_is_okta_format_in_utc() -> None:
    aware = datetime.datetime(
        2013, 7, 2, 23, 36, 25, 344999, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert serde.format_datetime(aware) == "2013-07-02T21:36:25.344Z"
    assert serde.format_datetime(datetime.datetime(2020, 1, 1)) == "2020-01-01T00:00:00.000Z"


def test_encode_query_drops_unset_and_none_repeats_lists_and_formats_values() -> None:
    when = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    assert encode_query(
        {
            "a": True,
            "b": False,
            "c": 5,
            "d": UNSET,
            "e": when,
            "f": ["x", "y"],
            "g": None,
            "h": models.UserStatus.ACTIVE,
        }
    ) == [
        ("a", "true"),
        ("b", "false"),
        ("c", "5"),
        ("e", "2020-01-01T00:00:00.000Z"),
        ("f", "x"),
        ("f", "y"),
        ("h", "ACTIVE"),
    ]


def test_request_options_merge_header_params_under_extra_headers() -> None:
    assert request_options(headers=None, timeout=None, max_retries=None, extra_headers=None) is None
    assert request_options(
        headers={"User-Agent": UNSET, "Accept-Language": "fr"},
        timeout=None,
        max_retries=0,
        extra_headers={"Accept-Language": "de"},
    ) == {"max_retries": 0, "extra_headers": {"Accept-Language": "de"}}


def test_unset_is_omitted_and_none_is_null() -> None:
    profile = models.UserProfile(first_name="A", last_name=None)
    assert serde.unstructure(profile) == {"firstName": "A", "lastName": None}


def test_request_body_drops_read_only_fields_at_every_depth(golden_models: ModuleType) -> None:
    group = golden_models.Group(
        id="00g1",
        profile=golden_models.GroupProfile(name="eng"),
        additional_properties={"customKey": ["x"], "_links": {"a": 1}},
    )
    body = serde.request_body({"group": group, "when": datetime.datetime(2020, 1, 1, tzinfo=UTC)})
    assert body == {
        "group": {"profile": {"name": "eng"}, "customKey": ["x"]},
        "when": "2020-01-01T00:00:00.000Z",
    }
    assert serde.unstructure(group)["id"] == "00g1"


def test_structure_handles_containers_of_models() -> None:
    users = serde.structure([{"id": "1"}, {"id": "2", "x": 1}], list[models.User])
    assert [u.id for u in users] == ["1", "2"]
    assert serde.unstructure(users) == [{"id": "1"}, {"id": "2", "x": 1}]
    by_key = serde.structure({"a": {"id": "3"}}, dict[str, models.User])
    assert by_key["a"].id == "3"


@pytest.mark.parametrize(
    ("data", "cls"),
    [([{"id": "1"}], models.User), ({"id": "1"}, list[models.User]), ([["x"]], list[models.User])],
)
def test_structure_refuses_data_of_the_wrong_json_shape(data: Any, cls: Any) -> None:
    with pytest.raises(TypeError, match=r"needs a JSON object|cannot be read from a"):
        serde.structure(data, cls)


def test_structure_a_model_from_a_non_object_raises_but_decoder_does_not() -> None:
    with pytest.raises(TypeError, match="JSON object"):
        serde.structure(["x"], models.User)
    assert serde.decoder(models.User)(["x"]) == ["x"]
    assert serde.decoder(str)("s") == "s"
    assert serde.decoder(models.UserStatus)("NEW") == "NEW"


def test_to_dict_can_leave_out_read_only_fields_and_repr_hides_secrets() -> None:
    user = models.User.from_dict({"id": "00u1", "profile": {"login": "a"}})
    assert user.to_dict() == {"id": "00u1", "profile": {"login": "a"}}
    assert user.to_dict(include_read_only=False) == {"profile": {"login": "a"}}
    assert repr(user) == "User(id='00u1', profile=UserProfile(login='a'))"
    secret: Any = models.ApplicationCredentialsOAuthClient(
        client_secret="s3cr3t", additional_properties={"new_secret": "hush", "n": 1}
    )
    assert "s3cr3t" not in repr(secret) and "hush" not in repr(secret) and "'n': 1" in repr(secret)
    assert str(models.UserStatus.ACTIVE) == "ACTIVE"


def test_datetime_field_round_trip_and_aware() -> None:
    log = serde.structure({"published": "2020-05-06T07:08:09.010Z"}, models.LogEvent)
    assert log.published == datetime.datetime(2020, 5, 6, 7, 8, 9, 10000, UTC)
    assert serde.unstructure(log) == {"published": "2020-05-06T07:08:09.010Z"}

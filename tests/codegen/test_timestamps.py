"""Timestamps round-trip byte for byte: a decoded date-time is written back as Okta sent it."""

from __future__ import annotations

import datetime

import pytest

from okta_async import models
from okta_async._core import serde

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    "text",
    [
        "2021-06-14 14:45:46",
        "2021-06-14T14:45:41Z",
        "2021-06-14T14:45:41.5+05:30",
        "2013-07-02T21:36:25.344Z",
        "2021-06-14",
    ],
)
def test_decoded_timestamps_are_written_back_unchanged(text: str) -> None:
    user = serde.structure({"id": "00u1", "created": text}, models.User)
    assert isinstance(user.created, datetime.datetime)
    assert user.created.tzinfo is not None
    assert serde.unstructure(user) == {"id": "00u1", "created": text}


def test_a_date_only_value_stays_a_date_and_compares_as_midnight_utc() -> None:
    user = serde.structure({"created": "2021-06-14"}, models.User)
    assert user.created == datetime.datetime(2021, 6, 14, tzinfo=UTC)
    assert user.to_dict()["created"] == "2021-06-14"


def test_a_changed_timestamp_is_written_in_okta_format() -> None:
    user = serde.structure({"created": "2021-06-14T14:45:41.5+05:30"}, models.User)
    assert isinstance(user.created, datetime.datetime)
    user.created = user.created + datetime.timedelta(hours=1)
    assert user.to_dict()["created"] == "2021-06-14T10:15:41.500Z"
    user.created = user.created.replace(minute=0)
    assert user.to_dict()["created"] == "2021-06-14T09:30:41.500Z"  # 15:00 at +05:30
    user.created = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    assert user.to_dict()["created"] == "2020-01-01T00:00:00.000Z"


def test_a_decoded_timestamp_looks_like_a_plain_datetime() -> None:
    parsed = serde.parse_datetime("2021-06-14T14:45:41Z")
    assert repr(parsed) == repr(datetime.datetime(2021, 6, 14, 14, 45, 41, tzinfo=UTC))
    assert parsed == datetime.datetime(2021, 6, 14, 14, 45, 41, tzinfo=UTC)

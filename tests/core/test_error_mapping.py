"""Error hierarchy and the mapping from error responses to exceptions."""

from __future__ import annotations

import orjson
import pytest
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from okta_async._core import errors
from okta_async._core.errors import error_from_response
from okta_async._core.operation import Operation
from okta_async._core.transport import RawResponse

URL = "https://acme.okta.example/api/v1/users/00u1?search=profile.email%20eq%20%22x%22"


def _headers(**extra: str) -> CIMultiDictProxy[str]:
    base = {"Content-Type": "application/json", "X-Okta-Request-Id": "req-123"}
    return CIMultiDictProxy(CIMultiDict({**base, **extra}))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (502, errors.InternalServerError),
        (503, errors.InternalServerError),
        (504, errors.InternalServerError),
        (405, errors.APIStatusError),
        (418, errors.APIStatusError),
        (302, errors.APIStatusError),
    ],
)
def test_each_status_maps_to_its_error_class(status: int, cls: type[errors.APIStatusError]) -> None:
    err = error_from_response(status=status, method="GET", url=URL, headers=_headers(), body=b"")
    assert type(err) is cls
    assert isinstance(err, errors.APIStatusError)
    assert isinstance(err, errors.OktaError)
    assert err.status == status


@pytest.mark.parametrize(
    ("code", "status", "cls"),
    [
        ("E0000001", 400, errors.BadRequestError),
        ("E0000011", 401, errors.AuthenticationError),
        ("E0000006", 403, errors.PermissionDeniedError),
        ("E0000007", 404, errors.NotFoundError),
        ("E0000047", 429, errors.RateLimitError),
        ("E0000009", 500, errors.InternalServerError),
    ],
)
def test_okta_error_body_fields_are_parsed(
    code: str, status: int, cls: type[errors.APIStatusError]
) -> None:
    body = orjson.dumps(
        {
            "errorCode": code,
            "errorSummary": "Api validation failed: login",
            "errorLink": code,
            "errorId": "oaeXYZ",
            "errorCauses": [
                {"errorSummary": "login: An object with this field already exists"},
                {"errorSummary": "email: Does not match required pattern"},
            ],
        }
    )
    err = error_from_response(
        status=status, method="POST", url=URL, headers=_headers(), body=body, reason="Reason"
    )
    assert type(err) is cls
    assert err.error_code == code
    assert err.error_summary == "Api validation failed: login"
    assert err.error_id == "oaeXYZ"
    assert err.error_causes == [
        "login: An object with this field already exists",
        "email: Does not match required pattern",
    ]
    assert err.request_id == "req-123"
    assert err.method == "POST"
    assert err.path == "/api/v1/users/00u1"
    assert err.body_text is None
    message = str(err)
    expected = (str(status), "POST", "/api/v1/users/00u1", code, "Api validation", "req-123")
    for part in expected:
        assert part in message
    assert "already exists" in message


def test_oauth_error_body_is_mapped() -> None:
    body = b'{"error": "invalid_client", "error_description": "The client_assertion is invalid."}'
    err = error_from_response(status=401, method="POST", url=URL, headers=_headers(), body=body)
    assert isinstance(err, errors.AuthenticationError)
    assert err.error_code == "invalid_client"
    assert err.error_summary == "The client_assertion is invalid."
    assert "invalid_client" in str(err)


def test_html_body_from_a_proxy_shows_status_content_type_and_first_200_chars() -> None:
    html = ("<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 500).encode()
    err = error_from_response(
        status=502,
        method="GET",
        url=URL,
        headers=_headers(**{"Content-Type": "text/html"}),
        body=html,
        reason="Bad Gateway",
    )
    assert isinstance(err, errors.InternalServerError)
    assert err.body_text == html[:200].decode()
    message = str(err)
    assert "502 Bad Gateway" in message
    assert "text/html" in message
    assert "<title>502 Bad Gateway</title>" in message
    assert "x" * 300 not in message
    assert err.error_code is None


@pytest.mark.parametrize(
    "body",
    [b'{"errorCode": "E0000001", "errorSum', b"[1, 2, 3]", b'{"unexpected": true}', b"\xff\xfe"],
    ids=["truncated-json", "json-array", "json-without-error-fields", "invalid-utf8"],
)
def test_malformed_error_bodies_still_give_an_informative_error(body: bytes) -> None:
    err = error_from_response(status=400, method="GET", url=URL, headers=_headers(), body=body)
    assert isinstance(err, errors.BadRequestError)
    assert err.body_text is not None
    assert "400" in str(err)
    assert "unexpected body" in str(err)


def test_empty_error_body_says_so() -> None:
    err = error_from_response(status=404, method="DELETE", url=URL, headers=_headers(), body=b"")
    assert "empty body" in str(err)
    assert err.error_causes == []


def test_error_url_and_message_never_carry_the_query_string() -> None:
    err = error_from_response(status=404, method="GET", url=URL, headers=_headers(), body=b"")
    assert "search" not in err.url
    assert "search" not in str(err)
    assert "search" not in repr(err)


def test_config_error_names_setting_and_source() -> None:
    err = errors.ConfigError("org_url", "env OKTA_CLIENT_ORGURL", "https is required")
    assert isinstance(err, errors.OktaError)
    assert (err.setting, err.source) == ("org_url", "env OKTA_CLIENT_ORGURL")
    assert str(err) == "org_url (from env OKTA_CLIENT_ORGURL): https is required"


def test_foreign_origin_error_names_both_origins_without_path_or_query() -> None:
    err = errors.ForeignOriginError(
        "https://evil.example:8443/x?token=abc", "https://acme.okta.com"
    )
    assert "https://evil.example:8443" in str(err)
    assert "https://acme.okta.com" in str(err)
    assert "token=abc" not in str(err)


def test_timeout_error_is_a_connection_error() -> None:
    err = errors.APITimeoutError("timed out", method="GET", path="/api/v1/users")
    assert isinstance(err, errors.APIConnectionError)
    assert str(err) == "GET /api/v1/users: timed out"


def _raw(body: bytes, content_type: str = "application/json") -> RawResponse:
    return RawResponse(
        status=200,
        headers=_headers(**{"Content-Type": content_type}),
        body=body,
        method="GET",
        url=yarl.URL(URL),
        operation=Operation(id="listUsers", method="GET", path="/api/v1/users"),
    )


def test_malformed_json_in_a_2xx_raises_decode_error_naming_the_operation() -> None:
    with pytest.raises(errors.DecodeError) as info:
        _raw(b'[{"id": "00u1"', "application/json").json()
    assert info.value.operation_id == "listUsers"
    assert "listUsers" in str(info.value)
    assert "application/json" in str(info.value)
    assert info.value.body_text == '[{"id": "00u1"'


def test_2xx_body_decodes_and_empty_body_is_none() -> None:
    assert _raw(b'[{"id": "00u1"}]').json() == [{"id": "00u1"}]
    assert _raw(b"").json() is None
    assert _raw(b"").request_id == "req-123"


def test_every_exception_is_exported_lazily_from_the_package_root() -> None:
    import okta_async

    exported = [name for name in errors.__all__ if name[0].isupper()]
    for name in exported:
        assert getattr(okta_async, name) is getattr(errors, name)
        assert issubclass(getattr(errors, name), errors.OktaError)


def test_the_tree_in_the_module_docstring_matches_the_classes() -> None:
    assert errors.__doc__ is not None
    for name in errors.__all__:
        if name[0].isupper():
            assert name in errors.__doc__
    assert errors.APITimeoutError.__mro__[1] is errors.APIConnectionError
    for status_cls in (errors.BadRequestError, errors.RateLimitError, errors.InternalServerError):
        assert status_cls.__mro__[1] is errors.APIStatusError

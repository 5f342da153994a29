"""Name mapping and JSON-pointer overrides of the generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.naming import enum_member, identifier, plural, snake, unique
from codegen.overrides import apply_overrides


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("listOAuth2Claims", "list_oauth2_claims"),
        ("getUser", "get_user"),
        ("_links", "links"),
        ("x5t#S256", "x5t_s256"),
        ("$schema", "schema"),
        ("authURL", "auth_url"),
        ("X-Forwarded-For", "x_forwarded_for"),
        ("ThreatInsightConfiguration", "threat_insight_configuration"),
    ],
)
def test_snake_turns_spec_names_into_python_identifiers(name: str, expected: str) -> None:
    assert snake(name) == expected


def test_identifiers_enum_members_plurals_and_uniqueness() -> None:
    assert identifier("from") == "from_"
    assert identifier("self", frozenset({"self"})) == "self_"
    assert enum_member("token:software:totp") == "TOKEN_SOFTWARE_TOTP"
    assert enum_member("SHA-256") == "SHA_256"
    assert enum_member("") == "EMPTY"
    assert [plural(w) for w in ("policy", "user", "authorization_server", "key")] == [
        "policies",
        "users",
        "authorization_servers",
        "keys",
    ]
    assert unique(["a", "a", "b", "a"]) == ["a", "a_2", "b", "a_3"]


def test_overrides_set_delete_and_skip(tmp_path: Path) -> None:
    overrides = tmp_path / "o.toml"
    overrides.write_text(
        '[[override]]\npointer = "/definitions/A/properties/x~1y/readOnly"\nvalue = false\n'
        '[[override]]\npointer = "/definitions/A/type"\ndelete = true\n'
        '[[override]]\npointer = "/definitions/Missing/type"\nvalue = "string"\n'
    )
    doc = {"definitions": {"A": {"type": "object", "properties": {"x/y": {"readOnly": True}}}}}
    applied, skipped = apply_overrides(doc, overrides)
    assert doc == {"definitions": {"A": {"properties": {"x/y": {"readOnly": False}}}}}
    assert skipped == ["/definitions/Missing/type"]
    assert len(applied) == 2

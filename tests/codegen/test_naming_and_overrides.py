"""Name mapping and JSON-pointer overrides of the generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.naming import enum_member, identifier, namespace, snake, unique
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
        ("getAllWellKnownURIs", "get_all_well_known_uris"),
        ("listAllCustomAAGUIDs", "list_all_custom_aaguids"),
        ("previewSAMLmetadataForApplication", "preview_saml_metadata_for_application"),
        ("listUISchemas", "list_ui_schemas"),
    ],
)
def test_snake_turns_spec_names_into_python_identifiers(name: str, expected: str) -> None:
    assert snake(name) == expected


def test_identifiers_enum_members_and_uniqueness() -> None:
    assert identifier("from") == "from_"
    assert identifier("self", frozenset({"self"})) == "self_"
    assert enum_member("token:software:totp") == "TOKEN_SOFTWARE_TOTP"
    assert enum_member("SHA-256") == "SHA_256"
    assert enum_member("") == "EMPTY"
    assert unique(["a", "a", "b", "a"]) == ["a", "a_2", "b", "a_3"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/users/{id}/factors/{factorId}", "users"),
        ("/api/v1/apps", "apps"),
        ("/api/v1/brands/{brandId}/themes", "brands"),
        ("/api/v1/agentPools/{poolId}/updates", "agent_pools"),
        ("/api/v1/meta/schemas/user/default", "meta"),
        ("/attack-protection/api/v1/user-lockout-settings", "attack_protection"),
        ("/oauth2/v1/clients/{clientId}/roles", "oauth2_clients"),
        ("/.well-known/okta-organization", "well_known"),
        ("/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=true", "users"),
    ],
)
def test_namespace_is_read_from_the_endpoint_path(path: str, expected: str) -> None:
    assert namespace(path) == expected


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


@pytest.mark.parametrize(
    ("doc", "reported"),
    [
        ({"openapi": "3.0.3", "components": {"schemas": {}}}, "/components/schemas/Gone/type"),
        ({"swagger": "2.0", "definitions": {}}, "/definitions/Gone/type"),
    ],
)
def test_overrides_of_the_other_spec_flavour_are_not_reported(
    tmp_path: Path, doc: dict[str, object], reported: str
) -> None:
    overrides = tmp_path / "o.toml"
    overrides.write_text(
        '[[override]]\npointer = "/definitions/Gone/type"\nvalue = "string"\n'
        '[[override]]\npointer = "/components/schemas/Gone/type"\nvalue = "string"\n'
        '[[override]]\npointer = "/paths/~1gone/get/operationId"\nvalue = "x"\n'
    )
    applied, skipped = apply_overrides(doc, overrides)
    assert applied == []
    assert skipped == [reported, "/paths/~1gone/get/operationId"]

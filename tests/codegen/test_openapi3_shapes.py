"""OpenAPI 3.0 model constructs on ``fixtures/shapes_openapi3.yaml``: IR, emitted code, decoding.

Each test names the construct it proves; the generated package is imported as ``shapes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen import ir
from codegen.loader import load
from okta_async import UNSET
from okta_async._core import serde
from tests.support.generated import imported_package

SHAPES = Path(__file__).parent / "fixtures" / "shapes_openapi3.yaml"


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return load(SHAPES)


def _model(api: ir.Api, name: str) -> ir.Model:
    return next(m for m in api.models if m.name == name)


def _prop(api: ir.Api, model: str, wire: str) -> ir.Property:
    return next(p for p in _model(api, model).properties if p.wire_name == wire)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The fixture's generated models, importable as ``shapes.models``."""
    root = tmp_path_factory.mktemp("shapes_pkg")
    with imported_package(SHAPES, root, "shapes", "models") as models:
        yield models


def test_named_scalar_and_array_schemas_are_inlined_keeping_read_only(api: ir.Api) -> None:
    names = {m.name for m in api.models}
    assert not {"Label", "Tags", "Count"} & names
    label = _prop(api, "Thing", "label")
    assert (label.type, label.read_only) == (ir.TypeRef("str"), True)
    assert _prop(api, "Thing", "tags").type == ir.TypeRef("list", item=ir.TypeRef("str"))


def test_annotation_only_allof_resolves_to_the_referenced_type(api: ir.Api) -> None:
    count = _prop(api, "Thing", "count")
    assert (count.type, count.read_only) == (ir.TypeRef("int"), True)
    status = _prop(api, "Thing", "status")
    assert status.type == ir.TypeRef("enum", name="Status")
    assert (status.description, status.default) == ("Lifecycle status.", "ACTIVE")


def test_allof_of_several_refs_merges_every_part(api: ir.Api) -> None:
    badge = _model(api, "Badge")
    assert badge.parent == "HasId"
    assert {p.wire_name for p in badge.properties} == {"name", "color"}
    assert _prop(api, "Badge", "name").required


def test_inline_allof_extension_becomes_a_named_subclass(shapes: ModuleType) -> None:
    thing = serde.structure(
        {"_links": {"self": {"href": "/t/1"}, "owner": {"href": "/u/2"}}}, shapes.Thing
    )
    assert isinstance(thing.links, shapes.LinksSelf)
    assert (thing.links.self_.href, thing.links.owner.href) == ("/t/1", "/u/2")


def test_class_names_differing_only_in_case_stay_unique(api: ir.Api) -> None:
    names = [m.name for m in api.models]
    assert len(names) == len({n.lower() for n in names})
    assert {"TempPassword", "TempPassword_2"} <= set(names)


def test_write_only_and_required_reach_field_metadata(shapes: ModuleType) -> None:
    import attrs

    fields = {f.name: f.metadata for f in attrs.fields(shapes.Thing)}
    assert fields["secret_code"]["write_only"] and fields["secret_code"]["secret"]
    assert fields["label"]["required"]
    thing = shapes.Thing(secret_code="s3cr3t")
    assert "s3cr3t" not in repr(thing)
    assert serde.request_body(thing) == {"secretCode": "s3cr3t"}  # write-only is still sent


def test_undiscriminated_anyof_decodes_to_the_best_fitting_member(shapes: ModuleType) -> None:
    basic = serde.structure({"profile": {"name": "Eng", "description": "d"}}, shapes.Thing)
    assert type(basic.profile) is shapes.BasicProfile
    assert basic.profile.name == "Eng"
    directory = serde.structure({"profile": {"name": "AD", "dn": "CN=AD"}}, shapes.Thing)
    assert type(directory.profile) is shapes.DirectoryProfile
    assert directory.profile.dn == "CN=AD"
    assert shapes.ThingProfile == shapes.BasicProfile | shapes.DirectoryProfile


def test_discriminated_oneof_dispatches_on_the_mapping(shapes: ModuleType) -> None:
    data = {"keys": [{"kty": "EC", "crv": "P-256"}, {"kty": "RSA", "n": "abc"}]}
    thing = serde.structure(data, shapes.Thing)
    assert [type(k) for k in thing.keys] == [shapes.EcKey, shapes.RsaKey]
    assert serde.unstructure(thing) == data


def test_mapping_to_classes_that_are_not_subclasses_dispatches_too(shapes: ModuleType) -> None:
    sign_on = serde.structure({"policy": {"type": "SIGN_ON", "sessionLifetime": 5}}, shapes.Thing)
    assert type(sign_on.policy) is shapes.SignOnPolicy
    assert not issubclass(shapes.SignOnPolicy, shapes.CreatePolicy)
    assert sign_on.policy.session_lifetime == 5
    unknown = serde.structure({"policy": {"type": "NEW_KIND", "x": 1}}, shapes.Thing)
    assert type(unknown.policy) is shapes.CreatePolicy  # the fallback keeps every key
    assert unknown.policy.additional_properties == {"x": 1}


def test_scalar_or_array_union_keeps_either_shape(shapes: ModuleType) -> None:
    for value in ("https://a", ["https://a", "https://b"]):
        thing = serde.structure({"aud": value}, shapes.Thing)
        assert thing.aud == value
    odd = serde.structure({"aud": 5}, shapes.Thing)
    assert (odd.aud, odd.additional_properties) == (UNSET, {"aud": 5})


def test_subclass_narrowing_a_field_widens_the_parent_declaration(
    api: ir.Api, shapes: ModuleType
) -> None:
    parent = _prop(api, "Factor", "profile").type
    assert parent.kind == "union"
    assert ir.TypeRef("model", name="CallProfile") in parent.members
    call = serde.structure({"factorType": "call", "profile": {"phoneNumber": "+1"}}, shapes.Factor)
    assert type(call) is shapes.CallFactor
    assert call.profile.phone_number == "+1"


def test_profile_mapping_override_makes_properties_a_sent_map(shapes: ModuleType) -> None:
    body: dict[str, Any] = {"properties": {"fullName": {"expression": "user.firstName"}}}
    request = serde.structure(body, shapes.ProfileMappingRequest)
    assert isinstance(request.properties["fullName"], shapes.ProfileMappingProperty)
    assert serde.request_body(request) == body
    mapping = serde.structure({"id": "prm1", **body}, shapes.ProfileMapping)
    assert serde.request_body(mapping) == body

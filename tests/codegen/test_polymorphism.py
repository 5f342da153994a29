"""Every discriminator mapping of the 2.4.0 spec picks its subclass; unknown values keep the base.

Run on the package generated from the 2.4.0 Swagger spec (``golden_models``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from okta_async._core import serde


def mappings(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(base, property, value, target) for every x-openapi-v3-discriminator entry."""
    found = []
    for name, schema in doc["definitions"].items():
        disc = schema.get("x-openapi-v3-discriminator")
        if disc:
            for value, ref in disc["mapping"].items():
                found.append((name, disc["propertyName"], value, ref.rsplit("/", 1)[-1]))
    return found


def test_each_mapping_selects_its_subclass(
    legacy_doc: dict[str, Any], golden_models: ModuleType
) -> None:
    models = golden_models
    entries = mappings(legacy_doc)
    assert {base for base, *_ in entries} == {
        "Application",
        "BrowserPluginApplication",
        "Policy",
        "PolicyRule",
        "UserFactor",
    }
    for base, prop, value, target in entries:
        data = {prop: value, "id": "x1", "unknownField": {"kept": 1}}
        obj = serde.structure(data, getattr(models, base))
        assert type(obj) is getattr(models, target), (base, value)
        assert serde.unstructure(obj) == data


def test_browser_plugin_apps_dispatch_twice(golden_models: ModuleType) -> None:
    models = golden_models
    data = {"signOnMode": "BROWSER_PLUGIN", "name": "template_swa3field"}
    app = serde.structure(data, models.Application)
    assert type(app) is models.SwaThreeFieldApplication
    other = serde.structure({**data, "name": "template_new"}, models.Application)
    assert type(other) is models.BrowserPluginApplication


def test_unknown_or_missing_discriminator_keeps_the_base_with_all_data(
    golden_models: ModuleType,
) -> None:
    models = golden_models
    for base, prop in (
        (models.Application, "signOnMode"),
        (models.Policy, "type"),
        (models.PolicyRule, "type"),
        (models.UserFactor, "factorType"),
    ):
        for data in ({prop: "SOMETHING_NEW", "x": [1]}, {"x": [1]}, {prop: 5, "x": [1]}):
            obj = serde.structure(data, base)
            assert type(obj) is base
            assert serde.unstructure(obj) == data


def test_event_subscriptions_is_a_plain_model(golden_models: ModuleType) -> None:
    models = golden_models
    subs = serde.structure(
        {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]}, models.EventSubscriptions
    )
    assert type(subs) is models.EventSubscriptions
    assert subs.items == ["user.lifecycle.create"]

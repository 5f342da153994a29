"""Round trip for every model generated from the 2.4.0 spec (``golden_models``): sample data built
from its spec schema survives structure -> unstructure unchanged (nested objects, enums,
date-times, unknown keys).

Two generators: a deterministic "every property set" sample per definition, and hypothesis
strategies that pick random subsets, JSON nulls, enum values the spec does not list and extra keys.
"""

from __future__ import annotations

import datetime
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.naming import pascal
from okta_async._core import serde

MAX_DEPTH = 3


def _ref(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def merged_properties(defs: dict[str, Any], name: str) -> dict[str, Any]:
    """A definition's properties including those inherited through ``x-okta-parent``."""
    schema = defs[name]
    props: dict[str, Any] = {}
    parent = schema.get("x-okta-parent")
    if parent:
        props.update(merged_properties(defs, parent.rsplit("/", 1)[-1]))
    for key, value in (schema.get("properties") or {}).items():
        props[key] = {**props.get(key, {}), **value}
    return props


def _okta_time(n: int) -> str:
    moment = datetime.datetime(2013, 7, 2, 21, 36, 25, 344000, tzinfo=datetime.timezone.utc)
    return serde.format_datetime(moment + datetime.timedelta(minutes=n))


def sample(defs: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A deterministic value for ``schema`` with every property set (down to MAX_DEPTH)."""
    name = _ref(schema)
    if name is not None:
        target = defs[name]
        if "enum" in target:
            return str(target["enum"][-1])
        if depth >= MAX_DEPTH:
            return {}
        props = merged_properties(defs, name)
        return {k: sample(defs, v, depth + 1) for k, v in sorted(props.items())}
    if "enum" in schema:
        return str(schema["enum"][0])
    kind = schema.get("type")
    if kind == "string":
        return _okta_time(depth) if schema.get("format") == "date-time" else f"text-{depth}"
    if kind == "integer":
        return 7
    if kind == "number":
        return 2.5
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(defs, schema.get("items") or {}, depth + 1)]
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        return {"key": sample(defs, extra, depth + 1)}
    return {"any": [1, "two", None]}


def object_definitions(doc: dict[str, Any]) -> list[str]:
    return sorted(n for n, s in doc["definitions"].items() if "enum" not in s)


def test_every_definition_is_generated(
    legacy_doc: dict[str, Any], golden_models: ModuleType
) -> None:
    models = golden_models
    defs = legacy_doc["definitions"]
    assert len(defs) == 347
    assert sum(1 for s in defs.values() if "enum" in s) == 54
    for name in defs:
        assert hasattr(models, pascal(name)), name


def test_every_model_round_trips_a_full_sample(
    legacy_doc: dict[str, Any], golden_models: ModuleType
) -> None:
    models = golden_models
    defs = legacy_doc["definitions"]
    for name in object_definitions(legacy_doc):
        data = sample(defs, {"$ref": f"#/definitions/{name}"})
        data["unknownKey"] = {"kept": True}  # additional_properties, written back
        obj = serde.structure(data, getattr(models, pascal(name)))
        assert obj.additional_properties == {"unknownKey": {"kept": True}}, name
        assert serde.unstructure(obj) == data, name


# --------------------------------------------------------------------------- property-based

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5))
DATETIMES = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)
).map(lambda d: serde.format_datetime(d.replace(microsecond=d.microsecond // 1000 * 1000)))


def strategy(
    defs: dict[str, Any], schema: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    name = _ref(schema)
    if name is not None:
        target = defs[name]
        if "enum" in target:  # open enums: listed values and values the spec does not list
            return st.one_of(
                st.sampled_from([str(v) for v in target["enum"]]), st.just("NEW_VALUE")
            )
        if depth >= MAX_DEPTH:
            return st.just({})
        props = merged_properties(defs, name)
        return st.fixed_dictionaries(
            {},
            optional={
                k: st.one_of(st.none(), strategy(defs, v, depth + 1))
                for k, v in sorted(props.items())
            }
            | {"zzExtraKey": JSON_SCALARS},
        )
    if "enum" in schema:
        return st.sampled_from([str(v) for v in schema["enum"]] + ["OTHER"])
    kind = schema.get("type")
    if kind == "string":
        return DATETIMES if schema.get("format") == "date-time" else st.text(max_size=8)
    if kind == "integer":
        return st.integers(-(2**31), 2**31)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(strategy(defs, schema.get("items") or {}, depth + 1), max_size=2)
    extra = schema.get("additionalProperties")
    inner = strategy(defs, extra, depth + 1) if isinstance(extra, dict) and extra else JSON_SCALARS
    return st.dictionaries(st.text(max_size=4), inner, max_size=2)


@pytest.fixture(scope="module")
def model_strategy(legacy_doc: dict[str, Any]) -> st.SearchStrategy[tuple[str, Any]]:
    defs = legacy_doc["definitions"]
    return st.sampled_from(object_definitions(legacy_doc)).flatmap(
        lambda name: strategy(defs, {"$ref": f"#/definitions/{name}"}).map(lambda d: (name, d))
    )


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_records_round_trip(
    data: st.DataObject,
    model_strategy: st.SearchStrategy[tuple[str, Any]],
    golden_models: ModuleType,
) -> None:
    name, record = data.draw(model_strategy)
    obj = serde.structure(record, getattr(golden_models, pascal(name)))
    assert serde.unstructure(obj) == record

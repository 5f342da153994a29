"""Every operation of the spec maps to exactly one generated method, with the right shape.

The walk over the spec is independent of the generator's loader: it reads the raw document, expands
``x-okta-multi-operation`` entries itself (each entry is one method, named from its operationId),
and calls each generated method with a recording stand-in for ``Resource._call``/``_paginate`` to
see which Operation, path/query/header parameters and body it passes on.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from codegen.naming import pascal, snake
from okta_async._core.resource import Resource

COMMON = {"timeout", "max_retries", "extra_headers"}
LIST_ONLY = {"max_items", "prefetch"}
HTTP = ("get", "put", "post", "delete", "patch")


def spec_operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per callable operation (multi-operation entries expanded)."""
    found = []
    for path, item in doc["paths"].items():
        for method in HTTP:
            op = item.get(method)
            if op is None:
                continue
            entries = op.get("x-okta-multi-operation") or [op]
            for entry in entries:
                params = list(op.get("parameters") or [])
                if entry is not op:
                    params += list(entry.get("parameters") or [])
                schema = (op["responses"].get("200") or op["responses"].get("201") or {}).get(
                    "schema"
                ) or {}
                found.append(
                    {
                        "id": entry["operationId"],
                        "tag": op["tags"][0],
                        "method": method.upper(),
                        "path": path,
                        "params": params,
                        "array_of": schema.get("items", {}).get("$ref", "").rsplit("/", 1)[-1]
                        if schema.get("type") == "array"
                        else None,
                    }
                )
    return found


def resource_class(tag: str) -> type[Resource]:
    module = importlib.import_module(f"okta_async.resources.{snake(tag)}")
    cls: type[Resource] = getattr(module, f"{pascal(tag)}Resource")
    return cls


class Recorder:
    """Stands in for the Resource helpers; remembers what a generated method passed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    async def call(self, _self: Any, op: Any, **kwargs: Any) -> None:
        self.calls.append(("call", op, kwargs))

    async def call_list(self, _self: Any, op: Any, **kwargs: Any) -> list[Any]:
        self.calls.append(("call_list", op, kwargs))
        return []

    def paginate(self, _self: Any, op: Any, **kwargs: Any) -> None:
        self.calls.append(("paginate", op, kwargs))


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    # Plain functions: class attributes get bound to the resource instance (the ``_self`` slot).
    monkeypatch.setattr(Resource, "_call", lambda s, op, **kw: rec.call(s, op, **kw))
    monkeypatch.setattr(Resource, "_call_list", lambda s, op, **kw: rec.call_list(s, op, **kw))
    monkeypatch.setattr(Resource, "_paginate", lambda s, op, **kw: rec.paginate(s, op, **kw))
    return rec


def test_okta_spec_has_the_expected_operation_tag_and_list_counts(okta_doc: dict[str, Any]) -> None:
    ops = spec_operations(okta_doc)
    raw = sum(1 for item in okta_doc["paths"].values() for m in HTTP if m in item)
    assert raw == 261
    assert len(ops) == 270  # 258 plain operations + 12 multi-operation entries
    assert len({o["tag"] for o in ops}) == 20
    assert len({(o["method"], o["path"]) for o in ops if o["array_of"]}) == 58


def test_no_generated_method_without_spec_operation(okta_doc: dict[str, Any]) -> None:
    expected: dict[str, set[str]] = {}
    for op in spec_operations(okta_doc):
        expected.setdefault(op["tag"], set()).add(snake(op["id"]))
    for tag, names in expected.items():
        cls = resource_class(tag)
        public = {n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")}
        assert public == names, tag


async def test_every_operation_maps_to_one_method(
    okta_doc: dict[str, Any], recorder: Recorder
) -> None:
    for spec_op in spec_operations(okta_doc):
        await _check_operation(spec_op, recorder)


async def _check_operation(spec_op: dict[str, Any], recorder: Recorder) -> None:
    name = snake(spec_op["id"])
    cls = resource_class(spec_op["tag"])
    method = getattr(cls, name)
    signature = inspect.signature(method)
    by_in: dict[str, list[dict[str, Any]]] = {}
    for p in spec_op["params"]:
        by_in.setdefault(p["in"], []).append(p)
    path_names = [snake(p["name"]) for p in by_in.get("path", [])]
    body = by_in.get("body", [])
    positional = [
        p.name
        for p in signature.parameters.values()
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name != "self"
    ]
    assert positional == path_names + [snake(b["name"]) for b in body], name
    keyword = {
        p.name for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    wanted = {snake(p["name"]) for p in by_in.get("query", []) + by_in.get("header", [])}
    is_paginated = spec_op["array_of"] is not None and spec_op["method"] == "GET"
    assert keyword == wanted | COMMON | (LIST_ONLY if is_paginated else set()), name

    args = [f"v-{n}" for n in path_names] + [{"k": "v"} for _ in body]
    kwargs = {snake(p["name"]): f"q-{p['name']}" for p in by_in.get("query", [])}
    kwargs |= {snake(p["name"]): f"h-{p['name']}" for p in by_in.get("header", [])}
    recorder.calls.clear()
    result = method(object.__new__(cls), *args, **kwargs)
    if inspect.isawaitable(result):
        await result
    (kind, op, passed) = recorder.calls[0]
    assert len(recorder.calls) == 1
    assert kind == ("paginate" if is_paginated else "call_list" if spec_op["array_of"] else "call")
    clean_path, _, baked = spec_op["path"].partition("?")
    assert (op.id, op.method, op.path) == (spec_op["id"], spec_op["method"], clean_path), name
    assert passed.get("path", {}) == {
        p["name"]: f"v-{snake(p['name'])}" for p in by_in.get("path", [])
    }
    query = dict(passed.get("query") or {})
    for pair in filter(None, baked.split("&")):
        key, _, value = pair.partition("=")
        assert query.pop(key) == value
    assert query == {p["name"]: f"q-{p['name']}" for p in by_in.get("query", [])}, name
    assert passed.get("headers", {}) == {
        p["name"]: f"h-{p['name']}" for p in by_in.get("header", [])
    }, name
    assert ("body" in passed) == bool(body), name
    if spec_op["array_of"]:
        assert passed["item"].__name__ == spec_op["array_of"], name

"""Every operation of the current spec (and the seed's 2.4.0 endpoints) is callable through the SDK.

The walk reads the raw spec documents, independently of the generator's loader, and calls each
operation's method on a real ``OktaClient`` against a recording aiohttp server on 127.0.0.1: the
request that arrives must carry the spec's HTTP method and path (parameters filled in), the
client's credentials, the Accept header the spec names and, for a body, its Content-Type.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from codegen.naming import namespace, snake
from codegen.overlay import OVERLAY
from okta_async import OktaClient
from tests.support.loopback import client_for

HTTP = ("get", "put", "post", "delete", "patch")
TOKEN = "00coverage-token"
VALUE = re.compile(r"val-\d+")


def current_operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per path + method of the current spec: the endpoint and the method to call."""
    found = []
    for path, item in doc["paths"].items():
        for method in HTTP:
            op = item.get(method)
            if op is not None:
                found.append(_record(method, path, op["operationId"], op, doc))
    return found


def overlay_operations(legacy: dict[str, Any]) -> list[dict[str, Any]]:
    """The seed operations the current spec dropped, as the overlay names them."""
    return [
        _record(method, path, name, legacy["paths"][path][method], legacy)
        for method, path, name in OVERLAY
    ]


def _record(method: str, path: str, op_id: str, op: dict[str, Any], doc: dict[str, Any]) -> dict:
    return {
        "method": method.upper(),
        "path": path,
        "namespace": namespace(path),
        "name": snake(op_id),
        "accept": _accept(op),
        "body_types": _body_types(op, doc),
    }


def _accept(op: dict[str, Any]) -> str:
    """The media type of the first 2xx answer with content (JSON preferred), as the SDK asks."""
    for code in sorted(op.get("responses") or {}):
        content = (op["responses"][code] or {}).get("content") or {}
        if code.startswith("2") and content:
            return "application/json" if "application/json" in content else next(iter(content))
    return "application/json"


def _body_types(op: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    body = op.get("requestBody")
    if body and "$ref" in body:
        body = doc["components"]["requestBodies"][body["$ref"].rsplit("/", 1)[-1]]
    return list((body or {}).get("content") or {})


class Recorder:
    """Answers every request with an empty JSON object/array, text or nothing, and records it."""

    def __init__(self) -> None:
        self.seen: list[web.Request] = []
        self.bodies: list[bytes] = []
        self.reply: web.Response = web.Response(status=204)
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._answer)

    async def _answer(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.read())
        self.seen.append(request)
        return self.reply


@pytest.fixture
async def recording_org() -> AsyncIterator[tuple[Recorder, OktaClient]]:
    recorder = Recorder()
    async with client_for(recorder.app, TOKEN) as okta:
        yield recorder, okta


def _arguments(method: Any) -> tuple[list[Any], dict[str, Any]]:
    """Distinct values for the path parameters, a body of the declared kind, required keywords."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for i, param in enumerate(inspect.signature(method).parameters.values()):
        ann = str(param.annotation)
        if param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            if param.default is not inspect.Parameter.empty:
                args.append(b"body" if "bytes" in ann else {})
            elif ann == "str":
                args.append(f"val-{i}")
            else:
                args.append(b"body" if "bytes" in ann else "body" if ann == "str" else {})
        elif param.default is inspect.Parameter.empty:
            kwargs[param.name] = 1 if ann.startswith("int") else True if ann == "bool" else "x"
    return args, kwargs


def _reply_for(method: Any) -> web.Response:
    returns = str(inspect.signature(method).return_annotation)
    if returns == "None":
        return web.Response(status=204)
    if returns == "str":
        return web.Response(text="<xml/>", content_type="text/xml")
    if returns.startswith(("AsyncPaginator", "list")):
        return web.json_response([])
    return web.json_response({})


async def _call(okta: OktaClient, spec_op: dict[str, Any], recorder: Recorder) -> str | None:
    """Call the operation's method; None when the request matched the spec, else what differed."""
    resource = getattr(okta, spec_op["namespace"], None)
    method = getattr(resource, spec_op["name"], None)
    if method is None:
        return f"no method okta.{spec_op['namespace']}.{spec_op['name']}"
    args, kwargs = _arguments(method)
    recorder.reply = _reply_for(method)
    recorder.seen.clear()
    await method(*args, **kwargs)
    [request] = recorder.seen
    clean, _, baked = spec_op["path"].partition("?")
    sent = (request.method, VALUE.sub("{}", request.path))
    wanted = (spec_op["method"], re.sub(r"\{[^}]+\}", "{}", clean))
    problems = []
    if sent != wanted:
        problems.append(f"sent {sent}")
    if request.headers.get("Authorization") != f"SSWS {TOKEN}":
        problems.append("no credentials")
    if request.headers.get("Accept") != spec_op["accept"]:
        problems.append(f"Accept {request.headers.get('Accept')}")
    ctype = request.headers.get("Content-Type", "").partition(";")[0]
    if spec_op["body_types"] and recorder.bodies[-1] and ctype not in spec_op["body_types"]:
        problems.append(f"Content-Type {ctype}")
    if baked and baked not in request.query_string:
        problems.append(f"query {request.query_string}")
    return "; ".join(problems) or None


def test_the_current_spec_has_732_operations_and_the_overlay_3(
    okta_doc: dict[str, Any], legacy_doc: dict[str, Any]
) -> None:
    assert len(current_operations(okta_doc)) == 732
    assert len(overlay_operations(legacy_doc)) == 3


async def test_every_current_operation_sends_its_method_path_and_credentials(
    okta_doc: dict[str, Any], recording_org: tuple[Recorder, OktaClient]
) -> None:
    recorder, okta = recording_org
    failures = {}
    for spec_op in current_operations(okta_doc):
        problem = await _call(okta, spec_op, recorder)
        if problem:
            failures[f"{spec_op['method']} {spec_op['path']}"] = problem
    assert failures == {}
    assert len(current_operations(okta_doc)) == 732


async def test_every_seed_endpoint_is_reachable(
    okta_doc: dict[str, Any], legacy_doc: dict[str, Any], recording_org: tuple[Recorder, OktaClient]
) -> None:
    """The seed's 261 endpoints (2.4.0): 258 through current operations, 3 through the overlay."""
    recorder, okta = recording_org
    current = {_endpoint(o): o for o in current_operations(okta_doc)}
    current |= {_endpoint(o): o for o in overlay_operations(legacy_doc)}
    reached = []
    for path, item in legacy_doc["paths"].items():
        for method in HTTP:
            if method in item:
                spec_op = current[(method.upper(), re.sub(r"\{[^}]+\}", "{}", path))]
                assert await _call(okta, spec_op, recorder) is None, spec_op
                reached.append(spec_op)
    assert len(reached) == 261
    assert sum(1 for o in reached if o["path"] in {p for _, p, _ in OVERLAY}) == 3


def _endpoint(spec_op: dict[str, Any]) -> tuple[str, str]:
    return spec_op["method"], re.sub(r"\{[^}]+\}", "{}", spec_op["path"])

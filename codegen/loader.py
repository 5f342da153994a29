"""Spec loader: a Swagger 2.0 or OpenAPI 3.0 document -> the normalized IR (``codegen.ir.Api``).

The two flavours differ only in where things live (``definitions`` vs ``components/schemas``, body
parameters vs ``requestBody``, response ``schema`` vs ``content``). ``_Flavour`` hides those
differences; everything else (naming, inheritance, discriminators, multi-operations) is shared.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

import attrs
import yaml

from codegen import ir
from codegen.naming import identifier, namespace, pascal, snake, unique
from codegen.overlay import OVERLAY, overlay_operations
from codegen.overrides import OVERRIDES_FILE, apply_overrides
from codegen.schemas import Schemas as _Schemas
from codegen.schemas import text as _text

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SUCCESS_CODES = ("200", "201", "202", "203", "204", "2XX", "default")

# Names every generated method already uses for its own keyword arguments.
RESERVED_PARAMS = frozenset(
    {
        "self",
        "models",
        "timeout",
        "max_retries",
        "extra_headers",
        "max_items",
        "prefetch",
        "content_type",
    }
)


def read_spec(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a YAML/JSON spec file; return the document and the sha256 of its bytes."""
    data = path.read_bytes()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(data, Loader=loader)
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a spec document")
    return doc, hashlib.sha256(data).hexdigest()


def load(path: Path, legacy: Path | None = None, overrides: Path = OVERRIDES_FILE) -> ir.Api:
    """Read, patch (overrides.toml) and normalize a spec file; ``legacy`` (the 2.4.0 spec) adds
    the overlay's operations (see ``codegen.overlay``)."""
    doc, sha256 = read_spec(path)
    _, skipped = apply_overrides(doc, overrides)
    for pointer in skipped:  # expected for small fixture specs; worth a look for Okta's own
        print(f"codegen: override {pointer} does not apply to {path.name}", file=sys.stderr)
    return build_api(doc, sha256, read_spec(legacy)[0] if legacy is not None else None)


def build_api(doc: dict[str, Any], sha256: str, legacy: dict[str, Any] | None = None) -> ir.Api:
    """Normalize an already parsed (and patched) document, plus the overlay when given."""
    flavour = _Flavour.detect(doc)
    schemas = _Schemas(flavour)
    models, enums = schemas.build()
    raw_ops = [(flavour, *op) for op in _iter_operations(doc)]
    if legacy is not None:
        legacy_flavour = _Flavour.detect(legacy)
        raw_ops += [(legacy_flavour, *op) for op in overlay_operations(legacy)]
    info = doc.get("info") or {}
    return ir.Api(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        sha256=sha256,
        flavour=flavour.name,
        models=models,
        enums=enums,
        aliases=schemas.aliases(),
        namespaces=_build_namespaces(flavour, schemas, raw_ops),
        raw_operation_count=len(raw_ops) - (len(OVERLAY) if legacy is not None else 0),
    )


# --------------------------------------------------------------------------- flavour differences


class _Flavour:
    """Where a given spec flavour keeps schemas, bodies and responses."""

    def __init__(self, doc: dict[str, Any], name: Literal["swagger2", "openapi3"]) -> None:
        self.doc = doc
        self.name: Literal["swagger2", "openapi3"] = name

    @staticmethod
    def detect(doc: dict[str, Any]) -> _Flavour:
        if str(doc.get("swagger", "")).startswith("2."):
            return _Flavour(doc, "swagger2")
        if str(doc.get("openapi", "")).startswith("3."):
            return _Flavour(doc, "openapi3")
        raise ValueError("neither a Swagger 2.0 nor an OpenAPI 3.x document")

    @property
    def schemas(self) -> dict[str, Any]:
        if self.name == "swagger2":
            return dict(self.doc.get("definitions") or {})
        return dict((self.doc.get("components") or {}).get("schemas") or {})

    def resolve(self, node: Any) -> Any:
        """Follow a local ``$ref`` (parameters, request bodies, responses)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            target: Any = self.doc
            for token in node["$ref"].lstrip("#/").split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            node, seen = target, seen + 1
        return node

    def param_schema(self, param: dict[str, Any]) -> dict[str, Any]:
        """Swagger 2 puts type/format on the parameter itself; OpenAPI 3 nests a ``schema``."""
        if self.name == "openapi3" or "schema" in param:
            return dict(param.get("schema") or {})
        return {k: v for k, v in param.items() if k in ("type", "format", "items", "enum")}

    def body(self, op: dict[str, Any]) -> _RawBody | None:
        """The request body, if any, with every media type its spec entry names."""
        if self.name == "swagger2":
            consumes = op.get("consumes") or self.doc.get("consumes") or ["application/json"]
            for param in op.get("parameters") or []:
                param = self.resolve(param)
                if param.get("in") == "body":
                    schema = param.get("schema") or self.param_schema(param)
                    return _RawBody(
                        param["name"], schema, bool(param.get("required")), tuple(consumes)
                    )
            return None
        body = self.resolve(op.get("requestBody"))
        if not body:
            return None
        content = body.get("content") or {}
        ctypes = tuple(sorted(content, key=lambda c: (not is_json(c), list(content).index(c))))
        schema = (content.get(ctypes[0]) or {}).get("schema") or {}
        name = op.get("x-codegen-request-body-name", "body")
        return _RawBody(name, schema, bool(body.get("required")), ctypes)

    def response(self, op: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        """(schema, media type) of the first success response; schema None: no content.

        JSON is preferred when the spec offers several media types (CSR answers come as JSON or
        ``application/pkcs10``); the media type chosen is the Accept header sent.
        """
        responses = op.get("responses") or {}
        for code in SUCCESS_CODES:
            response = self.resolve(responses.get(code))
            if not response:
                continue
            if self.name == "swagger2":
                schema = response.get("schema")
                produces = op.get("produces") or self.doc.get("produces") or ["application/json"]
                accept = next((p for p in produces if is_json(p)), produces[0])
            else:
                content = response.get("content") or {}
                accept = next((c for c in content if is_json(c)), next(iter(content), ""))
                schema = (content.get(accept) or {}).get("schema")
            if schema:
                return dict(schema), accept or "application/json"
        return None, "application/json"


@attrs.frozen
class _RawBody:
    """A request body as the spec states it: wire name, schema, required, media types."""

    wire_name: str
    schema: dict[str, Any]
    required: bool
    content_types: tuple[str, ...]  # JSON first when offered

    @property
    def content_type(self) -> str:
        return self.content_types[0] if self.content_types else "application/json"


# --------------------------------------------------------------------------- operations


def _iter_operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every path + method pair, in document order."""
    for path, item in (doc.get("paths") or {}).items():
        shared = list((item or {}).get("parameters") or [])
        for method in HTTP_METHODS:
            op = (item or {}).get(method)
            if op is not None:
                yield method, path, {**op, "parameters": _merge_parameters(doc, shared, op)}


def _merge_parameters(
    doc: dict[str, Any], shared: list[Any], op: dict[str, Any]
) -> list[dict[str, Any]]:
    """Path-level parameters, then the operation's; an operation parameter with the same name
    and location replaces the path-level one (OpenAPI's rule)."""
    flavour = _Flavour.detect(doc)
    merged: dict[tuple[str, str], Any] = {}
    for param in [*shared, *(op.get("parameters") or [])]:
        resolved = flavour.resolve(param)
        merged[(str(resolved.get("name")), str(resolved.get("in")))] = param
    return list(merged.values())


def _expand_multi(op: dict[str, Any]) -> list[dict[str, Any]]:
    """An operation with ``x-okta-multi-operation`` becomes one operation per entry.

    Each entry is laid over its parent: its keys win, and its parameters are appended to the
    parent's (the parent holds the path parameters, the entries hold body and query parameters).
    """
    entries = op.get("x-okta-multi-operation")
    if not entries:
        return [op]
    base = {k: v for k, v in op.items() if k != "x-okta-multi-operation"}
    return [
        {
            **base,
            **{k: v for k, v in entry.items() if k != "parameters"},
            "parameters": list(base.get("parameters") or []) + list(entry.get("parameters") or []),
        }
        for entry in entries
    ]


RawOperation = tuple["_Flavour", str, str, dict[str, Any]]


def _build_namespaces(
    current: _Flavour, schemas: _Schemas, raw_ops: list[RawOperation]
) -> tuple[ir.Namespace, ...]:
    """Group the operations by the namespace their path names; sorted, in document order within."""
    by_name: dict[str, list[ir.Operation]] = {}
    for flavour, method, path, op in raw_ops:
        multi = bool(op.get("x-okta-multi-operation"))
        for entry in _expand_multi(op):
            built = _operation(flavour, schemas, method, path, entry)
            if multi:
                built = attrs.evolve(built, multi_parent=f"{method.upper()} {path}")
            if flavour is not current:
                built = attrs.evolve(built, legacy=True)
            by_name.setdefault(namespace(path), []).append(built)
    return tuple(
        ir.Namespace(
            name=name,
            module=name,
            class_name=f"{pascal(name)}Resource",
            attribute=name,
            operations=tuple(by_name[name]),
            prefix=_common_prefix([op.path for op in by_name[name]]),
        )
        for name in sorted(by_name)
    )


def _common_prefix(paths: list[str]) -> str:
    """The leading path segments every path shares (``/api/v1/users``)."""
    split = [p.strip("/").split("/") for p in paths]
    shared = []
    for segments in zip(*split, strict=False):
        if len(set(segments)) != 1 or segments[0].startswith("{"):
            break
        shared.append(segments[0])
    return "/" + "/".join(shared)


def _operation(
    flavour: _Flavour, schemas: _Schemas, method: str, path: str, op: dict[str, Any]
) -> ir.Operation:
    op_id = op.get("operationId") or snake(f"{method}_{path}")
    raw_params = [flavour.resolve(p) for p in op.get("parameters") or []]
    raw_params = [p for p in raw_params if p.get("in") in ("path", "query", "header")]
    body = flavour.body(op)
    wires = [p["name"] for p in raw_params] + ([body.wire_name] if body else [])
    py_names = unique([identifier(w, RESERVED_PARAMS) for w in wires])
    params = tuple(
        _parameter(flavour, schemas, p, py_name)
        for p, py_name in zip(raw_params, py_names, strict=False)
    )
    response, accept = flavour.response(op)
    clean_path, _, baked = path.partition("?")
    return ir.Operation(
        operation_id=op_id,
        method_name=identifier(op_id),
        http_method=method.upper(),
        path=clean_path,
        spec_path=path,
        fixed_query=tuple(parse_qsl(baked, keep_blank_values=True)),
        tag=(op.get("tags") or ["Default"])[0],
        description=_text(op) or str(op.get("summary") or ""),
        parameters=params,
        body=_body(schemas, body, py_names[-1], str(op.get("encoding") or "")) if body else None,
        returns=_returns(schemas, response, accept),
        accept=accept,
    )


def _parameter(
    flavour: _Flavour, schemas: _Schemas, p: dict[str, Any], py_name: str
) -> ir.Parameter:
    schema = flavour.param_schema(p)
    if "iso 8601" in str(schema.get("format", "")).lower():  # the System Log's since/until
        schema = {**schema, "format": "date-time"}
    return ir.Parameter(
        wire_name=p["name"],
        py_name=py_name,
        location=p["in"],
        type=schemas.type_of(schema),
        required=bool(p.get("required")) or p["in"] == "path",
        description=_text(p),
        default=schema.get("default", p.get("default")),
    )


def _body(schemas: _Schemas, body: _RawBody, py_name: str, encoding: str) -> ir.Body:
    """A request body; a multipart one lists its binary form fields (each a bytes/file argument)."""
    fields: tuple[str, ...] = ()
    if body.content_type == "multipart/form-data":
        props = body.schema.get("properties") or {}
        fields = tuple(sorted(n for n, s in props.items() if s.get("format") == "binary"))
    return ir.Body(
        py_name=py_name,
        wire_name=body.wire_name,
        type=schemas.type_of(body.schema),
        required=body.required,
        content_type=body.content_type,
        encoding=encoding,
        content_types=body.content_types,
        form_fields=fields,
    )


def _returns(schemas: _Schemas, schema: dict[str, Any] | None, accept: str) -> ir.TypeRef | None:
    """The decoded type of the response; a non-JSON one (``text/xml``) is its text."""
    if schema is None:
        return None
    if not is_json(accept):
        return ir.TypeRef("str")
    return schemas.type_of(schema)


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")

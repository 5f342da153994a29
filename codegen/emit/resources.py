"""Resource emitter: one module and class per namespace, plus the ``ResourceAccessors`` mixin.

Each namespace module also holds its operations' ``Operation`` records (``CREATE_USER``, ...), the
ones bulk jobs and the System Log tail send, so no hand-written module spells a method and path
again and using ``okta.users`` loads nothing of the other namespaces.
"""

from __future__ import annotations

import json

from codegen import ir
from codegen.emit.common import (
    InputRenderer,
    TypeRenderer,
    body_dicts,
    docstring,
    header,
    literal,
)
from codegen.loader import is_json

COMMON_KWARGS = (
    "        timeout: float | None = None,\n"
    "        max_retries: int | None = None,\n"
    "        extra_headers: Mapping[str, str] | None = None,\n"
)
LIST_KWARGS = "        max_items: int | None = None,\n        prefetch: int = 1,\n"
PASS_OPTIONS = (
    "            timeout=timeout,\n"
    "            max_retries=max_retries,\n"
    "            extra_headers=extra_headers,\n"
)
# The namespace whose class also offers ``tail()`` (System Log polling).
LOG_TAIL_NAMESPACE = "logs"


def emit_resources(api: ir.Api) -> dict[str, str]:
    """``{relative path: source}`` for okta_async/resources/."""
    files = {f"{ns.module}.py": namespace_module(api, ns) for ns in api.namespaces}
    files["__init__.py"] = accessors(api)
    return files


def constant(op: ir.Operation) -> str:
    """Name of an operation's ``Operation`` record in its namespace module."""
    return op.method_name.upper()


def operation_records(ns: ir.Namespace) -> str:
    """The namespace's ``Operation`` records, one line each."""
    return "".join(
        f"{constant(op)} = Operation({literal(op.operation_id)}, {literal(op.http_method)}, "
        f"{literal(op.path)})\n"
        for op in ns.operations
    )


def namespace_module(api: ir.Api, ns: ir.Namespace) -> str:
    types = TypeRenderer(prefix="models.", dicts=body_dicts(api))
    inputs = InputRenderer("models.", {e.name: e.values for e in api.enums}, frozenset())
    methods = "".join(_method(op, types, inputs) for op in ns.operations)
    typing_names = ["TYPE_CHECKING", "Any"]
    if types.uses_literal or inputs.uses_literal:
        typing_names.append("Literal")
    bases, mixin_import, class_attrs, checking = "Resource", "", "", ""
    if ns.name == LOG_TAIL_NAMESPACE:
        # LogTailMixin types ``_transport`` with a structural protocol, Resource with Transport:
        # one declaration here satisfies both bases for mypy.
        bases = "LogTailMixin, Resource"
        mixin_import = "from okta_async.logtail import LogTailMixin\n"
        class_attrs = "\n    _transport: Transport\n"
        checking = "    from okta_async._core.transport import Transport\n"
    if types.uses_datetime or inputs.uses_datetime:
        checking += "    import datetime\n\n"
    if any(op.is_paginated for op in ns.operations):
        checking += "    from okta_async._core.pagination import AsyncPaginator\n"
    checking_block = f"\nif TYPE_CHECKING:\n{checking}" if checking else ""
    uses_unset = "| Unset" in methods
    unset_import = "from okta_async._core.unset import UNSET, Unset" if uses_unset else ""
    if "IO[bytes]" in methods:
        typing_names.append("IO")
    if "cast(" in methods:
        typing_names.append("cast")
    title = f"Operations under ``{ns.prefix}``, reached as ``okta.{ns.attribute}``."
    class_doc = docstring(f"Operations under ``{ns.prefix}`` ({api.title or 'API'}).", 4)
    return f'''{header(api)}"""{title}"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import {", ".join(sorted(typing_names, key=str.lower))}

{mixin_import}from okta_async._core.model import OpenStr
from okta_async._core.operation import Operation
from okta_async._core.raw import to_raw_response
from okta_async._core.resource import Resource
{unset_import}

from .. import models
{checking_block}
{operation_records(ns)}

class {ns.class_name}({bases}):
{class_doc}{class_attrs}{methods}{raw_response_block(ns)}'''


def raw_response_block(ns: ir.Namespace) -> str:
    """The resource's ``with_raw_response`` property and the class it returns, whose attributes
    are the resource's coroutine methods wrapped by ``to_raw_response``."""
    raw_class = f"{ns.class_name}WithRawResponse"
    wrapped = "".join(
        f"        self.{op.method_name} = to_raw_response(resource.{op.method_name})\n"
        for op in ns.operations
        if not op.is_paginated
    )
    wrapped = wrapped or "        pass\n"
    return f'''
    @functools.cached_property
    def with_raw_response(self) -> {raw_class}:
        """These methods returning an ``APIResponse`` (status, headers, request id, ``parse()``)."""
        return {raw_class}(self)


class {raw_class}:
    """``okta.{ns.attribute}`` methods returning an ``APIResponse`` around their result.

    Paginators are not repeated here: every ``Page`` of one already carries its ``response``.
    """

    def __init__(self, resource: {ns.class_name}) -> None:
{wrapped}'''


def _signature(op: ir.Operation, types: TypeRenderer, inputs: InputRenderer) -> str:
    """Path parameters (and a required body) positional; everything else keyword-only."""
    positional = [f"        {p.py_name}: str,\n" for p in op.parameters if p.location == "path"]
    body = op.body
    if body is not None:
        args = [(f, "bytes | IO[bytes]") for f in body.form_fields] or [
            (body.py_name, _body_annotation(body, types))
        ]
        default = "" if body.required or body.form_fields else " | Unset = UNSET"
        positional += [f"        {name}: {ann}{default},\n" for name, ann in args]
    keyword = []
    for p in op.parameters:
        if p.location == "path":
            continue
        ann = inputs.render(p.type)  # enums as Literal values (or OpenStr); datetime or str
        if p.required:
            keyword.append(f"        {p.py_name}: {ann},\n")
        else:
            keyword.append(f"        {p.py_name}: {ann} | Unset = UNSET,\n")
    if body is not None and len(body.content_types) > 1:  # the caller says what the bytes are
        choices = ", ".join(literal(c) for c in body.content_types)
        default = literal(body.content_type)
        keyword.append(f"        content_type: Literal[{choices}] = {default},\n")
        types.uses_literal = True
    extra = LIST_KWARGS if op.is_paginated else ""
    return (
        "        self,\n"
        + "".join(positional)
        + "        *,\n"
        + "".join(keyword)
        + extra
        + COMMON_KWARGS
    )


def _body_annotation(body: ir.Body, types: TypeRenderer) -> str:
    if body.type.kind == "model":  # the model, or a TypedDict (a misspelled key is an error)
        dicts = types.dicts.get(body.type.name or "", ())
        return " | ".join([types.render(body.type), *(f"{types.prefix}{d}" for d in dicts)])
    return types.render(body.type)


def _returns(op: ir.Operation, types: TypeRenderer) -> tuple[str, str]:
    """(return annotation, the value passed as ``returns=`` / ``item=``)."""
    ret = op.returns
    if ret is None:
        return "None", "None"
    if ret.kind == "list":
        assert ret.item is not None
        item = types.render(ret.item)
        runtime = _runtime_class(ret.item, types)
        return (f"AsyncPaginator[{item}]" if op.is_paginated else f"list[{item}]"), runtime
    if ret.kind == "model":
        name = types.render(ret)
        return name, name
    if _model_union(ret):
        return types.render(ret), _runtime_class(ret, types)
    if not is_json(op.accept):  # SAML metadata (text/xml) and the like: the text itself
        return "str", "None"
    return "Any", "None"


def _runtime_class(typ: ir.TypeRef, types: TypeRenderer) -> str:
    """A class object the serde layer can structure one item into.

    A union of models is passed as the runtime union (``models.A | models.B``), cast to
    ``type[A | B]`` so that the method's item type is the union.
    """
    if typ.kind in ("model", "enum"):
        return f"models.{typ.name}"
    if typ.kind in ("str", "int", "float", "bool"):
        return typ.kind
    if _model_union(typ):
        runtime = " | ".join(f"models.{m.name}" for m in typ.members)
        return f'cast("type[{types.render(typ)}]", {runtime})'
    return "dict"


def _model_union(typ: ir.TypeRef) -> bool:
    """A union whose members are all models (decoded by the serde layer's union rule)."""
    return typ.kind == "union" and all(m.kind == "model" for m in typ.members)


def _method(op: ir.Operation, types: TypeRenderer, inputs: InputRenderer) -> str:
    annotation, runtime = _returns(op, types)
    signature = _signature(op, types, inputs)
    doc = docstring(_doc_text(op), 8)
    call = _call_args(op)
    if op.is_paginated:
        return (
            f"\n    def {op.method_name}(\n{signature}    ) -> {annotation}:\n{doc}"
            f"        return self._paginate(\n            {constant(op)},\n{call}"
            f"            item={runtime},\n"
            "            max_items=max_items,\n            prefetch=prefetch,\n"
            f"{PASS_OPTIONS}        )\n"
        )
    helper = "_call"
    if op.is_list:
        helper, returns = "_call_list", f"            item={runtime},\n"
    elif op.returns is not None and not is_json(op.accept):
        returns = "            text=True,\n"
    elif op.returns is not None and op.returns.kind != "model" and not _model_union(op.returns):
        returns = "            raw=True,\n"
    else:
        returns = f"            returns={runtime},\n"
    keyword = "return await" if annotation != "None" else "await"
    return (
        f"\n    async def {op.method_name}(\n{signature}    ) -> {annotation}:\n{doc}"
        f"        {keyword} self.{helper}(\n            {constant(op)},\n{call}{returns}"
        f"{PASS_OPTIONS}        )\n"
    )


def _call_args(op: ir.Operation) -> str:
    """``path=``, ``query=``, ``headers=``, ``body=`` and ``content_type=`` for the base class."""
    text = ""
    for location, kw in (("path", "path"), ("query", "query"), ("header", "headers")):
        items = [
            f"{literal(p.wire_name)}: {p.py_name}" for p in op.parameters if p.location == location
        ]
        if location == "query":  # a query the spec wrote into the path ("...?tempPassword=true")
            items = [f"{literal(k)}: {literal(v)}" for k, v in op.fixed_query] + items
        if items:
            text += f"            {kw}={{{', '.join(items)}}},\n"
    body = op.body
    if body is not None and body.form_fields:
        fields = ", ".join(f"{literal(f)}: {f}" for f in body.form_fields)
        text += f"            files={{{fields}}},\n"
    elif body is not None:
        text += f"            body={body.py_name},\n"
        if len(body.content_types) > 1:
            text += "            content_type=content_type,\n"
        elif body.content_type != "application/json":
            text += f"            content_type={literal(body.content_type)},\n"
    if op.accept != "application/json":
        text += f"            accept={literal(op.accept)},\n"
    return text


def _doc_text(op: ir.Operation) -> str:
    """Spec description, ``METHOD /path``, then the documented arguments."""
    parts = [
        op.description or f"The {op.operation_id} operation.",
        f"{op.http_method} {op.spec_path}",
    ]
    if op.multi_parent:
        parts.append(f"One entry of the multi-operation {op.multi_parent}.")
    body = op.body
    if body is not None and body.form_fields:
        names = ", ".join(f"``{f}``" for f in body.form_fields)
        parts.append(f"{names} (bytes or a binary file) go as multipart/form-data.")
    elif body is not None and body.content_type != "application/json":
        how = f", {body.encoding} encoded" if body.encoding else ""
        sent = body.content_type
        if len(body.content_types) > 1:
            sent = f"{' or '.join(body.content_types)} (say which with ``content_type``)"
        parts.append(f"The body ``{body.py_name}`` is sent as {sent}{how}.")
    args = []
    for p in op.parameters:
        text = p.description
        if p.default is not None:
            text = f"{text} (server default: {json.dumps(p.default)})".strip()
        if text:
            args.append(f"    {p.py_name}: {' '.join(text.split())}")
    if args:
        parts.append("Args:\n" + "\n".join(args))
    return "\n\n".join(parts)


def accessors(api: ir.Api) -> str:
    """The mixin ``OktaClient`` inherits: one cached, lazily importing property per namespace."""
    imports = "".join(f"    from .{t.module} import {t.class_name}\n" for t in api.namespaces)
    props = "".join(
        f"""
    @functools.cached_property
    def {t.attribute}(self) -> {t.class_name}:
        \"\"\"Operations under ``{t.prefix}``.\"\"\"
        from .{t.module} import {t.class_name}

        return {t.class_name}(self)
"""
        for t in api.namespaces
    )
    return f'''{header(api)}"""Generated resources: one class per namespace, and the client mixin.

Each property imports its resource module on first access, so ``import okta_async`` loads none.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okta_async._core.transport import Transport

{imports}

class ResourceAccessors:
    """Mixin of ``OktaClient``: ``okta.users``, ``okta.groups``, ... (one per namespace)."""

    if TYPE_CHECKING:
        _transport: Transport
{props}'''

"""The normalized intermediate representation (IR) the emitters work from.

Both spec flavours (Swagger 2.0 and OpenAPI 3.0) are loaded into these plain, frozen records, so the
emitters never look at the raw document and a newer Okta spec only needs loader work.
Everything here is already named for Python (snake_case attributes, PascalCase classes) and sorted
deterministically by the loader.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

TypeKind = Literal[
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "bytes",
    "any",
    "model",
    "enum",
    "list",
    "dict",
    "union",
]


@attrs.frozen
class TypeRef:
    """A type expression: a primitive, a reference to a model/enum, a list/dict of another, or a
    union (``oneOf``/``anyOf``, or a polymorphic schema whose mapping names non-subclasses)."""

    kind: TypeKind
    name: str | None = None  # model or enum name for kind "model"/"enum"
    item: TypeRef | None = None  # element type for "list", value type for "dict"
    values: tuple[str, ...] = ()  # allowed values of an inline (unnamed) string enum
    members: tuple[TypeRef, ...] = ()  # the alternatives of a "union", in spec order
    # How a "union" picks its member: the discriminator (mapping to member model names) and the
    # member taken for a tag the mapping lacks (the polymorphic schema itself), if any.
    discriminator: Discriminator | None = None
    fallback: str | None = None

    def refs(self) -> set[str]:
        """Names of every model or enum this type mentions."""
        found: set[str] = set()
        if self.name is not None:
            found.add(self.name)
        if self.item is not None:
            found |= self.item.refs()
        for member in self.members:
            found |= member.refs()
        return found

    def first_union(self) -> TypeRef | None:
        """The outermost union inside this type (its discriminator goes into field metadata)."""
        if self.kind == "union":
            return self
        return self.item.first_union() if self.item is not None else None


@attrs.frozen
class Property:
    """One property of a model: its wire name, Python name and type."""

    wire_name: str
    py_name: str
    type: TypeRef
    read_only: bool = False
    write_only: bool = False  # sent in requests, never expected in responses
    required: bool = False  # listed in the schema's ``required``
    always: bool = False  # in every response (required or always_present.toml): a plain type
    nullable: bool = False  # ``nullable``/``x-nullable``: an always-present one may be null
    secret: bool = False  # masked in repr (format: password, client secrets)
    description: str = ""
    default: Any = None  # spec default, documented only
    fixed: Any = None  # value filled in when the caller leaves it unset (x-okta-defined-as)


@attrs.frozen
class Discriminator:
    """Which property picks the subclass, and the value -> model name mapping."""

    property: str  # wire name
    mapping: tuple[tuple[str, str], ...]  # (tag value, model name), sorted by value


@attrs.frozen
class Model:
    """An object definition. ``properties`` holds the model's own (including re-declared) ones."""

    name: str
    module: str
    description: str
    properties: tuple[Property, ...]
    parent: str | None = None
    discriminator: Discriminator | None = None


@attrs.frozen
class Alias:
    """A named ``oneOf``/``anyOf`` schema: a type alias for the union of its members."""

    name: str
    module: str
    description: str
    type: TypeRef


@attrs.frozen
class Enum:
    """A named string enum (always open at runtime: unknown values are kept as plain str)."""

    name: str
    module: str
    description: str
    values: tuple[str, ...]


@attrs.frozen
class Parameter:
    """A path, query or header parameter of an operation."""

    wire_name: str
    py_name: str
    location: Literal["path", "query", "header"]
    type: TypeRef
    required: bool
    description: str = ""
    default: Any = None


@attrs.frozen
class Body:
    """The request body: a model, a JSON value or a raw string/bytes with its content type."""

    py_name: str
    wire_name: str
    type: TypeRef
    required: bool
    content_type: str  # the one sent by default (JSON when the spec offers it)
    encoding: str = ""  # x-okta-multi-operation "encoding" (e.g. base64): how a str body is written
    content_types: tuple[str, ...] = ()  # every media type the spec entry accepts (caller picks)
    form_fields: tuple[str, ...] = ()  # multipart/form-data: the file fields, each a bytes/file

    @property
    def is_multipart(self) -> bool:
        return self.content_type == "multipart/form-data"


@attrs.frozen
class Operation:
    """One callable operation (a multi-operation entry counts as its own operation)."""

    operation_id: str
    method_name: str  # snake_case operationId
    http_method: str  # upper case
    path: str
    tag: str  # the spec's first tag (documentation only; the namespace comes from the path)
    description: str
    parameters: tuple[Parameter, ...]
    body: Body | None
    returns: TypeRef | None  # None: no content (204, or 2xx without schema)
    accept: str = "application/json"  # the response media type asked for (Accept header)
    legacy: bool = False  # carried over from the 2.4.0 spec by the overlay
    multi_parent: str | None = None  # "METHOD /path" of the spec operation holding the entries
    fixed_query: tuple[tuple[str, str], ...] = ()  # query baked into the spec's path ("?a=b")
    spec_path: str = ""  # the path key exactly as in the spec (may carry "?a=b")

    @property
    def is_list(self) -> bool:
        """The 2xx response is a JSON array."""
        return self.returns is not None and self.returns.kind == "list"

    @property
    def is_paginated(self) -> bool:
        """Array-returning GETs become ``AsyncPaginator``s.

        An array-returning operation with side effects (a POST such as key rotation) is a
        coroutine returning a list instead: iterating a paginator twice would send it twice.
        """
        return self.is_list and self.http_method == "GET"


@attrs.frozen
class Namespace:
    """A group of operations by endpoint path: one generated resource class and client attribute."""

    name: str
    module: str
    class_name: str
    attribute: str
    operations: tuple[Operation, ...]
    prefix: str = ""  # the path prefix its operations share ("/api/v1/users")


@attrs.frozen
class Api:
    """The whole normalized spec."""

    title: str
    version: str
    sha256: str
    flavour: Literal["swagger2", "openapi3"]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
    namespaces: tuple[Namespace, ...]
    raw_operation_count: int  # path+method pairs in the spec (multi-operations count once)
    aliases: tuple[Alias, ...] = ()  # named unions (OpenAPI 3 only)

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for ns in self.namespaces for op in ns.operations)

"""Named schemas -> ``ir.Model`` / ``ir.Enum`` records, and the IR type of any schema.

Split from ``loader.py`` (which keeps the flavour differences and the operations) so the schema
side and the operation side of the generator evolve independently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codegen import ir
from codegen.naming import identifier, pascal, snake, unique

if TYPE_CHECKING:
    from codegen.loader import _Flavour

RESERVED_PROPERTIES = frozenset({"self", "additional_properties", "to_dict", "from_dict"})


def ref_name(ref: str) -> str:
    """``#/definitions/User`` or ``#/components/schemas/User`` -> ``User``."""
    return ref.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- schemas -> models


class Schemas:
    """Turns the named schemas into ``ir.Model`` and ``ir.Enum`` records."""

    def __init__(self, flavour: _Flavour) -> None:
        self.flavour = flavour
        self.raw = flavour.schemas
        self.enum_names = {name for name, s in self.raw.items() if "enum" in s}
        self.class_names = {name: pascal(name) for name in self.raw}

    def build(self) -> tuple[tuple[ir.Model, ...], tuple[ir.Enum, ...]]:
        modules = dict(
            zip(sorted(self.raw), unique([snake(n) for n in sorted(self.raw)]), strict=True)
        )
        enums = tuple(
            ir.Enum(
                name=self.class_names[name],
                module=modules[name],
                description=text(schema),
                values=tuple(dict.fromkeys(str(v) for v in schema["enum"] if v is not None)),
            )
            for name, schema in sorted(self.raw.items())
            if name in self.enum_names
        )
        parents = {name: self.parent_of(schema) for name, schema in self.raw.items()}
        models = tuple(
            self.model(name, schema, modules[name], parents)
            for name, schema in sorted(self.raw.items())
            if name not in self.enum_names
        )
        return models, enums

    def parent_of(self, schema: dict[str, Any]) -> str | None:
        """``x-okta-parent`` or the ``$ref`` member of an ``allOf``."""
        if "x-okta-parent" in schema:
            return ref_name(schema["x-okta-parent"])
        for part in schema.get("allOf") or []:
            if "$ref" in part:
                return ref_name(part["$ref"])
        return None

    def own_properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Properties declared by this schema (an allOf's inline members included)."""
        props = dict(schema.get("properties") or {})
        for part in schema.get("allOf") or []:
            if "$ref" not in part:
                props.update(part.get("properties") or {})
        return props

    def inherited_schema(
        self, model: str, prop: str, parents: dict[str, str | None]
    ) -> dict[str, Any]:
        """The nearest ancestor's declaration of ``prop`` (for re-declarations without a type)."""
        parent = parents.get(model)
        while parent is not None and parent in self.raw:
            found = self.own_properties(self.raw[parent]).get(prop)
            if found is not None:
                return {**self.inherited_schema(parent, prop, parents), **found}
            parent = parents.get(parent)
        return {}

    def model(
        self, name: str, schema: dict[str, Any], module: str, parents: dict[str, str | None]
    ) -> ir.Model:
        parent = parents[name]
        fixed = self.fixed_values(name, schema, parents)
        declared = self.own_properties(schema)
        for wire in fixed:  # a subclass pins a parent property: re-declare it with the value
            declared.setdefault(wire, {})
        wires = sorted(declared)
        py_names = unique([identifier(w, RESERVED_PROPERTIES) for w in wires])
        props = []
        for wire, py_name in zip(wires, py_names, strict=True):
            prop_schema = declared[wire]
            if parent is not None and "type" not in prop_schema and "$ref" not in prop_schema:
                prop_schema = {**self.inherited_schema(name, wire, parents), **prop_schema}
            props.append(self.prop(wire, py_name, prop_schema, fixed.get(wire)))
        return ir.Model(
            name=self.class_names[name],
            module=module,
            description=text(schema),
            properties=tuple(props),
            parent=self.class_names.get(parent) if parent else None,
            discriminator=self.discriminator(name, schema, parents),
        )

    def prop(self, wire: str, py_name: str, schema: dict[str, Any], fixed: Any) -> ir.Property:
        typ = self.type_of(schema)
        secret = schema.get("format") == "password" or (
            typ.kind == "str" and wire.lower().replace("_", "").endswith("secret")
        )
        return ir.Property(
            wire_name=wire,
            py_name=py_name,
            type=typ,
            read_only=bool(schema.get("readOnly")),
            secret=secret,
            description=text(schema),
            default=schema.get("default"),
            fixed=fixed,
        )

    def fixed_values(
        self, name: str, schema: dict[str, Any], parents: dict[str, str | None]
    ) -> dict[str, Any]:
        """Values a subclass pins: ``x-okta-defined-as`` and an unambiguous discriminator value."""
        fixed = {k: v for k, v in (schema.get("x-okta-defined-as") or {}).items()}
        parent = parents.get(name)
        if parent is not None and parent in self.raw:
            disc = self.discriminator(parent, self.raw[parent], parents)
            if disc is not None:
                tags = [tag for tag, target in disc.mapping if target == self.class_names[name]]
                if len(tags) == 1:
                    fixed.setdefault(disc.property, tags[0])
        return fixed

    def discriminator(
        self, name: str, schema: dict[str, Any], parents: dict[str, str | None]
    ) -> ir.Discriminator | None:
        """``x-openapi-v3-discriminator``, an OpenAPI 3 ``discriminator`` or a Swagger 2 one.

        Without an explicit mapping the subclasses are found by inheritance and keyed by their
        schema name (the Swagger 2 rule). A discriminator with no subclass at all is dropped: the
        model then simply is the class for every value.
        """
        raw = schema.get("x-openapi-v3-discriminator") or schema.get("discriminator")
        if not raw:
            return None
        if isinstance(raw, str):
            raw = {"propertyName": raw}
        mapping = {str(k): ref_name(v) for k, v in (raw.get("mapping") or {}).items()}
        if not mapping:
            mapping = {child: child for child, parent in parents.items() if parent == name}
        pairs = tuple(
            sorted(
                (tag, self.class_names[target])
                for tag, target in mapping.items()
                if target in self.class_names and target != name
            )
        )
        return ir.Discriminator(property=raw["propertyName"], mapping=pairs) if pairs else None

    def type_of(self, schema: dict[str, Any]) -> ir.TypeRef:
        """The IR type of a schema (a property, item, parameter or response schema)."""
        if "$ref" in schema:
            target = ref_name(schema["$ref"])
            kind: ir.TypeKind = "enum" if target in self.enum_names else "model"
            return ir.TypeRef(kind, name=self.class_names.get(target, pascal(target)))
        all_of = schema.get("allOf") or []
        if len(all_of) == 1:
            return self.type_of(all_of[0])
        if "enum" in schema:
            return ir.TypeRef("str", values=tuple(str(v) for v in schema["enum"] if v is not None))
        typ, fmt = schema.get("type"), schema.get("format")
        if typ == "string":
            if fmt == "date-time":
                return ir.TypeRef("datetime")
            return ir.TypeRef("bytes") if fmt == "binary" else ir.TypeRef("str")
        if typ in ("integer", "number", "boolean"):
            return ir.TypeRef({"integer": "int", "number": "float", "boolean": "bool"}[typ])
        if typ == "array":
            return ir.TypeRef("list", item=self.type_of(dict(schema.get("items") or {})))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra and not bare_object(extra):
            return ir.TypeRef("dict", item=self.type_of(extra))
        if typ == "object" or "properties" in schema or extra is not None:
            return ir.TypeRef("dict", item=ir.TypeRef("any"))
        return ir.TypeRef("any")


def bare_object(schema: dict[str, Any]) -> bool:
    """``{type: object}`` and nothing else: any JSON value in practice.

    Okta declares ``_links``/``_embedded``/``profile`` as maps of bare objects, yet sends arrays
    and scalars among their values (``_links.appLinks`` is an array): such maps become
    ``dict[str, Any]``.
    """
    return schema.get("type") == "object" and not (
        schema.get("properties") or schema.get("additionalProperties") or schema.get("$ref")
    )


def text(node: Any) -> str:
    """A description, stripped; empty when absent."""
    if not isinstance(node, dict):
        return ""
    return str(node.get("description") or "").strip()

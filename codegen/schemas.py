"""Named schemas -> ``ir.Model`` / ``ir.Enum`` records, and the IR type of any schema.

Split from ``loader.py`` (which keeps the flavour differences and the operations) so the schema
side and the operation side of the generator evolve independently.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from codegen import ir
from codegen._toml import load_toml
from codegen.naming import identifier, pascal, snake, unique

if TYPE_CHECKING:
    from codegen.loader import _Flavour

ALWAYS_PRESENT: dict[str, Any] = load_toml(Path(__file__).with_name("always_present.toml"))
"""Fields Okta sends in every response though no ``required`` list names them (by schema)."""

_NULLABLE = ("nullable", "x-nullable")

RESERVED_PROPERTIES = frozenset({"self", "additional_properties", "to_dict", "from_dict"})


def ref_name(ref: str) -> str:
    """``#/definitions/User`` or ``#/components/schemas/User`` -> ``User``."""
    return ref.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- schemas -> models


class Schemas:
    """Turns the named schemas into ``ir.Model``, ``ir.Enum`` and ``ir.Alias`` records.

    Named schemas that are not objects (a string, an array, ...) are inlined as their type; named
    ``oneOf``/``anyOf`` schemas become unions (and, for the user's annotations, type aliases).
    """

    def __init__(self, flavour: _Flavour) -> None:
        self.flavour = flavour
        self.raw = flavour.schemas
        self.enum_names = {name for name, s in self.raw.items() if "enum" in s}
        self.inline_names = {
            name
            for name, s in self.raw.items()
            if name not in self.enum_names and s.get("type") in _SCALARS
        }
        self.union_names = {
            name
            for name, s in self.raw.items()
            if name not in self.enum_names and ("oneOf" in s or "anyOf" in s)
        }
        self.synthetic: dict[int, str] = {}  # id(property schema) -> synthesized model name
        self.synthesize()
        self.parents = {name: self.parent_of(schema) for name, schema in self.raw.items()}
        ordered = sorted(self.raw)
        self.class_names = dict(zip(ordered, unique([pascal(n) for n in ordered]), strict=True))
        self.modules = dict(zip(ordered, unique([snake(n) for n in ordered]), strict=True))
        self._foreign: dict[str, bool] = {}

    def synthesize(self) -> None:
        """Name the inline ``allOf: [$ref, {properties: ...}]`` compositions of properties.

        Such a property extends a named model (``Group._links`` adds ``apps``/``users`` to
        ``LinksSelf``); it becomes a model of its own, ``<Owner><Property>``, subclassing it.
        """
        for owner in sorted(self.raw):
            schema = self.raw[owner]
            parts = [schema, *(p for p in schema.get("allOf") or [] if "$ref" not in p)]
            for part in parts:
                for wire, prop in sorted((part.get("properties") or {}).items()):
                    if isinstance(prop, dict) and _composition(prop):
                        name = pascal(owner) + pascal(wire.lstrip("_") or "value")
                        while name in self.raw:
                            name += "_"
                        self.raw[name] = {"allOf": prop["allOf"], "description": text(prop)}
                        self.synthetic[id(prop)] = name

    def is_model(self, name: str) -> bool:
        """Named schemas emitted as classes (a union only when it declares properties)."""
        if name in self.enum_names or name in self.inline_names:
            return False
        return name not in self.union_names or bool(self.own_properties(self.raw[name]))

    def build(self) -> tuple[tuple[ir.Model, ...], tuple[ir.Enum, ...]]:
        enums = tuple(
            ir.Enum(
                name=self.class_names[name],
                module=self.modules[name],
                description=text(schema),
                values=tuple(dict.fromkeys(str(v) for v in schema["enum"] if v is not None)),
            )
            for name, schema in sorted(self.raw.items())
            if name in self.enum_names
        )
        models = [self.model(name) for name in sorted(self.raw) if self.is_model(name)]
        return widen_overrides(models), enums

    def aliases(self) -> tuple[ir.Alias, ...]:
        """One type alias per named union schema, so users can annotate with its name."""
        return tuple(
            ir.Alias(
                name=self.class_names[name],
                module=self.modules[name],
                description=text(self.raw[name]),
                type=self.union_type(name, self.raw[name]),
            )
            for name in sorted(self.union_names)
            if not self.is_model(name)
        )

    def parent_of(self, schema: dict[str, Any]) -> str | None:
        """``x-okta-parent`` or the first ``$ref`` member of an ``allOf``."""
        if "x-okta-parent" in schema:
            return ref_name(schema["x-okta-parent"])
        for part in schema.get("allOf") or []:
            if "$ref" in part:
                return ref_name(part["$ref"])
        return None

    def is_subclass(self, name: str, ancestor: str) -> bool:
        """Whether ``name`` inherits (through its parents) from ``ancestor``."""
        parent = self.parents.get(name)
        for _ in range(50):
            if parent is None:
                return False
            if parent == ancestor:
                return True
            parent = self.parents.get(parent)
        return False

    def own_properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Properties declared by this schema: its own, an allOf's inline members', and all of
        every further ``$ref`` member's (the first one is the parent class; the others merge)."""
        props: dict[str, Any] = {}
        refs = [ref_name(p["$ref"]) for p in schema.get("allOf") or [] if "$ref" in p]
        for extra in refs[1:]:
            props.update(self.all_properties(extra))
        props.update(schema.get("properties") or {})
        for part in schema.get("allOf") or []:
            if "$ref" not in part:
                props.update(part.get("properties") or {})
        return props

    def all_properties(self, name: str, depth: int = 0) -> dict[str, Any]:
        """Every property of a named schema, inherited ones included."""
        schema = self.raw.get(name) or {}
        parent = self.parents.get(name)
        inherited = self.all_properties(parent, depth + 1) if parent and depth < 20 else {}
        return {**inherited, **self.own_properties(schema)}

    def required(self, name: str, depth: int = 0, extra: Mapping[str, Any] = {}) -> set[str]:
        """Wire names the schema (with its ancestors and allOf members) lists as required, plus
        those ``extra`` (``{schema name: {"fields": [...]}}``) names for any of them."""
        schema = self.raw.get(name) or {}
        found = set(schema.get("required") or []) | set(extra.get(name, {}).get("fields", ()))
        for part in schema.get("allOf") or []:
            if "$ref" in part and depth < 20:
                found |= self.required(ref_name(part["$ref"]), depth + 1, extra)
            found |= set(part.get("required") or [])
        return found

    def inherited_schema(self, model: str, prop: str) -> dict[str, Any]:
        """The nearest ancestor's declaration of ``prop`` (for re-declarations without a type)."""
        parent = self.parents.get(model)
        while parent is not None and parent in self.raw:
            found = self.own_properties(self.raw[parent]).get(prop)
            if found is not None:
                return {**self.inherited_schema(parent, prop), **found}
            parent = self.parents.get(parent)
        return {}

    def model(self, name: str) -> ir.Model:
        schema, parent = self.raw[name], self.parents[name]
        fixed = self.fixed_values(name, schema)
        declared = self.own_properties(schema)
        for wire in fixed:  # a subclass pins a parent property: re-declare it with the value
            declared.setdefault(wire, {})
        required = self.required(name)
        always = self.required(name, extra=ALWAYS_PRESENT)
        wires = sorted(declared)
        py_names = unique([identifier(w, RESERVED_PROPERTIES) for w in wires])
        props = []
        for wire, py_name in zip(wires, py_names, strict=True):
            prop_schema = declared[wire]
            if parent is not None and not _TYPED.intersection(prop_schema):
                prop_schema = {**self.inherited_schema(name, wire), **prop_schema}
            prop = self.prop(wire, py_name, prop_schema, fixed.get(wire))
            present = wire in always and not prop.write_only
            props.append(attrs.evolve(prop, required=wire in required, always=present))
        return ir.Model(
            name=self.class_names[name],
            module=self.modules[name],
            description=text(schema),
            properties=tuple(props),
            parent=self.class_names.get(parent) if parent else None,
            discriminator=self.discriminator(name, schema, subclasses_only=True),
        )

    def prop(self, wire: str, py_name: str, schema: dict[str, Any], fixed: Any) -> ir.Property:
        typ = self.type_of(schema)
        flags = self.flags(schema)
        secret = (
            schema.get("format") == "password"
            or "writeOnly" in flags
            or (typ.kind == "str" and wire.lower().replace("_", "").endswith("secret"))
        )
        return ir.Property(
            wire_name=wire,
            py_name=py_name,
            type=typ,
            read_only="readOnly" in flags,
            write_only="writeOnly" in flags,
            secret=secret,
            nullable=any(s.get(k) for s in (schema, self.annotations(schema)) for k in _NULLABLE),
            description=text(schema) or text(self.annotations(schema)),
            default=schema.get("default", self.annotations(schema).get("default")),
            fixed=fixed,
        )

    def annotations(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The keys an allOf wrapper's inline members add (description, readOnly, ...)."""
        found: dict[str, Any] = {}
        for part in schema.get("allOf") or []:
            if "$ref" not in part:
                found.update(part)
        return found

    def flags(self, schema: dict[str, Any]) -> set[str]:
        """``readOnly``/``writeOnly`` set on a property, its allOf wrapper or an inlined target."""
        sources = [schema, self.annotations(schema)]
        target = self.wrapped_ref(schema)
        if target in self.inline_names:
            sources.append(self.raw[target])
        return {f for f in ("readOnly", "writeOnly") for s in sources if s.get(f)}

    def wrapped_ref(self, schema: dict[str, Any]) -> str | None:
        """The named schema a property points at, directly or through an annotation allOf."""
        if "$ref" in schema:
            return ref_name(schema["$ref"])
        refs = [p["$ref"] for p in schema.get("allOf") or [] if "$ref" in p]
        if len(refs) == 1 and not any(_shaped(p) for p in schema["allOf"]):
            return ref_name(refs[0])
        return None

    def fixed_values(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """Values a subclass pins: ``x-okta-defined-as`` and an unambiguous discriminator value."""
        fixed = {k: v for k, v in (schema.get("x-okta-defined-as") or {}).items()}
        parent = self.parents.get(name)
        if parent is not None and parent in self.raw:
            disc = self.discriminator(parent, self.raw[parent], subclasses_only=True)
            if disc is not None:
                tags = [tag for tag, target in disc.mapping if target == self.class_names[name]]
                if len(tags) == 1:
                    fixed.setdefault(disc.property, tags[0])
        return fixed

    def discriminator(
        self, name: str, schema: dict[str, Any], *, subclasses_only: bool
    ) -> ir.Discriminator | None:
        """``x-openapi-v3-discriminator``, an OpenAPI 3 ``discriminator`` or a Swagger 2 one.

        Without an explicit mapping the subclasses are found by inheritance and keyed by their
        schema name (the Swagger 2 rule). A class keeps only the entries naming its subclasses
        (``subclasses_only``); the others make references to it unions (``union_type``). A
        discriminator with no target left is dropped.
        """
        raw = schema.get("x-openapi-v3-discriminator") or schema.get("discriminator")
        if not raw:
            return None
        if isinstance(raw, str):
            raw = {"propertyName": raw}
        mapping = {str(k): ref_name(v) for k, v in (raw.get("mapping") or {}).items()}
        if not mapping:
            mapping = {child: child for child, parent in self.parents.items() if parent == name}
        pairs = tuple(
            sorted(
                (tag, self.class_names[target])
                for tag, target in mapping.items()
                if self.is_model(target)
                and target != name
                and (self.is_subclass(target, name) or not subclasses_only)
            )
        )
        return ir.Discriminator(property=raw["propertyName"], mapping=pairs) if pairs else None

    def foreign_targets(self, name: str) -> bool:
        """A discriminator mapping that names classes outside this schema's subclasses."""
        found = self._foreign.get(name)
        if found is None:
            schema = self.raw[name]
            full = self.discriminator(name, schema, subclasses_only=False)
            own = self.discriminator(name, schema, subclasses_only=True)
            found = self._foreign[name] = full is not None and full != own
        return found

    def union_type(self, name: str | None, schema: dict[str, Any]) -> ir.TypeRef:
        """A ``oneOf``/``anyOf`` (or a schema whose discriminator names non-subclasses)."""
        parts = list(schema.get("oneOf") or schema.get("anyOf") or [])
        members = [self.type_of(dict(p)) for p in parts]
        disc = self.discriminator(name, schema, subclasses_only=False) if name else None
        if disc is not None:
            members += [ir.TypeRef("model", name=target) for _, target in disc.mapping]
        fallback = None
        if name is not None and self.is_model(name):
            fallback = self.class_names[name]
            members.append(ir.TypeRef("model", name=fallback))
        unique_members = tuple(dict.fromkeys(_flatten(members)))
        if len(unique_members) == 1:
            return unique_members[0]
        return ir.TypeRef("union", members=unique_members, discriminator=disc, fallback=fallback)

    def type_of(self, schema: dict[str, Any], depth: int = 0) -> ir.TypeRef:
        """The IR type of a schema (a property, item, parameter or response schema)."""
        target = self.synthetic.get(id(schema)) or self.wrapped_ref(schema)
        if target is not None:
            return self.named_type(target, depth)
        if "oneOf" in schema or "anyOf" in schema:
            return self.union_type(None, schema)
        if schema.get("allOf") and not any("$ref" in p for p in schema["allOf"]):
            merged = {k: v for p in schema["allOf"] for k, v in p.items()}
            return self.type_of(merged, depth)
        typ, fmt = schema.get("type"), schema.get("format")
        if "enum" in schema and typ in (None, "string"):
            return ir.TypeRef("str", values=tuple(str(v) for v in schema["enum"] if v is not None))
        if typ == "string":
            if fmt == "date-time":
                return ir.TypeRef("datetime")
            return ir.TypeRef("bytes") if fmt == "binary" else ir.TypeRef("str")
        if typ in ("integer", "number", "boolean"):
            return ir.TypeRef({"integer": "int", "number": "float", "boolean": "bool"}[typ])
        if typ == "array" or (typ is None and "items" in schema):
            return ir.TypeRef("list", item=self.type_of(dict(schema.get("items") or {}), depth))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra and not bare_object(extra):
            return ir.TypeRef("dict", item=self.type_of(extra, depth))
        if typ == "object" or "properties" in schema or extra is not None:
            return ir.TypeRef("dict", item=ir.TypeRef("any"))
        return ir.TypeRef("any")

    def named_type(self, target: str, depth: int) -> ir.TypeRef:
        """A ``$ref``: enum, model, union, or the inlined type of a named scalar/array."""
        if target in self.enum_names:
            return ir.TypeRef("enum", name=self.class_names[target])
        if target in self.inline_names and depth < 10:
            return self.type_of(self.raw[target], depth + 1)
        if target in self.union_names or (target in self.raw and self.foreign_targets(target)):
            return self.union_type(target, self.raw[target])
        return ir.TypeRef("model", name=self.class_names.get(target, pascal(target)))


# Keys that give a property schema its own type (otherwise a subclass re-declaration inherits it).
_TYPED = frozenset({"type", "$ref", "allOf", "oneOf", "anyOf", "enum"})
# Keys that make an allOf member more than an annotation (description, readOnly, example, ...).
_SHAPE = frozenset({"properties", "allOf", "oneOf", "anyOf", "items", "enum"})


def _shaped(part: dict[str, Any]) -> bool:
    """An allOf member that adds structure (a bare ``type: object`` does not)."""
    return bool(_SHAPE.intersection(part)) or part.get("type", "object") != "object"


_SCALARS = frozenset({"string", "integer", "number", "boolean", "array"})


def _composition(schema: dict[str, Any]) -> bool:
    """An allOf that extends a ``$ref`` with inline properties or merges several ``$ref``s."""
    parts = schema.get("allOf") or []
    refs = sum(1 for p in parts if "$ref" in p)
    return refs > 1 or (refs == 1 and any(p.get("properties") for p in parts))


def _flatten(members: list[ir.TypeRef]) -> list[ir.TypeRef]:
    """Members of nested unions lifted into one level."""
    flat: list[ir.TypeRef] = []
    for member in members:
        flat.extend(_flatten(list(member.members)) if member.kind == "union" else [member])
    return flat


def widen_overrides(models: list[ir.Model]) -> tuple[ir.Model, ...]:
    """Make every re-declared property a subtype of the ancestor's declaration.

    A subclass may narrow an inherited property to an unrelated type (``UserFactor.profile`` is a
    bare object; ``UserFactorCall.profile`` a ``UserFactorCallProfile``). The ancestor's property
    then becomes the union of its own type and its descendants' ones, so the classes type-check.
    """
    by_name = {m.name: m for m in models}
    for _ in range(10):
        widened: dict[tuple[str, str], list[ir.TypeRef]] = {}
        for model in by_name.values():
            for prop in model.properties:
                owner = _declaring_ancestor(by_name, model.parent, prop.wire_name)
                if owner is None:
                    continue
                theirs = _prop(by_name[owner], prop.wire_name).type
                if not _compatible(by_name, prop.type, theirs):
                    widened.setdefault((owner, prop.wire_name), []).append(prop.type)
        if not widened:
            break
        for (owner, wire), extra in widened.items():
            model = by_name[owner]
            props = tuple(
                attrs.evolve(p, type=_union([p.type, *extra])) if p.wire_name == wire else p
                for p in model.properties
            )
            by_name[owner] = attrs.evolve(model, properties=props)
    return tuple(by_name[m.name] for m in models)


def _declaring_ancestor(by_name: dict[str, ir.Model], start: str | None, wire: str) -> str | None:
    name = start
    while name is not None and name in by_name:
        if any(p.wire_name == wire for p in by_name[name].properties):
            return name
        name = by_name[name].parent
    return None


def _prop(model: ir.Model, wire: str) -> ir.Property:
    return next(p for p in model.properties if p.wire_name == wire)


def _union(types: list[ir.TypeRef]) -> ir.TypeRef:
    members = tuple(dict.fromkeys(_flatten(types)))
    return members[0] if len(members) == 1 else ir.TypeRef("union", members=members)


def _compatible(by_name: dict[str, ir.Model], mine: ir.TypeRef, theirs: ir.TypeRef) -> bool:
    """Whether an annotation of ``mine`` is a subtype of one of ``theirs`` (for mypy)."""
    if mine == theirs or theirs.kind == "any":
        return True
    if theirs.kind == "union":
        return all(
            any(_compatible(by_name, m, t) for t in theirs.members)
            for m in (mine.members if mine.kind == "union" else (mine,))
        )
    if mine.kind == "model" and theirs.kind == "model":
        name = mine.name
        while name is not None and name in by_name:
            if name == theirs.name:
                return True
            name = by_name[name].parent
        return False
    if mine.kind == "str" and theirs.kind == "str":
        return not theirs.values or set(mine.values) <= set(theirs.values)
    return False


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

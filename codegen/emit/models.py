"""Model emitter: one module per schema (attrs class or open enum) plus the lazy package index."""

from __future__ import annotations

import json
import keyword

import attrs

from codegen import ir
from codegen.emit.common import InputRenderer, TypeRenderer, docstring, header, literal
from codegen.naming import enum_member, unique

_KEYWORDS = frozenset(keyword.kwlist)


def emit_models(api: ir.Api) -> dict[str, str]:
    """``{relative path: source}`` for okta_async/models/."""
    context = _Context.of(api)
    files = {f"{m.module}.py": model_module(api, m, context) for m in api.models}
    files.update({f"{e.module}.py": enum_module(api, e) for e in api.enums})
    files.update({f"{a.module}.py": alias_module(api, a) for a in api.aliases})
    files["__init__.py"] = package_index(api)
    return files


def enum_module(api: ir.Api, enum: ir.Enum) -> str:
    """A ``str``-based enum. Openness (unknown values kept as plain str) lives in serde."""
    names = unique([enum_member(v) for v in enum.values])
    members = "".join(
        f"    {name} = {literal(value)}\n" for name, value in zip(names, enum.values, strict=True)
    )
    return (
        header(api)
        + docstring(f"The {enum.name} enum.", 0)
        + "\nfrom __future__ import annotations\n\n"
        + "from okta_async._core.model import OpenEnum\n\n\n"
        + f"class {enum.name}(OpenEnum):\n"
        + docstring(enum.description or f"Values of {enum.name}.", 4)
        + "\n"
        + members
    )


@attrs.frozen
class _Context:
    """What every model module needs to know about the others (computed once per generation)."""

    by_name: dict[str, ir.Model]
    enum_values: dict[str, tuple[str, ...]]
    free: frozenset[str]  # models with nothing a request could send (open maps)

    @classmethod
    def of(cls, api: ir.Api) -> _Context:
        by_name = {m.name: m for m in api.models}
        free = frozenset(m.name for m in api.models if not _request_properties(by_name, m))
        return cls(by_name, {e.name: e.values for e in api.enums}, free)

    def lineage(self, model: ir.Model) -> list[ir.Model]:
        """The model and its ancestors, root first."""
        return _lineage(self.by_name, model)


def _lineage(by_name: dict[str, ir.Model], model: ir.Model) -> list[ir.Model]:
    chain = [model]
    while chain[-1].parent is not None and chain[-1].parent in by_name:
        chain.append(by_name[chain[-1].parent or ""])
    return chain[::-1]


def model_module(api: ir.Api, model: ir.Model, context: _Context) -> str:
    """An ``@attrs.define(kw_only=True)`` class; field metadata carries wire name and readOnly."""
    types = TypeRenderer()
    doc = docstring(model.description or f"The {model.name} object.", 4)
    body = [_class_line(model), doc, "\n"]
    if model.discriminator is not None:
        body.append(_discriminator(model.discriminator))
    always = _always_names(context.lineage(model))
    if any(p.always for p in model.properties):
        body.append(_always_block(always))
    for prop in model.properties:
        body.append(_field(prop, types))
    inputs = InputRenderer("", context.enum_values, context.free)
    body.append(_typed_dict(model, _request_properties(context.by_name, model), inputs))
    refs = sorted(types.refs - {model.name, model.parent or ""})
    dict_refs = sorted(inputs.refs - {model.name})
    module_of = {m.name: m.module for m in api.models} | {e.name: e.module for e in api.enums}
    typing_names = ["TYPE_CHECKING"] if refs or dict_refs or inputs.uses_open_str else []
    if types.uses_any or inputs.uses_any:
        typing_names.append("Any")
    if model.discriminator is not None or any(p.always for p in model.properties):
        typing_names.append("ClassVar")
    if types.uses_literal or inputs.uses_literal:
        typing_names.append("Literal")
    typing_names.append("TypedDict")
    imports = ["from __future__ import annotations\n"]
    stdlib = []
    if types.uses_datetime or inputs.uses_datetime:
        stdlib.append("import datetime\n")
    if typing_names:
        stdlib.append(f"from typing import {', '.join(sorted(typing_names, key=str.lower))}\n")
    if stdlib:
        imports.append("".join(stdlib))
    imports.append("import attrs\n")
    first_party = []
    if model.parent is None:
        first_party.append("from okta_async._core.model import Model\n")
    if any(p.always for p in model.properties):
        first_party.append("from okta_async._core.model import ABSENT\n")
    if any(not p.always for p in model.properties):
        first_party.append("from okta_async._core.unset import UNSET, Unset\n")
    if first_party:
        imports.append("".join(first_party))
    if model.parent is not None:
        imports.append(f"from .{module_of[model.parent]} import {model.parent}\n")
    checking = _checking_imports(api, refs, dict_refs, model.parent)
    if inputs.uses_open_str:
        checking.append("    from okta_async._core.model import OpenStr\n")
    if checking:
        imports.append(f"if TYPE_CHECKING:\n{''.join(checking)}")
    return (
        header(api)
        + docstring(f"The {model.name} model.", 0)
        + "\n"
        + "\n".join(imports)
        + "\n\n"
        + "@attrs.define(kw_only=True, repr=False)\n"
        + "".join(body)
    )


def _request_properties(by_name: dict[str, ir.Model], model: ir.Model) -> list[ir.Property]:
    """What a request may send of the model: every property, inherited ones included (the
    subclass's declaration wins), except readOnly ones."""
    props = {p.wire_name: p for m in _lineage(by_name, model) for p in m.properties}
    return [p for p in props.values() if not p.read_only]


def _typed_dict(model: ir.Model, props: list[ir.Property], inputs: InputRenderer) -> str:
    """``<Model>Dict``: the request body as a plain dict with wire names, every key optional
    (``total=False``), so a misspelled key is a mypy error. Class syntax unless a wire name is
    not an identifier (then the functional form, values quoted)."""
    name = f"{model.name}Dict"
    rows = [
        (p.wire_name, inputs.render(p.type) + ("" if p.always else " | None"))
        for p in sorted(props, key=lambda p: p.wire_name)
    ]
    doc = docstring(f"The {model.name} body as a dict: wire names, readOnly fields left out.", 4)
    if all(w.isidentifier() and w not in _KEYWORDS for w, _ in rows):
        fields = "".join(f"    {w}: {t}\n" for w, t in rows)
        return f"\n\nclass {name}(TypedDict, total=False):\n{doc}\n{fields}"
    items = "".join(f"        {literal(w)}: {literal(t)},\n" for w, t in rows)
    return f"\n\n{name} = TypedDict({literal(name)}, {{\n{items}}}, total=False)\n"


def _checking_imports(
    api: ir.Api, refs: list[str], dict_refs: list[str], parent: str | None
) -> list[str]:
    """The TYPE_CHECKING imports, one line per module: the models and enums the fields name,
    and for the TypedDict the models' ``...Dict`` too (the parent class is imported already)."""
    module_of = {m.name: m.module for m in api.models} | {e.name: e.module for e in api.enums}
    models = {m.name for m in api.models}
    wanted: dict[str, set[str]] = {}
    for name in refs:
        wanted.setdefault(module_of[name], set()).add(name)
    for name in dict_refs:
        names = wanted.setdefault(module_of[name], set())
        names.update({name, f"{name}Dict"} if name in models else {name})
        names.discard(parent or "")
    return [
        f"    from .{module} import {', '.join(sorted(names))}\n"
        for module, names in sorted(wanted.items())
        if names
    ]


def _class_line(model: ir.Model) -> str:
    return f"class {model.name}({model.parent or 'Model'}):\n"


def _discriminator(disc: ir.Discriminator) -> str:
    """Class-level routing table read by serde (own class only, never inherited)."""
    pairs = ", ".join(f"{literal(tag)}: {literal(target)}" for tag, target in disc.mapping)
    return (
        "    __okta_discriminator__: ClassVar[tuple[str, dict[str, str]]] = "
        f"({literal(disc.property)}, {{{pairs}}})\n\n"
    )


def _always_names(lineage: list[ir.Model]) -> tuple[str, ...]:
    """Python names of the always-present fields of a model's lineage, inherited ones first."""
    names = [p.py_name for m in lineage for p in m.properties if p.always]
    return tuple(dict.fromkeys(names))


def _always_block(names: tuple[str, ...]) -> str:
    """The class's always-present field names and the hook that unsets the absent ones."""
    listed = ", ".join(literal(n) for n in names) + ("," if len(names) == 1 else "")
    test = " or ".join(f"self.{n} is ABSENT" for n in names)
    return (
        f"    __okta_always__: ClassVar[tuple[str, ...]] = ({listed})\n\n"
        "    def __attrs_post_init__(self) -> None:\n"
        f"        if {test}:\n"
        "            self._drop_absent()\n\n"
    )


def _field(prop: ir.Property, types: TypeRenderer) -> str:
    """One attrs field: ``T`` for an always-present one (default ``ABSENT``, so never required
    by the constructor), else ``T | Unset | None`` defaulting to ``UNSET``."""
    annotation = types.render(prop.type)
    if not prop.always:
        annotation += " | Unset | None"
    elif prop.nullable:
        annotation += " | None"
    meta = f'{{"wire": {literal(prop.wire_name)}, "read_only": {prop.read_only}'
    for flag in ("write_only", "required", "always", "nullable", "secret"):
        if getattr(prop, flag):
            meta += f', "{flag}": True'
    union = prop.type.first_union()
    if union is not None and (union.discriminator or union.fallback):
        meta += f', "union": {_union_rule(union)}'
    meta += "}"
    default = literal(prop.fixed) if prop.fixed is not None else "UNSET"
    if prop.always and prop.fixed is None:
        default = "ABSENT"
    text = f"    {prop.py_name}: {annotation} = attrs.field(default={default}, metadata={meta})\n"
    doc = prop.description
    if prop.default is not None:
        doc = f"{doc} (server default: {json.dumps(prop.default)})".strip()
    if doc:
        text += docstring(doc, 4) + "\n"
    return text


def _union_rule(union: ir.TypeRef) -> str:
    """``(wire property, {tag: member class name}, fallback class name)`` read by serde."""
    disc = union.discriminator
    prop = literal(disc.property) if disc else "None"
    pairs = ", ".join(f"{literal(t)}: {literal(n)}" for t, n in disc.mapping) if disc else ""
    fallback = literal(union.fallback) if union.fallback else "None"
    return f"({prop}, {{{pairs}}}, {fallback})"


def alias_module(api: ir.Api, alias: ir.Alias) -> str:
    """``Name: TypeAlias = A | B``: a named union, importable for annotations (serde never
    sees it: fields spell their unions out)."""
    types = TypeRenderer()
    value = types.render(alias.type)
    module_of = {m.name: m.module for m in api.models} | {e.name: e.module for e in api.enums}
    imports = "".join(f"from .{module_of[r]} import {r}\n" for r in sorted(types.refs))
    stdlib = "import datetime\n" if types.uses_datetime else ""
    typing_names = ", ".join(
        n for n, used in (("Any", types.uses_any), ("Literal", types.uses_literal)) if used
    )
    stdlib += f"from typing import {typing_names + ', ' if typing_names else ''}TypeAlias\n"
    return (
        header(api)
        + docstring(f"The {alias.name} union.", 0)
        + "\nfrom __future__ import annotations\n\n"
        + stdlib
        + "\n"
        + imports
        + f"\n{alias.name}: TypeAlias = {value}\n"
        + docstring(alias.description or f"One of: {value}.", 0)
    )


def package_index(api: ir.Api) -> str:
    """Lazy package: module ``__getattr__`` map, TYPE_CHECKING imports, and an eager mode."""
    names = sorted(
        [(m.name, m.module) for m in api.models]
        + [(f"{m.name}Dict", m.module) for m in api.models]
        + [(e.name, e.module) for e in api.enums]
        + [(a.name, a.module) for a in api.aliases]
    )
    type_imports = "".join(f"    from .{module} import {name}\n" for name, module in names)
    mapping = "".join(f'    "{name}": "{module}",\n' for name, module in names)
    exports = "".join(f'    "{name}",\n' for name, _ in names)
    return f'''{header(api)}"""Every model of the spec, each module loaded on first use.

Only the module of a name that is actually used gets imported. Set ``OKTA_ASYNC_EAGER=1`` to import
every model and resolve every type hint at import time (the test suite does, so laziness never hides
a broken forward reference).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{type_imports}
_MODULES: dict[str, str] = {{
{mapping}}}

__all__ = [
{exports}]


if not TYPE_CHECKING:  # hidden from mypy, which would otherwise accept any name (a typo)

    def __getattr__(name: str) -> Any:
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
        value = getattr(importlib.import_module(f"{{__name__}}.{{module}}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return list(__all__)


def load_all() -> None:
    """Import every model module and resolve every type hint (raises on a broken reference)."""
    import attrs

    from okta_async._core.serde import resolve_types

    for name in __all__:
        value = getattr(sys.modules[__name__], name)
        if attrs.has(value):
            resolve_types(value)


if os.environ.get("OKTA_ASYNC_EAGER") == "1":
    load_all()
'''

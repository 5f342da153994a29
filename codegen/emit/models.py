"""Model emitter: one module per schema (attrs class or open enum) plus the lazy package index."""

from __future__ import annotations

import json

from codegen import ir
from codegen.emit.common import TypeRenderer, docstring, header, literal
from codegen.naming import enum_member, unique


def emit_models(api: ir.Api) -> dict[str, str]:
    """``{relative path: source}`` for okta_async/models/."""
    files = {f"{m.module}.py": model_module(api, m) for m in api.models}
    files.update({f"{e.module}.py": enum_module(api, e) for e in api.enums})
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


def model_module(api: ir.Api, model: ir.Model) -> str:
    """An ``@attrs.define(kw_only=True)`` class; field metadata carries wire name and readOnly."""
    types = TypeRenderer()
    doc = docstring(model.description or f"The {model.name} object.", 4)
    body = [_class_line(model), doc, "\n"]
    by_name = {m.name: m for m in api.models}  # TEMPORARY, see _narrows
    if model.discriminator is not None:
        body.append(_discriminator(model.discriminator))
    for prop in model.properties:
        body.append(_field(prop, types, _narrows(by_name, model, prop)))
    refs = sorted(types.refs - {model.name, model.parent or ""})
    module_of = {m.name: m.module for m in api.models} | {e.name: e.module for e in api.enums}
    typing_names = ["TYPE_CHECKING"] if refs else []
    if types.uses_any:
        typing_names.append("Any")
    if model.discriminator is not None:
        typing_names.append("ClassVar")
    if types.uses_literal:
        typing_names.append("Literal")
    imports = ["from __future__ import annotations\n"]
    stdlib = []
    if types.uses_datetime:
        stdlib.append("import datetime\n")
    if typing_names:
        stdlib.append(f"from typing import {', '.join(sorted(typing_names, key=str.lower))}\n")
    if stdlib:
        imports.append("".join(stdlib))
    imports.append("import attrs\n")
    first_party = []
    if model.parent is None:
        first_party.append("from okta_async._core.model import Model\n")
    if model.properties:
        first_party.append("from okta_async._core.unset import UNSET, Unset\n")
    if first_party:
        imports.append("".join(first_party))
    if model.parent is not None:
        imports.append(f"from .{module_of[model.parent]} import {model.parent}\n")
    if refs:
        lines = "".join(f"    from .{module_of[r]} import {r}\n" for r in refs)
        imports.append(f"if TYPE_CHECKING:\n{lines}")
    return (
        header(api)
        + docstring(f"The {model.name} model.", 0)
        + "\n"
        + "\n".join(imports)
        + "\n\n"
        + "@attrs.define(kw_only=True, repr=False)\n"
        + "".join(body)
    )


def _class_line(model: ir.Model) -> str:
    return f"class {model.name}({model.parent or 'Model'}):\n"


def _discriminator(disc: ir.Discriminator) -> str:
    """Class-level routing table read by serde (own class only, never inherited)."""
    pairs = ", ".join(f"{literal(tag)}: {literal(target)}" for tag, target in disc.mapping)
    return (
        "    __okta_discriminator__: ClassVar[tuple[str, dict[str, str]]] = "
        f"({literal(disc.property)}, {{{pairs}}})\n\n"
    )


def _narrows(by_name: dict[str, ir.Model], model: ir.Model, prop: ir.Property) -> bool:
    """TEMPORARY (g1 types subclass narrowing properly): an ancestor declares ``prop`` with
    another type, so mypy needs the assignment error silenced."""
    parent = by_name.get(model.parent or "")
    while parent is not None:
        for other in parent.properties:
            if other.py_name == prop.py_name:
                # str-like parents ("X | str") accept any narrowed string type
                return other.type.kind in ("dict", "list") and other.type != prop.type
        parent = by_name.get(parent.parent or "")
    return False


def _field(prop: ir.Property, types: TypeRenderer, narrows: bool = False) -> str:
    annotation = f"{types.render(prop.type)} | Unset | None"
    meta = f'{{"wire": {literal(prop.wire_name)}, "read_only": {prop.read_only}'
    meta += ', "secret": True}' if prop.secret else "}"
    default = "UNSET" if prop.fixed is None else literal(prop.fixed)
    ignore = "  # type: ignore[assignment]" if narrows else ""
    text = (
        f"    {prop.py_name}: {annotation} = attrs.field(default={default}, metadata={meta})"
        f"{ignore}\n"
    )
    doc = prop.description
    if prop.default is not None:
        doc = f"{doc} (server default: {json.dumps(prop.default)})".strip()
    if doc:
        text += docstring(doc, 4) + "\n"
    return text


def package_index(api: ir.Api) -> str:
    """Lazy package: module ``__getattr__`` map, TYPE_CHECKING imports, and an eager mode."""
    names = sorted(
        [(m.name, m.module) for m in api.models] + [(e.name, e.module) for e in api.enums]
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
{type_imports}
_MODULES: dict[str, str] = {{
{mapping}}}

__all__ = [
{exports}]


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
        value = __getattr__(name)
        if attrs.has(value):
            resolve_types(value)


if os.environ.get("OKTA_ASYNC_EAGER") == "1":
    load_all()
'''

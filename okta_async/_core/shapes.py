"""Straight-line decoders specialised to one record shape (a model class and its exact keys).

A listing's records share a handful of shapes: every user of a page has the same keys in the
same order. For such a shape a decoder is compiled once (as attrs and dataclasses compile their
methods): it unpacks ``data.values()`` in one step, checks or converts each value with no table
lookup, and fills the model's slots itself. Any value it does not expect (a null under an
always-present field, a wrong JSON type, a converter that raises) hands the whole record to the
general, tolerant path, so both paths give the same model by construction.

The general path stays the reference; ``okta_async._core.serde`` uses a shape's decoder only for
plain ``dict`` records, and compiles at most ``MAX_SHAPES`` shapes per class (records whose keys
vary beyond that take the general path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from okta_async._core.model import ABSENT
from okta_async._core.unset import UNSET

MAX_SHAPES = 32
"""Compiled shapes per model class; compiling one costs about as much as decoding 100 records."""

Entry = tuple[str, Any, Any]  # attribute name, isinstance check, converter (see serde._field_plan)


def compile_shape(
    cls: type,
    fields: Mapping[str, Entry],
    always: frozenset[str],
    pinned: tuple[str, ...],
    slots: Mapping[str, Any],
    shape: tuple[str, ...],
    general: Callable[[dict[str, Any]], Any],
) -> Callable[[dict[str, Any]], Any]:
    """The decoder of records of ``cls`` whose keys are exactly ``shape``, in that order.

    ``slots`` names every field of ``cls`` (``additional_properties`` aside), each with the slot
    descriptor to write it through when the class wraps it (a lazily decoded field), else None.
    The model is built as ``__init__`` builds it from the same keyword arguments (a field the
    record lacks is ``UNSET``, ``pinned`` ones included; an always-present one ``ABSENT``, then
    dropped by the class's ``__attrs_post_init__``), but the slots are stored directly: passing
    a few keyword arguments to an ``__init__`` of thirty defaults costs three times as much as
    the stores themselves.
    """
    env: dict[str, Any] = {
        "_new": cls.__new__,
        "_cls": cls,
        "_general": general,
        "_K": shape,
        "_UNSET": UNSET,
        "_ABSENT": ABSENT,
    }
    steps: list[str] = []
    values: dict[str, str] = {}
    extras: list[str] = []
    for i, key in enumerate(shape):
        entry = fields.get(key)
        if entry is None:
            extras.append(f"_K[{i}]: v{i}")
            continue
        name, check, convert = entry
        steps.extend(_step(i, name in always, check, convert, env))
        values[name] = f"v{i}"
    always_present = getattr(cls, "__okta_always__", ())
    missing = [n for n in always_present if n not in values and n not in pinned]
    stores = [
        _store(name, values.get(name, "_ABSENT" if name in missing else "_UNSET"), slot, env)
        for name, slot in slots.items()
    ]
    stores.append(f"model.additional_properties = {{{', '.join(extras)}}}")
    if missing:  # as __init__ would: the class drops what is still ABSENT
        stores.append("model.__attrs_post_init__()")
    unpack = f"{''.join(f'v{i}, ' for i in range(len(shape)))}= data.values()" if shape else "pass"
    exec(compile(_source([unpack, *steps], stores), f"<shape decoder {cls.__name__}>", "exec"), env)
    decode: Callable[[dict[str, Any]], Any] = env["decode"]
    return decode


def _source(steps: list[str], stores: list[str]) -> str:
    body = "".join(f"        {step}\n" for step in steps)
    fill = "".join(f"    {store}\n" for store in stores)
    return (
        "def decode(data):\n"
        f"    try:\n{body}"
        "    except Exception:  # a value the shape did not expect: the tolerant path decides\n"
        "        return _general(data)\n"
        f"    model = _new(_cls)\n{fill}"
        "    return model\n"
    )


def _store(name: str, value: str, slot: Any, env: dict[str, Any]) -> str:
    """The line that stores ``value`` in field ``name``: an attribute store, or through the slot
    descriptor itself where the class wraps it (not through the wrapper's Python ``__set__``)."""
    if slot is None:
        return f"model.{name} = {value}"
    env[f"_set_{name}"] = slot.__set__
    return f"_set_{name}(model, {value})"


def _step(i: int, always: bool, check: Any, convert: Any, env: dict[str, Any]) -> list[str]:
    """The lines that check or convert value ``v{i}``, leaving the record to the general path
    (``_general``) when the value does not fit as it is."""
    v = f"v{i}"
    if check is not None:
        env[f"t{i}"] = check
        misfit = f"not isinstance({v}, t{i})"
        test = f"{v} is None or {misfit}" if always else f"{v} is not None and {misfit}"
        return [f"if {test}: return _general(data)"]
    lines = [f"if {v} is None: return _general(data)"] if always else []
    if convert is not None:
        env[f"c{i}"] = convert
        assign = f"{v} = c{i}({v})"
        lines.append(assign if always else f"if {v} is not None: {assign}")
    return lines

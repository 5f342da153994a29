"""Straight-line decoders specialised to one record shape (a model class and its exact keys).

A listing's records share a handful of shapes: every user of a page has the same keys in the
same order. For such a shape a decoder is compiled once (as attrs and dataclasses compile their
methods): it unpacks ``data.values()`` in one step, checks or converts each value with no table
lookup, and calls the class with keyword arguments. Any value it does not expect (a null under an
always-present field, a wrong JSON type, a converter that raises) hands the whole record to the
general, tolerant path, so both paths give the same model by construction.

The general path stays the reference; ``okta_async._core.serde`` uses a shape's decoder only for
plain ``dict`` records, and compiles at most ``MAX_SHAPES`` shapes per class (records whose keys
vary beyond that take the general path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from okta_async._core.unset import UNSET

MAX_SHAPES = 32
"""Compiled shapes per model class; compiling one costs about as much as decoding 100 records."""

Entry = tuple[str, Any, Any]  # attribute name, isinstance check, converter (see serde._field_plan)


def compile_shape(
    cls: type,
    fields: Mapping[str, Entry],
    always: frozenset[str],
    pinned: tuple[str, ...],
    shape: tuple[str, ...],
    general: Callable[[dict[str, Any]], Any],
) -> Callable[[dict[str, Any]], Any]:
    """The decoder of records of ``cls`` whose keys are exactly ``shape``, in that order.

    The model is made as ``cls(...)`` makes it, ``__new__`` then ``__init__``, but ``__init__``
    is called directly: through ``type.__call__`` the keyword arguments would be packed into a
    dict and unpacked again, which costs more than the whole decoding of a small object.
    """
    init: Any = cls.__init__  # type: ignore[misc]  # the class's own, as cls(...) would call
    env = {"_cls": cls, "_new": cls.__new__, "_init": init, "_general": general, "_K": shape}
    env["_UNSET"] = UNSET
    steps: list[str] = []
    kwargs: list[str] = []
    extras: list[str] = []
    for i, key in enumerate(shape):
        entry = fields.get(key)
        if entry is None:
            extras.append(f"_K[{i}]: v{i}")
            continue
        name, check, convert = entry
        steps.extend(_step(i, name in always, check, convert, env))
        kwargs.append(f"{name}=v{i}")
    named = {arg.partition("=")[0] for arg in kwargs}
    kwargs += [f"{name}=_UNSET" for name in pinned if name not in named]
    kwargs.append(f"additional_properties={{{', '.join(extras)}}}")
    unpack = f"{''.join(f'v{i}, ' for i in range(len(shape)))}= data.values()" if shape else "pass"
    exec(compile(_source([unpack, *steps], kwargs), f"<shape decoder {cls.__name__}>", "exec"), env)
    decode: Callable[[dict[str, Any]], Any] = env["decode"]
    return decode


def _source(steps: list[str], kwargs: list[str]) -> str:
    body = "".join(f"        {step}\n" for step in steps)
    return (
        "def decode(data):\n"
        f"    try:\n{body}"
        "    except Exception:  # a value the shape did not expect: the tolerant path decides\n"
        "        return _general(data)\n"
        "    model = _new(_cls)\n"
        f"    _init(model, {', '.join(kwargs)})\n"
        "    return model\n"
    )


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

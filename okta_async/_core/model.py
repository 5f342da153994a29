"""Base classes of the generated models: ``Model`` (attrs) and ``OpenEnum`` (str enum).

Kept tiny and free of serde imports: a generated model module costs one attrs class creation.
"""

from __future__ import annotations

import contextvars
import enum
import sys
import weakref
from collections.abc import Mapping
from typing import Any, ClassVar, NewType, TypeVar

import attrs

from okta_async._core.unset import UNSET

_M = TypeVar("_M", bound="Model")

OpenStr = NewType("OpenStr", str)
"""A request value the spec's enum does not list yet, passed deliberately: request enums are
``Literal`` unions, so ``"ACTIVEE"`` is a mypy error and ``OpenStr("NEW_STATUS")`` is not."""


class _Masked:
    def __repr__(self) -> str:
        return "'***'"


_MASK = _Masked()


class _Absent:
    """Default of an always-present field the constructor was not given; never kept on a model
    (``Model._drop_absent`` deletes the attribute, so reading it raises ``MissingFieldError``)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""Typed ``Any`` so that ``id: str = attrs.field(default=ABSENT)`` type-checks."""

decoding_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "okta_async_decoding_request_id", default=None
)
"""The request id of the response being decoded (set by the resource layer), so a model missing
an always-present field can name it when the field is read."""

# id(model) -> (weak reference, request id) for models decoded with a field missing (rare).
_REQUEST_IDS: dict[int, tuple[weakref.ref[Any], str]] = {}


def _remember_request_id(model: Model, request_id: str | None) -> None:
    if request_id is None:
        return
    key = id(model)
    _REQUEST_IDS[key] = (weakref.ref(model, lambda _: _REQUEST_IDS.pop(key, None)), request_id)


def _request_id_of(model: Model) -> str | None:
    entry = _REQUEST_IDS.get(id(model))
    return entry[1] if entry is not None and entry[0]() is model else None


def _secret_key(key: str) -> bool:
    """Undeclared keys that look like credentials are masked in reprs too."""
    lowered = key.lower()
    return "secret" in lowered or "password" in lowered or "token" in lowered


@attrs.define(kw_only=True, repr=False)
class Model:
    """Base of every generated model.

    ``additional_properties`` holds JSON keys the spec does not declare (custom profile attributes,
    newer API fields, values of the wrong type); they are written back on serialization.
    """

    additional_properties: dict[str, Any] = attrs.field(factory=dict, metadata={"additional": True})

    __okta_always__: ClassVar[tuple[str, ...]] = ()
    """Python names of the always-present fields (own and inherited); set by generated classes."""

    def _drop_absent(self) -> None:
        """Delete the always-present attributes left at ``ABSENT`` (called after ``__init__`` by
        the classes that have such fields), so that reading one raises ``MissingFieldError``."""
        dropped = False
        for name in self.__okta_always__:
            if getattr(self, name) is ABSENT:
                object.__delattr__(self, name)
                dropped = True
        if dropped:
            _remember_request_id(self, decoding_request_id.get())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Classes with always-present fields get ``__getattr__`` = ``_missing_field``: only
        those, because a class with a ``__getattr__`` pays for it on every attribute read. Set
        here, not declared, so mypy does not take it as "any attribute name is fine"."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("__okta_always__"):
            setattr(cls, "__getattr__", _missing_field)  # noqa: B010 - hidden from mypy

    def __repr__(self) -> str:
        """Only the fields that are set; secrets (passwords, client secrets) masked."""
        parts = []
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name, UNSET)
            if value is UNSET or (field.name == "additional_properties" and not value):
                continue
            if field.name == "additional_properties":
                value = {k: _MASK if _secret_key(k) else v for k, v in value.items()}
            elif field.metadata.get("secret") and value is not None:
                value = _MASK
            parts.append(f"{field.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce_ex__(self, protocol: object) -> tuple[Any, ...]:
        """Copies and pickles keep an absent always-present field absent (attrs' own state reads
        every field) and keep the request id that a missing field's error names."""
        state = {}
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name, ABSENT)
            if value is not ABSENT:
                state[field.name] = value
        return _restore, (type(self), _request_id_of(self)), state

    @classmethod
    def from_dict(cls: type[_M], data: Mapping[str, Any]) -> _M:
        """Build from decoded JSON (wire names); see ``okta_async._core.serde.structure``."""
        from okta_async._core.serde import structure

        return structure(data, cls)

    def to_dict(self, *, include_read_only: bool = True) -> dict[str, Any]:
        """Encode to JSON-able data with wire names; UNSET omitted, None kept as null."""
        from okta_async._core.serde import unstructure

        result: dict[str, Any] = unstructure(self, include_read_only=include_read_only)
        return result


def _restore(cls: type[_M], request_id: str | None) -> _M:
    """An empty instance for copy/pickle to fill (``Model.__reduce_ex__``)."""
    model = cls.__new__(cls)
    _remember_request_id(model, request_id)
    return model


def _read_by_attrs(frame: Any) -> bool:
    """Whether a frame is attrs' own code: a generated method (``__eq__``) or a function of the
    ``attr`` package (``evolve``, ``asdict``, ``astuple``)."""
    module = str(frame.f_globals.get("__name__", ""))
    return (
        module == "attr"
        or module.startswith("attr.")
        or frame.f_code.co_filename.startswith("<attrs generated")
    )


def _missing_field(self: Model, name: str) -> Any:
    """Only reached when normal lookup failed: an always-present field that was absent.

    attrs' own code reads ``ABSENT`` instead, so ``==`` compares presence, ``attrs.evolve``
    passes the absence on (``__init__`` drops it again) and ``attrs.asdict`` shows it; any other
    reader gets ``MissingFieldError``.
    """
    if name in type(self).__okta_always__:
        if _read_by_attrs(sys._getframe(1)):
            return ABSENT
        from okta_async._core.errors import MissingFieldError

        wire = attrs.fields_dict(type(self))[name].metadata.get("wire", name)
        raise MissingFieldError(type(self).__name__, name, wire, _request_id_of(self))
    raise AttributeError(
        f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self
    )


class OpenEnum(str, enum.Enum):
    """Base of the generated enums. Members are strings (``UserStatus.ACTIVE == "ACTIVE"``).

    The enums are open: serde keeps a value the spec does not list as a plain ``str`` instead of
    failing, so every enum-typed field is annotated ``TheEnum | str``.
    """

    def __str__(self) -> str:
        return str(self.value)

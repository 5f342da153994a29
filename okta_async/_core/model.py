"""Base classes of the generated models: ``Model`` (attrs) and ``OpenEnum`` (str enum).

Kept tiny and free of serde imports: a generated model module costs one attrs class creation.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from okta_async._core.unset import UNSET

_M = TypeVar("_M", bound="Model")


class _Masked:
    def __repr__(self) -> str:
        return "'***'"


_MASK = _Masked()


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

    def __repr__(self) -> str:
        """Only the fields that are set; secrets (passwords, client secrets) masked."""
        parts = []
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if value is UNSET or (field.name == "additional_properties" and not value):
                continue
            if field.name == "additional_properties":
                value = {k: _MASK if _secret_key(k) else v for k, v in value.items()}
            elif field.metadata.get("secret") and value is not None:
                value = _MASK
            parts.append(f"{field.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

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


class OpenEnum(str, enum.Enum):
    """Base of the generated enums. Members are strings (``UserStatus.ACTIVE == "ACTIVE"``).

    The enums are open: serde keeps a value the spec does not list as a plain ``str`` instead of
    failing, so every enum-typed field is annotated ``TheEnum | str``.
    """

    def __str__(self) -> str:
        return str(self.value)

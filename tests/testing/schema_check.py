"""A small Swagger 2.0 schema checker for the fidelity test (no third-party validator needed).

It follows ``$ref``, ``allOf``, ``x-okta-parent`` subtypes chosen through
``x-openapi-v3-discriminator``, checks JSON types, enums, ``date-time`` formats, array items,
object properties and ``additionalProperties`` schemas. ``null`` is accepted anywhere because
the spec marks nothing nullable while Okta sends ``null`` for unset fields (``lastLogin``...).
``_links`` / ``_embedded`` values are not checked against ``additionalProperties``: real Okta
sends arrays there (``logo``, ``appLinks``) although the spec declares objects, and the fake
follows Okta. A bare ``additionalProperties: {type: object}`` (how the spec spells free-form
maps such as app-user ``profile``, ``debugData`` or ``detailEntry``) is read as "any JSON value",
since Okta puts strings and numbers there.
"""

from __future__ import annotations

import re
from typing import Any

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_LOOSE_KEYS = {"_links", "_embedded"}


class SchemaChecker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.definitions: dict[str, Any] = spec["definitions"]

    def response_schema(self, method: str, path: str, status: int) -> tuple[bool, Any]:
        """(status documented?, schema or None) for an operation's response."""
        responses = self.spec["paths"][path][method.lower()]["responses"]
        entry = responses.get(str(status))
        if entry is None:
            return False, None
        return True, entry.get("schema")

    def _resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def check(self, value: Any, schema: Any, where: str = "$") -> list[str]:
        schema = self._resolve(schema)
        if not isinstance(schema, dict) or value is None:
            return []
        errors: list[str] = []
        for part in schema.get("allOf", []):
            errors += self.check(value, part, where)
        kind = schema.get("type")
        if kind is None and "properties" in schema:
            kind = "object"
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
        }
        if kind in checks and not checks[kind](value):
            return [*errors, f"{where}: expected {kind}, got {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{where}: {value!r} not in {schema['enum']}")
        if kind == "string" and schema.get("format") == "date-time" and not _DATE_TIME.match(value):
            errors.append(f"{where}: {value!r} is not a date-time")
        if kind == "array":
            for i, item in enumerate(value):
                errors += self.check(item, schema.get("items"), f"{where}[{i}]")
        if isinstance(value, dict):
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                if key in props:
                    errors += self.check(item, props[key], f"{where}.{key}")
                elif (
                    isinstance(extra, dict)
                    and extra != {"type": "object"}
                    and where.rsplit(".", 1)[-1] not in _LOOSE_KEYS
                ):
                    errors += self.check(item, extra, f"{where}.{key}")
            disc = schema.get("x-openapi-v3-discriminator")
            if disc and value.get(disc["propertyName"]) in disc.get("mapping", {}):
                sub = {"$ref": disc["mapping"][value[disc["propertyName"]]]}
                sub_schema = self._resolve(sub)
                if sub_schema is not schema:
                    only_own = {
                        k: v for k, v in sub_schema.items() if k != "x-openapi-v3-discriminator"
                    }
                    errors += self.check(value, only_own, where)
        return errors

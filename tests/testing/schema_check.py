"""A small OpenAPI 3 schema checker for the fidelity test (no third-party validator needed).

It follows ``$ref``, ``allOf``, ``oneOf``/``anyOf`` (valid if one member is) and discriminator
mappings, and checks JSON types, enums, ``date-time`` formats, array items, object properties and
``additionalProperties`` schemas. ``null`` is accepted anywhere because the spec marks few fields
nullable while Okta sends ``null`` for unset fields (``lastLogin``...). ``_links`` / ``_embedded``
values are not checked against ``additionalProperties``: real Okta sends arrays there (``logo``,
``appLinks``) although the spec declares objects, and the fake follows Okta. A bare
``additionalProperties: {type: object}`` is read as "any JSON value", since Okta puts strings and
numbers in such free-form maps.

Operations are looked up by endpoint (method and path with parameter names blanked), so the
fake org's route templates need not spell parameters as the spec does.
"""

from __future__ import annotations

import re
from typing import Any

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_LOOSE_KEYS = {"_links", "_embedded"}
_PARAM = re.compile(r"\{[^}]*\}")
_CHECKS = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


class SchemaChecker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.paths = {_PARAM.sub("{}", p): p for p in spec["paths"]}

    def response_schema(self, method: str, path: str, status: int) -> tuple[bool, Any]:
        """(status documented?, JSON schema or None) of an endpoint's response."""
        spec_path = self.paths[_PARAM.sub("{}", path)]
        responses = self.spec["paths"][spec_path][method.lower()]["responses"]
        entry = self._resolve(responses.get(str(status)))
        if entry is None:
            return False, None
        media = (entry.get("content") or {}).get("application/json") or {}
        return True, media.get("schema")

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.spec
            for token in node["$ref"].lstrip("#/").split("/"):
                target = target[token]
            node = target
        return node

    def check(self, value: Any, schema: Any, where: str = "$", dispatch: bool = True) -> list[str]:
        """Every way ``value`` breaks ``schema`` (empty: valid)."""
        schema = self._resolve(schema)
        if not isinstance(schema, dict) or value is None:
            return []
        errors: list[str] = []
        for part in schema.get("allOf", []):
            errors += self.check(value, part, where, dispatch=False)
        alternatives = schema.get("oneOf") or schema.get("anyOf")
        if alternatives and all(self.check(value, alt, where) for alt in alternatives):
            errors.append(f"{where}: matches none of the {len(alternatives)} alternatives")
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if kind in _CHECKS and not _CHECKS[kind](value):
            return [*errors, f"{where}: expected {kind}, got {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{where}: {value!r} not in {schema['enum']}")
        if kind == "string" and schema.get("format") == "date-time" and not _DATE_TIME.match(value):
            errors.append(f"{where}: {value!r} is not a date-time")
        if kind == "array":
            for i, item in enumerate(value):
                errors += self.check(item, schema.get("items"), f"{where}[{i}]")
        if isinstance(value, dict):
            errors += self._check_object(value, schema, where, dispatch)
        return errors

    def _check_object(
        self, value: dict[str, Any], schema: dict[str, Any], where: str, dispatch: bool
    ) -> list[str]:
        errors: list[str] = []
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
        disc = schema.get("discriminator")
        if dispatch and disc and value.get(disc["propertyName"]) in disc.get("mapping", {}):
            sub = {"$ref": disc["mapping"][value[disc["propertyName"]]]}
            if self._resolve(sub) is not schema:  # the subtype's allOf re-checks the base
                errors += self.check(value, sub, where, dispatch=False)
        return errors

"""Spec quirks fixed before loading: values set (or deleted) at JSON pointers.

The overrides live in ``overrides.toml`` next to this module, one ``[[override]]`` table each, with
``pointer``, ``value`` (or ``delete = true``) and a ``reason``. An override whose parent container
does not exist in the document is skipped and reported, so fixture specs can share the same file.
A pointer under ``/definitions`` only concerns Swagger 2 documents and one under ``/components``
only OpenAPI 3 ones: against the other flavour it is neither applied nor reported, since the one
file serves both the current spec and the 2.4.0 overlay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codegen._toml import load_toml

OVERRIDES_FILE = Path(__file__).with_name("overrides.toml")
# The top-level key a pointer starts with -> the key that marks a document of the other flavour.
_OTHER_FLAVOUR = {"definitions": "openapi", "components": "swagger"}


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _container(doc: Any, tokens: list[str]) -> Any:
    """Walk to the parent of the pointer's last token; KeyError/IndexError if absent."""
    node = doc
    for token in tokens:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _for_other_flavour(doc: dict[str, Any], tokens: list[str]) -> bool:
    """True when the pointer addresses the other spec flavour's layout (see the module doc)."""
    marker = _OTHER_FLAVOUR.get(tokens[0])
    return marker is not None and marker in doc


def apply_overrides(
    doc: dict[str, Any], path: Path = OVERRIDES_FILE
) -> tuple[list[str], list[str]]:
    """Apply every override in ``path`` to ``doc`` in place; return (applied, skipped) pointers."""
    applied: list[str] = []
    skipped: list[str] = []
    for entry in load_toml(path).get("override", []):
        pointer: str = entry["pointer"]
        tokens = [_unescape(t) for t in pointer.lstrip("/").split("/")]
        if _for_other_flavour(doc, tokens):
            continue
        try:
            parent = _container(doc, tokens[:-1])
        except (KeyError, IndexError, TypeError):
            skipped.append(pointer)
            continue
        last = tokens[-1]
        if entry.get("delete"):
            parent.pop(last, None)
        else:
            parent[last] = entry["value"]
        applied.append(pointer)
    return applied, skipped

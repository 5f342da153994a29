"""The overlay: seed operations that the current spec dropped, carried over from the 2.4.0 spec.

Only this list lives in the repository; the operations themselves (parameters, body, response) are
read from the locked 2.4.0 spec at generation time, and their types resolve against the current
spec's schemas by name. A carried-over operation keeps its 2.4.0 operationId unless a current
operation already has that name (then the name given here says how it differs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# (method, path exactly as in the 2.4.0 spec, operationId to generate it under)
OVERLAY: tuple[tuple[str, str, str], ...] = (
    ("post", "/api/v1/sessions", "createSession"),
    (
        "post",
        "/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=false",
        "expirePasswordWithoutTempPassword",  # the current spec's expirePassword has no query
    ),
    (
        "post",
        "/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=true",
        "expirePasswordAndGetTemporaryPassword",
    ),
)


def overlay_operations(legacy: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every overlay entry, read from the parsed 2.4.0 spec."""
    paths = legacy.get("paths") or {}
    for method, path, operation_id in OVERLAY:
        op = (paths.get(path) or {}).get(method)
        if op is None:
            raise ValueError(f"overlay: {method.upper()} {path} is not in the 2.4.0 spec")
        params = list(paths[path].get("parameters") or []) + list(op.get("parameters") or [])
        yield method, path, {**op, "operationId": operation_id, "parameters": params}

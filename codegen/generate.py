"""Orchestration: load the spec (plus the overlay), check the locked counts, emit, write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from codegen import ir
from codegen.emit.docs import emit_docs
from codegen.emit.models import emit_models
from codegen.emit.resources import emit_resources
from codegen.fetch import load_lock
from codegen.loader import load
from codegen.output import write_packages


def counts(api: ir.Api) -> dict[str, int]:
    """The numbers recorded under ``[expected]`` / ``[legacy.expected]`` in spec_lock.toml."""
    ops = api.operations
    return {
        "operations": api.raw_operation_count,
        "namespaces": len(api.namespaces),
        "definitions": len(api.models) + len(api.enums),
        "enums": len(api.enums),
        "array_operations": len({(o.http_method, o.spec_path) for o in ops if o.is_list}),
        "multi_operations": len({o.multi_parent for o in ops if o.multi_parent}),
        "overlay": sum(1 for o in ops if o.legacy),
        "methods": len(ops),
    }


def locked_expectations(api: ir.Api, lock: dict[str, Any]) -> dict[str, int] | None:
    """The counts the lock records for this spec (None: not a locked spec)."""
    if api.sha256 == lock["spec"]["sha256"]:
        return dict(lock["expected"])
    if api.sha256 == lock["legacy"]["sha256"]:
        return dict(lock["legacy"]["expected"])
    return None


def check_counts(api: ir.Api) -> None:
    """When the input is a locked spec, its counts must be the recorded ones."""
    expected = locked_expectations(api, load_lock())
    if expected is None:
        return
    actual = counts(api)
    wrong = {k: (v, actual.get(k)) for k, v in expected.items() if actual.get(k) != v}
    if wrong:
        raise RuntimeError(f"locked spec counts differ (expected, actual): {wrong}")


def generate(
    spec: Path, out: Path, legacy: Path | None = None, docs: Path | None = None
) -> list[Path]:
    """Regenerate ``out/models`` and ``out/resources`` from ``spec`` (and the overlay from
    ``legacy``), and the reference page ``docs`` when given; return the written files."""
    api = load(spec, legacy)
    check_counts(api)
    written = write_packages({"models": emit_models(api), "resources": emit_resources(api)}, out)
    if docs is not None:
        legacy_api = load(legacy) if legacy is not None else None
        docs.parent.mkdir(parents=True, exist_ok=True)
        docs.write_text(emit_docs(api, legacy_api), encoding="utf-8", newline="\n")
        written.append(docs)
    return written

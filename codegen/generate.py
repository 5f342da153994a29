"""Orchestration: load the spec, check the locked counts, emit, write."""

from __future__ import annotations

from pathlib import Path

from codegen import ir
from codegen.emit.models import emit_models
from codegen.emit.resources import emit_resources
from codegen.fetch import load_lock
from codegen.loader import load
from codegen.output import write_packages


def counts(api: ir.Api) -> dict[str, int]:
    """The numbers recorded under ``[expected]`` in spec_lock.toml."""
    ops = api.operations
    return {
        "operations": api.raw_operation_count,
        "tags": len(api.tags),
        "definitions": len(api.models) + len(api.enums),
        "enums": len(api.enums),
        "array_operations": len({(o.http_method, o.spec_path) for o in ops if o.is_list}),
        "multi_operations": len({o.multi_parent for o in ops if o.multi_parent}),
        "methods": len(ops),
    }


def check_counts(api: ir.Api) -> None:
    """When the input is the locked spec, its counts must be the recorded ones."""
    lock = load_lock()
    if api.sha256 != lock["spec"]["sha256"]:
        return
    expected = lock["expected"]
    actual = counts(api)
    wrong = {k: (v, actual.get(k)) for k, v in expected.items() if actual.get(k) != v}
    if wrong:
        raise RuntimeError(f"locked spec counts differ (expected, actual): {wrong}")


def generate(spec: Path, out: Path) -> list[Path]:
    """Regenerate ``out/models`` and ``out/resources`` from ``spec``; return the written files."""
    api = load(spec)
    check_counts(api)
    return write_packages({"models": emit_models(api), "resources": emit_resources(api)}, out)

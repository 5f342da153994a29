"""Shared fixtures of the codegen tests: where the pinned spec is, and its parsed form."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def spec_path() -> Path | None:
    """$OKTA_SPEC_PATH, else ../shared/spec/okta-openapi-2.4.0.yaml relative to the repo root."""
    explicit = os.environ.get("OKTA_SPEC_PATH")
    if explicit:
        return Path(explicit)
    shared = REPO.parent / "shared" / "spec" / "okta-openapi-2.4.0.yaml"
    return shared if shared.exists() else None


@pytest.fixture(scope="session")
def okta_spec() -> Path:
    path = spec_path()
    if path is None or not path.exists():
        reason = (
            "Okta spec not found: set OKTA_SPEC_PATH or place "
            "../shared/spec/okta-openapi-2.4.0.yaml beside the repository"
        )
        if os.environ.get("OKTA_CODEGEN_REQUIRE_SPEC") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def okta_doc(okta_spec: Path) -> dict[str, Any]:
    """The raw spec document (for walking operations independently of the generator)."""
    from codegen.loader import read_spec

    return read_spec(okta_spec)[0]


@pytest.fixture(autouse=True, scope="session")
def _logtail_until_it_lands() -> None:
    """The Log resource inherits ``LogTailMixin`` (pagination's module). Until that module exists
    on this branch, a stand-in lets the generated Log class import; with it, nothing changes."""
    import importlib.util
    import sys
    import types

    name = "okta_async._core.logtail"
    if name not in sys.modules and importlib.util.find_spec(name) is None:
        stub = types.ModuleType("okta_async._core.logtail")
        stub.LogTailMixin = type("LogTailMixin", (), {})  # type: ignore[attr-defined]
        sys.modules["okta_async._core.logtail"] = stub


@pytest.fixture
def ruff() -> str:
    """The ruff executable the generator formats with (skip if the [dev] tools are absent)."""
    from codegen.output import find_ruff

    try:
        return find_ruff()
    except RuntimeError as exc:
        if os.environ.get("OKTA_CODEGEN_REQUIRE_SPEC") == "1":
            pytest.fail(str(exc))
        pytest.skip(f"{exc}")

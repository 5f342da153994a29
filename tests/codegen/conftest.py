"""Fixtures of the codegen tests (the pinned spec fixtures live in tests/conftest.py)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest


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


@pytest.fixture(scope="session")
def golden_package(legacy_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2.4.0 Swagger spec generated into a package of its own, ``okta_v240`` (the golden path:
    the generator must keep handling Swagger 2); returns the directory holding the package."""
    from codegen.generate import generate

    root = tmp_path_factory.mktemp("golden")
    package = root / "okta_v240"
    package.mkdir()
    (package / "__init__.py").write_text('"""okta_async generated from spec 2.4.0."""\n')
    generate(legacy_spec, package)
    return root


@pytest.fixture(scope="session")
def golden_models(golden_package: Path) -> ModuleType:
    """``okta_v240.models``: the 2.4.0 models, on which the Swagger 2 model tests run."""
    sys.path.insert(0, str(golden_package))
    return importlib.import_module("okta_v240.models")

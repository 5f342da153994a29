"""Fixtures of the codegen tests (the pinned spec fixtures live in tests/conftest.py)."""

from __future__ import annotations

import os

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

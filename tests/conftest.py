"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.http_mock import mocked_okta

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def mocked() -> Iterator[mocked_okta]:
    """aioresponses (aiohttp 3.14-compatible) intercepting every aiohttp request of the test."""
    with mocked_okta() as m:
        yield m


CURRENT_SPEC = "okta-management-2026.06.3-minimal.yaml"
LEGACY_SPEC = "okta-openapi-2.4.0.yaml"


def _locate(env: str, shared_name: str, fetch: Callable[[], Path]) -> Path | None:
    """``$env``, else ``../shared/spec/<shared_name>`` beside the repository, else the locked file
    fetched into the cache (None when it cannot be fetched)."""
    explicit = os.environ.get(env)
    if explicit:
        return Path(explicit)
    shared = REPO.parent / "shared" / "spec" / shared_name
    if shared.exists():
        return shared
    try:
        return fetch()
    except (OSError, subprocess.CalledProcessError, RuntimeError):
        return None


def spec_path() -> Path | None:
    """The current spec: $OKTA_SPEC_PATH, ../shared/spec, else downloaded (hash checked)."""
    from codegen.fetch import fetch_spec

    return _locate("OKTA_SPEC_PATH", CURRENT_SPEC, fetch_spec)


def legacy_spec_path() -> Path | None:
    """The 2.4.0 spec: $OKTA_LEGACY_SPEC_PATH, ../shared/spec, else ``npm pack`` (hash checked)."""
    from codegen.fetch import fetch_legacy_spec

    return _locate("OKTA_LEGACY_SPEC_PATH", LEGACY_SPEC, fetch_legacy_spec)


def _required(path: Path | None, what: str) -> Path:
    """``path``, or a skip (a failure when CI requires the specs) saying how to provide it."""
    if path is None or not path.exists():
        reason = f"{what} not found: set the variable, place it in ../shared/spec, or go online"
        if os.environ.get("OKTA_CODEGEN_REQUIRE_SPEC") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def okta_spec() -> Path:
    """The current spec (OpenAPI 3), the generated package's source."""
    return _required(spec_path(), f"Okta spec ($OKTA_SPEC_PATH, {CURRENT_SPEC})")


@pytest.fixture(scope="session")
def legacy_spec() -> Path:
    """The 2.4.0 spec (Swagger 2): the overlay's source and the golden test's input."""
    return _required(legacy_spec_path(), f"2.4.0 spec ($OKTA_LEGACY_SPEC_PATH, {LEGACY_SPEC})")


@pytest.fixture(scope="session")
def okta_doc(okta_spec: Path) -> dict[str, Any]:
    """The raw current spec document (for walking operations independently of the generator)."""
    from codegen.loader import read_spec

    return read_spec(okta_spec)[0]


@pytest.fixture(scope="session")
def legacy_doc(legacy_spec: Path) -> dict[str, Any]:
    """The raw 2.4.0 spec document."""
    from codegen.loader import read_spec

    return read_spec(legacy_spec)[0]

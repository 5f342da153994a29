"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
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


def spec_path() -> Path | None:
    """$OKTA_SPEC_PATH, else ../shared/spec/okta-openapi-2.4.0.yaml relative to the repo root,
    else the pinned package fetched with ``npm pack`` (cached; None when npm is unavailable)."""
    explicit = os.environ.get("OKTA_SPEC_PATH")
    if explicit:
        return Path(explicit)
    shared = REPO.parent / "shared" / "spec" / "okta-openapi-2.4.0.yaml"
    if shared.exists():
        return shared
    from codegen.fetch import fetch_spec

    try:
        return fetch_spec()
    except (OSError, subprocess.CalledProcessError, RuntimeError):
        return None


@pytest.fixture(scope="session")
def okta_spec() -> Path:
    path = spec_path()
    if path is None or not path.exists():
        reason = (
            "Okta spec not found: set OKTA_SPEC_PATH, place "
            "../shared/spec/okta-openapi-2.4.0.yaml beside the repository, or install npm"
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

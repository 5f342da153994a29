"""TOML reading on every supported Python (tomllib is 3.11+, tomli is its backport)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file into plain dicts and lists."""
    with path.open("rb") as fh:
        return tomllib.load(fh)

"""A fixture spec generated into a throwaway package that tests can import."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest


@contextmanager
def imported_package(spec: Path, root: Path, name: str, module: str = "") -> Iterator[ModuleType]:
    """Generate ``spec`` into ``root/name`` and import ``name`` (or ``name.module``).

    The package leaves ``sys.path`` and ``sys.modules`` afterwards; skips without ruff.
    """
    from codegen.generate import generate
    from codegen.output import find_ruff

    try:
        find_ruff()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    generate(spec, root / name)
    (root / name / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(f"{name}.{module}" if module else name)
    finally:
        sys.path.remove(str(root))
        for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[loaded]

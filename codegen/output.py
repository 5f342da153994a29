"""Writing generated files: format with ruff in a staging dir, then replace the target packages.

Formatting runs with ``--isolated`` and explicit settings so the result does not depend on where
the output lands (a tmp dir in the freshness test has no pyproject.toml).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RUFF_SETTINGS = (
    "--isolated",
    "--line-length",
    "100",
    "--target-version",
    "py310",
    "--config",
    "lint.isort.known-first-party = ['okta_async']",
)


def find_ruff() -> str:
    """The ruff executable beside the running interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return str(beside)
    found = shutil.which("ruff")
    if found is None:
        raise RuntimeError(
            "ruff not found (install the [dev] extra); generated code must be formatted"
        )
    return found


def ruff_format(root: Path) -> None:
    """Sort imports and ``__all__``, drop unused imports (F401) and format every file under
    ``root``, in place.

    The emitters import what a module might need; letting ruff prune the rest keeps them simple.
    """
    ruff = find_ruff()
    subprocess.run(
        [
            ruff,
            "check",
            *RUFF_SETTINGS,
            "--select",
            "I,F401,RUF022",
            "--fix",
            "--quiet",
            "--exit-zero",
            str(root),
        ],
        check=True,
    )
    subprocess.run([ruff, "format", *RUFF_SETTINGS, "--quiet", str(root)], check=True)


def write_packages(packages: dict[str, dict[str, str]], out: Path) -> list[Path]:
    """Write ``{package dir: {file: source}}`` under ``out``, formatted; stale files are removed.

    Returns the written paths. Each target package directory is replaced as a whole, so a
    definition that disappears from the spec takes its module with it.
    """
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="okta-codegen-") as tmp:
        stage = Path(tmp)
        for package, files in packages.items():
            for name, source in files.items():
                path = stage / package / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(source, encoding="utf-8", newline="\n")
        ruff_format(stage)
        for package in packages:
            target = out / package
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(stage / package, target)
            written.extend(sorted(target.rglob("*.py")))
    return written

"""Obtaining the pinned spec: ``npm pack @okta/openapi@<version>`` into a cache, hashes checked.

The lock (spec_lock.toml) records the npm integrity string (sha512 of the tarball) and the sha256
of the spec file itself. A cached file is reused only if its sha256 still matches.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from codegen._toml import load_toml

LOCK_FILE = Path(__file__).with_name("spec_lock.toml")


def load_lock(path: Path = LOCK_FILE) -> dict[str, Any]:
    """The ``[spec]`` and ``[expected]`` tables of the lock file."""
    return load_toml(path)


def cache_dir() -> Path:
    """``$OKTA_ASYNC_CACHE`` or ``$XDG_CACHE_HOME/okta_async`` or ``~/.cache/okta_async``."""
    if os.environ.get("OKTA_ASYNC_CACHE"):
        return Path(os.environ["OKTA_ASYNC_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "okta_async"


def _integrity(data: bytes) -> str:
    """The npm ``sha512-<base64>`` integrity string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch_spec(lock: dict[str, Any] | None = None, cache: Path | None = None) -> Path:
    """Path of the verified, cached spec file; downloads it with ``npm pack`` when missing."""
    spec = (lock or load_lock())["spec"]
    cache = cache or cache_dir()
    target = cache / f"okta-openapi-{spec['version']}.yaml"
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == spec["sha256"]:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="okta-spec-") as tmp:
        result = subprocess.run(
            ["npm", "pack", f"{spec['package']}@{spec['version']}", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
        data = tarball.read_bytes()
        if _integrity(data) != spec["integrity"]:
            raise RuntimeError(f"{tarball.name}: npm integrity mismatch, refusing to use it")
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(spec["file"])
            if member is None:
                raise RuntimeError(f"{spec['file']} missing from {tarball.name}")
            content = member.read()
    if hashlib.sha256(content).hexdigest() != spec["sha256"]:
        raise RuntimeError(f"{spec['file']}: sha256 mismatch with spec_lock.toml")
    target.write_bytes(content)
    return target

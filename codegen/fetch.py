"""Obtaining the pinned specs into a cache, every hash checked before use.

The lock (spec_lock.toml) pins the current spec (``[spec]``: a raw GitHub URL at a fixed commit,
and its sha256) and the legacy 2.4.0 spec (``[legacy]``: an npm package, its integrity string and
the sha256 of the spec file inside). A cached file is reused only if its sha256 still matches.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from codegen._toml import load_toml

LOCK_FILE = Path(__file__).with_name("spec_lock.toml")


def load_lock(path: Path = LOCK_FILE) -> dict[str, Any]:
    """The ``[spec]``, ``[legacy]`` and ``[expected]`` tables of the lock file."""
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


def _cached(target: Path, sha256: str) -> bool:
    return target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256


def _store(target: Path, content: bytes, sha256: str, what: str) -> Path:
    """Write ``content`` to the cache only if it has the locked sha256."""
    if hashlib.sha256(content).hexdigest() != sha256:
        raise RuntimeError(f"{what}: sha256 mismatch with spec_lock.toml, refusing to use it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return target


def fetch_spec(lock: dict[str, Any] | None = None, cache: Path | None = None) -> Path:
    """Path of the verified, cached current spec; downloads it from the locked URL when missing."""
    spec = (lock or load_lock())["spec"]
    target = (cache or cache_dir()) / f"okta-management-{spec['version']}.yaml"
    if _cached(target, spec["sha256"]):
        return target
    with urllib.request.urlopen(spec["url"], timeout=120) as response:
        content = response.read()
    return _store(target, content, spec["sha256"], spec["url"])


def fetch_legacy_spec(lock: dict[str, Any] | None = None, cache: Path | None = None) -> Path:
    """Path of the verified, cached 2.4.0 spec; downloads it with ``npm pack`` when missing."""
    spec = (lock or load_lock())["legacy"]
    target = (cache or cache_dir()) / f"okta-openapi-{spec['version']}.yaml"
    if _cached(target, spec["sha256"]):
        return target
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
    return _store(target, content, spec["sha256"], spec["file"])

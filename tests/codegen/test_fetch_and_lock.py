"""Obtaining the spec with `npm pack` (faked here: no network) and the lock file's contents."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from codegen import fetch
from codegen.generate import counts
from codegen.loader import load

SPEC = b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"


def _tarball(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/dist/spec.yaml")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _lock(tarball: bytes, content: bytes) -> dict[str, Any]:
    return {
        "spec": {
            "package": "@okta/openapi",
            "version": "9.9.9",
            "file": "package/dist/spec.yaml",
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode(),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
    }


@pytest.fixture
def fake_npm(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        destination = Path(cmd[cmd.index("--pack-destination") + 1])
        (destination / "okta-openapi-9.9.9.tgz").write_bytes(_tarball(SPEC))
        return subprocess.CompletedProcess(cmd, 0, stdout="okta-openapi-9.9.9.tgz\n", stderr="")

    monkeypatch.setattr(fetch.subprocess, "run", run)
    return calls


def test_fetch_verifies_and_caches(fake_npm: list[list[str]], tmp_path: Path) -> None:
    lock = _lock(_tarball(SPEC), SPEC)
    path = fetch.fetch_spec(lock, cache=tmp_path)
    assert path.read_bytes() == SPEC
    assert fake_npm == [
        ["npm", "pack", "@okta/openapi@9.9.9", "--pack-destination", fake_npm[0][-1]]
    ]
    assert fetch.fetch_spec(lock, cache=tmp_path) == path  # cached: npm not run again
    assert len(fake_npm) == 1


def test_fetch_rejects_a_tarball_with_the_wrong_integrity(
    fake_npm: list[list[str]], tmp_path: Path
) -> None:
    lock = _lock(b"another tarball", SPEC)
    with pytest.raises(RuntimeError, match="integrity"):
        fetch.fetch_spec(lock, cache=tmp_path)


def test_lock_records_the_pinned_spec_and_its_counts(okta_spec: Path) -> None:
    lock = fetch.load_lock()
    assert lock["spec"]["version"] == "2.4.0"
    assert hashlib.sha256(okta_spec.read_bytes()).hexdigest() == lock["spec"]["sha256"]
    assert counts(load(okta_spec)) == lock["expected"]

"""Obtaining the specs (a URL for the current one, `npm pack` for 2.4.0; both without network
here) and the lock file's contents."""

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
        "legacy": {
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


def test_legacy_fetch_verifies_and_caches(fake_npm: list[list[str]], tmp_path: Path) -> None:
    lock = _lock(_tarball(SPEC), SPEC)
    path = fetch.fetch_legacy_spec(lock, cache=tmp_path)
    assert path.read_bytes() == SPEC
    assert fake_npm == [
        ["npm", "pack", "@okta/openapi@9.9.9", "--pack-destination", fake_npm[0][-1]]
    ]
    assert fetch.fetch_legacy_spec(lock, cache=tmp_path) == path  # cached: npm not run again
    assert len(fake_npm) == 1


def test_legacy_fetch_rejects_a_tarball_with_the_wrong_integrity(
    fake_npm: list[list[str]], tmp_path: Path
) -> None:
    lock = _lock(b"another tarball", SPEC)
    with pytest.raises(RuntimeError, match="integrity"):
        fetch.fetch_legacy_spec(lock, cache=tmp_path)


def _url_lock(source: Path, content: bytes) -> dict[str, Any]:
    sha256 = hashlib.sha256(content).hexdigest()
    return {"spec": {"url": source.as_uri(), "version": "9.9", "sha256": sha256}}


def test_current_fetch_downloads_verifies_and_caches(tmp_path: Path) -> None:
    source = tmp_path / "published.yaml"
    source.write_bytes(SPEC)
    lock = _url_lock(source, SPEC)
    path = fetch.fetch_spec(lock, cache=tmp_path / "cache")
    assert path.read_bytes() == SPEC
    source.unlink()  # cached: the URL is not read again
    assert fetch.fetch_spec(lock, cache=tmp_path / "cache") == path


def test_current_fetch_refuses_a_file_with_another_hash(tmp_path: Path) -> None:
    source = tmp_path / "published.yaml"
    source.write_bytes(SPEC + b"# tampered\n")
    with pytest.raises(RuntimeError, match="sha256 mismatch"):
        fetch.fetch_spec(_url_lock(source, SPEC), cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / "okta-management-9.9.yaml").exists()


def test_lock_pins_the_current_spec_by_github_commit_and_its_counts(
    okta_spec: Path, legacy_spec: Path
) -> None:
    spec = fetch.load_lock()["spec"]
    assert spec["version"] == "2026.06.3"
    assert spec["url"] == (
        f"https://raw.githubusercontent.com/{spec['repository']}/{spec['commit']}/{spec['file']}"
    )
    assert hashlib.sha256(okta_spec.read_bytes()).hexdigest() == spec["sha256"]
    assert counts(load(okta_spec, legacy_spec)) == fetch.load_lock()["expected"]


def test_lock_records_the_legacy_spec_and_its_counts(legacy_spec: Path) -> None:
    lock = fetch.load_lock()
    assert lock["legacy"]["version"] == "2.4.0"
    assert hashlib.sha256(legacy_spec.read_bytes()).hexdigest() == lock["legacy"]["sha256"]
    assert counts(load(legacy_spec)) == lock["legacy"]["expected"]

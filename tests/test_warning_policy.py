"""The suite's warning policy really turns a leaked aiohttp session into a failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LEAKY_TEST = """
import gc

import aiohttp


async def test_leaks_a_session():
    session = aiohttp.ClientSession()
    del session
    gc.collect()
"""


def test_an_unclosed_client_session_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Unclosed client session" in run.stdout

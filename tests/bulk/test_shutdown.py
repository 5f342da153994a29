"""Ctrl-C during a journaled job never leaves a thread that keeps the interpreter from exiting."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGINT")


@pytest.mark.parametrize("org", [{"faults": "POST /api/v1/users:latency=5ms-20ms"}], indirect=True)
@pytest.mark.parametrize("how", ["asyncio.run", "hand-run"])
async def test_ctrl_c_during_a_journaled_job_leaves_no_thread_blocking_exit(
    org: Any, tmp_path: Path, how: str
) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    journal = tmp_path / "job.sqlite"
    command = [sys.executable, str(HERE / "interrupt_worker.py"), org.url, org.token]
    with anyio.fail_after(60):  # a safety net: a hang at exit fails here instead of forever
        done = await anyio.run_process([*command, str(journal), how], env=env, check=False)
    out = done.stdout.decode()
    assert "interrupted" in out
    assert "blocking threads: []" in out
    assert done.returncode == 0, done.stderr.decode()

"""A create job killed with SIGKILL midway, then rerun with its journal: every user exactly once."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from bulk_helpers import user_row

from okta_async.bulk import read_entries

COUNT = 120
HERE = Path(__file__).parent
ROOT = HERE.parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


async def run_until_killed(org: Any, journal: Path, kill_after: int) -> int:
    """Run the worker subprocess and SIGKILL it once it reports ``kill_after`` items done."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    command = [sys.executable, str(HERE / "kill_worker.py"), org.url, org.token, str(journal)]
    async with await anyio.open_process([*command, str(COUNT)], env=env) as process:
        assert process.stdout is not None
        done = 0
        buffer = b""
        with anyio.fail_after(60):
            async for chunk in process.stdout:
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.startswith(b"done "):
                        done = int(line.split()[1])
                if done >= kill_after:
                    process.send_signal(signal.SIGKILL)
                    break
            await process.wait()
        assert process.returncode == -signal.SIGKILL, "the worker finished before it was killed"
        return done


@pytest.mark.parametrize("org", [{"faults": "POST /api/v1/users:latency=5ms-40ms"}], indirect=True)
async def test_a_job_killed_midway_and_rerun_creates_every_user_exactly_once(
    org: Any, okta: Any, tmp_path: Path
) -> None:
    journal = tmp_path / "job.sqlite"
    done_before_kill = await run_until_killed(org, journal, kill_after=COUNT // 3)

    entries = read_entries(journal, "create_users")
    assert done_before_kill <= sum(e.done for e in entries) < COUNT
    # Items in flight at the kill were marked before their POST left.
    assert any(e.state == "in_doubt" for e in entries)
    created_before = len(org.store.users)
    assert created_before < COUNT

    report = await okta.bulk.create_users(
        [user_row(i) for i in range(COUNT)], concurrency=8, journal=journal
    )

    assert report.failed == 0
    assert report.counts.get("skipped", 0) >= done_before_kill
    assert sum(report.counts.values()) == COUNT
    logins = sorted(u["profile"]["login"] for u in org.store.users.values())
    assert logins == sorted(f"bulk.user{i}@example.org" for i in range(COUNT))
    assert all(e.done for e in read_entries(journal, "create_users"))

"""Subprocess half of the clean-shutdown test: a journaled create job hit by Ctrl-C (SIGINT).

Usage: python interrupt_worker.py ORG_URL TOKEN JOURNAL asyncio.run|hand-run

After the interrupt it prints the threads that would keep the interpreter from exiting.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading

from bulk_helpers import user_row

from okta_async import OktaClient
from okta_async.bulk import Progress


async def main(url: str, token: str, journal: str) -> None:
    def progress(p: Progress) -> None:
        if p.done == 10:
            os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C sends

    async with OktaClient(org_url=url, token=token) as okta:
        rows = [user_row(i) for i in range(400)]
        await okta.bulk.create_users(rows, concurrency=8, journal=journal, progress=progress)
    print("finished without being interrupted", flush=True)


def blocking_threads() -> list[str]:
    """Non-daemon threads besides the main one (the loop's own executor threads end at exit)."""
    return [
        t.name
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and not t.name.startswith("asyncio_")
    ]


if __name__ == "__main__":
    url, token, journal, how = sys.argv[1:5]
    try:
        if how == "asyncio.run":
            asyncio.run(main(url, token, journal))
        else:
            loop = asyncio.new_event_loop()
            loop.run_until_complete(main(url, token, journal))
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    print(f"blocking threads: {blocking_threads()}", flush=True)

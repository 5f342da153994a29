"""Subprocess half of the SIGKILL test: create users with a journal, printing progress lines.

Usage: python kill_worker.py ORG_URL TOKEN JOURNAL COUNT
"""

from __future__ import annotations

import asyncio
import sys

from bulk_helpers import user_row

from okta_async import OktaClient
from okta_async.bulk import Progress


async def main(url: str, token: str, journal: str, count: int) -> None:
    def progress(p: Progress) -> None:
        print(f"done {p.done}", flush=True)

    async with OktaClient(org_url=url, token=token) as okta:
        rows = (user_row(i) for i in range(count))
        report = await okta.bulk.create_users(
            rows, concurrency=8, journal=journal, progress=progress
        )
        print(f"finished {report.to_json()}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))

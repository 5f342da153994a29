"""Peak memory of a CSV import (``okta-async users import`` minus HTTP) by row count.

Usage: python benchmarks/import_memory.py 10000 100000 1000000

Each size runs in a fresh process: a generated CSV is read by the CLI's reader (quote recovery,
repeated-login check), fed through ``import_users`` and ``okta.bulk.create_users`` with a
journal, and every create is answered at once by an in-process stand-in for the transport, so a
million rows take minutes rather than hours on a shared machine. The HTTP layer keeps no per-row
state (a connection pool), so what grows with the row count is measured here. Prints the peak RSS
(``ru_maxrss``) and the time per size.

Measured 2026-12-02 on a shared 2-core machine (Python 3.11, concurrency 32, with a journal):
1k rows 41.5 MB, 10k 43.2 MB, 100k 45.0 MB, 1M 44.8 MB (1,079 s). The same 10k-row import
over real HTTP against a scripted aiohttp server peaked at 44.0 MB.
"""

from __future__ import annotations

import asyncio
import itertools
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class _Answer:
    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def json(self) -> dict[str, Any]:
        return self._body


class InstantTransport:
    """Answers every create with a new user id at once."""

    org_url = "https://bench.okta.example"
    governor = None

    def __init__(self) -> None:
        self._ids = itertools.count()

    async def request(self, op: Any, **kwargs: Any) -> _Answer:
        await asyncio.sleep(0)
        profile = {"login": kwargs["json"]["profile"]["login"]}
        return _Answer({"id": f"00u{next(self._ids):017d}", "status": "ACTIVE", "profile": profile})


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email,firstName,lastName,department\n")
        for i in range(rows):
            out.write(f"user{i}@example.com,First{i},Last{i},Dept{i % 7}\n")


async def one_import(csv_path: str, journal: str) -> str:
    from okta_async import OktaClient
    from okta_async.cli._commands import ImportOptions, import_users
    from okta_async.cli._csvio import open_text, read_user_rows

    async with OktaClient(org_url="https://bench.okta.example", token="t") as okta:
        real, okta._transport = okta._transport, InstantTransport()  # type: ignore[assignment]
        try:
            with open_text(csv_path) as stream:
                options = ImportOptions(concurrency=32, journal=journal)
                tally = await import_users(okta, read_user_rows(stream), options)
        finally:
            okta._transport = real
    return f"{tally.done:,} created, {tally.failed:,} failed, {tally.rejected:,} bad rows"


def child(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "people.csv"
        write_csv(csv_path, rows)
        started = time.monotonic()
        summary = asyncio.run(one_import(str(csv_path), str(Path(tmp) / "journal.sqlite")))
        elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"{rows:>9,} rows: peak RSS {peak:6.1f} MB, {elapsed:6.1f} s ({summary})", flush=True)


def main(sizes: list[int]) -> None:
    for rows in sizes:
        subprocess.run([sys.executable, __file__, "--child", str(rows)], check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])

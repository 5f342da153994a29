"""Resumable bulk migration: create users from a CSV with a journal and a progress line.

    python examples/bulk_migration.py [users.csv] [--journal migration.sqlite] [--concurrency 16]

Without a CSV it generates one with 1,000 users. Stop it at any point (Ctrl-C, a crash, even
SIGKILL) and run the same command again: rows the journal records as done are skipped, and a
create whose answer was lost is resolved by looking the login up, so no user is created twice.

Runs against a throwaway in-process fake org unless OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set.
With a fake org, the second pass in the same process shows the journal at work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from okta_async import OktaClient


@contextlib.asynccontextmanager
async def connect() -> AsyncIterator[OktaClient]:
    """The real org when OKTA_CLIENT_ORGURL/OKTA_CLIENT_TOKEN are set, else a fresh fake org."""
    if os.environ.get("OKTA_CLIENT_ORGURL") and os.environ.get("OKTA_CLIENT_TOKEN"):
        async with OktaClient() as okta:
            yield okta
        return
    from okta_async.testing import FakeOrg

    async with FakeOrg(users=0) as org, OktaClient(org_url=org.url, token=org.token) as okta:
        yield okta


def write_sample_csv(path: Path, count: int) -> None:
    """A CSV of ``count`` made-up users (email, firstName, lastName, department)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["email", "firstName", "lastName", "department"])
        for i in range(count):
            writer.writerow([f"migrated.{i:05d}@example.com", "User", f"No{i}", "Migrated"])


def rows_from_csv(path: Path) -> Iterator[dict[str, Any]]:
    """Stream create-user items from the CSV (never loads the whole file)."""
    with path.open(newline="", encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            profile = {k: v for k, v in record.items() if v}
            profile.setdefault("login", profile["email"])
            yield {"profile": profile}


def show_progress(progress: Any) -> None:
    """Progress callback: one self-overwriting line on stderr."""
    total = f"/{progress.total:,}" if progress.total else ""
    sys.stderr.write(
        f"\r  {progress.done:,}{total} done, {progress.failed:,} failed, {progress.rate:,.0f}/s "
    )
    sys.stderr.flush()


async def migrate(okta: OktaClient, csv_path: Path, journal: Path, concurrency: int) -> Any:
    """One pass of the job; returns the bulk report."""
    with csv_path.open("rb") as fh:
        total = sum(1 for _ in fh) - 1  # for the progress line; rows still stream lazily
    report = await okta.bulk.create_users(
        rows_from_csv(csv_path),
        concurrency=concurrency,
        journal=str(journal),
        progress=show_progress,
        total=total,
    )
    sys.stderr.write("\n")
    print(f"  counts: {dict(report.counts)}  failed: {report.failed}")
    for failure in report.failures[:5]:
        print(f"  failed: {failure.key}: {failure.error.error_code} {failure.error.error_summary}")
    return report


async def main(argv: list[str] | None = None) -> None:
    """Parse arguments, then run the migration (twice against a fake org, to show the resume)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("csv", nargs="?", type=Path)
    parser.add_argument("--journal", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sample-size", type=int, default=1000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="okta-migration-") as tmp:
        csv_path = args.csv
        if csv_path is None:
            csv_path = Path(tmp) / "users.csv"
            write_sample_csv(csv_path, args.sample_size)
        journal = args.journal or Path(tmp) / "migration.sqlite"
        async with connect() as okta:
            print(f"pass 1: importing {csv_path.name} with journal {journal.name}")
            await migrate(okta, csv_path, journal, args.concurrency)
            print("pass 2: same job, same journal (what a rerun after a crash does)")
            second = await migrate(okta, csv_path, journal, args.concurrency)
            print(f"  {second.counts.get('skipped', 0):,} rows skipped as already done")


if __name__ == "__main__":
    asyncio.run(main())

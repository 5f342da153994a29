"""Pagination throughput and memory, as ratios against a plain aiohttp + orjson loop.

Lists every user of an embedded fake org (run in a subprocess, so its CPU is not charged to
the client) over loopback, three ways in the same run, interleaved:

- ``plain``: aiohttp + orjson, following ``Link: rel="next"`` by hand (the baseline);
- ``raw``:   ``AsyncPaginator.raw()`` (plain dicts, the SDK's transport and paging);
- ``model``: the paginator decoding each user into the generated ``User`` model.

It reports items/s for each (best of ``--rounds``) and the ratio to ``plain``, then peak RSS of
fresh processes streaming 10k and 100k users in model mode (it must not grow with the count).
Ratios, not absolute numbers, are the point: they travel across machines far better.

    python benchmarks/bench_pagination.py [--users 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from okta_async import OktaClient  # noqa: E402

PAGE_SIZE = 200


# --------------------------------------------------------------------------- the fake org


class FakeOrgProcess:
    """A fake org serving ``users`` users from a child process; ``url`` and ``token`` once up."""

    def __init__(self, users: int) -> None:
        code = (
            "import asyncio\n"
            "from okta_async.testing.cli import serve\n"
            f"asyncio.run(serve(port=0, users={users}))\n"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._proc = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
        )
        assert self._proc.stdout is not None
        self.url = self.token = ""
        for line in self._proc.stdout:
            if m := re.search(r"OKTA_CLIENT_ORGURL=(\S+)", line):
                self.url = m.group(1)
            if m := re.search(r"OKTA_CLIENT_TOKEN=(\S+)", line):
                self.token = m.group(1)
                break
        if not (self.url and self.token):
            self.close()
            raise RuntimeError("the fake org did not start")

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait()


# --------------------------------------------------------------------------- the three loops


async def plain_loop(url: str, token: str, limit: int | None = None) -> int:
    """The baseline: what a careful user writes by hand with aiohttp and orjson."""
    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    count = 0
    next_url: str | None = f"{url}/api/v1/users?limit={PAGE_SIZE}"
    async with aiohttp.ClientSession(headers=headers) as session:
        while next_url:
            async with session.get(next_url) as resp:
                resp.raise_for_status()
                items = orjson.loads(await resp.read())
                link = resp.links.get("next")
            for _item in items:
                count += 1
            next_url = str(link["url"]) if link else None
            if limit is not None and count >= limit:
                break
    return count


async def sdk_loop(url: str, token: str, mode: str, limit: int | None = None) -> int:
    """Iterate every user through ``list_users``, as ``raw`` dicts or ``model`` Users."""
    async with OktaClient(org_url=url, token=token) as okta:
        paginator = okta.users.list_users(limit=PAGE_SIZE, max_items=limit)
        items: AsyncIterator[Any] = aiter(paginator.raw() if mode == "raw" else paginator)
        count = 0
        async for _item in items:
            count += 1
        return count


async def measure(url: str, token: str, users: int, rounds: int) -> dict[str, float]:
    modes = ["plain", "raw", "model"]
    best = dict.fromkeys(modes, 0.0)
    for round_ in range(rounds):
        # Alternate the order so that no mode always runs first (or last) in a round.
        for mode in modes if round_ % 2 == 0 else modes[::-1]:
            started = time.perf_counter()
            if mode == "plain":
                count = await plain_loop(url, token)
            else:
                count = await sdk_loop(url, token, mode)
            elapsed = time.perf_counter() - started
            assert count == users, (mode, count)
            best[mode] = max(best[mode], count / elapsed)
    return best


# --------------------------------------------------------------------------- peak RSS


def peak_rss_kb() -> int:
    """This process's peak RSS in KiB.

    Linux's ``VmHWM`` belongs to the process image, whereas ``ru_maxrss`` survives ``exec`` and
    would report the parent's peak in a freshly spawned child.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_child(url: str, token: str, count: int) -> None:
    """In a fresh process: peak RSS before and after streaming ``count`` users (model mode)."""
    import okta_async.models  # noqa: F401  # imports count towards the baseline, not the stream

    before = peak_rss_kb()
    n = asyncio.run(sdk_loop(url, token, "model", limit=count))
    print(orjson.dumps({"count": n, "before_kb": before, "peak_kb": peak_rss_kb()}).decode())


def peak_rss(url: str, token: str, count: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(count), url, token],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rss-child", nargs=3, metavar=("COUNT", "URL", "TOKEN"))
    args = parser.parse_args()
    if args.rss_child:
        count, url, token = args.rss_child
        rss_child(url, token, int(count))
        return

    org = FakeOrgProcess(args.users)
    try:
        best = asyncio.run(measure(org.url, org.token, args.users, args.rounds))
        print(f"pagination: {args.users} users, page size {PAGE_SIZE}, best of {args.rounds}")
        for mode, rate in best.items():
            print(f"  {mode:<6} {rate:>10,.0f} items/s   {rate / best['plain']:.2f}x plain")
        for count in (10_000, min(100_000, args.users)):
            r = peak_rss(org.url, org.token, count)
            print(
                f"  peak RSS streaming {r['count']:>7,} users (model): "
                f"{r['peak_kb'] / 1024:.1f} MB (after imports {r['before_kb'] / 1024:.1f} MB)"
            )
    finally:
        org.close()


if __name__ == "__main__":
    main()

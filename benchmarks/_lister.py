"""One lister in a fresh process: stream every user of URL, print one JSON line of figures.

Run by ``bench_pagination.py``, once per lister, listing size and round. Nothing is imported
before the lister needs it, so the plain loop never pays for ``okta_async`` and the SDK pays
for all of its own imports (the models package included, on the first item in model mode).

- ``plain``: aiohttp + orjson, following ``Link: rel="next"`` by hand (the baseline);
- ``raw``:   ``list_users(...).raw()``, plain dicts through the SDK's transport and paging;
- ``model``: ``list_users(...)``, each user decoded into the generated ``User`` model.

Every lister reads what a typical export reads of each user (id, status, created, lastUpdated
and the profile's login, email, firstName and lastName): dict lookups for ``plain`` and ``raw``,
attribute reads for ``model``, so work a model defers until a field is read is still counted
for those fields.

Figures: ``first_item_s`` (from ``SPAWNED``, the parent's ``perf_counter`` just before it
started this process, to the first item: interpreter start and imports included),
``stream_s``/``cpu_s`` (wall and CPU time from creating the session to the last item, with the
lister's module imports left out but the lazy import of the ``User`` model left in) and
``peak_kb`` (the process's peak RSS).

    python benchmarks/_lister.py MODE URL TOKEN EXPECTED SPAWNED
"""

import sys
import time
from typing import Any

PAGE_SIZE = 200


def peak_rss_kb() -> int:
    """This process's peak RSS in KiB (``VmHWM``: unlike ``ru_maxrss`` it does not survive exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def read_dict(user: Any) -> tuple[Any, ...]:
    """The fields an export reads, from a decoded JSON object."""
    profile = user["profile"]
    return (
        user["id"],
        user["status"],
        user["created"],
        user["lastUpdated"],
        profile["login"],
        profile["email"],
        profile["firstName"],
        profile["lastName"],
    )


def read_model(user: Any) -> tuple[Any, ...]:
    """The same fields, from a ``User`` model."""
    profile = user.profile
    return (
        user.id,
        user.status,
        user.created,
        user.last_updated,
        profile.login,
        profile.email,
        profile.first_name,
        profile.last_name,
    )


class Clock:
    """Marks the first item and counts items; refuses to run past ``expected`` items."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.first_item = 0.0

    def tick(self) -> None:
        if self.count == 0:
            self.first_item = time.perf_counter()
        self.count += 1
        if self.count > self.expected:
            raise RuntimeError(f"more than the {self.expected} items served")


async def plain(url: str, token: str, clock: Clock) -> None:
    """The baseline: what a careful user writes by hand with aiohttp and orjson.

    It lets go of each page before fetching the next, as the SDK does: holding two pages at once
    made this loop 5-60% slower, and far less steady, which flattered every ratio against it.
    """
    import aiohttp
    import orjson

    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    next_url: str | None = f"{url}/api/v1/users?limit={PAGE_SIZE}"
    async with aiohttp.ClientSession(headers=headers) as session:
        for _page in range(clock.expected // PAGE_SIZE + 1):
            if next_url is None:
                return
            async with session.get(next_url) as resp:
                resp.raise_for_status()
                items = orjson.loads(await resp.read())
                link = resp.links.get("next")
            for item in items:
                read_dict(item)
                clock.tick()
            next_url = str(link["url"]) if link else None
            del items
    raise RuntimeError("the listing did not end")


async def sdk(url: str, token: str, clock: Clock, *, raw: bool) -> None:
    """Every user through ``okta.users.list_users``, as dicts (``raw``) or ``User`` models."""
    from okta_async import OktaClient

    async with OktaClient(org_url=url, token=token) as okta:
        paginator = okta.users.list_users(limit=PAGE_SIZE, max_items=clock.expected + 1)
        read = read_dict if raw else read_model
        async for item in paginator.raw() if raw else paginator:
            read(item)
            clock.tick()


def main() -> None:
    mode, url, token, expected, spawned = sys.argv[1:6]
    import asyncio
    import json

    # The lister's own imports happen here, outside the stream's timing (first_item_s has them).
    if mode == "plain":
        import aiohttp  # noqa: F401
    else:
        from okta_async import OktaClient  # noqa: F401  # the package loads its client lazily
    clock = Clock(int(expected))
    run = plain(url, token, clock) if mode == "plain" else sdk(url, token, clock, raw=mode == "raw")
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(run)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    figures = {
        "items": clock.count,
        "first_item_s": clock.first_item - float(spawned),
        "stream_s": wall,
        "cpu_s": cpu,
        "peak_kb": peak_rss_kb(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

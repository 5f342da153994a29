"""Model decoding speed: one JSON page of 10k users (orjson-parsed) decoded into ``User``.

Measures only ``serde.decoder(User)`` over the parsed list, best of ``--rounds``, so the cost of
a change to the models or the decoder can be compared before/after on the same machine.

    python benchmarks/bench_decode.py [--users 10000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import time

import orjson

from okta_async import models
from okta_async._core import serde


def user(i: int) -> dict[str, object]:
    """A user as Okta lists it (fields of the spec's examples)."""
    return {
        "id": f"00u{i:017d}",
        "status": "ACTIVE",
        "created": "2013-06-24T16:39:18.000Z",
        "activated": "2013-06-24T16:39:19.000Z",
        "statusChanged": "2013-06-24T16:39:19.000Z",
        "lastLogin": None,
        "lastUpdated": "2013-07-02T21:36:25.344Z",
        "passwordChanged": "2013-07-02T21:36:25.344Z",
        "type": {"id": "oty1"},
        "profile": {
            "firstName": "Isaac",
            "lastName": "Brock",
            "email": f"user{i}@example.com",
            "login": f"user{i}@example.com",
            "mobilePhone": "555-415-1337",
        },
        "credentials": {
            "password": {},
            "provider": {"type": "OKTA", "name": "OKTA"},
        },
        "_links": {"self": {"href": f"https://example.okta.com/api/v1/users/00u{i}"}},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    page = orjson.dumps([user(i) for i in range(args.users)])
    decode = serde.decoder(models.User)
    best = float("inf")
    for _ in range(args.rounds):
        items = orjson.loads(page)
        start = time.perf_counter()
        for item in items:
            decode(item)
        best = min(best, time.perf_counter() - start)
    print(f"{args.users} users: {best * 1000:.1f} ms, {args.users / best:,.0f} users/s")


if __name__ == "__main__":
    main()

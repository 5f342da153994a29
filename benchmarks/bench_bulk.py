"""Bulk create benchmark against the embedded fake org, with POST /api/v1/users limited to R/s.

Two runs, each creating USERS users with CONCURRENCY items in flight:

1. clean: achieved rate / R (target >= 0.9), share of 429 answers (target <= 1%), users created
   (must equal USERS);
2. faults: the same with 5% injected 5xx and 1% connection resets after the server processed the
   create; it must still end with exactly USERS users, no duplicates, no failed items.

Ratios, not absolute times, are what the targets are about, so the figures hold on any machine.
Results print as a table and are written to ``benchmarks/results/bench_bulk.json``.

    python benchmarks/bench_bulk.py [--rate 100] [--users 3000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from okta_async import OktaClient  # noqa: E402
from okta_async.testing import FakeOrg  # noqa: E402

RESULTS = Path(__file__).parent / "results"
BUCKET = "POST /api/v1/users"


def rows(count: int, tag: str) -> Any:
    """Create-user rows, generated lazily."""
    for i in range(count):
        login = f"bench.{tag}.{i}@example.org"
        yield {
            "profile": {"login": login, "email": login, "firstName": "Bench", "lastName": str(i)},
        }


async def run_case(
    name: str, *, rate: int, users: int, concurrency: int, faults: str | None
) -> Any:
    """One benchmark case on a fresh fake org; returns its figures."""
    limits = {BUCKET: f"{rate}/s"}
    async with (
        FakeOrg(rate_limits=limits, faults=faults, seed=7) as org,
        OktaClient(org_url=org.url, token=org.token) as okta,
    ):
        started = time.perf_counter()
        report = await okta.bulk.create_users(rows(users, name), concurrency=concurrency)
        elapsed = time.perf_counter() - started
        stats = org.stats.get(BUCKET, {})
        logins = collections.Counter(u["profile"]["login"] for u in org.store.users.values())
        wanted = {f"bench.{name}.{i}@example.org" for i in range(users)}
        posts = stats.get("requests", 0)
        created_rate = users / elapsed
        return {
            "case": name,
            "rate_limit_per_s": rate,
            "users": users,
            "concurrency": concurrency,
            "faults": faults,
            "elapsed_s": round(elapsed, 2),
            "achieved_per_s": round(created_rate, 1),
            "rate_ratio": round(created_rate / rate, 3),
            "post_requests": posts,
            "post_429": stats.get("throttled", 0),
            "share_429": round(stats.get("throttled", 0) / posts, 4) if posts else 0.0,
            "injected_5xx": stats.get("errors", 0),
            "injected_resets": stats.get("resets", 0),
            "users_in_org": sum(logins[login] for login in wanted),
            "duplicate_logins": sum(1 for login in wanted if logins[login] > 1),
            "missing_logins": sum(1 for login in wanted if logins[login] == 0),
            "outcomes": report.counts,
            "failed": report.failed,
            "min_effective_concurrency": report.min_concurrency,
        }


def verdicts(case: dict[str, Any]) -> dict[str, bool]:
    """The acceptance checks of one case."""
    checks = {
        "exact_count": case["users_in_org"] == case["users"] and case["duplicate_logins"] == 0,
        "no_failures": case["failed"] == 0,
    }
    if not case["faults"]:
        checks["rate>=0.9R"] = case["rate_ratio"] >= 0.9
        checks["429<=1%"] = case["share_429"] <= 0.01
    return checks


def table(cases: list[dict[str, Any]]) -> str:
    """A plain-text table of the figures that matter."""
    columns = [
        ("case", "case"),
        ("rate/R", "rate_ratio"),
        ("items/s", "achieved_per_s"),
        ("secs", "elapsed_s"),
        ("POSTs", "post_requests"),
        ("429s", "post_429"),
        ("429 %", "share_429"),
        ("5xx", "injected_5xx"),
        ("resets", "injected_resets"),
        ("users", "users_in_org"),
        ("dups", "duplicate_logins"),
        ("failed", "failed"),
        ("min conc", "min_effective_concurrency"),
    ]
    lines = ["  ".join(f"{title:>9}" for title, _ in columns)]
    for case in cases:
        cells = []
        for _, key in columns:
            value = case[key]
            if key == "share_429":
                value = f"{100 * value:.2f}"
            cells.append(f"{value!s:>9}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=100, help="R: POST /api/v1/users per second")
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    common = {"rate": args.rate, "users": args.users, "concurrency": args.concurrency}
    cases = [
        await run_case("clean", faults=None, **common),
        await run_case(
            "faults",
            faults=f"{BUCKET}:error_rate=0.05,errors=500/502/503,reset_after=0.01",
            **common,
        ),
    ]
    for case in cases:
        case["checks"] = verdicts(case)
    print(table(cases))
    for case in cases:
        print(f"{case['case']}: outcomes {case['outcomes']} checks {case['checks']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_bulk.json").write_text(json.dumps(cases, indent=2) + "\n")
    return 0 if all(all(c["checks"].values()) for c in cases) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))

"""Pagination throughput, time to first item and memory, as ratios against a plain aiohttp loop.

Listers (``benchmarks/_lister.py``, each run in a fresh process):

- ``plain``: aiohttp + orjson, following ``Link: rel="next"`` by hand (the baseline);
- ``raw``:   ``okta.users.list_users(...).raw()`` (plain dicts through the SDK);
- ``model``: ``okta.users.list_users(...)`` (generated ``User`` models).

Main figure: every lister lists 10k, 50k and 100k users from ``benchmarks/_wire.py``, a separate
process that answers each request with pages rendered to bytes once (Okta's headers included),
so its per-request cost is negligible and the client's own cost is what is measured. The run
checks that the plain loop keeps a client core busy (CPU time / wall time near 1); when it does
not, something else (the server, other load) sets the pace and the ratios understate the gap.

Per lister and size, median of ``--rounds`` runs (listers interleaved, order rotated): items/s,
CPU per item and peak RSS of the process; the ratios to the plain loop are the median of each
round's ratio, since runs a few seconds apart share this machine's bursts of load. Time to first
item from a cold process (interpreter start and imports included) has its own phase,
``--cold-starts`` fresh processes per lister, because process start-up scatters more than the
gap being measured. Then a "realistic
server" figure: the same listers against the embedded fake org (``okta-async fake-org``,
rendering every page per request).

Targets (issue 14) are checked and printed; the exit status is 1 when one is missed.

    python benchmarks/bench_pagination.py [--sizes 10000 50000 100000] [--rounds 5]
                                          [--realistic-users 50000] [--cold-starts 15]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
LISTERS = ("plain", "raw", "model")
TOKEN = "bench-token-not-a-secret"
START_TIMEOUT_S = 300.0
RUN_TIMEOUT_S = 600.0
COLD_START_USERS = 1_000  # the listing of the time-to-first-item runs (five pages)
Figures = dict[str, Any]


# --------------------------------------------------------------------------- servers


def _read_line(proc: subprocess.Popen[str], pattern: str) -> re.Match[str]:
    """Wait (bounded: the child is killed after ``START_TIMEOUT_S``) for a matching stdout line."""
    assert proc.stdout is not None
    watchdog = threading.Timer(START_TIMEOUT_S, proc.kill)
    watchdog.start()
    try:
        for line in proc.stdout:
            if m := re.search(pattern, line):
                return m
    finally:
        watchdog.cancel()
    raise RuntimeError(f"the server exited without announcing itself ({pattern!r})")


@contextmanager
def server(args: list[str], pattern: str) -> Iterator[re.Match[str]]:
    """Run a server child process; yield its announcement; terminate it on the way out."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, text=True, env=env, bufsize=1
    )
    try:
        yield _read_line(proc, pattern)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def wire_server(sizes: list[int]) -> Iterator[dict[int, str]]:
    """The pre-rendered page server; yields ``{size: org url}``."""
    with server([str(HERE / "_wire.py"), TOKEN, *map(str, sizes)], r"^(\{.*\})$") as m:
        ports = json.loads(m.group(1))["ports"]
        yield {int(size): f"http://127.0.0.1:{port}" for size, port in ports.items()}


@contextmanager
def fake_org(users: int) -> Iterator[dict[int, str]]:
    """The embedded fake org (renders every page per request); yields ``{users: org url}``."""
    code = (
        "import asyncio\n"
        "from okta_async.testing.cli import serve\n"
        f"asyncio.run(serve(port=0, users={users}, token={TOKEN!r}))\n"
    )
    with server(["-c", code], r"OKTA_CLIENT_ORGURL=(\S+)") as m:
        yield {users: m.group(1)}


# --------------------------------------------------------------------------- measuring


def run_lister(lister: str, url: str, expected: int) -> Figures:
    """One lister in a fresh process; its figures, after checking it saw every item once."""
    spawned = time.perf_counter()  # CLOCK_MONOTONIC: the child's perf_counter shares its epoch
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "_lister.py"),
            lister,
            url,
            TOKEN,
            str(expected),
            repr(spawned),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    figures: Figures = json.loads(out.strip().splitlines()[-1])
    if figures["items"] != expected:
        raise RuntimeError(f"{lister} listed {figures['items']} of {expected} users at {url}")
    return figures


def measure(urls: dict[int, str], rounds: int) -> dict[tuple[str, int], list[Figures]]:
    """Every lister at every size, ``rounds`` times, interleaved with a rotating order."""
    runs: dict[tuple[str, int], list[Figures]] = {}
    for round_ in range(rounds):
        order = LISTERS[round_ % 3 :] + LISTERS[: round_ % 3]
        for size, url in urls.items():
            for lister in order:
                runs.setdefault((lister, size), []).append(run_lister(lister, url, size))
    return runs


def summarise(runs: dict[tuple[str, int], list[Figures]]) -> dict[tuple[str, int], Figures]:
    """Medians per lister and size: items/s, CPU/wall, µs of CPU per item, first item, RSS; and
    the ratios to the plain loop, as the median of each round's ratio (a round's runs follow one
    another within seconds, so a burst of load on this shared machine skews both sides of a
    ratio rather than one lister's median)."""
    out: dict[tuple[str, int], Figures] = {}
    for (lister, size), figs in runs.items():
        plain = runs["plain", size]
        out[lister, size] = {
            "ratio": statistics.median(
                _rate(f) / _rate(p) for f, p in zip(figs, plain, strict=True)
            ),
            "cpu_ratio": statistics.median(
                _cpu(p) / _cpu(f) for f, p in zip(figs, plain, strict=True)
            ),
            "items_per_s": statistics.median(_rate(f) for f in figs),
            "cpu_share": statistics.median(f["cpu_s"] / f["stream_s"] for f in figs),
            "cpu_us_per_item": statistics.median(_cpu(f) for f in figs),
            "first_item_ms": statistics.median(1e3 * f["first_item_s"] for f in figs),
            "peak_mb": statistics.median(f["peak_kb"] / 1024 for f in figs),
        }
    return out


def _rate(figures: Figures) -> float:
    return float(figures["items"] / figures["stream_s"])


def _cpu(figures: Figures) -> float:
    """µs of CPU per item."""
    return float(1e6 * figures["cpu_s"] / figures["items"])


# --------------------------------------------------------------------------- reporting


def cold_starts(url: str, size: int, rounds: int) -> dict[str, tuple[float, float]]:
    """Time to first item per lister over ``rounds`` fresh processes each, interleaved with a
    rotating order: (median ms, median of each round's difference to the plain loop).

    Its own phase: a process start scatters by tens of milliseconds on a shared machine, more
    than the gap being measured, so it needs more samples than the throughput runs.
    """
    samples: dict[str, list[float]] = {lister: [] for lister in LISTERS}
    for round_ in range(rounds):
        for lister in LISTERS[round_ % 3 :] + LISTERS[: round_ % 3]:
            samples[lister].append(1e3 * run_lister(lister, url, size)["first_item_s"])
    return {
        lister: (
            statistics.median(ms),
            statistics.median(a - b for a, b in zip(ms, samples["plain"], strict=True)),
        )
        for lister, ms in samples.items()
    }


def table(summary: dict[tuple[str, int], Figures], sizes: list[int]) -> str:
    """The markdown table README quotes: one row per lister and size.

    ``x plain`` compares items/s (wall time); ``x plain, CPU`` compares the client's CPU time per
    item, which a busy machine disturbs far less: when the plain loop does not keep a core busy,
    trust the second.
    """
    head = ["lister", "users", "items/s", "x plain", "CPU µs/item", "x plain, CPU", "peak RSS"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size in sizes:
        for lister in LISTERS:
            figs = summary[lister, size]
            cells = [
                lister,
                f"{size:,}",
                f"{figs['items_per_s']:,.0f}",
                f"{figs['ratio']:.2f}",
                f"{figs['cpu_us_per_item']:.1f}",
                f"{figs['cpu_ratio']:.2f}",
                f"{figs['peak_mb']:.1f} MB",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def checks(
    summary: dict[tuple[str, int], Figures],
    sizes: list[int],
    ttfi: dict[str, tuple[float, float]],
) -> dict[str, bool]:
    """The measurement's validity check and issue 14's targets, each met or not."""
    mid, small, large = sizes[len(sizes) // 2], sizes[0], sizes[-1]

    def ratio(lister: str) -> float:
        return float(summary[lister, mid]["ratio"])

    def rss(lister: str, size: int) -> float:
        return float(summary[lister, size]["peak_mb"])

    result = {
        "plain loop keeps a client core busy (CPU/wall >= 0.85)": all(
            summary["plain", s]["cpu_share"] >= 0.85 for s in sizes
        ),
        f"raw >= 0.9x plain at {mid // 1000}k": ratio("raw") >= 0.9,
        f"model >= 0.5x plain at {mid // 1000}k": ratio("model") >= 0.5,
    }
    for lister in ("raw", "model"):
        result[f"{lister}: first item <= plain's + 50 ms"] = ttfi[lister][1] <= 50
        result[f"{lister}: peak RSS flat ({large // 1000}k <= 1.1x {small // 1000}k)"] = rss(
            lister, large
        ) <= 1.1 * rss(lister, small)
        result[f"{lister}: peak RSS <= 1.3x plain's at every size"] = all(
            rss(lister, s) <= 1.3 * rss("plain", s) for s in sizes
        )
    return result


def realistic(users: int, rounds: int) -> dict[str, Figures]:
    """The same listers against the embedded fake org (the server sets the pace here); printed."""
    with fake_org(users) as urls:
        summary = summarise(measure(urls, rounds))
    plain = summary["plain", users]
    print(
        f"realistic server: the embedded fake org, {users:,} users "
        f"(plain loop client CPU / wall {plain['cpu_share']:.2f})"
    )
    for lister in LISTERS:
        figs = summary[lister, users]
        print(f"  {lister:<6} {figs['items_per_s']:>10,.0f} items/s   {figs['ratio']:.2f}x plain")
    return {lister: summary[lister, users] for lister in LISTERS}


def byte_compile() -> None:
    """Write okta_async's ``.pyc`` files, as installing a wheel does, before any cold start.

    Without them (a checkout run under ``PYTHONDONTWRITEBYTECODE``) every fresh process compiles
    the SDK from source, which the plain loop (aiohttp's ``.pyc`` came with its wheel) never pays.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "okta_async")],
        check=True,
        timeout=RUN_TIMEOUT_S,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--realistic-users", type=int, default=50_000, help="0 skips it")
    parser.add_argument("--cold-starts", type=int, default=15, help="time-to-first-item runs")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    if any(size % 200 for size in sizes):
        parser.error("sizes must be multiples of the page size, 200")
    byte_compile()
    load_before = os.getloadavg()[0]
    with wire_server(sorted({*sizes, COLD_START_USERS})) as urls:
        runs = measure({size: urls[size] for size in sizes}, args.rounds)
        ttfi = cold_starts(urls[COLD_START_USERS], COLD_START_USERS, args.cold_starts)
    summary = summarise(runs)
    verdicts = checks(summary, sizes, ttfi)
    print(
        f"pagination: page size 200, median of {args.rounds} rounds (ratios: median of each "
        f"round's ratio), {os.cpu_count()} cores "
        f"(load average {load_before:.1f} before the run), CPython {sys.version.split()[0]}; "
        "server: benchmarks/_wire.py (pages pre-rendered to bytes, separate process)"
    )
    print(table(summary, sizes))
    cold = ", ".join(f"{lister} {ms:.0f} ms" for lister, (ms, _) in ttfi.items())
    gaps = ", ".join(f"{lister} {gap:+.0f} ms" for lister, (_, gap) in ttfi.items() if gap)
    print(
        f"first item from a cold process (interpreter start and imports included; median of "
        f"{args.cold_starts} processes per lister, listing {COLD_START_USERS:,} users): {cold}; "
        f"over the plain loop, median of the rounds' differences: {gaps}"
    )
    shares = ", ".join(f"{s // 1000}k {summary['plain', s]['cpu_share']:.2f}" for s in sizes)
    print(f"plain loop client CPU / wall: {shares}")
    report: dict[str, Any] = {
        "sizes": sizes,
        "summary": {f"{k[0]}@{k[1]}": v for k, v in summary.items()},
        "first_item_ms": ttfi,
        "checks": verdicts,
    }
    if args.realistic_users:
        report["realistic"] = realistic(args.realistic_users, args.rounds)
    for name, ok in verdicts.items():
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_pagination.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""``okta-async demo``: a self-contained tour of the SDK against an in-process fake org."""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okta_async.cli._commands import (
    ImportOptions,
    Tally,
    add_group_members,
    assign_to_app,
    export_users,
    import_users,
    object_id,
)
from okta_async.cli._csvio import open_text, read_user_rows
from okta_async.cli._errors import EXIT_OK
from okta_async.cli._progress import Progress

if TYPE_CHECKING:
    from okta_async import OktaClient

DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Support", "Finance")
_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Donald", "Frances", "Tim")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Knuth")


def write_demo_csv(path: Path, users: int, *, seed: int = 7) -> list[int]:
    """Write a users CSV with ``users`` good rows and two deliberately bad ones.

    Returns the line numbers of the bad rows (an invalid email, a missing last name).
    """
    rng = random.Random(seed)
    bad_at = {max(2, users // 3): "bad-email", max(3, (2 * users) // 3): "no-last-name"}
    bad_lines: list[int] = []
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["login", "email", "firstName", "lastName", "department", "title"])
        line = 1
        for i in range(users):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            email = f"{first}.{last}.{i:05d}@example.com".lower()
            dept = DEPARTMENTS[i % len(DEPARTMENTS)]
            line += 1
            if line in bad_at:
                kind = bad_at.pop(line)
                bad_lines.append(line)
                if kind == "bad-email":
                    writer.writerow([f"broken{i}", "not-an-email", first, last, dept, ""])
                else:
                    odd = f"nolast{i}@example.com"
                    writer.writerow([odd, odd, first, "", dept, ""])
                line += 1
            writer.writerow([email, email, first, last, dept, "Member of staff"])
    return bad_lines


def _step(n: int, text: str) -> None:
    print(f"[{n}/7] {text}", flush=True)


async def run_demo(args: argparse.Namespace) -> int:
    """Run the tour; prints progress on stderr and the story plus a summary on stdout."""
    from okta_async import OktaClient
    from okta_async.testing import FakeOrg

    started = time.monotonic()
    show_progress = not args.no_progress
    print("okta-async demo: everything below runs against a fake Okta org inside this process.")
    with contextlib.ExitStack() as stack:
        if args.workdir:
            workdir = Path(args.workdir)
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="okta-demo-")))
        async with FakeOrg(users=0, groups=0, apps=0, seed=0) as org:
            _step(1, f"fake org listening at {org.url}")
            async with OktaClient(org_url=org.url, token=org.token) as okta:
                summary = await _tour(okta, workdir, args, show_progress)
    elapsed = time.monotonic() - started
    _print_summary(summary, elapsed, kept=workdir if args.workdir else None)
    return EXIT_OK


async def _tour(
    okta: OktaClient, workdir: Path, args: argparse.Namespace, show_progress: bool
) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    start = datetime.now(timezone.utc)

    csv_path = workdir / "users.csv"
    bad_lines = write_demo_csv(csv_path, args.users)
    _step(
        2,
        f"generated {csv_path.name}: {args.users:,} users + {len(bad_lines)} deliberately "
        f"bad rows (lines {', '.join(map(str, bad_lines))})",
    )

    journal = str(workdir / "import.journal.sqlite")
    _step(3, f"importing with okta.bulk.create_users(concurrency={args.concurrency}, journal=…)")
    total = args.users + len(bad_lines)
    with (
        open_text(csv_path) as stream,
        Progress("  import users", total=total, unit="rows", enabled=show_progress) as bar,
    ):
        options = ImportOptions(concurrency=args.concurrency, journal=journal)
        imported = await import_users(
            okta,
            read_user_rows(stream),
            options,
            progress=bar,
            report=lambda msg: bar.note("  " + msg),
        )
    summary["import"] = imported

    _step(4, "rerunning the same import with the same journal: finished rows are skipped")
    with open_text(csv_path) as stream:
        rerun = await import_users(okta, read_user_rows(stream), options, report=lambda msg: None)
    print(f"  rerun: {rerun.done:,} created, {rerun.skipped:,} skipped as already done")
    summary["rerun"] = rerun

    _step(5, f"creating {len(DEPARTMENTS)} department groups and adding their members")
    group_ids: dict[str, str] = {}
    members = Tally()
    with Progress("  add members", total=args.users, unit="users", enabled=show_progress) as bar:
        for dept in DEPARTMENTS:
            group = await okta.groups.add_group(
                {"profile": {"name": dept, "description": f"Everyone in {dept}"}}
            )
            group_ids[dept] = object_id(group)
            ids = [
                (0, u["id"])
                async for u in okta.users.list_users(
                    search=f'profile.department eq "{dept}"', limit=200
                ).raw()
            ]
            part = await add_group_members(
                okta, group_ids[dept], ids, concurrency=args.concurrency, progress=bar
            )
            members.done += part.done
            members.failed += part.failed
    summary["groups"] = len(group_ids)
    summary["memberships"] = members

    _step(6, "creating a bookmark app and assigning it to two groups and 100 users")
    app = await okta.apps.create_application(
        {
            "name": "bookmark",
            "label": "Demo Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com", "requestIntegration": False}},
        }
    )
    app_id = object_id(app)
    groups_tally = await assign_to_app(
        okta,
        app_id,
        [(0, group_ids["Engineering"]), (0, group_ids["Support"])],
        kind="groups",
        concurrency=args.concurrency,
    )
    sales = [
        (0, u["id"])
        async for u in okta.users.list_users(
            search='profile.department eq "Sales"', max_items=100
        ).raw()
    ]
    with Progress("  assign users", total=len(sales), unit="users", enabled=show_progress) as bar:
        users_tally = await assign_to_app(
            okta, app_id, sales, kind="users", concurrency=args.concurrency, progress=bar
        )
    summary["app"] = (groups_tally.done, users_tally.done)

    export_path = workdir / "users.jsonl"
    _step(7, f"exporting every user to {export_path.name} (streamed, constant memory)")
    with (
        export_path.open("w", encoding="utf-8") as out,
        Progress("  export users", unit="users", enabled=show_progress) as bar,
    ):
        exported = await export_users(okta, out, progress=bar)
    summary["exported"] = (exported, export_path.stat().st_size)

    events: collections.Counter[str] = collections.Counter()
    async for event in okta.logs.list_log_events(
        since=start, until=datetime.now(timezone.utc), limit=1000
    ).raw():
        events[str(event.get("eventType"))] += 1
    summary["events"] = events
    return summary


def _print_summary(summary: dict[str, Any], elapsed: float, *, kept: Path | None) -> None:
    imported: Tally = summary["import"]
    rerun: Tally = summary["rerun"]
    members: Tally = summary["memberships"]
    groups_done, users_done = summary["app"]
    exported, size = summary["exported"]
    events: collections.Counter[str] = summary["events"]
    rows = [
        ("users created", f"{imported.done:,}"),
        ("bad CSV rows reported", f"{imported.rejected:,}"),
        ("users failed at Okta", f"{imported.failed:,}"),
        ("rerun skipped via journal", f"{rerun.skipped:,}"),
        ("groups created", f"{summary['groups']:,}"),
        ("memberships added", f"{members.done:,}"),
        ("app assignments", f"{groups_done} groups, {users_done} users"),
        ("users exported", f"{exported:,} ({size / 1e6:.1f} MB of JSON lines)"),
        ("system log events", f"{sum(events.values()):,}"),
    ]
    for name, count in events.most_common(4):
        rows.append((f"  {name}", f"{count:,}"))
    width = max(len(r[0]) for r in rows)
    print("\nsummary")
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
    print(f"\ndemo finished in {elapsed:.1f}s", end="")
    print(f"; files kept in {kept}" if kept else "")
    sys.stdout.flush()

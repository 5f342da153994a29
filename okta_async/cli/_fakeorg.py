"""``okta-async fake-org``: serve the embedded fake org until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys

from okta_async.cli._errors import EXIT_OK, EXIT_USAGE, CliError


async def serve_fake_org(args: argparse.Namespace, *, ready: asyncio.Event | None = None) -> int:
    """Start the fake org on ``--host``/``--port``, print how to use it, wait until cancelled."""
    from okta_async.testing import FakeOrg

    options = {}
    try:
        if args.rate_limit:
            from okta_async.testing import parse_rate_limits

            options["rate_limits"] = parse_rate_limits(args.rate_limit)
        if args.faults:
            from okta_async.testing import parse_faults

            options["faults"] = parse_faults(args.faults)
    except ValueError as exc:
        raise CliError(f"bad fake-org option: {exc}", EXIT_USAGE) from None
    try:
        org = FakeOrg(
            users=args.users,
            groups=args.groups,
            apps=args.apps,
            seed=args.seed,
            host=args.host,
            port=args.port,
            **options,
        )
        await org.start()
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    try:
        print(f"fake Okta org listening at {org.url}")
        print(f"  export OKTA_CLIENT_ORGURL={org.url}")
        print(f"  export OKTA_CLIENT_TOKEN={org.token}")
        print(
            f"  {args.users:,} users, {args.groups:,} groups, {args.apps:,} apps; Ctrl-C to stop",
            flush=True,
        )
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()  # until cancelled (Ctrl-C cancels the main task)
    finally:
        await org.stop()
        print("fake org stopped", file=sys.stderr)
    return EXIT_OK
